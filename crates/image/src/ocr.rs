//! The text in a screenshot, read by Tesseract.
//!
//! Tesseract runs as the `tesseract` program (Debian's `tesseract-ocr` with
//! `tesseract-ocr-vie` and `tesseract-ocr-eng`), one subprocess an image, the picture on its
//! standard input as PNG and the text on its standard output, rather than linked in through a
//! binding: a crash or a runaway allocation in the C++ library ends a subprocess, not the
//! desk; a timeout kills it; the build needs no libclang, bindgen or `libtesseract-dev`; and
//! a machine without Tesseract runs claimdesk all the same ([`Ocr::find`] says what is
//! missing, and images are stored and hashed but not read). A bounded pool of permits caps
//! how many run at once, so a flood of images slows intake instead of exhausting memory.
//!
//! Screenshots need help first ([`Preprocess`]): small ones are scaled up (Tesseract reads
//! text about 30 pixels high best), dark mode is inverted to dark text on light, the
//! picture is made grey, and the profile picture and other solid shapes are cleared
//! ([`crate::pictures`]) so they are not read as symbols.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use image::{DynamicImage, GrayImage, imageops::FilterType};
use unicode_normalization::UnicodeNormalization;

/// Why an image's text could not be read. The image is kept either way.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum OcrError {
    /// The `tesseract` program is not installed or does not run.
    #[error(
        "images are stored but not read: the `tesseract` program was not found ({detail}); \
         install Debian's tesseract-ocr, tesseract-ocr-vie and tesseract-ocr-eng"
    )]
    Unavailable {
        /// What running it said.
        detail: String,
    },
    /// Tesseract runs but lacks a language's data.
    #[error(
        "images are stored but not read: Tesseract has no {language} data; install Debian's \
         tesseract-ocr-{language}"
    )]
    MissingLanguage {
        /// The language code (`vie`, `eng`).
        language: String,
    },
    /// It ran past the time allowed for one image and was killed.
    #[error("reading the image's text took more than {seconds} s and was stopped")]
    Timeout {
        /// The limit.
        seconds: u64,
    },
    /// It failed on this image.
    #[error("Tesseract could not read the image: {detail}")]
    Failed {
        /// Its exit status and what it printed.
        detail: String,
    },
}

/// Text read from an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrText {
    /// The text, NFC, one line per line read, blank lines collapsed.
    pub text: String,
    /// How long Tesseract took.
    pub elapsed: Duration,
}

/// A word read from an image: where it is in [`OcrWords::text`] and in the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcrWord {
    /// First byte of the word in the text.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// Left edge of its box, in pixels of the image given.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width of the box.
    pub width: u32,
    /// Height of the box.
    pub height: u32,
}

/// Text read from an image with each word's box (Tesseract's `tsv` output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrWords {
    /// The words, NFC, one space between the words of a line, one line per line read and a
    /// blank line between blocks.
    pub text: String,
    /// Every word, in reading order.
    pub words: Vec<OcrWord>,
}

/// How a picture is prepared for Tesseract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preprocess {
    /// Scale pictures narrower than this up (by at most [`Preprocess::max_scale`]).
    pub target_width: u32,
    /// The most a picture is scaled up.
    pub max_scale: f32,
    /// Invert when the mean grey is below this (dark mode: light text on dark).
    pub dark_below: u8,
    /// Clear the pictures (profile pictures, emoji, solid shapes) Tesseract would read as
    /// symbols; see [`crate::pictures`].
    pub clear_pictures: bool,
    /// Binarize with Otsu's threshold after the above.
    pub binarize: bool,
}

impl Default for Preprocess {
    /// What the desk runs: the candidate with the lowest CER on half A of the generated
    /// screenshots (`bench/images.sh`, which says so on its `desk` line).
    fn default() -> Preprocess {
        Preprocess {
            target_width: 1800,
            max_scale: 3.0,
            dark_below: 110,
            clear_pictures: true,
            binarize: false,
        }
    }
}

