//! `claimdesk narratives ...`, `claimdesk alerts` and `claimdesk webhook ...`: the monitor's
//! narratives, copy-paste bursts, alerts and webhook endpoints from the command line, and the
//! wiring that runs the monitor after `ingest`. The logic is in `claimdesk-monitor`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use claimdesk_core::{Actor, AlertRule, NarrativeId, WebhookId};
use claimdesk_engine::{DataDir, Engine, jobs};
use claimdesk_ingest::fetch::FetchError;
use claimdesk_ingest::poll;
use claimdesk_printer as printer;
use claimdesk_store::prelude::*;
use claimdesk_store::{AlertFilter, NarrativeFilter};
use clap::{Args, Subcommand};

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
    eprint!("{}", printer::monitor::attempts(&attempts));
    Ok(attempts.len())
}

/// `--since`: an RFC 3339 time, a date (midnight UTC), or a span back from now.
pub fn parse_since(s: &str) -> Result<i64> {
    poll::parse_since(s, jiff::Timestamp::now()).map_err(|e| anyhow::anyhow!("--since {e}"))
}

/// `claimdesk narratives ...`.
pub async fn narratives(engine: &Engine, args: &NarrativesArgs) -> Result<ExitCode> {
    let store = engine.store();
    match &args.command {
        Some(NarrativesCommand::Rebuild) => {
            crate::ranker(engine).await?;
            let n = engine.rebuild_narratives().await?;
            let all = store
                .narratives(&NarrativeFilter {
                    limit: u32::MAX,
                    ..NarrativeFilter::default()
                })
                .await?;
            print!("{}", printer::monitor::rebuilt(&all, n));
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
            print!("{}", printer::monitor::narratives(&list));
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn show(store: &impl MonitorStore, id: NarrativeId) -> Result<ExitCode> {
    let Some(detail) = store.narrative(id, 50).await? else {
        bail!("no narrative {} (see `claimdesk narratives`)", id.0);
    };
    print!("{}", printer::monitor::narrative(&detail));
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
    print!("{}", printer::monitor::alerts(&list));
    Ok(ExitCode::SUCCESS)
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
            let secret = crate::read_line("secret (16 characters or more)", "secret")?;
            let hook = store.add_webhook(&url, &secret, Actor::Cli).await?;
            println!("added webhook {}: {}", hook.id.0, hook.url);
        }
        WebhookCommand::List => {
            print!("{}", printer::monitor::webhooks(&store.webhooks().await?));
        }
        WebhookCommand::Remove { id } => {
            store.remove_webhook(WebhookId(id), Actor::Cli).await?;
            println!("removed webhook {id}");
        }
        WebhookCommand::Deliveries { webhook, limit } => {
            let log = store.deliveries(webhook.map(WebhookId), limit).await?;
            print!("{}", printer::monitor::deliveries(&log));
        }
        WebhookCommand::Deliver => {
            let engine = Engine::open(dir, claimdesk_engine::EngineOptions::default()).await?;
            let n = deliver_due_alerts(&engine).await?;
            println!("{n} deliveries attempted");
        }
    }
    Ok(ExitCode::SUCCESS)
}
