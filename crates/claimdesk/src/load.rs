//! `import` and `ingest`: read a file, keep the good records, report the bad ones, store,
//! and bring the index (and the items' matches) up to date.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::{Actor, Diagnostic, ImportCounts};
use claimdesk_ingest::{
    FactCheckFormat, ItemFormat, duplicate_key, item_key, parse_fact_checks, parse_items,
};
use claimdesk_store::{ImportSource, NewFactCheck, NewItem, Store, StoredMatch};
use indicatif::{ProgressBar, ProgressStyle};

use crate::desk::Desk;

/// Most diagnostics printed; all of them are kept in the import log.
const MAX_PRINTED: usize = 50;

fn read(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

pub fn spinner(message: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
    );
    pb.set_message(message.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

pub fn bar(len: u64, message: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .expect("valid template"),
    );
    pb.set_message(message.to_string());
    pb
}

fn report_diagnostics(diagnostics: &[Diagnostic]) {
    for d in diagnostics.iter().take(MAX_PRINTED) {
        eprintln!("rejected: {d}");
    }
    if diagnostics.len() > MAX_PRINTED {
        eprintln!(
            "... and {} more rejected records (all listed in the import log)",
            diagnostics.len() - MAX_PRINTED
        );
    }
}

fn summary(verb: &str, file: &Path, format: &str, c: &ImportCounts) -> String {
    format!(
        "{verb} {} ({format}): {} added, {} updated, {} unchanged, {} aliases of earlier fact-checks, {} rejected",
        file.display(),
        c.added,
        c.updated,
        c.unchanged,
        c.aliased,
        c.rejected
    )
}

fn exit_code(c: &ImportCounts) -> ExitCode {
    if c.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `claimdesk import FILE`.
pub async fn import(desk: &mut Desk, file: &Path, format: FactCheckFormat) -> Result<ExitCode> {
    let bytes = read(file)?;
    let name = file.display().to_string();
    let parsed = parse_fact_checks(&name, &bytes, format);
    report_diagnostics(&parsed.diagnostics);
    let batch: Vec<NewFactCheck> = parsed
        .records
        .into_iter()
        .map(|r| NewFactCheck {
            duplicate_key: duplicate_key(&r.value),
            fact_check: r.value,
        })
        .collect();
    let pb = spinner(&format!("storing {} fact-checks", batch.len()));
    let source = ImportSource {
        file: &name,
        format: parsed.format,
        diagnostics: &parsed.diagnostics,
        actor: Actor::Cli,
    };
    let counts = desk.store.save_fact_checks(&batch, source).await?;
    pb.set_message("indexing");
    desk.sync().await?;
    pb.finish_and_clear();
    println!("{}", summary("imported", file, parsed.format, &counts));
    Ok(exit_code(&counts))
}

/// `claimdesk ingest URL`: one fetch of a feed or article page through the guarded client,
/// stored and matched like a file.
pub async fn ingest_url(desk: &mut Desk, url: &str) -> Result<ExitCode> {
    let (fetch, _) = crate::sources::fetch_settings(&desk.dir)?;
    let client = claimdesk_ingest::fetch::GuardedClient::new(fetch)?;
    let fetched = client
        .get(url, &claimdesk_ingest::fetch::Conditional::default())
        .await?;
    let (_, parsed) = claimdesk_ingest::feed::parse_document(
        &fetched.url,
        &fetched.body,
        fetched.content_type.as_deref(),
    );
    report_diagnostics(&parsed.diagnostics);
    let format = parsed.format;
    let stored =
        claimdesk_ingest::intake::store_items(&desk.store, url, parsed, Actor::Cli).await?;
    let matched = match_items(desk, &stored.changed).await?;
    println!(
        "{}",
        summary("ingested", Path::new(url), format, &stored.counts)
    );
    println!(
        "{matched} of {} new or changed items have candidate fact-checks (top 5 stored with their explanations)",
        stored.changed.len()
    );
    Ok(exit_code(&stored.counts))
}

/// `claimdesk ingest FILE`: stores the items, then matches each new or changed one.
pub async fn ingest(desk: &mut Desk, file: &Path, format: ItemFormat) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let bytes = read(file)?;
    let name = file.display().to_string();
    let parsed = parse_items(&name, &bytes, format);
    report_diagnostics(&parsed.diagnostics);
    let batch: Vec<NewItem> = parsed
        .records
        .into_iter()
        .map(|r| {
            let mut item = r.value;
            if item.language.is_none() {
                item.language =
                    claimdesk_text::detect_language(&item.text).map(|l| l.code.to_string());
            }
            NewItem {
                key: item_key(&item),
                item,
            }
        })
        .collect();
    let source = ImportSource {
        file: &name,
        format: parsed.format,
        diagnostics: &parsed.diagnostics,
        actor: Actor::Cli,
    };
    let (counts, changed) = desk.store.save_items(&batch, source).await?;
    let stored = started.elapsed();
    let matched = match_items(desk, &changed).await?;
    let ranked = started.elapsed();
    let (alerts, _) = crate::watch::after_ingest(desk, &changed).await?;
    // Where the time went, for benchmarks (bench/ingest.sh reads this line).
    eprintln!(
        "timing: read, normalized and stored {} items in {:.2} s; matched in {:.2} s; narratives and alerts in {:.2} s",
        batch.len(),
        stored.as_secs_f64(),
        (ranked - stored).as_secs_f64(),
        (started.elapsed() - ranked).as_secs_f64()
    );
    println!("{}", summary("ingested", file, parsed.format, &counts));
    println!(
        "{matched} of {} new or changed items have candidate fact-checks (top 5 stored with their explanations)",
        changed.len()
    );
    if alerts > 0 {
        println!("{alerts} alerts raised (`claimdesk alerts`)");
    }
    Ok(exit_code(&counts))
}

/// Items per page in the matching pipeline.
const MATCH_PAGE: u32 = 1000;
/// Pages that may wait between two stages of the pipeline (backpressure: a slow stage
/// holds the one before it, so memory stays bounded whatever the number of items).
const PIPELINE_DEPTH: usize = 2;

/// Matches the given items and stores their top 5 with explanations. Returns how many
/// items have at least one candidate.
///
/// Three stages on bounded channels: pages of items are read from the store, ranked on
/// every core (embedded in one batch when the model is on), and their matches stored, one
/// transaction per page, while the next page is ranked.
pub async fn match_items(desk: &Desk, ids: &[claimdesk_core::ItemId]) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let catalog = desk.catalog().await?;
    let matcher = std::sync::Arc::new(desk.ranker(&catalog).await?);
    match_with(&desk.store, matcher, ids, true).await
}

