//! `claimdesk serve`: the desk (web UI and JSON API) over the data directory, until Ctrl-C
//! or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_monitor::webhook::run_deliveries;
use claimdesk_server::{AppState, MatchError, MatchService, RankedMatch, ServerConfig};
use clap::Args;

use crate::desk::Desk;

/// Arguments of `claimdesk serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

/// The desk's ranker behind the server's seam; requests rank side by side (the matcher
/// pools its per-query scratch space).
struct Ranker(Arc<HybridMatcher>);

impl MatchService for Ranker {
    fn rank(&self, text: &str, k: usize) -> Result<Vec<RankedMatch>, MatchError> {
        let ranked = self
            .0
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
    let (path, table) = crate::desk::read_config(dir)?;
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
    // One pipeline for the items posted to the API and those the sources bring.
    let pipeline = Arc::new(crate::load::pipeline(desk).await?);
    let retrievers = pipeline.matcher().retrievers().join(", ");
    let ranker = Arc::new(Ranker(Arc::clone(pipeline.matcher())));
    let state = AppState::with_pipeline(desk.store.clone(), ranker, pipeline.clone(), config);
    let addr = listener
        .local_addr()
        .context("the listener has no address")?;
    let poller = crate::sources::poller(&desk.dir, desk.store.clone())?;
    eprintln!("matching with: {retrievers}");
    banner(addr);
    // Alerts raised by `ingest` (here or in another process) reach their webhooks, with
    // retries, while the desk runs.
    let (settings, _) = crate::watch::settings(&desk.dir)?;
    let policy = settings.webhooks;
    let transport = crate::watch::webhook_client(&desk.dir, &policy)?;
    // The poller and the deliveries run beside the server and stop with it (after the
    // work in flight).
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut poll_stopped = stopped.clone();
    let mut delivery_stopped = stopped;
    let store = desk.store.clone();
    let deliveries = tokio::spawn(async move {
        run_deliveries(&store, &transport, &policy, WEBHOOK_POLL, async move {
            let _ = delivery_stopped.changed().await;
        })
        .await;
    });
    let polling = tokio::spawn(async move {
        poller
            .run(
                async move {
                    let _ = poll_stopped.changed().await;
                },
                |report| {
                    let pipeline = Arc::clone(&pipeline);
                    async move {
                        if report.changed.is_empty() {
                            return;
                        }
                        if let Err(e) = pipeline.process(&report.changed, false).await {
                            tracing::error!(target: "ingest::poll", error = %format!("{e:#}"), "cannot process polled items");
                        }
                    }
                },
            )
            .await;
    });
    let served = claimdesk_server::serve(listener, state, async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await;
    let _ = polling.await;
    let _ = deliveries.await;
    served.context("the server stopped with an error")
}

/// How often the server looks for alert deliveries that are due.
const WEBHOOK_POLL: Duration = Duration::from_secs(10);

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix).
pub async fn shutdown_signal() {
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
