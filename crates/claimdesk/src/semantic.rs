//! Semantic matching wiring: finding the model file, keeping the fact-checks' embeddings in
//! the store, and building the hybrid ranker.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use claimdesk_core::FactCheckId;
use claimdesk_embed::{E5, Embedder, TextKind, embedding_key, embedding_text};
use claimdesk_match::hybrid::{Dense, HybridMatcher, Ranking};
use claimdesk_match::rerank::Reranker;
use claimdesk_match::vector::{ExactIndex, HnswIndex, VectorIndex};
use claimdesk_store::Store;

use crate::desk::{Catalog, Desk};
use crate::load::bar;

/// The model file's name.
pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// Above this many fact-checks the approximate HNSW index replaces the exact scan
/// (`vector_scale` example: the scan of 200,000 vectors took 59 ms per query, p50, on 2 busy
/// cores, above the whole query budget of 40 ms).
pub const HNSW_FROM: usize = 200_000;
/// Embeddings computed and stored per batch (an interrupted run keeps what was done).
const EMBED_CHUNK: usize = 512;

/// How the user chose semantic matching.
#[derive(Debug, Clone, Default)]
pub struct SemanticOptions {
    /// Rank lexically only, even when a model is present.
    pub lexical_only: bool,
    /// The model file given with `--model` or `CLAIMDESK_MODEL`.
    pub model: Option<PathBuf>,
    /// A ranking other than the default (for comparisons).
    pub ranking: Option<Ranking>,
}

/// Where the model is looked for when no path is given, in order.
fn default_model_paths(data: &Path) -> Vec<PathBuf> {
    vec![
        data.join("models").join(MODEL_FILE),
        PathBuf::from("models").join(MODEL_FILE),
    ]
}

/// The model file to use, or why there is none.
pub fn find_model(desk: &Desk, options: &SemanticOptions) -> Result<Option<PathBuf>> {
    find_model_file(
        &desk.dir,
        options.model.as_deref().or(desk.config_model.as_deref()),
    )
}

/// The model file for data directory `dir`: `explicit` (which must exist), else the first of
/// the default places that holds one.
pub fn find_model_file(dir: &Path, explicit: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!(
                "model file {} not found; run scripts/fetch-model (it writes models/{MODEL_FILE}) or correct --model",
                path.display()
            );
        }
        return Ok(Some(path.to_path_buf()));
    }
    Ok(default_model_paths(dir).into_iter().find(|p| p.is_file()))
}

/// The ranker the desk uses: hybrid with the learned reranker when the model is present,
/// lexical and near-duplicate otherwise (saying so on stderr).
pub async fn ranker(
    desk: &Desk,
    options: &SemanticOptions,
    catalog: &Catalog,
) -> Result<HybridMatcher> {
    let matcher = desk.matcher()?;
    let lexical = |matcher| HybridMatcher::new(matcher, None, None, std::iter::empty());
    if options.lexical_only {
        if options.ranking.is_some_and(|r| r != Ranking::Lexical) {
            bail!(
                "--lexical-only cannot be combined with --ranking {:?}",
                options.ranking.unwrap()
            );
        }
        return Ok(lexical(matcher));
    }
    let Some(path) = find_model(desk, options)? else {
        eprintln!(
            "note: semantic matching is off (no {MODEL_FILE} in {}); matching is lexical and near-duplicate only. \
             Run scripts/fetch-model, or pass --model PATH.",
            default_model_paths(&desk.dir)
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        );
        return Ok(lexical(matcher));
    };
    let model: Arc<dyn Embedder> = Arc::new(
        E5::load(&path).with_context(|| format!("cannot load the model {}", path.display()))?,
    );
    let texts: Vec<(FactCheckId, String, Option<String>)> = catalog
        .canonical()
        .map(|f| {
            let fc = &f.fact_check;
            let text = match &fc.headline {
                Some(h) => format!("{} {h}", fc.claim),
                None => fc.claim.clone(),
            };
            (f.id, embedding_text(&text), fc.language.clone())
        })
        .collect();
    let vectors = fact_check_vectors(desk, model.as_ref(), &texts).await?;
    let exact = ExactIndex::from_vectors(model.dimension(), vectors)?;
    let index: Box<dyn VectorIndex> = if exact.len() >= HNSW_FROM {
        Box::new(HnswIndex::build(exact, 16, 100))
    } else {
        Box::new(exact)
    };
    let reranker = match &desk.config_reranker {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Some(Reranker::from_json(&text).with_context(|| p.display().to_string())?)
        }
        None => match Reranker::builtin() {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("note: {e}; ranking by min-max fusion instead");
                None
            }
        },
    };
    let mut hybrid = HybridMatcher::new(
        matcher,
        Some(Dense {
            embedder: model,
            index,
        }),
        reranker,
        texts
            .iter()
            .map(|(id, t, l)| (*id, t.as_str(), l.as_deref())),
    );
    if let Some(r) = options.ranking {
        hybrid.set_ranking(r)?;
    }
    Ok(hybrid)
}

/// The vector of every fact-check text: stored ones reused, missing ones computed (with a
/// progress bar) and stored.
async fn fact_check_vectors(
    desk: &Desk,
    model: &dyn Embedder,
    texts: &[(FactCheckId, String, Option<String>)],
) -> Result<Vec<(FactCheckId, Vec<f32>)>> {
    let keys: Vec<u64> = texts.iter().map(|(_, t, _)| embedding_key(t)).collect();
    let mut known: std::collections::HashMap<u64, Vec<f32>> = desk
        .store
        .embeddings(model.model_id(), &keys)
        .await?
        .into_iter()
        .collect();
    let mut missing: Vec<(u64, &str)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for ((_, text, _), key) in texts.iter().zip(&keys) {
        if !known.contains_key(key) && seen.insert(*key) {
            missing.push((*key, text));
        }
    }
    if !missing.is_empty() {
        let pb = bar(missing.len() as u64, "embedding fact-checks");
        for chunk in missing.chunks(EMBED_CHUNK) {
            let refs: Vec<&str> = chunk.iter().map(|(_, t)| *t).collect();
            let vectors =
                model.embed_with_progress(&refs, TextKind::Passage, &mut |n| pb.inc(n as u64))?;
            let rows: Vec<(u64, Vec<f32>)> = chunk.iter().map(|(k, _)| *k).zip(vectors).collect();
            desk.store.save_embeddings(model.model_id(), &rows).await?;
            known.extend(rows);
        }
        pb.finish_and_clear();
        eprintln!(
            "embedded {} fact-check texts with {} (stored; {} reused)",
            missing.len(),
            model.model_id(),
            texts.len() - missing.len()
        );
    }
    Ok(texts
        .iter()
        .zip(&keys)
        .filter_map(|((id, _, _), key)| Some((*id, known.get(key)?.clone())))
        .collect())
}
