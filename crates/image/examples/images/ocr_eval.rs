//! OCR character error rate on the rendered screenshots, through the desk's own path
//! (bytes → `decode` → `Ocr::read`), with the preprocessing chosen on half A and the figures
//! reported on half B; and the read text written as query files for `claimdesk eval`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use claimdesk_image::{Limits, Ocr, Preprocess, decode};
use unicode_normalization::UnicodeNormalization;

use crate::corpus::{self, Post};

/// Levenshtein distance over chars.
pub fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// NFC with every run of whitespace one space: line breaks depend on the layout, not on
/// the reading.
pub fn normalize(text: &str) -> Vec<char> {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect()
}

/// (edits, reference length) of `read` against `reference`.
pub fn errors(read: &str, reference: &str) -> (usize, usize) {
    let (r, t) = (normalize(reference), normalize(read));
    (levenshtein(&t, &r), r.len())
}

/// (edits, body length) of the post's text `body` found inside `read`: Levenshtein where
/// whatever `read` has before and after it is free, so the header (name, time, what the
/// avatar was taken for) does not count: the error rate of the text alone.
pub fn body_errors(read: &str, body: &str) -> (usize, usize) {
    let (r, t) = (normalize(body), normalize(read));
    // Rows: the body's characters; columns: the read text's. Row 0 is all zeros (the body
    // may start anywhere); the answer is the least of the last row (it may end anywhere).
    let mut prev = vec![0usize; t.len() + 1];
    let mut cur = vec![0usize; t.len() + 1];
    for (i, cr) in r.iter().enumerate() {
        cur[0] = i + 1;
        for (j, ct) in t.iter().enumerate() {
            let sub = prev[j] + usize::from(cr != ct);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev.iter().copied().min().unwrap_or(0), r.len())
}

/// A screenshot on disk with what it shows.
pub struct Item {
    /// The post.
    pub post: Post,
    /// `A` or `B`.
    pub half: char,
    /// The JPEG.
    pub path: PathBuf,
    /// The text drawn.
    pub reference: String,
    /// The post's text alone as drawn.
    pub body: String,
    /// How it was drawn.
    pub style: corpus::Style,
}

/// Renders every post, writes its JPEG under `dir` and a manifest beside.
pub fn generate(posts: &[Post], families: &[corpus::Family], seed: u64, dir: &Path) -> Vec<Item> {
    std::fs::create_dir_all(dir).expect("the output folder can be made");
    let mut manifest = String::from("id\thalf\tfont\ttheme\tpx\tquality\tphoto\treference\tbody\n");
    let items: Vec<Item> = posts
        .iter()
        .map(|post| {
            let shot = corpus::render(post, families, seed);
            let path = dir.join(format!("{}.jpg", post.id));
            std::fs::write(&path, corpus::jpeg(&shot.image, shot.style.quality))
                .expect("the screenshot can be written");
            let half = corpus::half(seed, &post.id);
            manifest.push_str(&format!(
                "{}\t{half}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                post.id,
                families[shot.style.family].name,
                shot.style.theme,
                shot.style.px,
                shot.style.quality,
                shot.style.photo,
                shot.reference,
                shot.body
            ));
            Item {
                post: post.clone(),
                half,
                path,
                reference: shot.reference,
                body: shot.body,
                style: shot.style,
            }
        })
        .collect();
    std::fs::write(dir.join("manifest.tsv"), manifest).expect("the manifest can be written");
    items
}

/// Reads every item's file as the desk would (bounded decode, then OCR), `workers` at once;
/// the text of each, in order (empty when it failed, which is counted as all wrong).
pub fn read_all(items: &[&Item], ocr: &Ocr, workers: usize) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(vec![String::new(); items.len()]);
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let text = read_file(&item.path, ocr).unwrap_or_else(|e| {
                        eprintln!("{}: {e}", item.path.display());
                        String::new()
                    });
                    out.lock().unwrap()[i] = text;
                }
            });
        }
    });
    out.into_inner().unwrap()
}

