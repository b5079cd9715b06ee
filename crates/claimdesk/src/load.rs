//! `import` and `ingest`: read a file, keep the good records, report the bad ones, store,
//! and bring the index (and the items' matches) up to date.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::{Actor, Diagnostic, ImportCounts};
use claimdesk_ingest::{
    FactCheckFormat, ItemFormat, duplicate_key, parse_fact_checks, parse_items,
};
use claimdesk_store::{ImportSource, NewFactCheck, NewItem, Store};
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
    println!(
        "{}",
        summary("ingested", Path::new(url), format, &stored.counts)
    );
    process(desk, &stored.changed).await?;
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
        .map(|r| claimdesk_ingest::intake::new_item(r.value))
        .collect();
    let source = ImportSource {
        file: &name,
        format: parsed.format,
        diagnostics: &parsed.diagnostics,
        actor: Actor::Cli,
    };
    let (counts, changed) = desk.store.save_items(&batch, source).await?;
    let stored = started.elapsed();
    let report = if changed.is_empty() {
        crate::pipeline::Report::default()
    } else {
        let pipeline = pipeline(desk).await?;
        let report = pipeline.process(&changed, true).await?;
        println!("{}", summary("ingested", file, parsed.format, &counts));
        print_report(&report, changed.len(), pipeline.threshold());
        report
    };
    // Where the time went, for benchmarks (bench/ingest.sh reads this line).
    eprintln!(
        "timing: read, normalized and stored {} items in {:.2} s; scored and matched in {:.2} s; narratives and alerts in {:.2} s",
        batch.len(),
        stored.as_secs_f64(),
        report.match_time.as_secs_f64(),
        report.monitor_time.as_secs_f64()
    );
    if changed.is_empty() {
        println!("{}", summary("ingested", file, parsed.format, &counts));
    }
    crate::watch::deliver_due_alerts(desk).await?;
    Ok(exit_code(&counts))
}

/// Builds the desk's pipeline (its ranker reads the index, and the model when it is on).
pub async fn pipeline(desk: &Desk) -> Result<crate::pipeline::Pipeline> {
    let catalog = desk.catalog().await?;
    let matcher = std::sync::Arc::new(desk.ranker(&catalog).await?);
    crate::pipeline::Pipeline::open(desk, matcher).await
}

/// Runs the stored items `ids` through the desk's pipeline (check-worthiness, matching,
/// narratives, alerts), prints what it found, and sends the alerts due to webhooks.
pub async fn process(
    desk: &Desk,
    ids: &[claimdesk_core::ItemId],
) -> Result<crate::pipeline::Report> {
    if ids.is_empty() {
        return Ok(crate::pipeline::Report::default());
    }
    let pipeline = pipeline(desk).await?;
    let report = pipeline.process(ids, true).await?;
    print_report(&report, ids.len(), pipeline.threshold());
    crate::watch::deliver_due_alerts(desk).await?;
    Ok(report)
}

/// The pipeline's report on stdout (alerts on stderr, as they come).
pub fn print_report(report: &crate::pipeline::Report, changed: usize, threshold: f32) {
    for a in &report.alerts {
        eprintln!("alert: [{}] {}", a.rule, a.summary);
    }
    println!(
        "{} of {changed} new or changed items have candidate fact-checks (top 5 stored with their explanations); \
         {} scored below the check-worthiness threshold {threshold:.2} and were not matched",
        report.matched, report.below_threshold
    );
    if !report.alerts.is_empty() {
        println!("{} alerts raised (`claimdesk alerts`)", report.alerts.len());
    }
}
