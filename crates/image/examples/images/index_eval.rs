//! The near-duplicate index against the exhaustive comparison (`images index`): the same
//! originals and edits as `neardup`, each probe measured against every reference of its
//! half ([`Probe::distance`]) and searched in a [`claimdesk_image::neardup::Index`]; the
//! shortlist chosen on half A (with generated distractors, so that the choice holds for a
//! desk with thousands of fact-check images), figures on half B; then the query time with
//! 1,000 and 10,000 generated references against comparing with each.

use std::collections::HashMap;
use std::time::Duration;

use claimdesk_image::neardup::{Index, IndexSettings, MAX_DISTANCE, Probe, Reference};
use image::{DynamicImage, RgbImage};

use crate::corpus::{self, Family, Post, Rng};
use crate::neardup::{self, EDITS, Original, ThreadTime};

/// The shortlists tried on half A.
const SHORTLISTS: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

/// A distractor: a reference that is no near-duplicate of any original.
pub struct Distractor {
    /// The picture, prepared.
    pub reference: Reference,
}

/// What distractor `k` of [`distractors`] is: a screenshot (even numbers) or a photo.
pub fn distractor_kind(k: usize) -> &'static str {
    if k.is_multiple_of(2) { "shot" } else { "photo" }
}

/// `n` distractors: screenshots of the posts no original shows (each drawn in several
/// styles) and generated photos, half each, prepared on `workers` threads.
pub fn distractors(
    posts: &[Post],
    families: &[Family],
    used: &[&str],
    n: usize,
    seed: u64,
    workers: usize,
) -> Vec<Distractor> {
    let free: Vec<&Post> = posts
        .iter()
        .filter(|p| !used.contains(&p.id.as_str()))
        .collect();
    let make = |k: usize| -> Distractor {
        let image: RgbImage = if k.is_multiple_of(2) && !free.is_empty() {
            let post = free[(k / 2) % free.len()];
            corpus::render(post, families, seed ^ (0xd157 + k as u64)).image
        } else {
            let mut rng = Rng::new(seed, &format!("distractor:{k}"));
            let w = 240 + rng.below(500) as u32;
            let h = (w as f32 * rng.range(0.5, 1.4)) as u32;
            corpus::photo_like(w, h, rng.next())
        };
        Distractor {
            reference: Reference::new(&DynamicImage::ImageRgb8(image)).expect("big enough"),
        }
    };
    let workers = workers.max(1);
    let mut parts: Vec<Vec<(usize, Distractor)>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let make = &make;
                s.spawn(move || {
                    (w..n)
                        .step_by(workers)
                        .map(|k| (k, make(k)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            parts.push(h.join().expect("a distractor thread"));
        }
    });
    let mut all: Vec<(usize, Distractor)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(k, _)| *k);
    all.into_iter().map(|(_, d)| d).collect()
}

/// A reference's key in the evaluation's indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// An original, by its number.
    Original(usize),
    /// A distractor, by its number.
    Distractor(usize),
}

/// One probe measured against its half.
struct Measured {
    half: char,
    edit: &'static str,
    /// The original it was made from (`None` for an original compared with the others).
    from: Option<usize>,
    /// Exhaustive distances to its half's originals.
    exhaustive: Vec<(usize, u32)>,
    /// The originals the index proposes by hash.
    by_hash: Vec<usize>,
    /// The others by outline score, best first.
    by_outline: Vec<(usize, f32)>,
    /// For a positive found by alignment only: the distractors' outline scores (by the
    /// distractor's number), to count those that outscore its original.
    outscored: Option<Vec<(usize, f32)>>,
}

/// Precision and recall of "found at distance ≤ MAX_DISTANCE", true positives, false
/// positives.
fn score(found: impl Iterator<Item = (bool, u32)>, positives: usize) -> (f64, f64, usize, usize) {
    let (mut tp, mut fp) = (0, 0);
    for (positive, d) in found {
        if d <= MAX_DISTANCE {
            if positive {
                tp += 1;
            } else {
                fp += 1;
            }
        }
    }
    let p = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    (p, tp as f64 / positives.max(1) as f64, tp, fp)
}

