//! `import` and `ingest`: read a file, keep the good records, report the bad ones, store,
//! and bring the index (and the items' matches) up to date.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::{Actor, Diagnostic, ImportCounts};
use claimdesk_engine::{Engine, Report};
use claimdesk_ingest::{FactCheckFormat, ItemFormat};

use claimdesk_printer as printer;

use crate::progress::spinner;

fn read(file: &Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

fn report_diagnostics(diagnostics: &[Diagnostic]) {
    eprint!("{}", printer::intake::rejected(diagnostics));
}

fn summary(verb: &str, file: &Path, format: &str, c: &ImportCounts) -> String {
    printer::intake::summary(verb, &file.display().to_string(), format, c)
}

/// 1 when records were rejected (the good ones were kept), else 0.
fn exit_code(c: &ImportCounts) -> ExitCode {
    ExitCode::from(u8::from(c.rejected > 0))
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
    print!("{}", summary("imported", file, done.format, &done.counts));
    Ok(exit_code(&done.counts))
}

/// `claimdesk ingest URL`: one fetch of a feed or article page through the guarded client,
/// stored and matched like a file.
pub async fn ingest_url(engine: &Engine, url: &str) -> Result<ExitCode> {
    let stored = engine.ingest_url(url, Actor::Cli).await?;
    report_diagnostics(&stored.diagnostics);
    print!(
        "{}",
        summary("ingested", Path::new(url), stored.format, &stored.counts)
    );
    process(engine, &stored.changed).await?;
    Ok(exit_code(&stored.counts))
}

/// `claimdesk ingest FILE`: stores the items and matches each new or changed one, page by
/// page (the engine keeps one page in memory).
pub async fn ingest(engine: &Engine, file: &Path, format: ItemFormat) -> Result<ExitCode> {
    crate::ranker(engine).await?;
    let done = engine.ingest_file(file, format, Actor::Cli).await?;
    let stored = &done.stored;
    report_diagnostics(&stored.diagnostics);
    print!(
        "{}",
        summary("ingested", file, stored.format, &stored.counts)
    );
    if done.changed > 0 {
        let threshold = engine.pipeline().await?.threshold();
        print_report(&done.report, done.changed as usize, threshold);
    }
    // Where the time went, for benchmarks (bench/ingest.sh reads this line).
    eprint!("{}", printer::intake::timing(stored, &done.report));
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
    eprint!("{}", printer::intake::alerts_raised(report));
    print!("{}", printer::intake::report(report, changed, threshold));
}
