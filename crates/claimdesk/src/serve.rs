//! `claimdesk serve`: the desk (web UI and JSON API) over the data directory, until Ctrl-C
//! or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_monitor::webhook::{HttpTransport, run_deliveries};
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

/// The server's settings from the config: `[server] time_zone` and `public_url` (links default
/// to `http://ADDR`), and `[rating_scale]` (default: the bilingual five-point scale).
pub fn server_config(dir: &Path, addr: SocketAddr) -> Result<ServerConfig> {
    let path = dir.join(CONFIG_FILE);
    let table: toml::Table = match std::fs::read_to_string(&path) {
        Ok(text) => text
            .parse()
            .with_context(|| format!("{}: not valid TOML", path.display()))?,
        Err(_) => toml::Table::new(),
    };
    let server = match table.get("server") {
        None => None,
        Some(v) => Some(
            v.as_table()
                .with_context(|| format!("{}: `server` must be a table", path.display()))?,
        ),
    };
    let text = |key: &str| -> Result<Option<String>> {
        server
            .and_then(|t| t.get(key))
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .with_context(|| format!("{}: [server] {key} must be a string", path.display()))
            })
            .transpose()
    };
    let mut config = match text("time_zone")? {
        Some(name) => ServerConfig::with_time_zone(&name)
            .with_context(|| format!("{}: [server] time_zone", path.display()))?,
        None => ServerConfig::default(),
    };
    // When set, cookies are `Secure` (https) and changes must come from this origin.
    config.public_url = match text("public_url")? {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => Some(url),
        Some(url) => bail!(
            "{}: [server] public_url `{url}` must start with http:// or https://",
            path.display()
        ),
        None => None,
    };
    config.link_base = format!("http://{addr}");
    if let Some(scale) = table.get("rating_scale") {
        config.rating_scale = scale
            .clone()
            .try_into()
            .with_context(|| format!("{}: [rating_scale]", path.display()))?;
    }
    Ok(config)
}

/// Binds `addr`, saying plainly when the port is taken.
pub async fn listen(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "cannot listen on {addr}: the port is taken (another claimdesk or another \
                 program); stop it or choose another address with --addr, e.g. --addr 127.0.0.1:8081"
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot listen on {addr}"))
        }
    })
}

/// Serves `desk` on `listener` until Ctrl-C or SIGTERM, after printing `banner` lines.
pub async fn serve_desk(
    desk: &Desk,
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    banner: impl FnOnce(SocketAddr),
) -> Result<()> {
    let catalog = desk.catalog().await?;
    let ranker = desk.ranker(&catalog).await?;
    let retrievers = ranker.retrievers().join(", ");
    let state = AppState::new(
        desk.store.clone(),
        Arc::new(Ranker(Mutex::new(ranker))),
        config,
    );
    let addr = listener
        .local_addr()
        .context("the listener has no address")?;
    eprintln!("matching with: {retrievers}");
    // Alerts raised by `ingest` (here or in another process) reach their webhooks, with
    // retries, while the desk runs.
    let (settings, _) = crate::watch::settings(&desk.dir)?;
    let policy = settings.webhooks;
    let transport = HttpTransport::new(Duration::from_secs(policy.timeout_seconds))?;
    let store = desk.store.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let deliveries = tokio::spawn(async move {
        run_deliveries(&store, &transport, &policy, WEBHOOK_POLL, async {
            let _ = stopped.await;
        })
        .await;
    });
    banner(addr);
    let served = claimdesk_server::serve(listener, state, shutdown_signal())
        .await
        .context("the server stopped with an error");
    let _ = stop.send(());
    let _ = deliveries.await;
    served
}

/// How often the server looks for alert deliveries that are due.
const WEBHOOK_POLL: Duration = Duration::from_secs(10);

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
    let config = server_config(&desk.dir, args.addr)?;
    let listener = listen(args.addr).await?;
    serve_desk(desk, listener, config, |addr| {
        println!(
            "claimdesk desk: http://{addr}/  (API: http://{addr}/api/openapi.json; Ctrl-C stops)"
        );
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
