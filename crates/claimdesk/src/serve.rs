//! `claimdesk serve`: the desk (web UI and JSON API) over the data directory, until Ctrl-C
//! or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_engine::Engine;
use claimdesk_server::{AppState, ServerConfig};
use clap::Args;

/// Arguments of `claimdesk serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

/// The server's settings from the config (`[server]`, `[rating_scale]`); links default to
/// `http://ADDR`.
pub fn server_config(engine: &Engine, addr: SocketAddr) -> Result<ServerConfig> {
    ServerConfig::from_config(engine.config(), format!("http://{addr}")).with_context(|| {
        format!(
            "{}: [server] time_zone",
            engine.data().config_file().display()
        )
    })
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

/// Serves `engine` on `listener` until Ctrl-C or SIGTERM, after printing `banner` lines;
/// the engine's background jobs (following the store, polling sources, delivering
/// webhooks) run beside it and stop with it.
pub async fn serve_desk(
    engine: &Engine,
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    banner: impl FnOnce(SocketAddr),
) -> Result<()> {
    // Built before the first request: the ranker (model, embeddings) and the pipeline.
    let ranker = crate::ranker(engine).await?;
    engine.pipeline().await?;
    let retrievers = ranker.current().matcher().retrievers().join(", ");
    let state = AppState::new(engine.clone(), config);
    let addr = listener
        .local_addr()
        .context("the listener has no address")?;
    eprintln!("matching with: {retrievers}");
    let shutdown = shutdown_signal();
    banner(addr);
    Ok(claimdesk_server::serve_desk(listener, state, shutdown).await?)
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix). The handlers
/// are installed when this is called, not when first awaited: a stop asked for as soon as
/// the banner says the desk is up still stops it cleanly.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        #[cfg(unix)]
        tokio::select! {
            Some(_) = async { term.as_mut()?.recv().await } => {},
            Some(_) = async { int.as_mut()?.recv().await } => {},
            else => std::future::pending::<()>().await,
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("stopping: finishing the requests in flight");
    }
}

/// `claimdesk serve`.
pub async fn run(engine: &Engine, args: &ServeArgs) -> Result<ExitCode> {
    let config = server_config(engine, args.addr)?;
    let listener = listen(args.addr).await?;
    let users = claimdesk_store::UserStore::users(engine.store()).await?;
    eprint!(
        "{}",
        claimdesk_printer::accounts::sign_in_note(engine.dir(), &users)
    );
    serve_desk(engine, listener, config, |addr| {
        println!(
            "claimdesk desk: http://{addr}/  (API: http://{addr}/api/openapi.json; Ctrl-C stops)"
        );
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}