/// Writes each item's reference beside what was read (`id lang edits chars reference read`,
/// tab-separated, line breaks as spaces): where the errors are.
pub fn write_reads(path: &Path, items: &[&Item], read: &[String]) {
    let mut out = String::from("id\tlang\tedits\tchars\treference\tread\n");
    for (item, text) in items.iter().zip(read) {
        let (e, n) = errors(text, &item.reference);
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "{}\t{}\t{e}\t{n}\t{}\t{}\n",
            item.post.id,
            item.post.lang,
            flat(&item.reference),
            flat(text)
        ));
    }
    std::fs::write(path, out).expect("the reads file can be written");
}

/// One file through the desk's path: bounded decode, then OCR.
pub fn read_file(path: &Path, ocr: &Ocr) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let decoded = decode(&bytes, None, &Limits::default()).map_err(|e| e.to_string())?;
    ocr.read(&decoded.image)
        .map(|t| t.text)
        .map_err(|e| e.to_string())
}

/// Character error rate (total edits / total reference characters) per language, of the
/// whole screenshot (`body_only` false) or of the post's text alone.
pub fn cer(
    items: &[&Item],
    read: &[String],
    body_only: bool,
) -> BTreeMap<&'static str, (usize, usize)> {
    let mut by: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    for (item, text) in items.iter().zip(read) {
        let (e, n) = if body_only {
            body_errors(text, &item.body)
        } else {
            errors(text, &item.reference)
        };
        let slot = by.entry(item.post.lang).or_default();
        slot.0 += e;
        slot.1 += n;
    }
    by
}

/// A rate as a percentage with two decimals.
pub fn pct(edits: usize, total: usize) -> String {
    format!("{:.2}%", 100.0 * edits as f64 / total.max(1) as f64)
}

/// The candidate preprocessings tried on half A.
pub fn candidates() -> Vec<(&'static str, Preprocess)> {
    // The desk's default before pictures were cleared: grey, scaled towards 1,800 px.
    let base = Preprocess {
        clear_pictures: false,
        binarize: false,
        ..Preprocess::default()
    };
    vec![
        ("grey(1800px,x3)", base),
        (
            "binarize",
            Preprocess {
                binarize: true,
                ..base
            },
        ),
        (
            "binarize+pictures",
            Preprocess {
                binarize: true,
                clear_pictures: true,
                ..base
            },
        ),
        (
            "grey+pictures",
            Preprocess {
                clear_pictures: true,
                ..base
            },
        ),
        (
            "unscaled",
            Preprocess {
                target_width: 0,
                ..base
            },
        ),
        (
            "1200px,x2",
            Preprocess {
                target_width: 1200,
                max_scale: 2.0,
                ..base
            },
        ),
        (
            "2400px,x4",
            Preprocess {
                target_width: 2400,
                max_scale: 4.0,
                ..base
            },
        ),
    ]
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `rows` (id, text) as the JSON Lines queries `claimdesk eval --queries` reads.
pub fn write_queries(path: &Path, rows: &[(&str, &str)]) {
    let mut out = String::new();
    for (id, text) in rows {
        out.push_str(&format!(
            "{{\"id\": {}, \"text\": {}}}\n",
            json_string(id),
            json_string(text)
        ));
    }
    std::fs::write(path, out).expect("the queries file can be written");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&c("kitten"), &c("sitting")), 3);
        assert_eq!(levenshtein(&c(""), &c("abc")), 3);
        assert_eq!(levenshtein(&c("Việt"), &c("Viet")), 1);
    }

    #[test]
    fn errors_are_counted_after_nfc_and_whitespace() {
        // Decomposed "ệ" read, precomposed drawn; another line break: no error.
        assert_eq!(errors("Vie\u{0323}\u{0302}t\nNam", "Việt Nam"), (0, 8));
        assert_eq!(errors("Viet Nam", "Việt Nam"), (1, 8));
    }

    #[test]
    fn the_body_is_found_inside_the_header_and_noise() {
        assert_eq!(
            body_errors("C3 Nguyễn Hà - 2 giờ\nViệt Nam", "Việt Nam"),
            (0, 8)
        );
        assert_eq!(body_errors("© Viet Nam ©", "Việt Nam"), (1, 8));
        assert_eq!(body_errors("", "abc"), (3, 3));
    }

    #[test]
    fn queries_are_json_lines() {
        assert_eq!(json_string("a\"b\\c\td"), "\"a\\\"b\\\\c\\td\"");
    }
}
