//! `import` and `ingest`: read a file, keep the good records, report the bad ones, store,
//! and bring the index (and the items' matches) up to date.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::{Actor, Diagnostic, ImportCounts};
use claimdesk_engine::{Engine, Report};
use claimdesk_ingest::{FactCheckFormat, ItemFormat};

use crate::progress::spinner;

/// Most diagnostics printed; all of them are kept in the import log.
const MAX_PRINTED: usize = 50;

fn read(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
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
pub async fn import(engine: &Engine, file: &Path, format: FactCheckFormat) -> Result<ExitCode> {
    let bytes = read(file)?;
    let name = file.display().to_string();
    let pb = spinner("storing and indexing fact-checks");
    let done = engine
        .import_fact_checks(&name, &bytes, format, Actor::Cli)
        .await?;
    pb.finish_and_clear();
    report_diagnostics(&done.diagnostics);
    println!("{}", summary("imported", file, done.format, &done.counts));
    Ok(exit_code(&done.counts))
}

/// `claimdesk ingest URL`: one fetch of a feed or article page through the guarded client,
/// stored and matched like a file.
pub async fn ingest_url(engine: &Engine, url: &str) -> Result<ExitCode> {
    let client = claimdesk_ingest::fetch::GuardedClient::new(engine.config().fetch())?;
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
        claimdesk_ingest::intake::store_items(engine.store(), url, parsed, Actor::Cli).await?;
    println!(
        "{}",
        summary("ingested", Path::new(url), format, &stored.counts)
    );
    process(engine, &stored.changed).await?;
    Ok(exit_code(&stored.counts))
}

/// `claimdesk ingest FILE`: stores the items, then matches each new or changed one.
pub async fn ingest(engine: &Engine, file: &Path, format: ItemFormat) -> Result<ExitCode> {
    let bytes = read(file)?;
    let name = file.display().to_string();
    let stored = engine
        .store_items(&name, &bytes, format, Actor::Cli)
        .await?;
    report_diagnostics(&stored.diagnostics);
    let report = if stored.changed.is_empty() {
        Report::default()
    } else {
        crate::ranker(engine).await?;
        let report = engine.process(&stored.changed, true).await?;
        println!(
            "{}",
            summary("ingested", file, stored.format, &stored.counts)
        );
        let threshold = engine.pipeline().await?.threshold();
        print_report(&report, stored.changed.len(), threshold);
        report
    };
    // Where the time went, for benchmarks (bench/ingest.sh reads this line).
    eprintln!(
        "timing: read, normalized and stored {} items in {:.2} s; scored and matched in {:.2} s; narratives and alerts in {:.2} s",
        stored.counts.added + stored.counts.updated + stored.counts.unchanged,
        stored.store_time.as_secs_f64(),
        report.match_time.as_secs_f64(),
        report.monitor_time.as_secs_f64()
    );
    if stored.changed.is_empty() {
        println!(
            "{}",
            summary("ingested", file, stored.format, &stored.counts)
        );
    }
    crate::watch::deliver_due_alerts(engine).await?;
    Ok(exit_code(&stored.counts))
}

/// Runs the stored items `ids` through the desk's pipeline (check-worthiness, matching,
/// narratives, alerts), prints what it found, and sends the alerts due to webhooks.
pub async fn process(engine: &Engine, ids: &[claimdesk_core::ItemId]) -> Result<Report> {
    if ids.is_empty() {
        return Ok(Report::default());
    }
    crate::ranker(engine).await?;
    let report = engine.process(ids, true).await?;
    print_report(&report, ids.len(), engine.pipeline().await?.threshold());
    crate::watch::deliver_due_alerts(engine).await?;
    Ok(report)
}

/// The pipeline's report on stdout (alerts on stderr, as they come).
pub fn print_report(report: &Report, changed: usize, threshold: f32) {
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
