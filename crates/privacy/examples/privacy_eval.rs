//! The privacy check's evaluation (issue 21, `bench/privacy.sh`).
//!
//! `privacy_eval quality POSTS.jsonl CONFIG.json [--errors tune]`: per kind, precision and
//! recall of `check_text` on the tuning half and on the held-out half of the set written
//! by `bench/privacy_posts.py`. A finding counts as right when a label of the same kind
//! overlaps it; each label is found at most once. `--errors tune` lists the tuning half's
//! mistakes (the only half looked at while tuning the patterns).
//!
//! `privacy_eval seeds DIR`: the fuzz target `privacy`'s first corpus (fuzz/corpus/privacy):
//! images made by the fixtures (EXIF with GPS, XMP and a comment, a QR code, a PNG text chunk,
//! a turned photo, a bomb, corrupt EXIF) and a few drafts.
//!
//! `privacy_eval speed [--runs N]`: the check of a 2,000-character post with two photos
//! (a 12-megapixel JPEG with EXIF and a screenshot), with the real Tesseract, p50 and p90.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use claimdesk_image::Ocr;
use claimdesk_privacy::fixtures::{PhotoExif, photo_with_exif, screenshot_png};
use claimdesk_privacy::{Config, Location, SensitiveTerm, check_image, check_text};
use serde::Deserialize;

