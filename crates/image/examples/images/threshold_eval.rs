//! The near-duplicate distance against thousands of references (`images threshold`): the
//! originals and edits of `neardup`, each probe measured against every original of its half
//! (the 120-reference figures) and searched in an [`Index`] of its half's originals with
//! 1,000 and 10,000 generated distractors (the desk's scale); the false matches broken down
//! (what they are, which edit, which part of the distance decides), the threshold chosen on
//! half A with the most distractors, figures and the curve on half B.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use claimdesk_image::neardup::{
    Aligned, Index, IndexSettings, MAX_DISTANCE, MAX_UNCONFIRMED_DISTANCE, Part, Probe, Reference,
};
use image::DynamicImage;

use crate::corpus::{Family, Post, Rng};
use crate::index_eval::{self, Distractor, Key};
use crate::neardup::{self, EDITS, Original};

/// Precision the threshold keeps on half A.
const FLOOR: f64 = 0.99;

/// One probe measured against one reference.
struct Row {
    half: char,
    /// The probe's original.
    original: usize,
    /// The edit, or `other` (an original against the other originals).
    edit: &'static str,
    positive: bool,
    key: Key,
    /// Whether the index with each size's distractors proposes it (originals of the half
    /// are measured whether or not: the 120-reference figures compare with each).
    proposed: Vec<bool>,
    hash: u32,
    aligned: Option<Aligned>,
    /// The mirror image's alignment, measured when the hash distance is within
    /// [`MAX_DISTANCE`] (over [`SWEEP_FROM`]) and the alignment is not.
    mirrored: Option<Aligned>,
    /// [`Probe::distance`].
    distance: u32,
}

/// The least bound on unconfirmed hash distances tried (the sweep of
/// [`MAX_UNCONFIRMED_DISTANCE`]).
const SWEEP_FROM: u32 = 16;

impl Row {
    /// Which part of the distance brings it within `t`: the window hashes or the
    /// alignment (with the part of the probe aligned).
    fn decided_by(&self) -> &'static str {
        match self.aligned {
            Some(a) if a.distance == self.distance => match a.part {
                Part::Whole => "aligned",
                Part::WithoutBottom => "aligned-without-bottom",
                Part::WithoutTop => "aligned-without-top",
                Part::Mirrored => "aligned-mirrored",
            },
            _ if self.hash == self.distance && self.hash > MAX_UNCONFIRMED_DISTANCE => {
                "hash-confirmed"
            }
            _ if self.hash == self.distance => "hash",
            _ => "hash-unconfirmed",
        }
    }

    /// Whether it is a near-duplicate at [`MAX_DISTANCE`] with unconfirmed hash distances
    /// bounded by `bound` (the rule of [`Probe::distance`] with another bound).
    fn near_with(&self, bound: u32) -> bool {
        let within = |a: Option<Aligned>| a.is_some_and(|a| a.distance <= MAX_DISTANCE);
        within(self.aligned)
            || self.hash <= bound
            || (self.hash <= MAX_DISTANCE && within(self.mirrored))
    }

    /// The reference's kind: `shot`/`photo` for an original, `dshot`/`dphoto` for a
    /// distractor.
    fn kind(&self, originals: &[Original]) -> String {
        match self.key {
            Key::Original(j) => originals[j]
                .name
                .split(':')
                .next()
                .unwrap_or("?")
                .to_string(),
            Key::Distractor(k) => format!("d{}", index_eval::distractor_kind(k)),
        }
    }
}

/// Precision, recall, true and false positives at `t` over `rows` that `counted` keeps.
fn score(rows: &[&Row], positives: usize, t: u32) -> (f64, f64, usize, usize) {
    let (mut tp, mut fp) = (0usize, 0usize);
    for r in rows.iter().filter(|r| r.distance <= t) {
        if r.positive {
            tp += 1;
        } else {
            fp += 1;
        }
    }
    let p = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    (p, tp as f64 / positives.max(1) as f64, tp, fp)
}

