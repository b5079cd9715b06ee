//! Ranking: BM25 per field and analyzer, term at a time, fused with the near-duplicate
//! signal into one score.
//!
//! The corpus of fact-checks is small (thousands to a few million), so instead of a
//! document-at-a-time query tree the matcher walks each query term's posting blocks once and
//! adds into a dense score array it keeps between queries: no allocation per posting, no
//! per-query tree, and the BM25 parameters stay a query-time setting that can be chosen on a
//! training split without rebuilding the index.
//!
//! **Tie rule:** equal scores rank the lower [`FactCheckId`] (the earlier imported) first, so
//! results never depend on segment layout or hash order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use claimdesk_core::FactCheckId;
use claimdesk_text::fingerprint;
use serde::Serialize;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, InvertedIndexReader, Searcher, Term};

use crate::index::{MatchField, MatchIndex};
use crate::{Error, Result};

/// The knobs of the ranking. The defaults were chosen on the CLEF 2020 Task 2 *train* split
/// (`bench/tune-lexical`), never on dev.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchSettings {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalization.
    pub b: f32,
    /// Weight of each field, in [`MatchField::ALL`] order.
    pub weights: [f32; 5],
    /// Largest SimHash distance (of 64 bits) that counts as a near-duplicate.
    pub near_dup_max_distance: u32,
    /// A near-duplicate at distance 0 gains this share of the best lexical score of the query;
    /// the gain falls linearly to 0 past `near_dup_max_distance`.
    pub near_dup_boost: f32,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings {
            k1: 1.2,
            b: 0.75,
            weights: [1.0, 1.0, 0.5, 0.5, 0.5],
            near_dup_max_distance: 8,
            near_dup_boost: 1.0,
        }
    }
}

impl MatchSettings {
    /// Sets one setting by name (`k1`, `b`, `w_claim_exact`, `w_headline_exact`,
    /// `w_claim_folded`, `w_headline_folded`, `w_bigrams`, `near_dup_max_distance`,
    /// `near_dup_boost`), for experiments from the command line.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let bad = || Error::BadSetting(format!("{name}={value}"));
        let v: f32 = value.parse().map_err(|_| bad())?;
        match name {
            "k1" => self.k1 = v,
            "b" => self.b = v,
            "w_claim_exact" => self.weights[0] = v,
            "w_headline_exact" => self.weights[1] = v,
            "w_claim_folded" => self.weights[2] = v,
            "w_headline_folded" => self.weights[3] = v,
            "w_bigrams" => self.weights[4] = v,
            "near_dup_max_distance" => self.near_dup_max_distance = v as u32,
            "near_dup_boost" => self.near_dup_boost = v,
            _ => return Err(bad()),
        }
        Ok(())
    }
}

/// One ranked fact-check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The canonical fact-check.
    pub fact_check: FactCheckId,
    /// The fused score (higher is better).
    pub score: f32,
    /// Why it matched.
    pub explanation: Explanation,
}

/// Why a fact-check matched: the score of each retriever and, when asked for, the terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Sum of the weighted BM25 scores of all fields.
    pub lexical: f32,
    /// SimHash distance to the query when within the near-duplicate limit.
    pub near_duplicate_distance: Option<u32>,
    /// What the near-duplicate signal added to the score.
    pub near_duplicate: f32,
    /// The query terms found in the fact-check, by field, best contribution first (empty
    /// unless explanations were requested).
    pub terms: Vec<TermHit>,
}

/// One query term found in one field of a fact-check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermHit {
    /// The index term (`vaccin`, `điện`, `dien_bien`).
    pub term: String,
    /// The field it was found in.
    pub field: MatchField,
    /// Its weighted BM25 contribution.
    pub score: f32,
}

/// Per-segment state the matcher reads on every query.
struct SegmentData {
    base: u32,
    inverted: Vec<Arc<InvertedIndexReader>>,
    norms: Vec<FieldNormReader>,
    fc_ids: Vec<u64>,
    simhash: Vec<Option<u64>>,
    alive: Vec<bool>,
}

/// A query term of one field, resolved against every segment.
struct QueryTerm {
    field: usize,
    text: String,
    weight: f32,
    infos: Vec<Option<tantivy::postings::TermInfo>>,
}

/// Ranks fact-checks for texts. Holds the scratch space queries reuse, so keep one per
/// thread and call [`Matcher::rank`] many times.
pub struct Matcher {
    settings: MatchSettings,
    segments: Vec<SegmentData>,
    /// Per field, BM25's length-normalization term for each of tantivy's 256 fieldnorm codes.
    norm_cache: Vec<[f32; 256]>,
    num_docs: f32,
    scores: Vec<f32>,
    touched: Vec<u32>,
    query_terms: Vec<QueryTerm>,
    postings: Option<BlockSegmentPostings>,
    fields: [tantivy::schema::Field; 5],
    _searcher: Searcher,
}

