//! The images evaluation of issue 20 (`bash bench/images.sh` runs it; see bench/README.md):
//!
//! - `ocr`: renders the CLEF 2020 Task 2 dev tweets and the project's Vietnamese posts as
//!   post screenshots (seeded fonts, themes, sizes, JPEG quality, photos), reads them through
//!   the desk's own path, chooses the preprocessing on half A and reports the character error
//!   rate on half B; writes the read text as query files for `claimdesk eval`.
//! - `neardup`: the near-duplicate set, PDQ distances, the threshold chosen on half A, the
//!   curve and precision/recall on half B.
//! - `index`: the near-duplicate index against comparing with every reference: the same
//!   set, the shortlist chosen on half A, precision/recall on half B, query time with
//!   1,000 and 10,000 generated references.
//! - `threshold`: the near-duplicate distance against thousands of references: the false
//!   matches with 1,000 and 10,000 generated references broken down, the threshold chosen on
//!   half A with them, precision/recall and the curve on half B.
//! - `throughput`: images/s through decode → PDQ → OCR against the `tesseract` program alone.
//!
//! Nothing it draws is committed: it writes pictures only under `--out`.

mod corpus;
mod index_eval;
mod neardup;
mod ocr_eval;
mod threshold_eval;
mod throughput;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use claimdesk_image::post_header::without_post_header;
use claimdesk_image::{Ocr, Preprocess};

/// The command line: a subcommand then `--name value` pairs.
struct Args {
    command: String,
    values: BTreeMap<String, String>,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut it = std::env::args().skip(1);
        let command = it
            .next()
            .ok_or("usage: images ocr|neardup|index|threshold|throughput [--name value]...")?;
        let mut values = BTreeMap::new();
        while let Some(name) = it.next() {
            let key = name
                .strip_prefix("--")
                .ok_or_else(|| format!("expected --name, got {name}"))?;
            let value = it.next().ok_or_else(|| format!("--{key} needs a value"))?;
            values.insert(key.to_string(), value);
        }
        Ok(Args { command, values })
    }

    fn path(&self, key: &str, default: &str) -> PathBuf {
        PathBuf::from(self.values.get(key).map_or(default, String::as_str))
    }

    fn text(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }

    fn number<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, String> {
        match self.values.get(key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{key}: not a number: {v}")),
        }
    }
}

fn main() -> ExitCode {
    match Args::parse().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("images: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let seed: u64 = args.number("seed", 20_261_206)?;
    let workers: usize = args.number(
        "workers",
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    )?;
    let families = corpus::families(&args.path("fonts", "/usr/share/fonts/truetype"));
    if families.is_empty() {
        return Err("no fonts found (fonts-dejavu-core, fonts-liberation)".into());
    }
    let posts = || -> Result<Vec<corpus::Post>, String> {
        let clef = args.path("clef-dev", "../shared/data/clef2020-task2/dev");
        let vi = args.path("posts", "eval/crosslingual/posts.tsv");
        corpus::posts(&clef, &vi)
            .map_err(|e| format!("{} or {}: {e}", clef.display(), vi.display()))
    };
    match args.command.as_str() {
        "ocr" => ocr(args, &posts()?, &families, seed, workers),
        "neardup" => {
            neardup(args, &posts()?, &families, seed);
            Ok(())
        }
        "index" => {
            let sizes = sizes(args)?;
            index_eval::run(
                &posts()?,
                &families,
                args.number("shots", 120)?,
                args.number("photos", 120)?,
                &sizes,
                args.number("sample", 20)?,
                seed,
                workers,
            );
            Ok(())
        }
        "threshold" => threshold_eval::run(
            &posts()?,
            &families,
            args.number("shots", 120)?,
            args.number("photos", 120)?,
            &sizes(args)?,
            seed,
            workers,
            args.text("dump").map(PathBuf::from).as_deref(),
        )
        .map_err(|e| format!("--dump: {e}")),
        "throughput" => throughput(args, workers),
        other => Err(format!(
            "unknown command {other}: ocr, neardup, index, threshold or throughput"
        )),
    }
}

/// `--sizes`: how many distractors, comma-separated (1,000 and 10,000 unless given).
fn sizes(args: &Args) -> Result<Vec<usize>, String> {
    args.values
        .get("sizes")
        .map_or("1000,10000", String::as_str)
        .split(',')
        .map(|n| n.trim().parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("--sizes: {e}"))
}

/// The Tesseract the desk would use, with preprocessing `name` (one of the candidates).
fn tesseract(workers: usize, name: &str) -> Result<Ocr, String> {
    let (_, preprocess) = ocr_eval::candidates()
        .into_iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| format!("no preprocessing named {name}"))?;
    Ocr::find(None, &["vie", "eng"], workers, Duration::from_secs(60))
        .map(|o| o.with_preprocess(preprocess))
        .map_err(|e| e.to_string())
}

