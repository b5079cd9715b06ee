//! Images per second through the desk's path (bounded decode → PDQ → OCR, one pool of
//! `workers`) against the `tesseract` program alone on the same files with as many at once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use claimdesk_image::{Limits, Ocr, decode, pdq};

/// Time spent in each stage, summed over the images.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stages {
    /// Reading and decoding.
    pub decode: Duration,
    /// The PDQ hash.
    pub hash: Duration,
    /// Preprocessing and Tesseract.
    pub ocr: Duration,
}

/// Runs `work` over `files`, `workers` at once; the wall time and each file's text.
fn pool<F>(files: &[PathBuf], workers: usize, work: F) -> (Duration, Vec<String>)
where
    F: Fn(&Path) -> String + Sync,
{
    let next = AtomicUsize::new(0);
    let out = Mutex::new(vec![String::new(); files.len()]);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    let text = work(f);
                    out.lock().unwrap()[i] = text;
                }
            });
        }
    });
    (started.elapsed(), out.into_inner().unwrap())
}

/// The desk's path on every file: wall time, the stages' sums, and the texts.
pub fn desk(files: &[PathBuf], ocr: &Ocr, workers: usize) -> (Duration, Stages, Vec<String>) {
    let stages = Mutex::new(Stages::default());
    let (wall, texts) = pool(files, workers, |f| {
        let t0 = Instant::now();
        let Ok(bytes) = std::fs::read(f) else {
            return String::new();
        };
        let Ok(decoded) = decode(&bytes, None, &Limits::default()) else {
            return String::new();
        };
        let t1 = Instant::now();
        let _ = std::hint::black_box(pdq::hash(&decoded.image));
        let t2 = Instant::now();
        let text = ocr.read(&decoded.image).map(|t| t.text).unwrap_or_default();
        let t3 = Instant::now();
        let mut s = stages.lock().unwrap();
        s.decode += t1 - t0;
        s.hash += t2 - t1;
        s.ocr += t3 - t2;
        text
    });
    (wall, stages.into_inner().unwrap(), texts)
}

/// `tesseract FILE stdout -l LANGS --psm 3` on every file, one thread each (as the desk's
/// subprocesses run), `workers` at once: wall time and texts.
pub fn reference(files: &[PathBuf], languages: &str, workers: usize) -> (Duration, Vec<String>) {
    pool(files, workers, |f| {
        Command::new("tesseract")
            .arg(f)
            .args(["stdout", "-l", languages, "--psm", "3"])
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    })
}