/// [`match_items`] with a matcher already built (the server's), a progress bar or not.
pub async fn match_with(
    store: &claimdesk_store::SqliteStore,
    matcher: std::sync::Arc<claimdesk_match::hybrid::HybridMatcher>,
    ids: &[claimdesk_core::ItemId],
    progress: bool,
) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let pb = if progress {
        bar(ids.len() as u64, "matching")
    } else {
        ProgressBar::hidden()
    };
    let first = claimdesk_core::ItemId(ids.iter().map(|i| i.0).min().unwrap_or(1) - 1);
    let wanted: std::collections::HashSet<_> = ids.iter().copied().collect();

    type Page = Vec<(claimdesk_core::ItemId, String)>;
    type Ranked = Vec<(claimdesk_core::ItemId, Vec<StoredMatch>)>;
    let (page_tx, mut page_rx) = tokio::sync::mpsc::channel::<Page>(PIPELINE_DEPTH);
    let (ranked_tx, mut ranked_rx) = tokio::sync::mpsc::channel::<Result<Ranked>>(PIPELINE_DEPTH);

    let reader_store = store.clone();
    let reader = tokio::spawn(async move {
        let store = reader_store;
        let mut after = first;
        loop {
            let items = store.items(after, MATCH_PAGE).await?;
            let Some(last) = items.last() else { break };
            after = last.id;
            let page: Page = items
                .into_iter()
                .filter(|i| wanted.contains(&i.id))
                .map(|i| (i.id, i.item.text))
                .collect();
            if !page.is_empty() && page_tx.send(page).await.is_err() {
                break; // the ranker stopped (on an error it reports itself)
            }
        }
        anyhow::Ok(())
    });
    let ranker = tokio::task::spawn_blocking(move || {
        while let Some(page) = page_rx.blocking_recv() {
            let texts: Vec<&str> = page.iter().map(|(_, t)| t.as_str()).collect();
            let ranked = matcher
                .rank_many(&texts, 5, true)
                .map_err(anyhow::Error::from)
                .map(|all| {
                    page.iter()
                        .zip(all)
                        .map(|((id, _), ranked)| (*id, stored_matches(&ranked)))
                        .collect()
                });
            let failed = ranked.is_err();
            if ranked_tx.blocking_send(ranked).is_err() || failed {
                break;
            }
        }
    });
    let mut matched = 0;
    while let Some(ranked) = ranked_rx.recv().await {
        let ranked = ranked?;
        matched += ranked.iter().filter(|(_, m)| !m.is_empty()).count();
        store.save_matches_of(&ranked).await?;
        pb.inc(ranked.len() as u64);
    }
    ranker.await.context("the ranking stage stopped")?;
    reader.await.context("the reading stage stopped")??;
    pb.finish_and_clear();
    Ok(matched)
}

/// Ranked matches as the store keeps them, ranks from 1.
fn stored_matches(ranked: &[claimdesk_match::Match]) -> Vec<StoredMatch> {
    ranked
        .iter()
        .enumerate()
        .map(|(i, m)| StoredMatch {
            fact_check: m.fact_check,
            rank: i as u32 + 1,
            score: m.score,
            explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
        })
        .collect()
}
