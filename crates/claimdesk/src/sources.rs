//! `claimdesk source add|list|remove|poll`: the watched feeds and drop folders, and the
//! fetch settings of the config (`[fetch]`, `[sources]`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use claimdesk_core::Actor;
use claimdesk_ingest::fetch::{AllowList, FetchConfig, FetchError, GuardedClient};
use claimdesk_ingest::poll::{PollReport, PollSettings, Poller, parse_interval, timestamp_text};
use claimdesk_store::{NewSource, PollOutcome, Source, SourceId, SourceKind, SqliteStore, Store};
use clap::Subcommand;
use jiff::Timestamp;

use crate::desk::Desk;

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

/// The config's `[fetch]` and `[sources]` tables.
///
/// ```toml
/// [fetch]
/// allow = ["intranet.example", "10.20.0.0/16"]   # hosts or CIDR blocks opened
/// max_body_bytes = 10485760
/// timeout_secs = 30
/// [sources]
/// folder_settle_secs = 5   # a dropped file is read once unmodified this long
/// ```
pub fn fetch_settings(dir: &Path) -> Result<(FetchConfig, PollSettings)> {
    let (path, table) = crate::desk::read_config(dir)?;
    let mut fetch = FetchConfig::default();
    let mut poll = PollSettings::default();
    let table_of = |name: &str| -> Result<Option<&toml::Table>> {
        match table.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_table()
                .map(Some)
                .with_context(|| format!("{}: `{name}` must be a table", path.display())),
        }
    };
    let number = |t: &toml::Table, section: &str, key: &str| -> Result<Option<u64>> {
        match t.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_integer()
                .and_then(|n| u64::try_from(n).ok())
                .map(Some)
                .with_context(|| {
                    format!(
                        "{}: [{section}] {key} must be a non-negative whole number",
                        path.display()
                    )
                }),
        }
    };
    if let Some(t) = table_of("fetch")? {
        for key in t.keys() {
            if !matches!(key.as_str(), "allow" | "max_body_bytes" | "timeout_secs") {
                bail!(
                    "{}: [fetch] {key}: unknown setting (expected allow, max_body_bytes or timeout_secs)",
                    path.display()
                );
            }
        }
        if let Some(allow) = t.get("allow") {
            let entries: Vec<String> = allow
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
                .with_context(|| {
                    format!(
                        "{}: [fetch] allow must be a list of strings, like [\"intranet.example\", \"10.0.0.0/8\"]",
                        path.display()
                    )
                })?;
            fetch.allow = AllowList::parse(&entries)
                .map_err(|e| anyhow::anyhow!("{}: [fetch] allow: {e}", path.display()))?;
        }
        if let Some(n) = number(t, "fetch", "max_body_bytes")? {
            fetch.max_body_bytes = usize::try_from(n).unwrap_or(usize::MAX);
        }
        if let Some(n) = number(t, "fetch", "timeout_secs")? {
            fetch.timeout = Duration::from_secs(n.max(1));
        }
    }
    if let Some(t) = table_of("sources")? {
        for key in t.keys() {
            if key != "folder_settle_secs" {
                bail!(
                    "{}: [sources] {key}: unknown setting (expected folder_settle_secs)",
                    path.display()
                );
            }
        }
        if let Some(n) = number(t, "sources", "folder_settle_secs")? {
            poll.folder_settle = Duration::from_secs(n);
        }
    }
    Ok((fetch, poll))
}

/// The guarded client and the poller for the data directory's config.
pub fn poller(dir: &Path, store: SqliteStore) -> Result<Poller<SqliteStore>> {
    let (fetch, poll) = fetch_settings(dir)?;
    let client = GuardedClient::new(fetch)?;
    Ok(Poller::new(store, client, poll))
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

async fn find(store: &SqliteStore, which: &str) -> Result<Source> {
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
pub async fn run(data: &Path, command: SourceCommand) -> Result<ExitCode> {
    match command {
        SourceCommand::Add { location, interval } => {
            let store = Desk::open_store(data).await?;
            let every = parse_interval(&interval).map_err(|e| anyhow::anyhow!("--interval {e}"))?;
            let (kind, location) = if location.contains("://") {
                let (fetch, _) = fetch_settings(data)?;
                let client = GuardedClient::new(fetch)?;
                let url = match client.check_url(&location).await {
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
                let path = std::fs::canonicalize(&location).with_context(|| {
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
            let store = Desk::open_store(data).await?;
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
            let store = Desk::open_store(data).await?;
            let s = find(&store, &source).await?;
            let removed = store.remove_source(s.id, Actor::Cli).await?;
            println!(
                "removed source {} ({}); its items stay",
                removed.id, removed.location
            );
            Ok(ExitCode::SUCCESS)
        }
        SourceCommand::Poll { once } => {
            let desk = Desk::open(data, &[]).await?;
            let poller = poller(data, desk.store.clone())?;
            if once {
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
                crate::load::process(&desk, &changed).await?;
                return Ok(if ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                });
            }
            eprintln!("polling the sources when due; Ctrl-C stops");
            // One pipeline for the whole run (building its ranker reads the index, and the
            // model when it is on).
            let pipeline = crate::load::pipeline(&desk).await?;
            let (settings, _) = crate::watch::settings(data)?;
            let transport = crate::watch::webhook_client(data, &settings.webhooks)?;
            poller
                .run(crate::serve::shutdown_signal(), |r| async {
                    let r = r;
                    print_report(&r);
                    if r.changed.is_empty() {
                        return;
                    }
                    match pipeline.process(&r.changed, false).await {
                        Ok(report) => {
                            crate::load::print_report(
                                &report,
                                r.changed.len(),
                                pipeline.threshold(),
                            );
                            let now = Timestamp::now();
                            if let Err(e) = claimdesk_monitor::webhook::deliver_due(
                                &desk.store,
                                &transport,
                                &settings.webhooks,
                                now,
                            )
                            .await
                            {
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
