//! `claimdesk source add|list|remove|poll`: the watched feeds and drop folders, and the
//! fetch settings of the config (`[fetch]`, `[sources]`).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_core::Actor;
use claimdesk_engine::{DataDir, jobs};
use claimdesk_ingest::fetch::{FetchError, GuardedClient};
use claimdesk_ingest::poll::{PollReport, parse_interval, timestamp_text};
use claimdesk_store::prelude::*;
use claimdesk_store::{NewSource, PollOutcome, Source, SourceId, SourceKind};
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
        /// Time between polls: 90s, 15m, 2h, 1d.
        #[arg(long, default_value = "15m")]
        interval: String,
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

/// `12m`, `2h`, `1d`, or seconds.
fn interval_text(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

async fn find(store: &impl SourceStore, which: &str) -> Result<Source> {
    if let Ok(id) = which.trim().parse::<i64>()
        && let Some(s) = store.source(SourceId(id)).await?
    {
        return Ok(s);
    }
    let mut candidates = vec![which.trim().to_string()];
    if let Ok(url) = url::Url::parse(which.trim()) {
        candidates.push(url.to_string());
    }
    if let Ok(path) = std::fs::canonicalize(which) {
        candidates.push(path.display().to_string());
    }
    for c in candidates {
        if let Some(s) = store.source_at(&c).await? {
            return Ok(s);
        }
    }
    bail!("no source `{which}`: `claimdesk source list` shows their ids and locations")
}

/// Prints one poll's result; false when it failed.
pub fn print_report(r: &PollReport) -> bool {
    let s = &r.source;
    match r.outcome {
        PollOutcome::Fetched => println!(
            "source {} ({}): {} items read, {} new or changed, {} rejected",
            s.id,
            s.location,
            r.items,
            r.changed.len(),
            r.rejected
        ),
        PollOutcome::NotModified => println!("source {} ({}): no change", s.id, s.location),
        PollOutcome::Failed => println!("source {} ({}): {}", s.id, s.location, s.health()),
    }
    r.outcome != PollOutcome::Failed
}

/// `claimdesk source ...`.
pub async fn run(cli: &crate::Cli, command: &SourceCommand) -> Result<ExitCode> {
    let data = &cli.data;
    match command {
        SourceCommand::Add { location, interval } => {
            let store = DataDir::new(data).open_store().await?;
            let config = claimdesk_engine::Config::load(data)?;
            let every = parse_interval(interval).map_err(|e| anyhow::anyhow!("--interval {e}"))?;
            let (kind, location) = if location.contains("://") {
                let client = GuardedClient::new(config.fetch())?;
                let url = match client.check_url(location).await {
                    Ok(url) => url,
                    // Not resolvable now (offline, a typo): kept, and checked at every poll;
                    // a refusal by the address rules is final.
                    Err(e @ FetchError::Resolve { .. }) => {
                        eprintln!("warning: {e}; it is checked again at every poll");
                        url::Url::parse(location.trim())?
                    }
                    Err(e) => return Err(e.into()),
                };
                (SourceKind::Feed, url.to_string())
            } else {
                let path = std::fs::canonicalize(location).with_context(|| {
                    format!("`{location}` is neither an http(s) URL nor an existing folder")
                })?;
                if !path.is_dir() {
                    bail!(
                        "{} is a file, not a folder: to ingest one file use `claimdesk ingest {}`; \
                         a drop folder is watched for the files put into it",
                        path.display(),
                        path.display()
                    );
                }
                (SourceKind::Folder, path.display().to_string())
            };
            let source = store
                .add_source(
                    &NewSource {
                        kind,
                        location,
                        interval_secs: every.as_secs(),
                        first_poll_at: timestamp_text(Timestamp::now()),
                    },
                    Actor::Cli,
                )
                .await?;
            println!(
                "added source {}: {} {} every {} (polled by `claimdesk source poll` or `claimdesk serve`)",
                source.id,
                source.kind,
                source.location,
                interval_text(source.interval_secs)
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::List => {
            let store = DataDir::new(data).open_store().await?;
            let sources = store.sources().await?;
            if sources.is_empty() {
                println!("no sources: add one with `claimdesk source add URL|FOLDER`");
            }
            for s in sources {
                println!(
                    "{}\t{}\tevery {}\t{}",
                    s.id,
                    s.kind,
                    interval_text(s.interval_secs),
                    s.location
                );
                println!(
                    "\t{}; items read: {}; next poll {}",
                    s.health(),
                    s.items_seen,
                    s.next_poll_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Remove { source } => {
            let store = DataDir::new(data).open_store().await?;
            let s = find(&store, source).await?;
            let removed = store.remove_source(s.id, Actor::Cli).await?;
            println!(
                "removed source {} ({}); its items stay",
                removed.id, removed.location
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Poll { once } => {
            let engine = crate::open(cli, &[], None).await?;
            let poller = jobs::poller(&engine)?;
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
                return Ok(if ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                });
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
