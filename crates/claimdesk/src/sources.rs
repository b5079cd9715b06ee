//! `claimdesk source add|list|remove|poll`: the watched feeds and drop folders, and the
//! fetch settings of the config (`[fetch]`, `[sources]`).

use std::process::ExitCode;

use anyhow::Result;
use claimdesk_core::Actor;
use claimdesk_engine::{DataDir, jobs, sources};
use claimdesk_ingest::poll::{PollReport, parse_interval};
use claimdesk_printer as printer;
use claimdesk_store::PollOutcome;
use claimdesk_store::prelude::*;
use clap::Subcommand;
use jiff::Timestamp;

/// `claimdesk source ...`.
#[derive(Subcommand, Debug)]
pub enum SourceCommand {
    /// Watch a feed (RSS, Atom, JSON Feed, or an article page) or a drop folder of JSONL/CSV
    /// files. A URL whose host is, spells or resolves to an internal address is refused
    /// unless `[fetch] allow` in the config opens it.
    Add {
        /// An http(s) URL, or a folder path.
        location: String,
        /// Time between polls: 90s, 15m, 2h, 1d (default: 15m for a feed, 1m for a folder).
        #[arg(long, value_parser = parse_interval)]
        interval: Option<std::time::Duration>,
    },
    /// List the sources and their health.
    List,
    /// Stop watching a source (the items it brought stay).
    Remove {
        /// The source's id, URL or folder.
        source: String,
    },
    /// Poll the sources: until Ctrl-C (each when due), or every one once with `--once`.
    Poll {
        /// Poll every source once now, then exit (1 when a source failed).
        #[arg(long)]
        once: bool,
    },
}

/// Prints one poll's result; false when it failed.
pub fn print_report(r: &PollReport) -> bool {
    print!("{}", printer::sources::poll(r));
    r.outcome != PollOutcome::Failed
}

/// `claimdesk source ...`.
pub async fn run(cli: &crate::Cli, command: &SourceCommand) -> Result<ExitCode> {
    let data = &cli.data;
    match command {
        SourceCommand::Add { location, interval } => {
            let engine = crate::open(cli, &[], None).await?;
            let added = sources::add(&engine, location, *interval, Actor::Cli).await?;
            if let Some(warning) = &added.warning {
                eprintln!("warning: {warning}");
            }
            print!("{}", printer::sources::added(&added.source));
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::List => {
            let store = DataDir::new(data).open_store().await?;
            print!("{}", printer::sources::sources(&store.sources().await?));
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Remove { source } => {
            let engine = crate::open(cli, &[], None).await?;
            let s = sources::find(&engine, source).await?;
            let removed = engine.store().remove_source(s.id, Actor::Cli).await?;
            println!(
                "removed source {} ({}); its items stay",
                removed.id, removed.location
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Poll { once } => {
            let engine = crate::open(cli, &[], None).await?;
            let poller = jobs::poller(&engine)?;
            // First what a stopped process stored but did not finish processing.
            let backlog = engine.process_backlog().await?;
            if backlog.scored > 0 {
                eprintln!("processed {} items left unprocessed", backlog.scored);
            }
            if *once {
                let reports = poller.poll_all(Timestamp::now()).await?;
                if reports.is_empty() {
                    println!("no sources: add one with `claimdesk source add URL|FOLDER`");
                }
                let mut ok = true;
                let mut changed = Vec::new();
                for r in &reports {
                    ok &= print_report(r);
                    changed.extend_from_slice(&r.changed);
                }
                crate::load::process(&engine, &changed).await?;
                return Ok(ExitCode::from(u8::from(!ok)));
            }
            eprintln!("polling the sources when due; Ctrl-C stops");
            // One pipeline for the whole run (building its ranker reads the index, and the
            // model when it is on).
            crate::ranker(&engine).await?;
            let threshold = engine.pipeline().await?.threshold();
            poller
                .run(crate::serve::shutdown_signal(), |r| async {
                    let r = r;
                    print_report(&r);
                    if r.changed.is_empty() {
                        return;
                    }
                    match engine.process(&r.changed, false).await {
                        Ok(report) => {
                            crate::load::print_report(&report, r.changed.len(), threshold);
                            if let Err(e) = jobs::deliver_due_alerts(&engine).await {
                                eprintln!("error: delivering alerts: {e}");
                            }
                        }
                        Err(e) => eprintln!("error: processing polled items: {e:#}"),
                    }
                })
                .await;
            Ok(ExitCode::SUCCESS)
        }
    }
}