#[derive(Deserialize)]
struct Label {
    kind: String,
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct Post {
    id: u32,
    split: String,
    text: String,
    labels: Vec<Label>,
}

#[derive(Deserialize)]
struct EvalConfig {
    terms: Vec<SensitiveTerm>,
    allowed: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Tally {
    fn precision(self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("quality") if args.len() >= 3 => quality(&args[1], &args[2], &args[3..]),
        Some("seeds") if args.len() == 2 => seeds(std::path::Path::new(&args[1])),
        Some("speed") => {
            let runs = args
                .iter()
                .position(|a| a == "--runs")
                .and_then(|i| args.get(i + 1))
                .and_then(|n| n.parse().ok())
                .unwrap_or(20);
            speed(runs)
        }
        _ => {
            eprintln!(
                "usage: privacy_eval quality POSTS.jsonl CONFIG.json [--errors tune] | speed [--runs N]"
            );
            std::process::exit(2);
        }
    }
}

fn quality(posts: &str, config: &str, rest: &[String]) {
    let config: EvalConfig =
        serde_json::from_str(&std::fs::read_to_string(config).expect("the config")).expect("JSON");
    let config = Config {
        terms: config.terms,
        allowed: config.allowed,
        ..Config::default()
    };
    let show_errors = rest
        .windows(2)
        .any(|w| w[0] == "--errors" && w[1] == "tune");
    let text = std::fs::read_to_string(posts).expect("the posts");
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut exact = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let post: Post = serde_json::from_str(line).expect("a post");
        *counts.entry(post.split.clone()).or_default() += 1;
        let report = check_text(&post.text, &config).expect("a post under the cap");
        let mut used = vec![false; post.labels.len()];
        for f in &report.findings {
            let Location::Text { start, end } = f.location else {
                continue;
            };
            let kind = f.kind.as_str().to_string();
            let hit =
                post.labels.iter().enumerate().position(|(i, l)| {
                    !used[i] && l.kind == kind && l.start < end && start < l.end
                });
            let t = tallies
                .entry((post.split.clone(), kind.clone()))
                .or_default();
            match hit {
                Some(i) => {
                    used[i] = true;
                    t.tp += 1;
                    exact.1 += 1;
                    if (post.labels[i].start, post.labels[i].end) == (start, end) {
                        exact.0 += 1;
                    }
                }
                None => {
                    t.fp += 1;
                    if show_errors && post.split == "tune" {
                        println!(
                            "FP {} {kind} {:?} in {:?}",
                            post.id,
                            &post.text[start..end],
                            post.text
                        );
                    }
                }
            }
        }
        for (i, l) in post.labels.iter().enumerate() {
            if !used[i] {
                tallies
                    .entry((post.split.clone(), l.kind.clone()))
                    .or_default()
                    .fn_ += 1;
                if show_errors && post.split == "tune" {
                    println!(
                        "FN {} {} {:?} in {:?}",
                        post.id,
                        l.kind,
                        &post.text[l.start..l.end],
                        post.text
                    );
                }
            }
        }
    }
    let kinds: std::collections::BTreeSet<&String> = tallies.keys().map(|(_, k)| k).collect();
    println!(
        "posts: {} tuning, {} held out",
        counts.get("tune").unwrap_or(&0),
        counts.get("heldout").unwrap_or(&0)
    );
    println!(
        "{:<16} {:>6} {:>6} {:>6} {:>9} {:>7}   {:>6} {:>6} {:>6} {:>9} {:>7}",
        "kind", "tp", "fp", "fn", "precision", "recall", "tp", "fp", "fn", "precision", "recall"
    );
    println!("{:<16} {:^40}   {:^40}", "", "tuning half", "held-out half");
    let mut totals = [Tally::default(); 2];
    let mut worst = (1.0f64, 1.0f64);
    for kind in kinds {
        let mut row = format!("{kind:<16}");
        for (i, split) in ["tune", "heldout"].iter().enumerate() {
            let t = tallies
                .get(&(split.to_string(), kind.clone()))
                .copied()
                .unwrap_or_default();
            totals[i].tp += t.tp;
            totals[i].fp += t.fp;
            totals[i].fn_ += t.fn_;
            if i == 1 {
                worst.0 = worst.0.min(t.precision());
                worst.1 = worst.1.min(t.recall());
            }
            row += &format!(
                " {:>6} {:>6} {:>6} {:>9.3} {:>7.3}  ",
                t.tp,
                t.fp,
                t.fn_,
                t.precision(),
                t.recall()
            );
        }
        println!("{}", row.trim_end());
    }
    let mut row = format!("{:<16}", "all");
    for t in totals {
        row += &format!(
            " {:>6} {:>6} {:>6} {:>9.3} {:>7.3}  ",
            t.tp,
            t.fp,
            t.fn_,
            t.precision(),
            t.recall()
        );
    }
    println!("{}", row.trim_end());
    println!(
        "held-out: lowest precision of a kind {:.3}, lowest recall {:.3}; spans exactly as labelled: {} of {} found",
        worst.0, worst.1, exact.0, exact.1
    );
}

fn seeds(dir: &std::path::Path) {
    use claimdesk_privacy::fixtures::{jpeg_bomb, jpeg_with_corrupt_exif, qr_png};
    std::fs::create_dir_all(dir).expect("the corpus directory");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("photo-exif.jpg", photo_with_exif(24, 16, 1, &PhotoExif::default())),
        ("qr-phone.png", qr_png("0912 345 678", 2, 4)),
        ("bomb.jpg", jpeg_bomb()),
        ("corrupt-exif.jpg", jpeg_with_corrupt_exif()),
        (
            "draft-vi.txt",
            "Liên hệ chị Lan 0912.345.678, CCCD 001203004567, STK Vietcombank 0071000123456, \
             xe 29A-123.45, sinh ngày 12/03/1985, nhà số 12 đường Lý Thường Kiệt."
                .as_bytes()
                .to_vec(),
        ),
        (
            "draft-en.txt",
            "Call +1 415 555 0134 or mail lan@example.com; passport C1234567, card 4111 1111 1111 1111, DOB: March 3, 1985, 221 Baker Street."
                .as_bytes()
                .to_vec(),
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("a seed written");
    }
}

/// About 2,000 characters of a draft with personal data in it.
fn long_post() -> String {
    let para = "Chiều qua, một bài đăng lan truyền trên mạng xã hội cho rằng uống nước chanh \
                nóng mỗi sáng chữa khỏi ung thư. Chúng tôi đã liên hệ Bộ Y tế và các bác sĩ \
                ung bướu để xác minh: không có bằng chứng nào như vậy. Người đăng, chị Lan \
                (số 0912 345 678, email lan.nguyen@gmail.com), sống ở số 12 đường Lý Thường \
                Kiệt. ";
    let mut out = String::new();
    while out.chars().count() < 2_000 {
        out.push_str(para);
    }
    out.chars().take(2_000).collect()
}

fn speed(runs: usize) {
    let ocr = Ocr::find(None, &["vie", "eng"], 2, Duration::from_secs(60))
        .expect("Tesseract with Vietnamese and English (scripts/test-deps)");
    let config = Config::default();
    let post = long_post();
    // A 12-megapixel camera photo with EXIF, and a phone screenshot of a post.
    let photo = photo_with_exif(4000, 3000, 7, &PhotoExif::default());
    let shot = screenshot_png(
        &[
            "Mình nhặt được ví, ai mất liên hệ nhé",
            "Căn cước công dân số 001203004567",
            "Gọi 0987 654 321 gặp anh Tuấn",
        ],
        30.0,
    );
    let mut times = Vec::with_capacity(runs);
    let mut findings = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let text = check_text(&post, &config).expect("under the cap");
        let a = check_image("photo.jpg", &photo, &config, &ocr).expect("the photo");
        let b = check_image("shot.png", &shot, &config, &ocr).expect("the screenshot");
        times.push(started.elapsed());
        findings = text.findings.len() + a.findings.len() + b.findings.len();
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "check of a {}-character post with two photos (4000 × 3000 JPEG with EXIF, {} byte \
         screenshot): {runs} runs, p50 {:.0} ms, p90 {:.0} ms, {findings} findings",
        post.chars().count(),
        shot.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
    );
}
