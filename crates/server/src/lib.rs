//! The desk over HTTP: server-rendered HTML pages for editors (queue, item, fact-checks) and
//! a JSON API, described by an OpenAPI 3.1 document.
//!
//! [`router`] builds the whole application from an [`AppState`] (the desk's
//! [`claimdesk_engine::Engine`] and a [`ServerConfig`]); [`serve`] runs it on a
//! listener until a shutdown future resolves. Every response carries the security headers and a request id; every
//! error has a stable code from one table ([`ErrorCode`]); every user-visible word comes from
//! the `en` or `vi` message catalog ([`Lang`]).
//!
//! Architecture invariant: only this crate knows HTTP, HTML and API JSON. It reads the store
//! through [`claimdesk_store::Store`] and ranks and processes items through the engine, and
//! it owns its
//! response types (converted from core types), so neither the store nor the matcher changes
//! when a page does.
//!
//! Architecture invariant: pages contain no inline script or style, so the
//! Content-Security-Policy can forbid both; all markup is escaped by askama.

#![warn(missing_docs)]

mod api;
mod assets;
mod auth;
mod cases;
mod error;
mod export;
mod http;
mod i18n;
mod intake;
mod login;
mod metrics;
mod monitoring;
mod pages;
mod params;
mod public;
mod request_id;
mod sources;
mod time;
mod views;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use claimdesk_engine::Engine;
use claimdesk_publish::RatingScale;
use claimdesk_store::SqliteStore;

pub use api::{API_ROUTES, openapi};
pub use auth::{
    Access, CSRF_HEADER, MAX_FAILED_LOGINS, MAX_FAILED_LOGINS_PER_ADDRESS, ROUTES, Route,
    SESSION_COOKIE,
};
pub use claimdesk_engine::STORED_MATCHES;
pub use error::{ApiError, ErrorCode, ErrorType};
pub use i18n::{Lang, Messages, catalog_keys};
pub use time::UnknownTimeZone;

/// The desk's time zone when the config names none.
pub const DEFAULT_TIME_ZONE: &str = claimdesk_engine::config::DEFAULT_TIME_ZONE;

/// The base of absolute links (JSON-LD, feeds) when neither `public_url` nor the listening
/// address is known.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// How the server behaves: limits, the time zone dates are shown in, the public address and
/// the rating scale.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Absolute links in JSON-LD and feeds start with this when `public_url` is not set
    /// (the binary sets it to `http://` + the listening address). A trailing `/` is ignored.
    pub link_base: String,
    /// The desk's verdicts, for showing a stored verdict in the reader's language.
    pub rating_scale: RatingScale,
    /// Dates and times are shown, and date filters read, in this time zone.
    pub time_zone: jiff::tz::TimeZone,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// A request taking longer is answered with `request_timeout`.
    pub request_timeout: Duration,
    /// The address the desk is reached at (`[server] public_url`), e.g.
    /// `https://desk.example`: browser requests that change something must come from its
    /// origin, and cookies are `Secure` when it is `https`. `None`: the request's `Host`.
    pub public_url: Option<String>,
    /// How long a session lasts after signing in.
    pub session_ttl: Duration,
}

impl ServerConfig {
    /// Whether cookies carry `Secure`: the desk is served over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| {
            u.get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        })
    }

    /// The default config with the named IANA time zone (e.g. `Europe/Paris`).
    pub fn with_time_zone(name: &str) -> Result<ServerConfig, UnknownTimeZone> {
        Ok(ServerConfig {
            time_zone: time::zone(name)?,
            ..ServerConfig::default()
        })
    }

    /// The server's part of the engine's config (`[server]` and `[rating_scale]`), links
    /// defaulting to `link_base` (e.g. `http://` + the listening address).
    pub fn from_config(
        config: &claimdesk_engine::Config,
        link_base: String,
    ) -> Result<ServerConfig, UnknownTimeZone> {
        Ok(ServerConfig {
            link_base,
            public_url: config.server.public_url.clone(),
            rating_scale: config.rating_scale().clone(),
            ..ServerConfig::with_time_zone(&config.server.time_zone)?
        })
    }

    /// Where the public reaches the desk, without a trailing `/`, ready for a path:
    /// [`ServerConfig::public_url`] when set, else [`ServerConfig::link_base`].
    pub fn public_base(&self) -> &str {
        self.public_url
            .as_deref()
            .unwrap_or(&self.link_base)
            .trim_end_matches('/')
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            link_base: DEFAULT_PUBLIC_URL.to_string(),
            rating_scale: RatingScale::default(),
            time_zone: time::zone(DEFAULT_TIME_ZONE).unwrap_or_else(|_| time::fallback_zone()),
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            public_url: None,
            session_ttl: Duration::from_secs(12 * 3600),
        }
    }
}

/// What every handler shares: the engine (store, live ranker, intake pipeline), the config
/// and the metrics. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: SqliteStore,
    engine: Engine,
    config: ServerConfig,
    metrics: metrics::Metrics,
    logins: auth::LoginLimiter,
}

impl AppState {
    /// The state of a server over `engine`: its store, its ranker for `POST /api/match`,
    /// its pipeline for the items posted to `POST /api/items`.
    pub fn new(engine: Engine, config: ServerConfig) -> Self {
        AppState {
            inner: Arc::new(Inner {
                store: engine.store().clone(),
                engine,
                config,
                metrics: metrics::Metrics::default(),
                logins: auth::LoginLimiter::default(),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &SqliteStore {
        &self.inner.store
    }

    /// The config.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    fn logins(&self) -> &auth::LoginLimiter {
        &self.inner.logins
    }

    fn scale(&self) -> &claimdesk_publish::RatingScale {
        &self.inner.config.rating_scale
    }
}

/// The whole application: the desk's pages, the public verdict pages and feeds, exports, API,
/// assets, health and metrics, with every middleware.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    let app = Router::new()
        .merge(pages::router())
        .merge(public::router())
        // Staff only: the sign-in layer must cover these as it covers the desk's pages.
        .merge(export::routes())
        .merge(assets::router())
        .merge(api)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ));
    http::layers(app, state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(target: "server::http", %addr, "listening");
    }
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!(target: "server::http", "stopped");
    Ok(())
}
