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

/// `claimdesk ingest FILE`: stores the items, then matches each new or changed one.
pub async fn ingest(desk: &mut Desk, file: &Path, format: ItemFormat) -> Result<ExitCode> {
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
    let matched = match_items(desk, &changed).await?;
    let (alerts, _) = crate::watch::after_ingest(desk, &changed).await?;
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

/// Matches the given items and stores their top 5 with explanations. Returns how many
/// items have at least one candidate.
pub async fn match_items(desk: &Desk, ids: &[claimdesk_core::ItemId]) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let catalog = desk.catalog().await?;
    let mut matcher = desk.ranker(&catalog).await?;
    let pb = bar(ids.len() as u64, "matching");
    let mut matched = 0;
    let first = claimdesk_core::ItemId(ids.iter().map(|i| i.0).min().unwrap_or(1) - 1);
    let wanted: std::collections::HashSet<_> = ids.iter().copied().collect();
    let mut after = first;
    loop {
        let page = desk.store.items(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for item in page.iter().filter(|i| wanted.contains(&i.id)) {
            let ranked = matcher.rank(&item.item.text, 5, true)?;
            if !ranked.is_empty() {
                matched += 1;
            }
            let stored: Vec<StoredMatch> = ranked
                .iter()
                .enumerate()
                .map(|(i, m)| StoredMatch {
                    fact_check: m.fact_check,
                    rank: i as u32 + 1,
                    score: m.score,
                    explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
                })
                .collect();
            desk.store.save_matches(item.id, &stored).await?;
            pb.inc(1);
        }
    }
    pb.finish_and_clear();
    Ok(matched)
}
