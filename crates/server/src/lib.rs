//! The desk over HTTP: server-rendered HTML pages for editors (queue, item, fact-checks) and
//! a JSON API, described by an OpenAPI 3.1 document.
//!
//! [`router`] builds the whole application from an [`AppState`] (the store, a
//! [`MatchService`] and a [`ServerConfig`]); [`serve`] runs it on a listener until a shutdown
//! future resolves. Every response carries the security headers and a request id; every
//! error has a stable code from one table ([`ErrorCode`]); every user-visible word comes from
//! the `en` or `vi` message catalog ([`Lang`]).
//!
//! Architecture invariant: only this crate knows HTTP, HTML and API JSON. It reads the store
//! through [`claimdesk_store::Store`] and ranks through [`MatchService`], and it owns its
//! response types (converted from core types), so neither the store nor the matcher changes
//! when a page does.
//!
//! Architecture invariant: pages contain no inline script or style, so the
//! Content-Security-Policy can forbid both; all markup is escaped by askama.

#![warn(missing_docs)]

mod api;
mod assets;
mod error;
mod export;
mod http;
mod i18n;
mod matching;
mod metrics;
mod pages;
mod params;
mod public;
mod time;
mod views;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use claimdesk_publish::RatingScale;
use claimdesk_store::SqliteStore;

pub use api::{API_ROUTES, openapi};
pub use error::{ApiError, ErrorCode, ErrorType};
pub use i18n::{Lang, Messages, catalog_keys};
pub use matching::{MatchError, MatchService, RankedMatch};
pub use time::UnknownTimeZone;

/// The desk's time zone when the config names none.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// The public base URL when the config names none.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// How the server behaves: limits, the time zone dates are shown in, the public address and
/// the rating scale.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where the public reaches the desk (`https://factcheck.example`): absolute links in
    /// JSON-LD and feeds start with it. A trailing `/` is ignored.
    pub public_url: String,
    /// The desk's verdicts, for showing a stored verdict in the reader's language.
    pub rating_scale: RatingScale,
    /// Dates and times are shown, and date filters read, in this time zone.
    pub time_zone: jiff::tz::TimeZone,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// A request taking longer is answered with `request_timeout`.
    pub request_timeout: Duration,
}

impl ServerConfig {
    /// The default config with the named IANA time zone (e.g. `Europe/Paris`).
    pub fn with_time_zone(name: &str) -> Result<ServerConfig, UnknownTimeZone> {
        Ok(ServerConfig {
            time_zone: time::zone(name)?,
            ..ServerConfig::default()
        })
    }

    /// [`ServerConfig::public_url`] without a trailing `/`, ready for a path.
    pub fn public_base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            public_url: DEFAULT_PUBLIC_URL.to_string(),
            rating_scale: RatingScale::default(),
            time_zone: time::zone(DEFAULT_TIME_ZONE).unwrap_or_else(|_| time::fallback_zone()),
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What every handler shares: the store, the matcher, the config and the metrics. Cheap to
/// clone.
///
/// Authentication plugs in here: a users/sessions store added to the state and an extractor
/// reading it, without changing the handlers' signatures beyond taking that extractor.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: SqliteStore,
    matcher: Arc<dyn MatchService>,
    config: ServerConfig,
    metrics: metrics::Metrics,
}

impl AppState {
    /// The state of a server over `store`, ranking with `matcher`.
    pub fn new(store: SqliteStore, matcher: Arc<dyn MatchService>, config: ServerConfig) -> Self {
        AppState {
            inner: Arc::new(Inner {
                store,
                matcher,
                config,
                metrics: metrics::Metrics::default(),
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

    fn matcher(&self) -> Arc<dyn MatchService> {
        Arc::clone(&self.inner.matcher)
    }

    fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
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
        .fallback(pages::not_found);
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
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!(target: "server::http", "stopped");
    Ok(())
}