impl Matcher {
    /// A matcher over the index as it is now, with `settings`.
    pub fn new(index: &MatchIndex, settings: MatchSettings) -> Result<Matcher> {
        let searcher = index.reader.searcher();
        let mut segments = Vec::new();
        let mut base = 0u32;
        let mut total_tokens = [0u64; 5];
        for reader in searcher.segment_readers() {
            let mut inverted = Vec::new();
            let mut norms = Vec::new();
            for (i, field) in index.fields.text.iter().enumerate() {
                let inv = reader.inverted_index(*field)?;
                total_tokens[i] += inv.total_num_tokens();
                inverted.push(inv);
                norms.push(reader.get_fieldnorms_reader(*field)?);
            }
            let max_doc = reader.max_doc();
            let ids = reader.fast_fields().u64("fc_id")?;
            let sims = reader.fast_fields().u64("simhash")?;
            let fc_ids = (0..max_doc).map(|d| ids.first(d).unwrap_or(0)).collect();
            let simhash = (0..max_doc).map(|d| sims.first(d)).collect();
            let alive = (0..max_doc).map(|d| !reader.is_deleted(d)).collect();
            segments.push(SegmentData {
                base,
                inverted,
                norms,
                fc_ids,
                simhash,
                alive,
            });
            base += max_doc;
        }
        let num_docs = searcher.num_docs() as f32;
        let norm_cache = (0..5)
            .map(|i| {
                let avgdl = if num_docs > 0.0 {
                    (total_tokens[i] as f32 / num_docs).max(1e-6)
                } else {
                    1.0
                };
                let mut cache = [0f32; 256];
                for (code, slot) in cache.iter_mut().enumerate() {
                    let len = FieldNormReader::id_to_fieldnorm(code as u8) as f32;
                    *slot = settings.k1 * (1.0 - settings.b + settings.b * len / avgdl);
                }
                cache
            })
            .collect();
        Ok(Matcher {
            settings,
            segments,
            norm_cache,
            num_docs,
            scores: vec![0.0; base as usize],
            touched: Vec::new(),
            query_terms: Vec::new(),
            postings: None,
            fields: index.fields.text,
            _searcher: searcher,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &MatchSettings {
        &self.settings
    }

    /// The best `k` fact-checks for `text`, best first. With `explain`, each result lists the
    /// query terms it contains (costs a second look at the postings of those `k` only).
    pub fn rank(&mut self, text: &str, k: usize, explain: bool) -> Result<Vec<Match>> {
        if k == 0 || self.scores.is_empty() {
            return Ok(Vec::new());
        }
        self.resolve_terms(text)?;
        self.accumulate()?;
        let best_lexical = self
            .touched
            .iter()
            .map(|&d| self.scores[d as usize])
            .fold(0.0f32, f32::max);
        let near_dups = self.near_duplicates(text, best_lexical);
        let top = self.top_k(k, &near_dups);
        let mut out = Vec::with_capacity(top.len());
        for (global, score) in top {
            let (seg, doc) = self.locate(global);
            let nd = near_dups.iter().find(|n| n.0 == global);
            let terms = if explain {
                self.explain(seg, doc)?
            } else {
                Vec::new()
            };
            out.push(Match {
                fact_check: FactCheckId(self.segments[seg].fc_ids[doc as usize] as i64),
                score,
                explanation: Explanation {
                    lexical: self.scores[global as usize],
                    near_duplicate_distance: nd.map(|n| n.1),
                    near_duplicate: nd.map_or(0.0, |n| n.2),
                    terms,
                },
            });
        }
        for &d in &self.touched {
            self.scores[d as usize] = 0.0;
        }
        self.touched.clear();
        Ok(out)
    }

    fn resolve_terms(&mut self, text: &str) -> Result<()> {
        self.query_terms.clear();
        let mut cached: Option<(MatchField, Vec<String>)> = None;
        for (fi, field) in MatchField::ALL.iter().enumerate() {
            let weight = self.settings.weights[fi];
            if weight <= 0.0 {
                continue;
            }
            // Claim and headline of one analyzer share their query terms.
            let same_analyzer = cached.as_ref().is_some_and(|(f, _)| {
                matches!(
                    (f, field),
                    (MatchField::ClaimExact, MatchField::HeadlineExact)
                        | (MatchField::ClaimFolded, MatchField::HeadlineFolded)
                )
            });
            if !same_analyzer {
                let mut t = field.query_terms(text);
                t.sort_unstable();
                t.dedup();
                cached = Some((*field, t));
            }
            let terms = &cached.as_ref().expect("set above").1;
            for t in terms {
                let mut infos = Vec::with_capacity(self.segments.len());
                let mut df = 0u64;
                for seg in &self.segments {
                    let term = Term::from_field_text(self.fields[fi], t);
                    let info = seg.inverted[fi].get_term_info(&term)?;
                    df += info.as_ref().map_or(0, |i| i.doc_freq as u64);
                    infos.push(info);
                }
                if df == 0 {
                    continue;
                }
                let df = df as f32;
                let idf = (1.0 + (self.num_docs - df + 0.5) / (df + 0.5)).ln();
                self.query_terms.push(QueryTerm {
                    field: fi,
                    text: t.clone(),
                    weight: weight * idf * (self.settings.k1 + 1.0),
                    infos,
                });
            }
        }
        Ok(())
    }

    fn accumulate(&mut self) -> Result<()> {
        let Matcher {
            segments,
            norm_cache,
            scores,
            touched,
            query_terms,
            postings,
            ..
        } = self;
        for qt in query_terms.iter() {
            let cache = &norm_cache[qt.field];
            for (seg, info) in segments.iter().zip(&qt.infos) {
                let Some(info) = info else { continue };
                let inv = &seg.inverted[qt.field];
                let block = match postings {
                    Some(p) => {
                        inv.reset_block_postings_from_terminfo(info, p)?;
                        p
                    }
                    None => postings.insert(
                        inv.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?,
                    ),
                };
                let norms = &seg.norms[qt.field];
                loop {
                    let docs = block.docs();
                    if docs.is_empty() {
                        break;
                    }
                    for (&doc, &tf) in docs.iter().zip(block.freqs()) {
                        if !seg.alive[doc as usize] {
                            continue;
                        }
                        let tf = tf as f32;
                        let s = qt.weight * tf / (tf + cache[norms.fieldnorm_id(doc) as usize]);
                        let slot = &mut scores[(seg.base + doc) as usize];
                        if *slot == 0.0 {
                            touched.push(seg.base + doc);
                        }
                        *slot += s;
                    }
                    block.advance();
                }
            }
        }
        Ok(())
    }

    /// Near-duplicates of `text`: (global doc, distance, boost).
    fn near_duplicates(&self, text: &str, best_lexical: f32) -> Vec<(u32, u32, f32)> {
        let max = self.settings.near_dup_max_distance;
        let Some(fp) = fingerprint(text) else {
            return Vec::new();
        };
        let reference = if best_lexical > 0.0 { best_lexical } else { 1.0 };
        let mut out = Vec::new();
        for seg in &self.segments {
            for (doc, sim) in seg.simhash.iter().enumerate() {
                let Some(sim) = sim else { continue };
                if !seg.alive[doc] {
                    continue;
                }
                let d = (sim ^ fp.0).count_ones();
                if d <= max {
                    let boost =
                        self.settings.near_dup_boost * reference * (1.0 - d as f32 / (max + 1) as f32);
                    out.push((seg.base + doc as u32, d, boost));
                }
            }
        }
        out
    }

    fn top_k(&self, k: usize, near_dups: &[(u32, u32, f32)]) -> Vec<(u32, f32)> {
        let mut heap: BinaryHeap<Ranked> = BinaryHeap::with_capacity(k + 1);
        let mut offer = |doc: u32, score: f32, fc: u64| {
            if score <= 0.0 {
                return;
            }
            let r = Ranked { score, fc, doc };
            if heap.len() < k {
                heap.push(r);
            } else if let Some(worst) = heap.peek()
                && r < *worst
            {
                heap.pop();
                heap.push(r);
            }
        };
        for &d in &self.touched {
            let boost = near_dups.iter().find(|n| n.0 == d).map_or(0.0, |n| n.2);
            offer(d, self.scores[d as usize] + boost, self.fc_of(d));
        }
        for &(d, _, boost) in near_dups {
            if self.scores[d as usize] == 0.0 {
                offer(d, boost, self.fc_of(d));
            }
        }
        let mut v = heap.into_sorted_vec();
        v.truncate(k);
        v.into_iter().map(|r| (r.doc, r.score)).collect()
    }

    fn fc_of(&self, global: u32) -> u64 {
        let (seg, doc) = self.locate(global);
        self.segments[seg].fc_ids[doc as usize]
    }

    fn locate(&self, global: u32) -> (usize, DocId) {
        let seg = self
            .segments
            .partition_point(|s| s.base <= global)
            .saturating_sub(1);
        (seg, global - self.segments[seg].base)
    }

    fn explain(&mut self, seg: usize, doc: DocId) -> Result<Vec<TermHit>> {
        let mut hits = Vec::new();
        let s = &self.segments[seg];
        for qt in &self.query_terms {
            let Some(info) = &qt.infos[seg] else { continue };
            let inv = &s.inverted[qt.field];
            let mut block = inv.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            let idx = block.seek(doc);
            if block.docs().get(idx) == Some(&doc) {
                let tf = block.freqs()[idx] as f32;
                let norm = self.norm_cache[qt.field][s.norms[qt.field].fieldnorm_id(doc) as usize];
                hits.push(TermHit {
                    term: qt.text.clone(),
                    field: MatchField::ALL[qt.field],
                    score: qt.weight * tf / (tf + norm),
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.term.cmp(&b.term)));
        Ok(hits)
    }
}

/// A candidate in the top-k heap. `Ord` puts the *better* candidate first (smaller), so the
/// max-heap's top is the worst kept candidate.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: f32,
    fc: u64,
    doc: u32,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.fc.cmp(&other.fc))
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Index(e.to_string())
    }
}