fn ocr(
    args: &Args,
    posts: &[corpus::Post],
    families: &[corpus::Family],
    seed: u64,
    workers: usize,
) -> Result<(), String> {
    let out = args.path("out", "/var/tmp/claimdesk-images");
    let limit: usize = args.number("limit", usize::MAX)?;
    let mut chosen: Vec<corpus::Post> = Vec::new();
    for lang in ["en", "vi"] {
        chosen.extend(posts.iter().filter(|p| p.lang == lang).take(limit).cloned());
    }
    let items = ocr_eval::generate(&chosen, families, seed, &out.join("shots"));
    let count = |lang: &str, half: Option<char>| {
        items
            .iter()
            .filter(|i| i.post.lang == lang && half.is_none_or(|h| i.half == h))
            .count()
    };
    println!(
        "set         {} screenshots: {} en (CLEF dev tweets), {} vi (eval/crosslingual posts); half A {} en + {} vi, half B {} en + {} vi; seed {seed}",
        items.len(),
        count("en", None),
        count("vi", None),
        count("en", Some('A')),
        count("vi", Some('A')),
        count("en", Some('B')),
        count("vi", Some('B')),
    );
    let names: Vec<&str> = families.iter().map(|f| f.name).collect();
    let with_photo = items.iter().filter(|i| i.style.photo).count();
    println!(
        "styles      fonts {}; themes light/dim/dark; text 16-36 px; JPEG quality 30-90; {with_photo} with a photo beside the text",
        names.join(", ")
    );
    let half_a: Vec<&ocr_eval::Item> = items.iter().filter(|i| i.half == 'A').collect();
    let half_b: Vec<&ocr_eval::Item> = items.iter().filter(|i| i.half == 'B').collect();

    // Choose on half A (or its first `--choose` posts of each language, to bound the time):
    // the lowest mean of the two languages' CER.
    let choose: usize = args.number("choose", usize::MAX)?;
    let (mut tuning, mut rest): (Vec<&ocr_eval::Item>, Vec<&ocr_eval::Item>) = (vec![], vec![]);
    for lang in ["en", "vi"] {
        let of_lang = half_a.iter().copied().filter(|i| i.post.lang == lang);
        for (n, item) in of_lang.enumerate() {
            if n < choose {
                tuning.push(item);
            } else {
                rest.push(item);
            }
        }
    }
    println!(
        "choosing    on {} screenshots of half A ({} en, {} vi)",
        tuning.len(),
        tuning.iter().filter(|i| i.post.lang == "en").count(),
        tuning.iter().filter(|i| i.post.lang == "vi").count()
    );
    let mut best: Option<(f64, &str, Vec<String>)> = None;
    let only = args.text("candidates");
    let tried = ocr_eval::candidates().into_iter().filter(|(name, _)| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|c| c == *name))
    });
    for (name, _) in tried {
        let ocr = tesseract(workers, name)?;
        let started = std::time::Instant::now();
        let read = ocr_eval::read_all(&tuning, &ocr, workers);
        ocr_eval::write_reads(&out.join(format!("read-A-{name}.tsv")), &tuning, &read);
        let by = ocr_eval::cer(&tuning, &read, false);
        let rate = |l: &str| {
            by.get(l)
                .map_or(0.0, |(e, n)| *e as f64 / (*n).max(1) as f64)
        };
        let score = (rate("vi") + rate("en")) / 2.0;
        println!(
            "half A      {name:<24} CER vi {}  en {}  ({:.0} s)",
            by.get("vi")
                .map_or("-".into(), |(e, n)| ocr_eval::pct(*e, *n)),
            by.get("en")
                .map_or("-".into(), |(e, n)| ocr_eval::pct(*e, *n)),
            started.elapsed().as_secs_f64()
        );
        if best.as_ref().is_none_or(|(s, _, _)| score < *s) {
            best = Some((score, name, read));
        }
    }
    let (_, name, read_tuning) = best.expect("at least one candidate");
    println!("chosen      {name} (lowest mean of the vi and en CER on half A)");
    let desk = ocr_eval::candidates()
        .into_iter()
        .find(|(_, p)| *p == Preprocess::default())
        .map_or("none of the candidates", |(n, _)| n);
    println!(
        "desk        {desk} (claimdesk_image::Preprocess::default(), what the desk runs){}",
        if desk == name {
            ""
        } else {
            "; NOT the chosen one"
        }
    );
    let ocr = tesseract(workers, name)?;
    let read_rest = ocr_eval::read_all(&rest, &ocr, workers);
    let read_b = ocr_eval::read_all(&half_b, &ocr, workers);
    let by = ocr_eval::cer(&half_b, &read_b, false);
    let body = ocr_eval::cer(&half_b, &read_b, true);
    for lang in ["vi", "en"] {
        if let (Some((e, n)), Some((be, bn))) = (by.get(lang), body.get(lang)) {
            let images = half_b.iter().filter(|i| i.post.lang == lang).count();
            println!(
                "cer B {lang}    {}  ({e} edits over {n} reference characters, {images} screenshots); the post's text alone {} ({be} over {bn})",
                ocr_eval::pct(*e, *n),
                ocr_eval::pct(*be, *bn)
            );
        }
    }
    // Where the errors are, on half B.
    let breakdown = |label: &str, key: &dyn Fn(&ocr_eval::Item) -> String| {
        let mut by: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for (item, text) in half_b.iter().zip(&read_b) {
            let (e, n) = ocr_eval::errors(text, &item.reference);
            let slot = by.entry(key(item)).or_default();
            slot.0 += e;
            slot.1 += n;
            slot.2 += 1;
        }
        let parts: Vec<String> = by
            .iter()
            .map(|(k, (e, n, c))| format!("{k} {} ({c})", ocr_eval::pct(*e, *n)))
            .collect();
        println!("cer B by    {label:<8} {}", parts.join(", "));
    };
    breakdown("lang+px", &|i| format!("{}{}", i.post.lang, i.style.px));
    breakdown("theme", &|i| i.style.theme.to_string());
    breakdown("font", &|i| families[i.style.family].name.to_string());
    breakdown("quality", &|i| {
        format!(
            "q{}-{}",
            i.style.quality / 20 * 20,
            i.style.quality / 20 * 20 + 19
        )
    });
    breakdown("photo", &|i| {
        if i.style.photo {
            "photo".into()
        } else {
            "text-only".into()
        }
    });
    let mut worst: Vec<(f64, &ocr_eval::Item, &String)> = half_b
        .iter()
        .zip(&read_b)
        .map(|(i, t)| {
            let (e, n) = ocr_eval::errors(t, &i.reference);
            (e as f64 / n.max(1) as f64, *i, t)
        })
        .collect();
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (rate, item, _) in worst.iter().take(3) {
        println!(
            "worst B     {} {:.1}% ({}, {} px, q{}, {}{})",
            item.post.id,
            100.0 * rate,
            families[item.style.family].name,
            item.style.px,
            item.style.quality,
            item.style.theme,
            if item.style.photo { ", photo" } else { "" }
        );
    }

    // The post's header (name, time) left out of the read text as the desk does before
    // matching (claimdesk_image::post_header), checked on half A's reads: removed, and
    // never more than the header drawn.
    for lang in ["en", "vi"] {
        let (mut reads, mut removed, mut over) = (0, 0, 0);
        for (item, text) in tuning.iter().zip(&read_tuning) {
            if item.post.lang != lang {
                continue;
            }
            reads += 1;
            let kept = without_post_header(text);
            if kept.len() < text.len() {
                removed += 1;
                let header = item.reference.chars().count() - item.body.chars().count();
                let cut: String = text[..text.len() - kept.len()]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if cut.chars().count() > header + 3 {
                    over += 1;
                }
            }
        }
        println!(
            "header A    {lang}: left out of {removed} of {reads} reads; more than the header drawn in {over}"
        );
    }

    // The read text as queries (without the post's header, as the desk matches it), beside
    // the posts' own text (same ids), per language.
    let mut texts: BTreeMap<&str, &str> = BTreeMap::new();
    let read = tuning
        .iter()
        .zip(&read_tuning)
        .chain(rest.iter().zip(&read_rest));
    for (item, text) in read.chain(half_b.iter().zip(&read_b)) {
        texts.insert(item.post.id.as_str(), text.as_str());
    }
    for lang in ["en", "vi"] {
        for (suffix, half) in [("all", None), ("B", Some('B'))] {
            let chosen: Vec<&ocr_eval::Item> = items
                .iter()
                .filter(|i| i.post.lang == lang && half.is_none_or(|h| i.half == h))
                .collect();
            let ocr_rows: Vec<(&str, &str)> = chosen
                .iter()
                .map(|i| {
                    let read = without_post_header(texts[i.post.id.as_str()]);
                    (i.post.source_id.as_str(), read)
                })
                .collect();
            let text_rows: Vec<(&str, &str)> = chosen
                .iter()
                .map(|i| (i.post.source_id.as_str(), i.post.text.as_str()))
                .collect();
            ocr_eval::write_queries(&out.join(format!("{lang}-ocr-{suffix}.jsonl")), &ocr_rows);
            ocr_eval::write_queries(&out.join(format!("{lang}-text-{suffix}.jsonl")), &text_rows);
            let ids: String = chosen
                .iter()
                .map(|i| format!("{}\n", i.post.source_id))
                .collect();
            std::fs::write(out.join(format!("{lang}-{suffix}.ids")), ids)
                .map_err(|e| format!("{}: {e}", out.display()))?;
        }
    }
    println!(
        "queries     {}/{{en,vi}}-{{ocr,text}}-{{all,B}}.jsonl",
        out.display()
    );
    Ok(())
}