/// Runs the evaluation, prints its lines and writes every measured pair within 64 bits
/// (and every positive) to `dump` when given.
#[allow(clippy::too_many_arguments)]
pub fn run(
    posts: &[Post],
    families: &[Family],
    shots: usize,
    photos: usize,
    sizes: &[usize],
    seed: u64,
    workers: usize,
    dump: Option<&Path>,
) -> std::io::Result<()> {
    let started = std::time::Instant::now();
    let originals: Vec<Original> = neardup::originals(posts, families, shots, photos, seed);
    let used: Vec<&str> = originals
        .iter()
        .filter_map(|o| o.name.strip_prefix("shot:"))
        .collect();
    let most = sizes.iter().copied().max().unwrap_or(0);
    let extra: Vec<Distractor> =
        index_eval::distractors(posts, families, &used, most, seed, workers);
    eprintln!(
        "threshold: {} distractors prepared at {:.0?}",
        extra.len(),
        started.elapsed()
    );
    let references: Vec<Reference> = originals
        .iter()
        .map(|o| Reference::new(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough"))
        .collect();
    // Each half's originals with each size's distractors, as the desk would search them.
    let mut indexes: BTreeMap<char, Vec<Index<Key>>> = BTreeMap::new();
    for h in ['A', 'B'] {
        let mut by_size = Vec::new();
        for &n in sizes {
            let mut index: Index<Key> = Index::new(IndexSettings::default());
            for (j, _) in originals.iter().enumerate().filter(|(_, o)| o.half == h) {
                index.insert(Key::Original(j), &references[j]);
            }
            for (k, d) in extra.iter().take(n).enumerate() {
                index.insert(Key::Distractor(k), &d.reference);
            }
            by_size.push(index);
        }
        indexes.insert(h, by_size);
    }
    let reference = |key: Key| -> &Reference {
        match key {
            Key::Original(j) => &references[j],
            Key::Distractor(k) => &extra[k].reference,
        }
    };

    // Each original's probes (its edits and itself), on `workers` threads.
    let measure = |i: usize| -> Vec<Row> {
        let o = &originals[i];
        let mut rng = Rng::new(seed, &o.name);
        let caption = &families[rng.below(families.len() as u64) as usize];
        let mut probes: Vec<(&'static str, Probe)> = EDITS
            .iter()
            .map(|edit| {
                let edited =
                    DynamicImage::ImageRgb8(neardup::apply(edit, &o.image, caption, &mut rng));
                (*edit, Probe::new(&edited).expect("big enough"))
            })
            .collect();
        probes.push((
            "other",
            Probe::new(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough"),
        ));
        let mut rows = Vec::new();
        for (edit, probe) in probes {
            let mut proposed: BTreeMap<Key, Vec<bool>> = BTreeMap::new();
            for (j, _) in originals
                .iter()
                .enumerate()
                .filter(|(_, x)| x.half == o.half)
            {
                proposed.insert(Key::Original(j), vec![false; sizes.len()]);
            }
            for (s, index) in indexes[&o.half].iter().enumerate() {
                for c in index.candidates(&probe) {
                    proposed
                        .entry(c.key)
                        .or_insert_with(|| vec![false; sizes.len()])[s] = true;
                }
            }
            for (key, proposed) in proposed {
                if edit == "other" && key == Key::Original(i) {
                    continue;
                }
                let r = reference(key);
                let hash = probe.hash_distance(r);
                let aligned = probe.aligned(r);
                let mirrored = (hash > SWEEP_FROM
                    && hash <= MAX_DISTANCE
                    && aligned.is_none_or(|a| a.distance > MAX_DISTANCE))
                .then(|| probe.mirrored_aligned(r))
                .flatten();
                rows.push(Row {
                    half: o.half,
                    original: i,
                    edit,
                    positive: edit != "other" && key == Key::Original(i),
                    key,
                    proposed,
                    hash,
                    aligned,
                    mirrored,
                    distance: probe.distance(r),
                });
            }
        }
        rows
    };
    let workers = workers.max(1);
    let mut rows: Vec<Row> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let measure = &measure;
                let n = originals.len();
                s.spawn(move || {
                    (w..n)
                        .step_by(workers)
                        .flat_map(measure)
                        .collect::<Vec<Row>>()
                })
            })
            .collect();
        for h in handles {
            rows.extend(h.join().expect("a measuring thread"));
        }
    });
    eprintln!(
        "threshold: {} pairs measured at {:.0?}",
        rows.len(),
        started.elapsed()
    );

    if let Some(path) = dump {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        let size_names: Vec<String> = sizes.iter().map(|n| format!("in{n}")).collect();
        writeln!(
            out,
            "half\toriginal\tedit\treference\tkind\tpositive\t{}\thash\tpart\tscore\taligned\tmirrored\tdistance",
            size_names.join("\t")
        )?;
        for r in rows
            .iter()
            .filter(|r| r.positive || r.hash.min(r.aligned.map_or(256, |a| a.distance)) <= 64)
        {
            let reference = match r.key {
                Key::Original(j) => originals[j].name.clone(),
                Key::Distractor(k) => format!("distractor:{k}"),
            };
            let proposed: Vec<&str> = r
                .proposed
                .iter()
                .map(|p| if *p { "1" } else { "0" })
                .collect();
            let (part, score, aligned) = match r.aligned {
                Some(a) => (
                    format!("{:?}", a.part),
                    format!("{:.3}", a.score),
                    a.distance.to_string(),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            writeln!(
                out,
                "{}\t{}\t{}\t{reference}\t{}\t{}\t{}\t{}\t{part}\t{score}\t{aligned}\t{}\t{}",
                r.half,
                originals[r.original].name,
                r.edit,
                r.kind(&originals),
                u8::from(r.positive),
                proposed.join("\t"),
                r.hash,
                r.mirrored.map_or("-".into(), |a| a.distance.to_string()),
                r.distance
            )?;
        }
    }

    let positives = |h: char| originals.iter().filter(|o| o.half == h).count() * EDITS.len();
    let of_originals = |h: char| -> Vec<&Row> {
        rows.iter()
            .filter(|r| r.half == h && matches!(r.key, Key::Original(_)))
            .collect()
    };
    let at_size = |h: char, s: usize| -> Vec<&Row> {
        rows.iter()
            .filter(|r| r.half == h && r.proposed[s])
            .collect()
    };
    println!(
        "set         {} originals ({shots} screenshots, {photos} generated photos), {} edits each: {}; half A {} originals, half B {}; distractors: {} (even numbers screenshots of the posts no original shows in other seeded styles, odd numbers generated photos)",
        originals.len(),
        EDITS.len(),
        EDITS.join(" "),
        originals.iter().filter(|o| o.half == 'A').count(),
        originals.iter().filter(|o| o.half == 'B').count(),
        extra.len()
    );
    println!(
        "at          MAX_DISTANCE {MAX_DISTANCE}, MAX_UNCONFIRMED_DISTANCE {MAX_UNCONFIRMED_DISTANCE}: Probe::distance as the library computes it"
    );
    for h in ['A', 'B'] {
        let (p, r, tp, fp) = score(&of_originals(h), positives(h), MAX_DISTANCE);
        println!(
            "eval {h}      every probe against every original of its half: precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
        );
    }
    for h in ['A', 'B'] {
        for (s, &n) in sizes.iter().enumerate() {
            let set = at_size(h, s);
            let refs = originals.iter().filter(|o| o.half == h).count() + n;
            let (p, r, tp, fp) = score(&set, positives(h), MAX_DISTANCE);
            println!(
                "scale {h}     {refs} references (index, +{n} distractors): precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
            );
        }
    }

    // The false matches with the most distractors, both halves.
    let last = sizes.len().saturating_sub(1);
    for h in ['A', 'B'] {
        let false_matches: Vec<&Row> = at_size(h, last)
            .into_iter()
            .filter(|r| !r.positive && r.distance <= MAX_DISTANCE)
            .collect();
        let mut by: BTreeMap<(String, &'static str, &'static str), Vec<u32>> = BTreeMap::new();
        for r in &false_matches {
            by.entry((r.kind(&originals), r.edit, r.decided_by()))
                .or_default()
                .push(r.distance);
        }
        println!(
            "false {h}     {} false matches at {} references (reference kind, probe edit, decided by: count, distances):",
            false_matches.len(),
            originals.iter().filter(|o| o.half == h).count()
                + sizes.get(last).copied().unwrap_or(0)
        );
        for ((kind, edit, part), mut d) in by {
            d.sort_unstable();
            println!(
                "false {h}       {kind:<6} {edit:<8} {part:<24} {:>4}  min {} median {} max {}",
                d.len(),
                d[0],
                d[d.len() / 2],
                d[d.len() - 1]
            );
        }
        // The alignment's score, false against true matches decided by alignment.
        let quantiles = |mut v: Vec<f32>| -> String {
            if v.is_empty() {
                return "none".into();
            }
            v.sort_by(f32::total_cmp);
            let q = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
            format!(
                "n {} min {:.3} p5 {:.3} p25 {:.3} median {:.3} p75 {:.3} max {:.3}",
                v.len(),
                q(0.0),
                q(0.05),
                q(0.25),
                q(0.5),
                q(0.75),
                q(1.0)
            )
        };
        let aligned_scores = |positive: bool| {
            at_size(h, last)
                .into_iter()
                .filter(|r| {
                    r.positive == positive && r.distance <= MAX_DISTANCE && r.hash > MAX_DISTANCE
                })
                .filter_map(|r| r.aligned.map(|a| a.score))
                .collect::<Vec<f32>>()
        };
        println!(
            "score {h}     aligned-only matches' alignment score: true {}",
            quantiles(aligned_scores(true))
        );
        println!(
            "score {h}     aligned-only matches' alignment score: false {}",
            quantiles(aligned_scores(false))
        );
    }

    // The bound on unconfirmed hash distances: the largest with no false match on half A
    // with the most distractors (false matches grow with the references: a bound that lets
    // a few through at 10,000 lets more through at 50,000).
    let with_bound = |rows: &[&Row], positives: usize, bound: u32| {
        let near: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| r.near_with(bound))
            .collect();
        let (mut tp, mut fp) = (0usize, 0usize);
        for r in &near {
            if r.positive {
                tp += 1;
            } else {
                fp += 1;
            }
        }
        let p = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        (p, tp as f64 / positives.max(1) as f64, tp, fp)
    };
    for h in ['A', 'B'] {
        let sets: Vec<(String, Vec<&Row>)> =
            std::iter::once(("originals".to_string(), of_originals(h)))
                .chain(
                    sizes
                        .iter()
                        .enumerate()
                        .map(|(s, n)| (format!("+{n}"), at_size(h, s))),
                )
                .collect();
        for (name, set) in &sets {
            let mut line = format!(
                "bound {h}     {name}: unconfirmed hash distance bound (bound:precision/recall/false) at {MAX_DISTANCE}:"
            );
            for bound in (SWEEP_FROM..=MAX_DISTANCE).step_by(2) {
                let (p, r, _, fp) = with_bound(set, positives(h), bound);
                line.push_str(&format!(" {bound}:{p:.4}/{r:.4}/{fp}"));
            }
            println!("{line}");
        }
    }
    let a = at_size('A', last);
    let bound = (SWEEP_FROM..=MAX_DISTANCE)
        .filter(|&b| with_bound(&a, positives('A'), b).3 == 0)
        .max()
        .unwrap_or(SWEEP_FROM);
    println!(
        "chosen      on A with {most} distractors: unconfirmed bound {bound} (the largest with no false match){}",
        if bound == MAX_UNCONFIRMED_DISTANCE {
            ", as MAX_UNCONFIRMED_DISTANCE"
        } else {
            "; NOT MAX_UNCONFIRMED_DISTANCE, the distances below are the library's"
        }
    );

    // The threshold: the largest with precision >= FLOOR on half A with the most
    // distractors (the index's candidates are those within MAX_DISTANCE by hash, so no
    // larger one can be measured here).
    let chosen = (0..=MAX_DISTANCE)
        .filter(|&t| score(&a, positives('A'), t).0 >= FLOOR)
        .max()
        .unwrap_or(0);
    let (p, r, tp, fp) = score(&a, positives('A'), chosen);
    println!(
        "chosen      on A with {most} distractors: threshold {chosen} (the largest up to {MAX_DISTANCE} with precision >= {FLOOR}): precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
    );
    for (s, &n) in sizes.iter().enumerate() {
        let b = at_size('B', s);
        let (p, r, tp, fp) = score(&b, positives('B'), chosen);
        println!(
            "result B    at {chosen}, +{n} distractors: precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
        );
    }
    let (p, r, tp, fp) = score(&of_originals('B'), positives('B'), chosen);
    println!(
        "result B    at {chosen}, its originals alone: precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
    );
    let (p, r, tp, fp) = score(&of_originals('A'), positives('A'), chosen);
    println!(
        "result A    at {chosen}, its originals alone: precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
    );
    for (s, &n) in sizes.iter().enumerate() {
        let b = at_size('B', s);
        let mut line = format!("curve B     +{n} distractors (threshold:precision/recall)");
        for t in (0..=MAX_DISTANCE).step_by(3) {
            let (p, r, _, _) = score(&b, positives('B'), t);
            line.push_str(&format!(" {t}:{p:.3}/{r:.3}"));
        }
        println!("{line}");
    }
    let b = at_size('B', last);
    let by_edit: Vec<String> = EDITS
        .iter()
        .map(|e| {
            let set: Vec<&Row> = b.iter().copied().filter(|r| r.edit == *e).collect();
            let pos = originals.iter().filter(|o| o.half == 'B').count();
            let (_, r, _, _) = score(&set, pos, chosen);
            format!("{e} {r:.2}")
        })
        .collect();
    println!(
        "recall B    at {chosen}, +{most} distractors, by edit: {}",
        by_edit.join(", ")
    );
    eprintln!("threshold: done in {:.0?}", started.elapsed());
    Ok(())
}