impl Preprocess {
    /// The grey picture Tesseract is given.
    pub fn apply(&self, image: &DynamicImage) -> GrayImage {
        let mut grey = image.to_luma8();
        let n = u64::from(grey.width()) * u64::from(grey.height());
        let sum = grey.pixels().map(|p| u64::from(p[0])).sum::<u64>();
        if sum
            .checked_div(n)
            .is_some_and(|mean| mean < u64::from(self.dark_below))
        {
            image::imageops::invert(&mut grey);
        }
        let width = grey.width().max(1);
        if width < self.target_width {
            let scale = (self.target_width as f32 / width as f32).min(self.max_scale);
            if scale > 1.2 {
                let w = (grey.width() as f32 * scale).round() as u32;
                let h = (grey.height() as f32 * scale).round() as u32;
                grey = image::imageops::resize(&grey, w, h, FilterType::CatmullRom);
            }
        }
        if self.clear_pictures {
            let t = otsu(&grey);
            crate::pictures::clear(&mut grey, t);
        }
        if self.binarize {
            let t = otsu(&grey);
            for p in grey.pixels_mut() {
                p[0] = if p[0] > t { 255 } else { 0 };
            }
        }
        grey
    }
}

/// Otsu's threshold: the grey level that best separates ink from paper.
fn otsu(grey: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in grey.pixels() {
        hist[usize::from(p[0])] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, c)| i as f64 * *c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0f64, 0f64, -1f64, 127u8);
    for (t, count) in hist.iter().enumerate() {
        w0 += *count as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total as f64 - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * *count as f64;
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// A counting semaphore: at most `n` Tesseract processes at once.
#[derive(Debug)]
struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// Tesseract, found and ready: clone it freely, the clones share one pool.
#[derive(Debug, Clone)]
pub struct Ocr {
    program: PathBuf,
    languages: String,
    timeout: Duration,
    preprocess: Preprocess,
    permits: Arc<Permits>,
}

impl Ocr {
    /// Finds `program` (`tesseract` on the `PATH` by default) and checks it has every one of
    /// `languages` (`["vie", "eng"]`). At most `workers` images are read at once, each for
    /// at most `timeout`.
    pub fn find(
        program: Option<PathBuf>,
        languages: &[&str],
        workers: usize,
        timeout: Duration,
    ) -> Result<Ocr, OcrError> {
        let program = program.unwrap_or_else(|| PathBuf::from("tesseract"));
        let out = Command::new(&program)
            .arg("--list-langs")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| OcrError::Unavailable {
                detail: format!("{}: {e}", program.display()),
            })?;
        if !out.status.success() {
            return Err(OcrError::Unavailable {
                detail: format!("{} --list-langs: {}", program.display(), out.status),
            });
        }
        // Older versions print the list on stderr.
        let listed = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let have: Vec<&str> = listed.lines().map(str::trim).collect();
        if let Some(missing) = languages.iter().find(|l| !have.contains(l)) {
            return Err(OcrError::MissingLanguage {
                language: missing.to_string(),
            });
        }
        Ok(Ocr {
            program,
            languages: languages.join("+"),
            timeout,
            preprocess: Preprocess::default(),
            permits: Arc::new(Permits {
                free: Mutex::new(workers.max(1)),
                freed: Condvar::new(),
            }),
        })
    }

    /// The same Tesseract with other preprocessing.
    pub fn with_preprocess(mut self, preprocess: Preprocess) -> Ocr {
        self.preprocess = preprocess;
        self
    }

    /// Reads the text in `image`: preprocessed, then Tesseract (waiting for a free worker
    /// first). Blocking: call it from a blocking thread.
    pub fn read(&self, image: &DynamicImage) -> Result<OcrText, OcrError> {
        let grey = self.preprocess.apply(image);
        let mut png = Vec::new();
        DynamicImage::ImageLuma8(grey)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| OcrError::Failed {
                detail: format!("could not encode the picture for Tesseract: {e}"),
            })?;
        let _permit = self.permits.acquire();
        let started = Instant::now();
        let raw = self.run(&png, &[])?;
        Ok(OcrText {
            text: tidy(&raw),
            elapsed: started.elapsed(),
        })
    }

    /// Reads the words in `image` with their boxes, in `image`'s pixels: as [`Ocr::read`],
    /// through Tesseract's `tsv` output. Blocking: call it from a blocking thread.
    pub fn read_words(&self, image: &DynamicImage) -> Result<OcrWords, OcrError> {
        let grey = self.preprocess.apply(image);
        // Boxes come back in the prepared picture's pixels; the preparation only scales.
        let scale = f64::from(image.width().max(1)) / f64::from(grey.width().max(1));
        let mut png = Vec::new();
        DynamicImage::ImageLuma8(grey)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| OcrError::Failed {
                detail: format!("could not encode the picture for Tesseract: {e}"),
            })?;
        let _permit = self.permits.acquire();
        let tsv = self.run(&png, &["tsv"])?;
        Ok(words_from_tsv(&tsv, scale))
    }

    fn run(&self, png: &[u8], configs: &[&str]) -> Result<String, OcrError> {
        let failed = |detail: String| OcrError::Failed { detail };
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "-l", &self.languages, "--psm", "3"])
            .args(configs)
            // One thread each: the pool, not OpenMP, decides how many cores OCR takes.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| OcrError::Unavailable {
                detail: format!("{}: {e}", self.program.display()),
            })?;
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let input = png.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.read_to_end(&mut out);
            out
        });
        let errors = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut out);
            out
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(OcrError::Timeout {
                        seconds: self.timeout.as_secs().max(1),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(failed(e.to_string())),
            }
        };
        let _ = writer.join();
        let out = reader.join().unwrap_or_default();
        let err = errors.join().unwrap_or_default();
        if !status.success() {
            return Err(failed(format!(
                "{status}: {}",
                String::from_utf8_lossy(&err).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// The words of Tesseract's `tsv` output (level 5 rows: `level page block par line word left
/// top width height conf text`), joined as [`OcrWords::text`] says, boxes multiplied by
/// `scale`. Rows that are not words or have no text are skipped.
fn words_from_tsv(tsv: &str, scale: f64) -> OcrWords {
    let mut text = String::new();
    let mut words = Vec::new();
    let mut last: Option<(&str, &str, &str)> = None;
    let px = |v: &str| (v.parse::<f64>().unwrap_or(0.0) * scale).round() as u32;
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let word: String = f[11].trim().nfc().collect();
        if word.is_empty() {
            continue;
        }
        let here = (f[2], f[3], f[4]);
        match last {
            Some(l) if l == here => text.push(' '),
            Some(l) if l.0 == here.0 => text.push('\n'),
            Some(_) => text.push_str("\n\n"),
            None => {}
        }
        last = Some(here);
        let start = text.len();
        text.push_str(&word);
        words.push(OcrWord {
            start,
            end: text.len(),
            x: px(f[6]),
            y: px(f[7]),
            width: px(f[8]),
            height: px(f[9]),
        });
    }
    OcrWords { text, words }
}

/// NFC, lines trimmed, runs of blank lines (and Tesseract's closing form feed) collapsed.
fn tidy(raw: &str) -> String {
    let nfc: String = raw.nfc().collect();
    let mut out = String::new();
    let mut blank = false;
    for line in nfc.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_keep_their_offsets_and_boxes() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t600\t300\t-1\t\n\
            5\t1\t1\t1\t1\t1\t30\t60\t90\t30\t96\tSo\n\
            5\t1\t1\t1\t1\t2\t130\t60\t90\t30\t95\tCCCD\n\
            5\t1\t1\t1\t2\t1\t30\t120\t240\t30\t91\t001203004567\n\
            5\t1\t2\t1\t1\t1\t30\t240\t60\t30\t90\tHue\u{0302}\u{0301}\n";
        let w = words_from_tsv(tsv, 1.0 / 3.0);
        assert_eq!(w.text, "So CCCD\n001203004567\n\nHuế");
        assert_eq!(w.words.len(), 4);
        let id = w.words[2];
        assert_eq!(&w.text[id.start..id.end], "001203004567");
        assert_eq!((id.x, id.y, id.width, id.height), (10, 40, 80, 10));
        assert_eq!(&w.text[w.words[3].start..w.words[3].end], "Huế");
    }

    #[test]
    fn text_is_nfc_and_tidy() {
        // "Việt" with a combining dot below and circumflex, as some engines emit it.
        let raw = "  Vie\u{0323}\u{0302}t Nam  \n\n\n second line\n\u{c}";
        assert_eq!(tidy(raw), "Việt Nam\n\nsecond line");
    }

    #[test]
    fn dark_mode_is_inverted_and_small_pictures_scaled() {
        let dark = DynamicImage::ImageLuma8(GrayImage::from_pixel(300, 100, image::Luma([20])));
        let out = Preprocess::default().apply(&dark);
        assert_eq!(out.dimensions(), (900, 300));
        assert!(out.pixels().all(|p| p[0] == 235));
    }

    #[test]
    fn otsu_splits_two_levels() {
        let mut g = GrayImage::from_pixel(10, 10, image::Luma([200]));
        for x in 0..5 {
            g.put_pixel(x, 0, image::Luma([30]));
        }
        let t = otsu(&g);
        assert!((30..200).contains(&t), "{t}");
    }
}
