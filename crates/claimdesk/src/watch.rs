//! `claimdesk narratives ...`, `claimdesk alerts` and `claimdesk webhook ...`: the monitor's
//! narratives, copy-paste bursts, alerts and webhook endpoints from the command line, and the
//! wiring that runs the monitor after `ingest`. The logic is in `claimdesk-monitor`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_core::{Actor, AlertRule, NarrativeId, WebhookId};
use claimdesk_engine::{DataDir, Engine, jobs};
use claimdesk_ingest::fetch::FetchError;
use claimdesk_monitor::Monitor;
use claimdesk_store::prelude::*;
use claimdesk_store::{AlertFilter, NarrativeFilter};
use clap::{Args, Subcommand};

use crate::progress::bar;

/// `claimdesk narratives`: list them, or `rebuild` / `show`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct NarrativesArgs {
    #[command(subcommand)]
    command: Option<NarrativesCommand>,
    /// Only narratives seen since: an RFC 3339 time, a date (UTC), or a span back from now
    /// (`90m`, `24h`, `7d`).
    #[arg(long)]
    since: Option<String>,
    /// Only narratives of at least this many items.
    #[arg(long, default_value_t = 2)]
    min_items: u32,
    /// Only narratives flagged with a copy-paste burst.
    #[arg(long)]
    bursts: bool,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

#[derive(Subcommand, Debug)]
enum NarrativesCommand {
    /// Recompute every narrative and burst from the stored items (derived state).
    Rebuild,
    /// One narrative: volume by hour, languages, sources, fact-checks, the burst's evidence.
    Show {
        /// The narrative's id.
        id: i64,
    },
}

/// `claimdesk alerts`.
#[derive(Args, Debug)]
pub struct AlertsArgs {
    /// Only this rule: false_match, burst, growth or escalation.
    #[arg(long)]
    rule: Option<String>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

/// `claimdesk webhook`.
#[derive(Subcommand, Debug, Clone)]
pub enum WebhookCommand {
    /// Add an endpoint that receives alerts as signed JSON; the secret (16 characters or
    /// more) is read from standard input (one line).
    Add {
        /// Where to POST (`https://...`).
        url: String,
    },
    /// List the endpoints (never their secrets).
    List,
    /// Stop sending to an endpoint; its delivery log stays.
    Remove {
        /// The endpoint's id.
        id: i64,
    },
    /// The delivery log, newest first: attempt, status, error, time.
    Deliveries {
        /// Only this endpoint.
        #[arg(long)]
        webhook: Option<i64>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Send every alert delivery that is due now (retries included) and report them.
    Deliver,
}

/// Sends the alert deliveries that are due (after an ingest raised alerts) and says how
/// each went.
pub async fn deliver_due_alerts(engine: &Engine) -> Result<usize> {
    let attempts = jobs::deliver_due_alerts(engine).await?;
    for a in &attempts {
        match &a.error {
            None => eprintln!("webhook {}: alert {} delivered", a.webhook.0, a.alert.0),
            Some(e) => eprintln!(
                "webhook {}: alert {} attempt {} failed: {e}",
                a.webhook.0, a.alert.0, a.attempt
            ),
        }
    }
    Ok(attempts.len())
}

fn time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// `--since`: an RFC 3339 time, a date (midnight UTC), or a span back from now.
pub fn parse_since(s: &str) -> Result<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t.as_second());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Ok(d
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)?
            .timestamp()
            .as_second());
    }
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n.parse().ok().filter(|_| !unit.is_empty()).with_context(|| {
        format!("--since `{s}`: expected a time (2026-11-20T10:00:00Z), a date (2026-11-20) or a span (90m, 24h, 7d)")
    })?;
    let secs = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => bail!("--since `{s}`: the span's unit must be m, h or d"),
    };
    Ok(jiff::Timestamp::now().as_second() - n * secs)
}

