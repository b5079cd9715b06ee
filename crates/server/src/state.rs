//! What every handler shares ([`AppState`]): the engine, the config, the metrics and the
//! sign-in limiter.

use std::sync::Arc;

use claimdesk_engine::{Engine, StoreHandle};

use crate::config::ServerConfig;
use crate::limiter::LoginLimiter;
use crate::metrics::Metrics;

/// What every handler shares: the engine (store, live ranker, intake pipeline), the config
/// and the metrics. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: StoreHandle,
    engine: Engine,
    config: ServerConfig,
    metrics: Metrics,
    logins: LoginLimiter,
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
                metrics: Metrics::default(),
                logins: LoginLimiter::default(),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &StoreHandle {
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

    /// The request metrics.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The sign-in limiter.
    pub(crate) fn logins(&self) -> &LoginLimiter {
        &self.inner.logins
    }

    /// The desk's rating scale.
    pub(crate) fn scale(&self) -> &claimdesk_publish::RatingScale {
        &self.inner.config.rating_scale
    }
}