/// The pairs an index with `shortlist` (no distractors) finds, as (positive, distance).
fn indexed(m: &Measured, shortlist: usize, min_outline: f32) -> Vec<(bool, u32)> {
    let chosen: Vec<usize> = m
        .by_hash
        .iter()
        .copied()
        .chain(
            m.by_outline
                .iter()
                .filter(|(_, s)| *s >= min_outline)
                .take(shortlist)
                .map(|(j, _)| *j),
        )
        .collect();
    m.exhaustive
        .iter()
        .filter(|(j, _)| chosen.contains(j))
        .map(|(j, d)| (m.from == Some(*j), *d))
        .collect()
}

/// Runs the evaluation and prints its lines.
#[allow(clippy::too_many_arguments)]
pub fn run(
    posts: &[Post],
    families: &[Family],
    shots: usize,
    photos: usize,
    sizes: &[usize],
    sample: usize,
    seed: u64,
    workers: usize,
) {
    let started = std::time::Instant::now();
    let originals: Vec<Original> = neardup::originals(posts, families, shots, photos, seed);
    let used: Vec<&str> = originals
        .iter()
        .filter_map(|o| o.name.strip_prefix("shot:"))
        .collect();
    let most = sizes.iter().copied().max().unwrap_or(0);
    let t = std::time::Instant::now();
    let extra = distractors(posts, families, &used, most, seed, workers);
    eprintln!(
        "index: {} distractors prepared in {:.0?}",
        extra.len(),
        t.elapsed()
    );
    let references: Vec<Reference> = originals
        .iter()
        .map(|o| Reference::new(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough"))
        .collect();
    let all = IndexSettings {
        shortlist: usize::MAX,
        min_outline: -1.0,
        ..IndexSettings::default()
    };
    let mut halves: HashMap<char, Index<Key>> = HashMap::new();
    for (j, o) in originals.iter().enumerate() {
        halves
            .entry(o.half)
            .or_insert_with(|| Index::new(all))
            .insert(Key::Original(j), &references[j]);
    }
    // The distractors alone, every one scored (half A's rank analysis).
    let mut only_extra: Index<Key> = Index::new(all);
    for (k, d) in extra.iter().enumerate() {
        only_extra.insert(Key::Distractor(k), &d.reference);
    }

    let mut measured: Vec<Measured> = Vec::new();
    let mut exhaustive_time = Duration::ZERO;
    let mut compared = 0usize;
    for (i, o) in originals.iter().enumerate() {
        let mut rng = Rng::new(seed, &o.name);
        let caption = &families[rng.below(families.len() as u64) as usize];
        let mut probes: Vec<(&'static str, Option<usize>, Probe)> = EDITS
            .iter()
            .map(|edit| {
                let edited =
                    DynamicImage::ImageRgb8(neardup::apply(edit, &o.image, caption, &mut rng));
                (*edit, Some(i), Probe::new(&edited).expect("big enough"))
            })
            .collect();
        probes.push((
            "other",
            None,
            Probe::new(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough"),
        ));
        let index = &halves[&o.half];
        for (edit, from, probe) in probes {
            let t = ThreadTime::now();
            let exhaustive: Vec<(usize, u32)> = originals
                .iter()
                .enumerate()
                .filter(|(j, other)| other.half == o.half && (from.is_some() || *j != i))
                .map(|(j, _)| (j, probe.distance(&references[j])))
                .collect();
            exhaustive_time += t.elapsed();
            compared += exhaustive.len();
            let mut by_hash = Vec::new();
            let mut by_outline = Vec::new();
            for c in index.candidates(&probe) {
                let Key::Original(j) = c.key else { continue };
                if from.is_none() && j == i {
                    continue;
                }
                match (c.hash_distance, c.outline) {
                    (Some(_), _) => by_hash.push(j),
                    (None, Some(s)) => by_outline.push((j, s)),
                    (None, None) => {}
                }
            }
            by_outline.sort_by(|a, b| b.1.total_cmp(&a.1));
            // A positive only the alignment finds: where its original stands among the
            // distractors' outlines.
            let aligned_only = from.is_some_and(|f| {
                !by_hash.contains(&f)
                    && exhaustive
                        .iter()
                        .any(|(j, d)| *j == f && *d <= MAX_DISTANCE)
            });
            let outscored = (o.half == 'A' && aligned_only).then(|| {
                only_extra
                    .candidates(&probe)
                    .into_iter()
                    .filter_map(|c| match (c.key, c.outline) {
                        (Key::Distractor(k), Some(s)) => Some((k, s)),
                        _ => None,
                    })
                    .collect::<Vec<(usize, f32)>>()
            });
            measured.push(Measured {
                half: o.half,
                edit,
                from,
                exhaustive,
                by_hash,
                by_outline,
                outscored,
            });
        }
    }
    eprintln!("index: probes measured at {:.0?}", started.elapsed());

    let positives = |h: char| {
        measured
            .iter()
            .filter(|m| m.half == h && m.from.is_some())
            .count()
    };
    let half = |h: char| measured.iter().filter(move |m| m.half == h);
    println!(
        "set         {} originals ({shots} screenshots, {photos} generated photos), {} edits each: {}; probes: every edited copy and every original against every original of its half",
        originals.len(),
        EDITS.len(),
        EDITS.join(" ")
    );
    for h in ['A', 'B'] {
        let found = half(h).flat_map(|m| {
            m.exhaustive
                .iter()
                .map(move |(j, d)| (m.from == Some(*j), *d))
                .collect::<Vec<_>>()
        });
        let (p, r, tp, fp) = score(found, positives(h));
        println!(
            "exhaustive  half {h}: every probe against every reference of the half at {MAX_DISTANCE}: precision {p:.4} recall {r:.4} ({tp} true, {fp} false)"
        );
    }
    let aligned_only: Vec<&Measured> = half('A').filter(|m| m.outscored.is_some()).collect();
    println!(
        "rank A      positives found by alignment only (hash distance over {MAX_DISTANCE}, aligned within): {} of {} on half A",
        aligned_only.len(),
        positives('A')
    );
    for h in ['A', 'B'] {
        let mut line = format!(
            "index {h}     no distractors, by shortlist (shortlist:precision/recall/true/false):"
        );
        for k in SHORTLISTS {
            let found = half(h).flat_map(|m| indexed(m, k, IndexSettings::MIN_OUTLINE));
            let (p, r, tp, fp) = score(found, positives(h));
            line.push_str(&format!(" {k}:{p:.4}/{r:.4}/{tp}/{fp}"));
        }
        println!("{line}");
    }
    // Half A with distractors: an aligned-only positive is found when its original is
    // among the best `shortlist` outlines over its half's others and the distractors.
    let mut kept_at_most: Vec<(usize, usize)> = Vec::new();
    for &n in sizes {
        let mut line =
            format!("rank A      with {n} distractors, aligned-only positives kept by shortlist:");
        kept_at_most.clear();
        for k in SHORTLISTS {
            let kept = aligned_only
                .iter()
                .filter(|m| {
                    let f = m.from.expect("a positive");
                    let Some(&(_, s)) = m.by_outline.iter().find(|(j, _)| *j == f) else {
                        return false;
                    };
                    if s < IndexSettings::MIN_OUTLINE {
                        return false;
                    }
                    let above_half = m.by_outline.iter().filter(|(_, x)| *x > s).count();
                    let above_extra = m
                        .outscored
                        .as_ref()
                        .map_or(0, |v| v.iter().filter(|(k, x)| *k < n && *x > s).count());
                    above_half + above_extra < k
                })
                .count();
            line.push_str(&format!(" {k}:{kept}"));
            kept_at_most.push((k, kept));
        }
        println!("{line}");
    }
    // The least shortlist that loses at most 1% of the aligned-only positives the largest
    // tried keeps, with the most distractors.
    let best = kept_at_most.last().map_or(0, |(_, kept)| *kept);
    let allowed = aligned_only.len() / 100;
    let shortlist = kept_at_most
        .iter()
        .find(|(_, kept)| kept + allowed >= best)
        .map_or(IndexSettings::SHORTLIST, |(k, _)| *k);
    let chosen = IndexSettings {
        shortlist,
        ..IndexSettings::default()
    };
    println!(
        "chosen      on A: shortlist {shortlist} (the least losing at most {allowed} of the aligned-only positives the largest keeps with {} distractors; IndexSettings::SHORTLIST is {}), outline floor {} (IndexSettings::MIN_OUTLINE), threshold {MAX_DISTANCE}",
        sizes.iter().max().unwrap_or(&0),
        IndexSettings::SHORTLIST,
        chosen.min_outline
    );
    let mut per_edit = Vec::new();
    for edit in EDITS.iter().copied().chain(["other"]) {
        let set: Vec<&Measured> = half('B').filter(|m| m.edit == edit).collect();
        let ex = set.iter().flat_map(|m| {
            m.exhaustive
                .iter()
                .map(|(j, d)| (m.from == Some(*j), *d))
                .collect::<Vec<_>>()
        });
        let pos = set.iter().filter(|m| m.from.is_some()).count();
        let (_, rex, _, fex) = score(ex, pos);
        let ix = set
            .iter()
            .flat_map(|m| indexed(m, chosen.shortlist, chosen.min_outline));
        let (_, rix, _, fix) = score(ix, pos);
        if edit == "other" {
            per_edit.push(format!("originals false {fex} -> {fix}"));
        } else {
            per_edit.push(format!("{edit} {rex:.2} -> {rix:.2}"));
        }
    }
    println!(
        "recall B    exhaustive -> index (no distractors), by edit: {}",
        per_edit.join(", ")
    );

    // Scale: half B's references and n distractors in one index with the chosen settings.
    let b_originals: Vec<usize> = (0..originals.len())
        .filter(|j| originals[*j].half == 'B')
        .collect();
    println!(
        "time        CPU time of one thread; a probe's preparation (Probe::new) is the same either way and left out; exhaustive: {:.3} ms a comparison over {compared} comparisons",
        exhaustive_time.as_secs_f64() * 1000.0 / compared.max(1) as f64
    );
    for &n in sizes {
        let mut index: Index<Key> = Index::new(chosen);
        for &j in &b_originals {
            index.insert(Key::Original(j), &references[j]);
        }
        for (k, d) in extra.iter().take(n).enumerate() {
            index.insert(Key::Distractor(k), &d.reference);
        }
        let reference = |key: &Key| -> Option<&Reference> {
            Some(match key {
                Key::Original(j) => &references[*j],
                Key::Distractor(k) => &extra[*k].reference,
            })
        };
        let (mut tp, mut fp, mut fp_extra, mut pos) = (0usize, 0usize, 0usize, 0usize);
        let (mut query_time, mut queries, mut candidates) = (Duration::ZERO, 0usize, 0usize);
        let (mut exhaustive_n, mut sampled) = (Duration::ZERO, 0usize);
        for (i, o) in originals.iter().enumerate().filter(|(_, o)| o.half == 'B') {
            let mut rng = Rng::new(seed, &o.name);
            let caption = &families[rng.below(families.len() as u64) as usize];
            let mut probes: Vec<(Option<usize>, Probe)> = EDITS
                .iter()
                .map(|edit| {
                    let edited =
                        DynamicImage::ImageRgb8(neardup::apply(edit, &o.image, caption, &mut rng));
                    (Some(i), Probe::new(&edited).expect("big enough"))
                })
                .collect();
            probes.push((
                None,
                Probe::new(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough"),
            ));
            for (from, probe) in probes {
                pos += usize::from(from.is_some());
                let t = ThreadTime::now();
                let found = index.search(&probe, reference);
                query_time += t.elapsed();
                queries += 1;
                candidates += index.candidates(&probe).len();
                for (key, _) in found {
                    match key {
                        Key::Original(j) if from == Some(j) => tp += 1,
                        Key::Original(j) if j == i => {}
                        Key::Original(_) => fp += 1,
                        Key::Distractor(_) => {
                            fp += 1;
                            fp_extra += 1;
                        }
                    }
                }
                if sampled < sample {
                    let t = ThreadTime::now();
                    let near = b_originals
                        .iter()
                        .map(|j| probe.distance(&references[*j]))
                        .chain(extra.iter().take(n).map(|d| probe.distance(&d.reference)))
                        .filter(|d| *d <= MAX_DISTANCE)
                        .count();
                    exhaustive_n += t.elapsed();
                    sampled += 1;
                    std::hint::black_box(near);
                }
            }
        }
        let p = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let refs = b_originals.len() + n.min(extra.len());
        println!(
            "scale B     {refs} references ({} of half B + {n} distractors): index precision {p:.4} recall {:.4} ({tp} true, {fp} false of which {fp_extra} distractors); {:.2} candidates a query; query {:.2} ms (index search with the alignments of its candidates) against {:.1} ms comparing with each (mean of {sampled} probes): {:.0}x",
            b_originals.len(),
            tp as f64 / pos.max(1) as f64,
            candidates as f64 / queries.max(1) as f64,
            query_time.as_secs_f64() * 1000.0 / queries.max(1) as f64,
            exhaustive_n.as_secs_f64() * 1000.0 / sampled.max(1) as f64,
            (exhaustive_n.as_secs_f64() / sampled.max(1) as f64)
                / (query_time.as_secs_f64() / queries.max(1) as f64).max(1e-9),
        );
    }
    eprintln!("index: done in {:.0?}", started.elapsed());
}