fn neardup(args: &Args, posts: &[corpus::Post], families: &[corpus::Family], seed: u64) {
    let shots: usize = args.number("shots", 120).unwrap_or(120);
    let photos: usize = args.number("photos", 120).unwrap_or(120);
    let originals = neardup::originals(posts, families, shots, photos, seed);
    let (pairs, low_quality, cost) = neardup::pairs(&originals, families, seed);
    let half = |h: char| -> Vec<&neardup::Pair> { pairs.iter().filter(|p| p.half == h).collect() };
    let (a, b) = (half('A'), half('B'));
    let count = |set: &[&neardup::Pair], positive: bool| {
        set.iter().filter(|p| p.positive == positive).count()
    };
    println!(
        "set         {} originals ({} screenshots, {} generated photos; {low_quality} under PDQ quality {}), {} edits each: {}",
        originals.len(),
        originals
            .iter()
            .filter(|o| o.name.starts_with("shot"))
            .count(),
        originals
            .iter()
            .filter(|o| o.name.starts_with("photo"))
            .count(),
        claimdesk_image::pdq::MIN_QUALITY,
        neardup::EDITS.len(),
        neardup::EDITS.join(" ")
    );
    println!(
        "pairs       half A {} positive, {} negative; half B {} positive, {} negative (negatives: every edited copy and original against every other original of its half)",
        count(&a, true),
        count(&a, false),
        count(&b, true),
        count(&b, false)
    );
    let quantiles = |mut v: Vec<u32>| -> String {
        v.sort_unstable();
        if v.is_empty() {
            return "-".into();
        }
        let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
        format!(
            "min {} p1 {} p5 {} median {} p95 {} max {}",
            q(0.0),
            q(0.01),
            q(0.05),
            q(0.5),
            q(0.95),
            q(1.0)
        )
    };
    for edit in neardup::EDITS {
        let d: Vec<u32> = b
            .iter()
            .filter(|p| p.edit == edit)
            .map(|p| p.distance)
            .collect();
        println!("dist B      {edit:<9} {}", quantiles(d));
    }
    for kind in ["shot", "photo"] {
        let d: Vec<u32> = b
            .iter()
            .filter(|p| !p.positive && p.kind == kind)
            .map(|p| p.distance)
            .collect();
        println!("dist B      negatives ({kind}s) {}", quantiles(d));
    }
    // The same under claimdesk-image's near-duplicate distance (trimmed, band windows,
    // dihedral, aligned crop).
    for edit in neardup::EDITS {
        let d: Vec<u32> = b
            .iter()
            .filter(|p| p.edit == edit)
            .map(|p| p.aligned)
            .collect();
        println!("dist B nd   {edit:<9} {}", quantiles(d));
    }
    for kind in ["shot", "photo"] {
        let d: Vec<u32> = b
            .iter()
            .filter(|p| !p.positive && p.kind == kind)
            .map(|p| p.aligned)
            .collect();
        println!("dist B nd   negatives ({kind}s) {}", quantiles(d));
    }
    use neardup::Method;
    for (label, method, keep) in [
        ("plain PDQ, all edits", Method::Plain, None),
        ("plain PDQ, mirror left out", Method::Plain, Some("mirror")),
        ("8 dihedral PDQ hashes, all edits", Method::Dihedral, None),
        (
            "near-dup windows (trimmed, bands, dihedral), all edits",
            Method::Windows,
            None,
        ),
        (
            "near-dup windows and aligned crop, all edits",
            Method::Aligned,
            None,
        ),
    ] {
        let (fa, fb) = (neardup::without(&a, keep), neardup::without(&b, keep));
        let t = neardup::choose(&fa, 0.99, method);
        let (pa, ra, _, _) = neardup::precision_recall(&fa, t, method);
        let (pb, rb, tp, fp) = neardup::precision_recall(&fb, t, method);
        println!(
            "threshold   {label}: {t} chosen on A (precision {pa:.4}, recall {ra:.4}); on B precision {pb:.4} recall {rb:.4} ({tp} true, {fp} false)"
        );
        let curve: Vec<String> = (0..=17)
            .map(|k| k * 8)
            .map(|t| {
                let (p, r, _, _) = neardup::precision_recall(&fb, t, method);
                format!("{t}:{p:.3}/{r:.3}")
            })
            .collect();
        println!(
            "curve B     {label} (threshold:precision/recall) {}",
            curve.join(" ")
        );
        let per_edit: Vec<String> = neardup::EDITS
            .iter()
            .filter(|e| keep.is_none_or(|k| k != **e))
            .map(|e| {
                let set: Vec<&neardup::Pair> =
                    fb.iter().copied().filter(|p| p.edit == *e).collect();
                let hit = set.iter().filter(|p| p.under(method) <= t).count();
                format!("{e} {:.2}", hit as f64 / set.len().max(1) as f64)
            })
            .collect();
        println!(
            "recall B    {label} at {t}, by edit: {}",
            per_edit.join(", ")
        );
    }
    let ms = |d: std::time::Duration, n: usize| d.as_secs_f64() * 1000.0 / n.max(1) as f64;
    println!(
        "cost nd     a reference (fact-check image): 4 hashes + its trimmed luma at {} px, {:.1} KiB, {:.2} ms to prepare; a probe (item image): {} hashes, {:.2} ms to prepare",
        claimdesk_image::neardup::WORK_SIDE,
        cost.reference_bytes as f64 / 1024.0 / cost.references.max(1) as f64,
        ms(cost.reference_time, cost.references),
        cost.probe_hashes,
        ms(cost.probe_time, cost.probes),
    );
    println!(
        "cost nd     a comparison: hashes {:.4} ms, alignment {:.3} ms ({} of {} comparisons aligned far enough to hash the window); CPU time of one thread",
        ms(cost.hash_time, cost.comparisons),
        ms(cost.align_time, cost.comparisons),
        cost.aligned,
        cost.comparisons,
    );
}