/// `claimdesk narratives ...`.
pub async fn narratives(engine: &Engine, args: &NarrativesArgs) -> Result<ExitCode> {
    let store = engine.store();
    match &args.command {
        Some(NarrativesCommand::Rebuild) => {
            let config = engine.config();
            let (settings, scale) = (config.monitor(), config.rating_scale().clone());
            let model = crate::ranker(engine).await?.current().matcher().embedder();
            let (_, items) = store.counts().await?;
            let pb = bar(items, "narratives");
            let (_, n) = Monitor::rebuild(store, settings, scale, model, &mut |done| {
                pb.set_position(done)
            })
            .await?;
            pb.finish_and_clear();
            let all = store
                .narratives(&NarrativeFilter {
                    limit: u32::MAX,
                    ..NarrativeFilter::default()
                })
                .await?;
            let bursts = all.iter().filter(|n| n.burst.is_some()).count();
            println!(
                "rebuilt {} narratives from {n} items ({} of 2 or more, {bursts} with a copy-paste burst)",
                all.len(),
                all.iter().filter(|n| n.items >= 2).count()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(NarrativesCommand::Show { id }) => show(store, NarrativeId(*id)).await,
        None => {
            let filter = NarrativeFilter {
                since: args.since.as_deref().map(parse_since).transpose()?,
                min_items: args.min_items,
                bursts_only: args.bursts,
                limit: args.limit,
            };
            let list = store.narratives(&filter).await?;
            if list.is_empty() {
                println!(
                    "no narratives (run `claimdesk narratives rebuild` after ingesting items)"
                );
                return Ok(ExitCode::from(1));
            }
            for n in list {
                let burst = n.burst.as_ref().map_or(String::new(), |b| {
                    format!(
                        "  BURST {} items from {} sources in {} min",
                        b.items,
                        b.sources,
                        (b.window_end - b.window_start) / 60
                    )
                });
                println!(
                    "{}\t{} items\t{} sources\t{} .. {}{burst}\n\t{}",
                    n.id.0,
                    n.items,
                    n.sources,
                    time(n.first_seen),
                    time(n.last_seen),
                    excerpt(&n.representative_text, 160)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn excerpt(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    out
}

async fn show(store: &impl MonitorStore, id: NarrativeId) -> Result<ExitCode> {
    let Some(d) = store.narrative(id, 50).await? else {
        bail!("no narrative {} (see `claimdesk narratives`)", id.0);
    };
    let s = &d.summary;
    println!(
        "narrative {}: {} items from {} sources",
        s.id.0, s.items, s.sources
    );
    println!(
        "first seen {}, last seen {}",
        time(s.first_seen),
        time(s.last_seen)
    );
    println!("text: {}", s.representative_text);
    println!("volume by hour:");
    for v in &d.volume {
        println!("  {}  {}", time(v.hour), v.items);
    }
    let tallies = |t: &[claimdesk_store::Tally]| {
        t.iter()
            .map(|t| format!("{} ({})", t.value, t.items))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("languages: {}", tallies(&d.languages));
    println!("sources: {}", tallies(&d.sources));
    for f in &d.fact_checks {
        println!(
            "fact-check {}: {} [{}] best match of {} items",
            f.fact_check.0,
            excerpt(&f.claim, 120),
            f.rating_label.as_deref().unwrap_or("no rating"),
            f.items
        );
    }
    if let Some(b) = &s.burst {
        println!(
            "copy-paste burst: {} near-identical items from {} sources, {} .. {}; evidence:",
            b.items,
            b.sources,
            time(b.window_start),
            time(b.window_end)
        );
        for e in &b.evidence {
            println!(
                "  item {}  {}  {}",
                e.item.0,
                time(e.at),
                e.source.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `claimdesk alerts`.
pub async fn alerts(dir: &Path, args: &AlertsArgs) -> Result<ExitCode> {
    let store = DataDir::new(dir).open_store().await?;
    let rule = args
        .rule
        .as_deref()
        .map(str::parse::<AlertRule>)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--rule: {e}"))?;
    let list = store
        .alerts(&AlertFilter {
            rule,
            limit: args.limit,
        })
        .await?;
    if list.is_empty() {
        println!("no alerts");
        return Ok(ExitCode::from(1));
    }
    for a in list {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            a.id.0, a.created_at, a.rule, a.subject, a.summary
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_secret() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("secret (16 characters or more): ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the secret from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `claimdesk webhook ...`.
pub async fn webhook(dir: &Path, command: WebhookCommand) -> Result<ExitCode> {
    let store = DataDir::new(dir).open_store().await?;
    match command {
        WebhookCommand::Add { url } => {
            // Refused now if the rules would refuse every delivery (the host is, spells or
            // resolves to an internal address); a name that does not resolve yet is kept.
            let config = claimdesk_engine::Config::load(dir)?;
            match jobs::webhook_client(&config)?.check_url(&url).await {
                Ok(_) => {}
                Err(e @ FetchError::Resolve { .. }) => {
                    eprintln!("warning: {e}; it is checked again at every delivery");
                }
                Err(e) => return Err(e.into()),
            }
            let secret = read_secret()?;
            let hook = store.add_webhook(&url, &secret, Actor::Cli).await?;
            println!("added webhook {}: {}", hook.id.0, hook.url);
        }
        WebhookCommand::List => {
            let hooks = store.webhooks().await?;
            if hooks.is_empty() {
                println!("no webhooks (add one with `claimdesk webhook add URL`)");
            }
            for h in hooks {
                println!("{}\t{}\t{}", h.id.0, h.url, h.created_at);
            }
        }
        WebhookCommand::Remove { id } => {
            store.remove_webhook(WebhookId(id), Actor::Cli).await?;
            println!("removed webhook {id}");
        }
        WebhookCommand::Deliveries { webhook, limit } => {
            let log = store.deliveries(webhook.map(WebhookId), limit).await?;
            if log.is_empty() {
                println!("no deliveries");
            }
            for d in log {
                println!(
                    "{}\twebhook {}\talert {}\tattempt {}\t{}\t{}",
                    d.at,
                    d.webhook.0,
                    d.alert.0,
                    d.attempt,
                    d.status.map_or("-".to_string(), |s| s.to_string()),
                    d.error.as_deref().unwrap_or("ok")
                );
            }
        }
        WebhookCommand::Deliver => {
            let engine = Engine::open(dir, claimdesk_engine::EngineOptions::default()).await?;
            let n = deliver_due_alerts(&engine).await?;
            println!("{n} deliveries attempted");
        }
    }
    Ok(ExitCode::SUCCESS)
}
