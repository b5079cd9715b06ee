//! Ranking: BM25 per field and analyzer, term at a time, fused with the near-duplicate
//! signal into one score.
//!
//! The corpus of fact-checks is small (thousands to a few million), so when a [`Matcher`] is
//! made it compiles tantivy's postings into *impact lists*: for every term of each analyzer,
//! the documents that hold it with their finished, weighted BM25 contribution (claim and
//! headline merged). A query is then one hash lookup per term and a walk that adds floats
//! into a dense score array kept between queries: term at a time, no query tree, no
//! allocation per posting. The BM25 parameters stay query-time settings that can be chosen on
//! a training split without rebuilding the index. Explanations re-read tantivy's per-field
//! postings for the few documents shown.
//!
//! **Tie rule:** equal scores rank the lower [`FactCheckId`] (the earlier imported) first, so
//! results never depend on segment layout or hash order.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3DefaultBuilder;

use claimdesk_core::FactCheckId;
use claimdesk_text::{Analysis, Fingerprint, Form, fingerprint_words};
use serde::Serialize;
use tantivy::fieldnorm::FieldNormReader;
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
        // Chosen by bench/tune_lexical.py on CLEF 2020 Task 2 train (MAP@5 0.867 there; the
        // optimum is flat: k1 0.3-0.6 and headline 0.35-0.5 are within 0.0005).
        MatchSettings {
            k1: 0.6,
            b: 0.75,
            weights: [1.0, 0.5, 1.0, 0.5, 0.25],
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

pub use claimdesk_core::explanation::{Explanation, FeatureEffect, TermHit};

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

/// A fact-check found (or checked) by the lexical retrievers, with the evidence fusion and the
/// reranker use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LexicalCandidate {
    /// The canonical fact-check.
    pub fact_check: FactCheckId,
    /// Lexical score plus the near-duplicate boost (the lexical-only ranking score).
    pub score: f32,
    /// Sum of the weighted BM25 scores of all fields.
    pub lexical: f32,
    /// The weighted BM25 of the exact unigrams, folded unigrams and folded bigrams.
    pub groups: [f32; 3],
    /// SimHash distance when within the near-duplicate limit.
    pub near_duplicate_distance: Option<u32>,
    /// Rank in the lexical list (0 = best), `None` for a candidate added from elsewhere.
    pub rank: Option<u32>,
}

/// A near-duplicate of the query: (global doc, SimHash distance, score boost).
type NearDup = (u32, u32, f32);

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

/// The space one query scores in: a score per document, the documents touched, and the
/// query's resolved terms. Queries take one from the matcher's pool and give it back.
#[derive(Default)]
struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
    query_terms: Vec<QueryTerm>,
}

impl Scratch {
    /// Zeroes the scores the last query set.
    fn clear(&mut self) {
        for &d in &self.touched {
            self.scores[d as usize] = 0.0;
        }
        self.touched.clear();
    }
}

/// Ranks fact-checks for texts. Shared by threads: each query borrows scratch space from a
/// small pool, so one matcher serves every core.
pub struct Matcher {
    settings: MatchSettings,
    segments: Vec<SegmentData>,
    /// Per field, BM25's length-normalization term for each of tantivy's 256 fieldnorm codes.
    norm_cache: Vec<[f32; 256]>,
    num_docs: f32,
    /// Documents in the index (alive or not): the length of every scratch score array.
    max_docs: usize,
    /// Scratch space of finished queries, for the next ones.
    scratch: std::sync::Mutex<Vec<Scratch>>,
    /// Fact-check id of every global document.
    fc_ids: Vec<u64>,
    /// Fingerprints of the alive documents, with their global document.
    fingerprints: Vec<(u64, u32)>,
    /// Global document of every alive fact-check.
    doc_of: HashMap<u64, u32, Xxh3DefaultBuilder>,
    /// Impact lists of the exact unigrams, folded unigrams and folded bigrams.
    impacts: [ImpactLists; 3],
    /// The tantivy fields, in [`MatchField::ALL`] order (explanations read their postings).
    fields: [tantivy::schema::Field; 5],
    /// Keeps the segments the matcher reads from alive.
    _searcher: Searcher,
}