fn throughput(args: &Args, workers: usize) -> Result<(), String> {
    let dir = args.path("dir", "/var/tmp/claimdesk-images/shots");
    let limit: usize = args.number("limit", usize::MAX)?;
    let preprocess = args
        .values
        .get("preprocess")
        .cloned()
        .unwrap_or_else(|| ocr_eval::candidates()[0].0.to_string());
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv"))
        .map_err(|e| format!("{}: {e}", dir.join("manifest.tsv").display()))?;
    // Half B's files (the held-out half), both languages interleaved as the manifest lists
    // them, with their reference text.
    let rows: Vec<(PathBuf, String, String)> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 9 && f[1] == "B").then(|| {
                (
                    dir.join(format!("{}.jpg", f[0])),
                    f[0][..2].to_string(),
                    f[7].to_string(),
                )
            })
        })
        .take(limit)
        .collect();
    let files: Vec<PathBuf> = rows.iter().map(|r| r.0.clone()).collect();
    let megapixels: f64 = files
        .iter()
        .filter_map(|f| image::image_dimensions(f).ok())
        .map(|(w, h)| f64::from(w) * f64::from(h) / 1e6)
        .sum();
    let ocr = tesseract(workers, &preprocess)?;
    let (ref_wall, ref_texts) = throughput::reference(&files, "vie+eng", workers);
    let (wall, stages, texts) = throughput::desk(&files, &ocr, workers);
    let rate = |d: Duration| files.len() as f64 / d.as_secs_f64().max(1e-9);
    let cer = |texts: &[String], lang: &str| -> String {
        let (mut e, mut n) = (0, 0);
        for (row, text) in rows.iter().zip(texts) {
            if row.1 == lang {
                let (de, dn) = ocr_eval::errors(text, &row.2);
                e += de;
                n += dn;
            }
        }
        ocr_eval::pct(e, n)
    };
    println!(
        "files       {} screenshots of half B ({:.1} megapixels in all), {workers} at once, one Tesseract thread each",
        files.len(),
        megapixels
    );
    println!(
        "reference   tesseract FILE stdout -l vie+eng --psm 3: {:.1} s, {:.2} images/s; CER vi {} en {}",
        ref_wall.as_secs_f64(),
        rate(ref_wall),
        cer(&ref_texts, "vi"),
        cer(&ref_texts, "en")
    );
    println!(
        "desk        decode -> PDQ -> OCR ({preprocess}): {:.1} s, {:.2} images/s; CER vi {} en {}",
        wall.as_secs_f64(),
        rate(wall),
        cer(&texts, "vi"),
        cer(&texts, "en")
    );
    println!(
        "stages      summed over images: decode {:.2} s, PDQ {:.2} s, preprocess+OCR {:.1} s",
        stages.decode.as_secs_f64(),
        stages.hash.as_secs_f64(),
        stages.ocr.as_secs_f64()
    );
    println!(
        "ratio       {:.2}x the reference's images/s",
        rate(wall) / rate(ref_wall)
    );
    Ok(())
}
