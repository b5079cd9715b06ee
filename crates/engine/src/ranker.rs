//! The ranker and how it follows the store. [`LiveRanker`] holds the ranker queries use
//! (lexical, or hybrid with the model and the learned reranker) behind an atomic pointer:
//! a fact-check change builds the next ranker beside the current one, from the lexical
//! index and the vectors already known (only changed fact-checks are embedded, and the
//! store's embedding cache, keyed by model and text, is read before the model runs), then
//! swaps it in. Queries never wait for a build; a query in flight finishes on the ranker it
//! started with.
//!
//! Layer 2: imports `config`, `data`, `index`, `model`, `progress` and `error`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use claimdesk_core::{FactCheckId, StoredFactCheck};
use claimdesk_embed::{Embedder, TextKind, embedding_key, embedding_text};
use claimdesk_match::hybrid::{Dense, HybridMatcher, Ranking};
use claimdesk_match::rerank::Reranker;
use claimdesk_match::vector::{ExactIndex, HnswIndex, LayeredIndex, VectorIndex};
use claimdesk_match::{MatchSettings, Matcher};
use claimdesk_store::{EmbeddingStore, FactCheckStore, StoredMatch};

use crate::config::Config;
use crate::data::{DataDir, MODEL_FILE};
use crate::error::{Error, Result};
use crate::index::LexicalIndex;
use crate::model;
use crate::progress::Progress;

/// Above this many fact-checks the approximate HNSW index replaces the exact scan
/// (`vector_scale` example: the scan of 200,000 vectors took 59 ms per query, p50, on 2 busy
/// cores, above the whole query budget of 40 ms).
pub const HNSW_FROM: usize = 200_000;
/// Candidates an HNSW search looks at (the graph is built with 100): on a million synthetic
/// claim vectors (`vector_scale`, 2026-12-07) recall@10 against the exact scan was 0.78 at
/// 100, 0.93 at 400 and 0.96 at 800, for a p99 of 3.0, 5.3 and 9.8 ms a query: well inside a
/// query's budget, and a missed repeat costs more than the milliseconds.
const HNSW_EF_SEARCH: usize = 800;
/// Embeddings computed and stored per batch (an interrupted run keeps what was done).
const EMBED_CHUNK: usize = 512;
/// How many fact-checks are kept per stored item.
pub const STORED_MATCHES: usize = 5;

/// How the user chose the ranking.
#[derive(Debug, Clone, Default)]
pub struct RankerOptions {
    /// Rank lexically only, even when a model is present.
    pub lexical_only: bool,
    /// The model file given on the command line (`--model`, `CLAIMDESK_MODEL`).
    pub model: Option<PathBuf>,
    /// A ranking other than the default (for comparisons).
    pub ranking: Option<Ranking>,
    /// A match verifier instead of the shipped one (`eval --verifier`).
    pub verifier: Option<claimdesk_match::verify::Verifier>,
}

/// One ranked fact-check with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedMatch {
    /// The canonical fact-check.
    pub fact_check: FactCheckId,
    /// The score (higher is better).
    pub score: f32,
    /// Why it matched.
    pub explanation: claimdesk_core::Explanation,
}

/// A ranker as built at one store revision.
pub struct Ranker {
    matcher: HybridMatcher,
    revision: i64,
}

impl Ranker {
    /// The hybrid (or lexical) matcher.
    pub fn matcher(&self) -> &HybridMatcher {
        &self.matcher
    }

    /// The store's fact-check revision this ranker reflects.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// The `k` best fact-checks for `text`, explained.
    pub fn rank(&self, text: &str, k: usize) -> Result<Vec<RankedMatch>> {
        Ok(self
            .matcher
            .rank(text, k, true)?
            .into_iter()
            .map(|m| RankedMatch {
                fact_check: m.fact_check,
                score: m.score,
                explanation: m.explanation,
            })
            .collect())
    }
}