/// One document's weighted BM25 contribution for one term.
#[derive(Debug, Clone, Copy)]
struct Impact {
    doc: u32,
    score: f32,
}

/// Term → impacts, all lists in one arena.
#[derive(Default)]
struct ImpactLists {
    ranges: HashMap<Box<str>, (u32, u32), Xxh3DefaultBuilder>,
    arena: Vec<Impact>,
}

impl ImpactLists {
    fn get(&self, term: &str) -> &[Impact] {
        match self.ranges.get(term) {
            Some(&(start, len)) => &self.arena[start as usize..(start + len) as usize],
            None => &[],
        }
    }
}

/// Which impact list a field feeds.
fn group_of(field: MatchField) -> usize {
    match field {
        MatchField::ClaimExact | MatchField::HeadlineExact => 0,
        MatchField::ClaimFolded | MatchField::HeadlineFolded => 1,
        MatchField::Bigrams => 2,
    }
}

impl Matcher {
    /// A matcher over the index as it is now, with `settings`.
    pub fn new(index: &MatchIndex, settings: MatchSettings) -> Result<Matcher> {
        let searcher = index.reader.searcher();
        let mut segments = Vec::new();
        let mut base = 0u32;
        for reader in searcher.segment_readers() {
            let mut inverted = Vec::new();
            let mut norms = Vec::new();
            for field in &index.fields.text {
                inverted.push(reader.inverted_index(*field)?);
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
        // Field lengths of alive documents only, so an index with deletions ranks exactly
        // like one rebuilt from scratch.
        let mut avgdl = [1.0f32; 5];
        for (i, slot) in avgdl.iter_mut().enumerate() {
            let total: u64 = segments
                .iter()
                .map(|seg| {
                    (0..seg.alive.len() as u32)
                        .filter(|&d| seg.alive[d as usize])
                        .map(|d| seg.norms[i].fieldnorm(d) as u64)
                        .sum::<u64>()
                })
                .sum();
            if num_docs > 0.0 {
                *slot = (total as f32 / num_docs).max(1e-6);
            }
        }
        let norm_cache: Vec<[f32; 256]> = avgdl
            .iter()
            .map(|avgdl| {
                let mut cache = [0f32; 256];
                for (code, slot) in cache.iter_mut().enumerate() {
                    let len = FieldNormReader::id_to_fieldnorm(code as u8) as f32;
                    *slot = settings.k1 * (1.0 - settings.b + settings.b * len / avgdl);
                }
                cache
            })
            .collect();
        let impacts = compile_impacts(&segments, &settings, &norm_cache, num_docs)?;
        let fc_ids = segments
            .iter()
            .flat_map(|s| s.fc_ids.iter().copied())
            .collect();
        let fingerprints =
            segments
                .iter()
                .flat_map(|s| {
                    s.simhash.iter().zip(&s.alive).enumerate().filter_map(
                        move |(d, (fp, alive))| {
                            Some((*fp.as_ref()?, s.base + d as u32)).filter(|_| *alive)
                        },
                    )
                })
                .collect();
        let mut doc_of = HashMap::with_hasher(Xxh3DefaultBuilder::new());
        for seg in &segments {
            for (d, alive) in seg.alive.iter().enumerate() {
                if *alive {
                    doc_of.insert(seg.fc_ids[d], seg.base + d as u32);
                }
            }
        }
        Ok(Matcher {
            doc_of,
            settings,
            segments,
            norm_cache,
            num_docs,
            max_docs: base as usize,
            scratch: std::sync::Mutex::new(Vec::new()),
            fc_ids,
            fingerprints,
            impacts,
            fields: index.fields.text,
            _searcher: searcher,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &MatchSettings {
        &self.settings
    }

    /// Scratch space for one query: a pooled one, else a new one.
    fn take_scratch(&self) -> Scratch {
        let pooled = self.scratch.lock().ok().and_then(|mut pool| pool.pop());
        pooled.unwrap_or_else(|| Scratch {
            scores: vec![0.0; self.max_docs],
            ..Scratch::default()
        })
    }

    /// Gives scratch space back, its scores zeroed.
    fn give_scratch(&self, mut scratch: Scratch) {
        scratch.clear();
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(scratch);
        }
    }

    /// The best `k` fact-checks for `text`, best first. With `explain`, each result lists the
    /// query terms it contains (costs a second look at the postings of those `k` only).
    pub fn rank(&self, text: &str, k: usize, explain: bool) -> Result<Vec<Match>> {
        if k == 0 || self.max_docs == 0 {
            return Ok(Vec::new());
        }
        let mut scratch = self.take_scratch();
        let ranked = self.rank_in(&mut scratch, text, k, explain);
        self.give_scratch(scratch);
        ranked
    }

    fn rank_in(
        &self,
        scratch: &mut Scratch,
        text: &str,
        k: usize,
        explain: bool,
    ) -> Result<Vec<Match>> {
        let analysis = Analysis::new(text);
        let (top, near_dups) = self.gather(scratch, &analysis, k);
        if explain && !top.is_empty() {
            self.resolve_terms(scratch, &analysis)?;
        }
        let mut out = Vec::with_capacity(top.len());
        for (global, score) in top {
            let (seg, doc) = self.locate(global);
            let nd = near_dups.iter().find(|n| n.0 == global);
            let terms = if explain {
                self.explain(scratch, seg, doc)?
            } else {
                Vec::new()
            };
            out.push(Match {
                fact_check: FactCheckId(self.fc_ids[global as usize] as i64),
                score,
                explanation: Explanation {
                    lexical: scratch.scores[global as usize],
                    near_duplicate_distance: nd.map(|n| n.1),
                    near_duplicate: nd.map_or(0.0, |n| n.2),
                    terms,
                    cosine: None,
                    retrievers: Vec::new(),
                    features: Vec::new(),
                    confident: false,
                    probability: None,
                    strength: None,
                    signals: Vec::new(),
                },
            });
        }
        Ok(out)
    }

    /// The best `n` lexical and near-duplicate candidates for `text` plus the fact-checks in
    /// `extra` (e.g. found by dense retrieval), each with its lexical evidence, for fusion and
    /// reranking. Lexical candidates come first, best first; extras follow in the given order.
    pub fn candidates(&self, text: &str, n: usize, extra: &[FactCheckId]) -> Vec<LexicalCandidate> {
        if self.max_docs == 0 {
            return Vec::new();
        }
        let mut scratch = self.take_scratch();
        let analysis = Analysis::new(text);
        let (top, near_dups) = self.gather(&mut scratch, &analysis, n);
        let mut docs: Vec<(u32, Option<u32>)> = top
            .iter()
            .enumerate()
            .map(|(rank, &(d, _))| (d, Some(rank as u32)))
            .collect();
        for fc in extra {
            if let Some(&d) = self.doc_of.get(&(fc.0 as u64))
                && !docs.iter().any(|(x, _)| *x == d)
            {
                docs.push((d, None));
            }
        }
        let keys = self.query_keys(&analysis);
        let out = docs
            .into_iter()
            .map(|(d, rank)| {
                let nd = near_dups.iter().find(|x| x.0 == d);
                let lexical = scratch.scores[d as usize];
                let mut groups = [0f32; 3];
                for (g, terms) in keys.iter().enumerate() {
                    for t in terms {
                        let list = self.impacts[g].get(t);
                        if let Ok(i) = list.binary_search_by_key(&d, |imp| imp.doc) {
                            groups[g] += list[i].score;
                        }
                    }
                }
                LexicalCandidate {
                    fact_check: FactCheckId(self.fc_ids[d as usize] as i64),
                    score: lexical + nd.map_or(0.0, |x| x.2),
                    lexical,
                    groups,
                    near_duplicate_distance: nd.map(|x| x.1),
                    rank,
                }
            })
            .collect();
        self.give_scratch(scratch);
        out
    }

    /// The query terms each of `fact_checks` contains, by field, best contribution first.
    pub fn explain_terms(
        &self,
        text: &str,
        fact_checks: &[FactCheckId],
    ) -> Result<Vec<Vec<TermHit>>> {
        let mut scratch = self.take_scratch();
        let explained = self
            .resolve_terms(&mut scratch, &Analysis::new(text))
            .and_then(|()| {
                let mut out = Vec::with_capacity(fact_checks.len());
                for fc in fact_checks {
                    match self.doc_of.get(&(fc.0 as u64)) {
                        Some(&d) => {
                            let (seg, doc) = self.locate(d);
                            out.push(self.explain(&scratch, seg, doc)?);
                        }
                        None => out.push(Vec::new()),
                    }
                }
                Ok(out)
            });
        self.give_scratch(scratch);
        explained
    }

    /// Scores every document the query touches and returns the best `k` (global doc, score)
    /// with the near-duplicates found. The scores stay set until the caller clears them.
    fn gather(
        &self,
        scratch: &mut Scratch,
        analysis: &Analysis,
        k: usize,
    ) -> (Vec<(u32, f32)>, Vec<NearDup>) {
        scratch.clear();
        self.accumulate(scratch, analysis);
        let best_lexical = scratch
            .touched
            .iter()
            .map(|&d| scratch.scores[d as usize])
            .fold(0.0f32, f32::max);
        let near_dups = self.near_duplicates(fingerprint_words(&analysis.words), best_lexical);
        (self.top_k(scratch, k, &near_dups), near_dups)
    }

    /// The distinct impact-list keys of a query, per group.
    fn query_keys(&self, analysis: &Analysis) -> [Vec<String>; 3] {
        let sorted = |mut t: Vec<String>| {
            t.sort_unstable();
            t.dedup();
            t
        };
        [
            sorted(analysis.terms(Form::Exact)),
            sorted(analysis.terms(Form::Folded)),
            sorted(analysis.bigrams(Form::Folded)),
        ]
    }

    fn resolve_terms(&self, scratch: &mut Scratch, analysis: &Analysis) -> Result<()> {
        scratch.query_terms.clear();
        let [exact, folded, pairs] = self.query_keys(analysis);
        for (fi, field) in MatchField::ALL.iter().enumerate() {
            let weight = self.settings.weights[fi];
            if weight <= 0.0 {
                continue;
            }
            let terms = match field {
                MatchField::ClaimExact | MatchField::HeadlineExact => &exact,
                MatchField::ClaimFolded | MatchField::HeadlineFolded => &folded,
                MatchField::Bigrams => &pairs,
            };
            for t in terms {
                let mut infos = Vec::with_capacity(self.segments.len());
                let mut df = 0u64;
                for seg in &self.segments {
                    let term = Term::from_field_text(self.fields[fi], t);
                    let info = seg.inverted[fi].get_term_info(&term)?;
                    if let Some(info) = &info {
                        df += alive_postings(seg, fi, info)?.len() as u64;
                    }
                    infos.push(info);
                }
                if df == 0 {
                    continue;
                }
                scratch.query_terms.push(QueryTerm {
                    field: fi,
                    text: t.clone(),
                    weight: weight * idf(self.num_docs, df as f32) * (self.settings.k1 + 1.0),
                    infos,
                });
            }
        }
        Ok(())
    }

    /// Adds every query term's impacts into the score array. Borrows the analysis's terms:
    /// no string is allocated here.
    fn accumulate(&self, scratch: &mut Scratch, analysis: &Analysis) {
        let impacts = &self.impacts;
        let Scratch {
            scores, touched, ..
        } = scratch;
        let mut add = |list: &[Impact]| {
            for imp in list {
                let slot = &mut scores[imp.doc as usize];
                if *slot == 0.0 {
                    touched.push(imp.doc);
                }
                *slot += imp.score;
            }
        };
        for (group, form) in [(0, Form::Exact), (1, Form::Folded)] {
            let mut terms: Vec<&str> = analysis.term_refs(form).collect();
            terms.sort_unstable();
            terms.dedup();
            for t in terms {
                add(impacts[group].get(t));
            }
        }
        let mut pairs = analysis.bigram_pairs(Form::Folded);
        pairs.sort_unstable();
        pairs.dedup();
        let mut key = String::new();
        for (a, b) in pairs {
            key.clear();
            key.push_str(a);
            key.push('_');
            key.push_str(b);
            add(impacts[2].get(&key));
        }
    }

    /// Near-duplicates of `text`: (global doc, distance, boost).
    fn near_duplicates(&self, fp: Option<Fingerprint>, best_lexical: f32) -> Vec<(u32, u32, f32)> {
        let max = self.settings.near_dup_max_distance;
        let Some(fp) = fp else {
            return Vec::new();
        };
        let reference = if best_lexical > 0.0 {
            best_lexical
        } else {
            1.0
        };
        let mut out = Vec::new();
        for &(sim, doc) in &self.fingerprints {
            let d = (sim ^ fp.0).count_ones();
            if d <= max {
                let boost =
                    self.settings.near_dup_boost * reference * (1.0 - d as f32 / (max + 1) as f32);
                out.push((doc, d, boost));
            }
        }
        out
    }

    fn top_k(&self, scratch: &Scratch, k: usize, near_dups: &[(u32, u32, f32)]) -> Vec<(u32, f32)> {
        let mut top = TopK::new(k);
        if near_dups.is_empty() {
            for &d in &scratch.touched {
                let score = scratch.scores[d as usize];
                // Most touched documents score below the k-th best: skip them before
                // looking up their fact-check id.
                if score >= top.floor {
                    top.offer(d, score, self.fc_ids[d as usize]);
                }
            }
        } else {
            for &d in &scratch.touched {
                let boost = near_dups.iter().find(|n| n.0 == d).map_or(0.0, |n| n.2);
                top.offer(
                    d,
                    scratch.scores[d as usize] + boost,
                    self.fc_ids[d as usize],
                );
            }
            for &(d, _, boost) in near_dups {
                if scratch.scores[d as usize] == 0.0 {
                    top.offer(d, boost, self.fc_ids[d as usize]);
                }
            }
        }
        let mut v = top.heap.into_sorted_vec();
        v.truncate(k);
        v.into_iter().map(|r| (r.doc, r.score)).collect()
    }

    fn locate(&self, global: u32) -> (usize, DocId) {
        let seg = self
            .segments
            .partition_point(|s| s.base <= global)
            .saturating_sub(1);
        (seg, global - self.segments[seg].base)
    }

    fn explain(&self, scratch: &Scratch, seg: usize, doc: DocId) -> Result<Vec<TermHit>> {
        let mut hits = Vec::new();
        let s = &self.segments[seg];
        for qt in &scratch.query_terms {
            let Some(info) = &qt.infos[seg] else { continue };
            let inv = &s.inverted[qt.field];
            let mut block =
                inv.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
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
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.term.cmp(&b.term))
        });
        Ok(hits)
    }
}

/// BM25's inverse document frequency (the Lucene form, never negative).
fn idf(num_docs: f32, df: f32) -> f32 {
    (1.0 + (num_docs - df + 0.5) / (df + 0.5)).ln()
}

/// The alive documents of a posting list with their term frequencies.
fn alive_postings(
    seg: &SegmentData,
    field: usize,
    info: &tantivy::postings::TermInfo,
) -> Result<Vec<(DocId, u32)>> {
    let mut block = seg.inverted[field]
        .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
    let mut out = Vec::with_capacity(info.doc_freq as usize);
    loop {
        let docs = block.docs();
        if docs.is_empty() {
            break;
        }
        for (&doc, &tf) in docs.iter().zip(block.freqs()) {
            if seg.alive[doc as usize] {
                out.push((doc, tf));
            }
        }
        block.advance();
    }
    Ok(out)
}

/// Compiles the impact lists of every weighted field from tantivy's postings.
fn compile_impacts(
    segments: &[SegmentData],
    settings: &MatchSettings,
    norm_cache: &[[f32; 256]],
    num_docs: f32,
) -> Result<[ImpactLists; 3]> {
    let mut merged: [HashMap<Box<str>, Vec<Impact>>; 3] = Default::default();
    for (fi, field) in MatchField::ALL.iter().enumerate() {
        let weight = settings.weights[fi];
        if weight <= 0.0 {
            continue;
        }
        // Term → its alive postings in every segment (global doc ids, tf, norm code).
        let mut per_term: HashMap<Box<str>, Vec<(u32, u32, u8)>> = HashMap::new();
        for seg in segments {
            let mut stream = seg.inverted[fi].terms().stream()?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let postings = alive_postings(seg, fi, stream.value())?;
                if postings.is_empty() {
                    continue;
                }
                let entry = per_term.entry(term.into()).or_default();
                for (doc, tf) in postings {
                    entry.push((seg.base + doc, tf, seg.norms[fi].fieldnorm_id(doc)));
                }
            }
        }
        let target = &mut merged[group_of(*field)];
        for (term, postings) in per_term {
            let w = weight * idf(num_docs, postings.len() as f32) * (settings.k1 + 1.0);
            let list = target.entry(term).or_default();
            list.extend(postings.into_iter().map(|(doc, tf, norm)| {
                let tf = tf as f32;
                Impact {
                    doc,
                    score: w * tf / (tf + norm_cache[fi][norm as usize]),
                }
            }));
        }
    }
    Ok(merged.map(|group| {
        let mut lists = ImpactLists::default();
        let mut terms: Vec<_> = group.into_iter().collect();
        // Sorted, so the arena (and float sums) never depend on hash order.
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (term, mut list) in terms {
            list.sort_by_key(|i| i.doc);
            let mut compact: Vec<Impact> = Vec::with_capacity(list.len());
            for imp in list {
                match compact.last_mut() {
                    Some(last) if last.doc == imp.doc => last.score += imp.score,
                    _ => compact.push(imp),
                }
            }
            let start = lists.arena.len() as u32;
            lists.arena.extend_from_slice(&compact);
            lists.ranges.insert(term, (start, compact.len() as u32));
        }
        lists.arena.shrink_to_fit();
        lists
    }))
}

/// The best k candidates seen so far.
struct TopK {
    k: usize,
    heap: BinaryHeap<Ranked>,
    /// No candidate scoring below this can enter (the k-th best score once full).
    floor: f32,
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            floor: 0.0,
        }
    }

    fn offer(&mut self, doc: u32, score: f32, fc: u64) {
        if score <= 0.0 {
            return;
        }
        let r = Ranked { score, fc, doc };
        if self.heap.len() < self.k {
            self.heap.push(r);
        } else if let Some(worst) = self.heap.peek()
            && r < *worst
        {
            self.heap.pop();
            self.heap.push(r);
        }
        if self.heap.len() == self.k {
            self.floor = self.heap.peek().map_or(0.0, |w| w.score);
        }
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
        match e {
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            ) => Error::Busy,
            e => Error::Index(e.to_string()),
        }
    }
}
