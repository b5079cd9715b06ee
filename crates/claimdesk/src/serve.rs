//! `claimdesk serve`: the desk (web UI and JSON API) over the data directory, until Ctrl-C
//! or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_server::{AppState, MatchError, MatchService, RankedMatch, ServerConfig};
use clap::Args;

use crate::desk::{CONFIG_FILE, Desk};

/// Arguments of `claimdesk serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

/// The desk's ranker behind the server's seam. The matcher keeps per-query scratch space
/// (`&mut self`), so requests take turns; each one is a few milliseconds.
struct Ranker(Mutex<HybridMatcher>);

impl MatchService for Ranker {
    fn rank(&self, text: &str, k: usize) -> Result<Vec<RankedMatch>, MatchError> {
        let mut matcher = self
            .0
            .lock()
            .map_err(|_| MatchError("a previous ranking panicked".into()))?;
        let ranked = matcher
            .rank(text, k, true)
            .map_err(|e| MatchError(e.to_string()))?;
        Ok(ranked
            .into_iter()
            .map(|m| RankedMatch {
                fact_check: m.fact_check,
                score: m.score,
                explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
            })
            .collect())
    }
}

/// `[server] time_zone` from the config, if set.
fn config_time_zone(dir: &Path) -> Result<Option<String>> {
    config_server_string(dir, "time_zone")
}

/// A string of the config's `[server]` table, if set.
fn config_server_string(dir: &Path, key: &str) -> Result<Option<String>> {
    let path = dir.join(CONFIG_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{}: not valid TOML", path.display()))?;
    let Some(server) = table.get("server") else {
        return Ok(None);
    };
    let value = server
        .as_table()
        .and_then(|t| t.get(key))
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .with_context(|| format!("{}: [server] {key} must be a string", path.display()))
        })
        .transpose()?;
    Ok(value)
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("stopping: finishing the requests in flight");
}

/// `claimdesk serve`.
pub async fn run(desk: &Desk, args: &ServeArgs) -> Result<ExitCode> {
    let zone = config_time_zone(&desk.dir)?;
    let mut config = match &zone {
        Some(name) => ServerConfig::with_time_zone(name).with_context(|| {
            format!(
                "{}: [server] time_zone",
                desk.dir.join(CONFIG_FILE).display()
            )
        })?,
        None => ServerConfig::default(),
    };
    // Cookies are `Secure` and changes must come from this origin when it is set.
    config.public_url = config_server_string(&desk.dir, "public_url")?;
    let catalog = desk.catalog().await?;
    let ranker = desk.ranker(&catalog).await?;
    let retrievers = ranker.retrievers().join(", ");
    let state = AppState::new(
        desk.store.clone(),
        Arc::new(Ranker(Mutex::new(ranker))),
        config,
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr().unwrap_or(args.addr);
    eprintln!("matching with: {retrievers}");
    println!("claimdesk desk: http://{addr}/  (API: http://{addr}/api/openapi.json; Ctrl-C stops)");
    claimdesk_server::serve(listener, state, shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}