/// Ranked matches as the store keeps them, ranks from 1.
pub fn stored_matches(ranked: &[claimdesk_match::Match]) -> Vec<StoredMatch> {
    StoredMatch::ranked(
        ranked
            .iter()
            .map(|m| (m.fact_check, m.score, m.explanation.clone())),
    )
}

/// A canonical fact-check as the dense side sees it.
struct Fact {
    text: String,
    language: Option<String>,
    vector: Option<Vec<f32>>,
}

/// What the next ranker is built from.
struct Parts {
    index: LexicalIndex,
    settings: MatchSettings,
    model: Option<Arc<dyn Embedder>>,
    reranker: Option<Reranker>,
    ranking: Option<Ranking>,
    verifier: Option<claimdesk_match::verify::Verifier>,
    /// The config's floors on the verifier's thresholds (confident, suggest).
    floors: (Option<f32>, Option<f32>),
    facts: BTreeMap<FactCheckId, Fact>,
    /// The vector index last built over every fact-check, and what changed since.
    vectors: Option<VectorBase>,
}

/// A vector index built over every fact-check's vector once, served with the changes since
/// laid over it ([`LayeredIndex`]) until they reach [`rebuild_after`] of it: a verdict
/// published on a desk of a million fact-checks is found at the next refresh without a
/// new HNSW graph (minutes of both cores at that size).
struct VectorBase {
    index: Arc<dyn VectorIndex>,
    /// Fact-checks whose vector changed, came or went since the index was built.
    changed: HashSet<FactCheckId>,
}

/// How many changed fact-checks a vector index of `len` takes before it is built again.
fn rebuild_after(len: usize) -> usize {
    (len / 20).max(1_000)
}

/// What a refresh changed.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    /// The revision now served.
    pub revision: i64,
    /// The fact-checks that changed (added, corrected, published, turned into aliases).
    pub changed: Vec<StoredFactCheck>,
}

/// The ranker queries use, swapped atomically when the store's fact-checks change.
pub struct LiveRanker {
    current: ArcSwap<Ranker>,
    parts: tokio::sync::Mutex<Parts>,
    notes: Vec<String>,
}

impl LiveRanker {
    /// Builds the ranker of a data directory: hybrid when the model is there (and not
    /// turned off), else lexical and near-duplicate.
    pub async fn open(
        store: &(impl FactCheckStore + EmbeddingStore),
        index: LexicalIndex,
        data: &DataDir,
        config: &Config,
        options: &RankerOptions,
        progress: &dyn Progress,
    ) -> Result<LiveRanker> {
        let mut notes = Vec::new();
        if options.lexical_only
            && let Some(r) = options.ranking.filter(|r| *r != Ranking::Lexical)
        {
            return Err(Error::Usage(format!(
                "--lexical-only cannot be combined with --ranking {r:?}"
            )));
        }
        let model = if options.lexical_only {
            None
        } else {
            let explicit = options
                .model
                .clone()
                .or_else(|| config.model_path(data.root()));
            match model::find(data, explicit.as_deref())? {
                Some(path) => Some(model::load(&path)?),
                None => {
                    notes.push(format!(
                        "semantic matching is off (no {MODEL_FILE} in {}); matching is lexical and near-duplicate only. \
                         Run scripts/fetch-model, or pass --model PATH.",
                        data.default_model_paths()
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ));
                    None
                }
            }
        };
        let reranker = match (&model, config.reranker_path(data.root())) {
            (None, _) => None,
            (Some(_), Some(p)) => {
                let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
                Some(Reranker::from_json(&text).map_err(|e| {
                    Error::Usage(format!("{}: not a reranker file: {e}", p.display()))
                })?)
            }
            (Some(_), None) => match Reranker::builtin() {
                Ok(r) => Some(r),
                Err(e) => {
                    notes.push(format!("{e}; ranking by min-max fusion instead"));
                    None
                }
            },
        };
        let mut parts = Parts {
            index,
            settings: config.match_settings(),
            model,
            reranker,
            ranking: options.ranking,
            verifier: options.verifier.clone(),
            floors: (
                config.matching.confident_at_least,
                config.matching.suggest_at_least,
            ),
            facts: BTreeMap::new(),
            vectors: None,
        };
        let (revision, _) = parts.index.sync(store).await?;
        let all = store.fact_checks().await?;
        let embedded = parts.update(store, all, progress).await?;
        if let Some((computed, reused)) = embedded
            && computed > 0
        {
            notes.push(format!(
                "embedded {computed} fact-check texts (stored; {reused} reused)"
            ));
        }
        let ranker = blocking(|| parts.build(revision))?;
        Ok(LiveRanker {
            current: ArcSwap::from_pointee(ranker),
            parts: tokio::sync::Mutex::new(parts),
            notes,
        })
    }

    /// The ranker in use now. Hold it for one query or one batch; a refresh does not change
    /// it, it replaces it.
    pub fn current(&self) -> Arc<Ranker> {
        self.current.load_full()
    }

    /// The store revision served now.
    pub fn revision(&self) -> i64 {
        self.current.load().revision
    }

    /// What building the ranker had to say (no model; fact-checks embedded).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Brings the ranker to the store's revision when it moved: the index applies the
    /// changes, changed fact-checks are embedded, and the new ranker is swapped in.
    /// Returns what changed, or `None` when the store had not moved.
    pub async fn refresh(
        &self,
        store: &(impl FactCheckStore + EmbeddingStore),
    ) -> Result<Option<Refreshed>> {
        let served = self.revision();
        if store.revision().await? == served {
            return Ok(None);
        }
        let mut parts = self.parts.lock().await;
        // Another refresh may have finished while this one waited for the lock.
        let served = self.revision();
        let (revision, _) = parts.index.sync(store).await?;
        if revision == served {
            return Ok(None);
        }
        let changed = store.fact_checks_since(served).await?;
        let changed: Vec<StoredFactCheck> = changed.into_iter().map(|c| c.fact_check).collect();
        parts
            .update(store, changed.clone(), &crate::progress::Silent)
            .await?;
        let ranker = blocking(|| parts.build(revision))?;
        self.current.store(Arc::new(ranker));
        tracing::info!(target: "match::live", revision, changed = changed.len(), "ranker swapped");
        Ok(Some(Refreshed { revision, changed }))
    }
}

impl Parts {
    /// Takes in changed fact-checks (all of them on the first build) and embeds the texts
    /// that have no vector. Returns (computed, reused) when there is a model.
    async fn update(
        &mut self,
        store: &(impl FactCheckStore + EmbeddingStore),
        changed: Vec<StoredFactCheck>,
        progress: &dyn Progress,
    ) -> Result<Option<(usize, usize)>> {
        let mut touched = Vec::new();
        for f in changed {
            if f.alias_of.is_some() || f.withdrawn.is_some() {
                if self.facts.remove(&f.id).is_some()
                    && let Some(base) = &mut self.vectors
                {
                    base.changed.insert(f.id);
                }
                continue;
            }
            let fc = &f.fact_check;
            let text = embedding_text(&match &fc.headline {
                Some(h) => format!("{} {h}", fc.claim),
                None => fc.claim.clone(),
            });
            let vector = match self.facts.remove(&f.id) {
                Some(old) if old.text == text => old.vector,
                _ => None,
            };
            if vector.is_none() {
                touched.push(f.id);
                if let Some(base) = &mut self.vectors {
                    base.changed.insert(f.id);
                }
            }
            self.facts.insert(
                f.id,
                Fact {
                    text,
                    language: fc.language.clone(),
                    vector,
                },
            );
        }
        let Some(model) = self.model.clone() else {
            return Ok(None);
        };
        let keys: Vec<u64> = touched
            .iter()
            .map(|id| embedding_key(&self.facts[id].text))
            .collect();
        let mut known: HashMap<u64, Vec<f32>> = store
            .embeddings(model.model_id(), &keys)
            .await?
            .into_iter()
            .collect();
        let mut missing: Vec<(u64, String)> = Vec::new();
        let mut seen = HashSet::new();
        for (id, key) in touched.iter().zip(&keys) {
            if !known.contains_key(key) && seen.insert(*key) {
                missing.push((*key, self.facts[id].text.clone()));
            }
        }
        if !missing.is_empty() {
            progress.begin("embedding fact-checks", missing.len() as u64);
            for chunk in missing.chunks(EMBED_CHUNK) {
                let refs: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
                let vectors = blocking(|| {
                    model.embed_with_progress(&refs, TextKind::Passage, &mut |n| {
                        progress.advance(n as u64)
                    })
                })?;
                let rows: Vec<(u64, Vec<f32>)> =
                    chunk.iter().map(|(k, _)| *k).zip(vectors).collect();
                store.save_embeddings(model.model_id(), &rows).await?;
                known.extend(rows);
            }
            progress.end();
        }
        for (id, key) in touched.iter().zip(&keys) {
            if let (Some(f), Some(v)) = (self.facts.get_mut(id), known.get(key)) {
                f.vector = Some(v.clone());
            }
        }
        Ok(Some((missing.len(), touched.len() - missing.len())))
    }

    /// A ranker over the index and the facts as they are now.
    fn build(&mut self, revision: i64) -> Result<Ranker> {
        let matcher: Matcher = self.index.matcher(self.settings.clone())?;
        let dense = match self.model.clone() {
            None => None,
            Some(model) => Some(Dense {
                index: Box::new(self.vector_index(model.dimension())?),
                embedder: model,
            }),
        };
        let mut hybrid = HybridMatcher::new(
            matcher,
            dense,
            self.reranker.clone(),
            self.facts
                .iter()
                .map(|(id, f)| (*id, f.text.as_str(), f.language.as_deref())),
        );
        if let Some(r) = self.ranking {
            hybrid.set_ranking(r)?;
        }
        if let Some(v) = &self.verifier {
            hybrid.set_verifier(Some(v.clone()));
        }
        if let (Some(mut v), (confident, suggest)) = (hybrid.verifier().cloned(), self.floors)
            && (confident.is_some() || suggest.is_some())
        {
            v.tighten(confident, suggest);
            hybrid.set_verifier(Some(v));
        }
        Ok(Ranker {
            matcher: hybrid,
            revision,
        })
    }

    /// The fact-checks' vectors as an index: the last one built with the changes since laid
    /// over it, or a new one over every vector when there is none or the changes reached
    /// [`rebuild_after`] of it.
    fn vector_index(&mut self, dim: usize) -> Result<LayeredIndex> {
        if let Some(base) = &self.vectors
            && base.changed.len() <= rebuild_after(base.index.len())
        {
            let changes: Vec<(FactCheckId, Vec<f32>)> = base
                .changed
                .iter()
                .filter_map(|id| Some((*id, self.facts.get(id)?.vector.clone()?)))
                .collect();
            let changes = ExactIndex::from_vectors(dim, changes)?;
            return Ok(LayeredIndex::new(
                Arc::clone(&base.index),
                base.changed.clone(),
                changes,
            )?);
        }
        let vectors: Vec<(FactCheckId, Vec<f32>)> = self
            .facts
            .iter()
            .filter_map(|(id, f)| Some((*id, f.vector.clone()?)))
            .collect();
        let exact = ExactIndex::from_vectors(dim, vectors)?;
        let index: Arc<dyn VectorIndex> = if exact.len() >= HNSW_FROM {
            let mut hnsw = HnswIndex::build(exact, 16, 100);
            hnsw.set_ef_search(HNSW_EF_SEARCH);
            Arc::new(hnsw)
        } else {
            Arc::new(exact)
        };
        self.vectors = Some(VectorBase {
            index: Arc::clone(&index),
            changed: HashSet::new(),
        });
        Ok(LayeredIndex::new(
            index,
            HashSet::new(),
            ExactIndex::new(dim),
        )?)
    }
}

/// Runs CPU-heavy `f` without holding up the other tasks of a multi-thread runtime (on a
/// current-thread runtime, as the command line uses, it simply runs).
pub(crate) fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}
