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

// The modules from the bottom layer up (see `LAYERS`): each imports only modules listed
// before it there.

// Foundations: no handler, no HTTP plumbing.
mod config;
mod error;
pub mod i18n;
mod limiter;
mod metrics;
mod request_id;
mod route;
mod state;
mod time;

// Plumbing: extractors, rendering, error pages, shared views and parameters.
mod assets;
mod error_page;
mod extract;
mod params;
mod render;
mod session;
mod views;

// Features: handlers, split into API, pages and views where a feature has several.
mod cases;
mod check;
mod dashboard;
mod digests;
mod export;
mod factchecks;
mod images;
mod intake;
mod items;
mod language;
mod login;
mod matching;
mod monitoring;
mod ops;
mod public;
mod sources;

// The application: the guard, the middleware, the route table and the router built from it.
mod api_doc;
mod auth;
mod http;
mod router;
mod table;

use std::future::Future;

pub use claimdesk_engine::STORED_MATCHES;
pub use config::{DEFAULT_PUBLIC_URL, DEFAULT_TIME_ZONE, ServerConfig};
pub use error::{ApiError, ErrorCode, ErrorType};
pub use i18n::{Lang, Messages, catalog_keys};
pub use limiter::{MAX_FAILED_LOGINS, MAX_FAILED_LOGINS_PER_ADDRESS};
pub use route::{Access, BodySize, Kind, Route};
pub use router::{api_routes, openapi, router};
pub use session::{CSRF_HEADER, SESSION_COOKIE};
pub use state::AppState;
pub use table::ROUTES;
pub use time::UnknownTimeZone;

/// The server's modules from the bottom layer up: each imports only modules listed before
/// it (a test reads the sources and fails on an import that points up), so there is no
/// import cycle. Foundations come first, then the plumbing every feature uses (extractors,
/// rendering, error pages), then the features (each split into its views, reads or
/// operations, API and pages), then the guard, the middleware, the route table and the
/// router.
pub const LAYERS: &[&str] = &[
    // Foundations.
    "time",
    "i18n",
    "request_id",
    "error",
    "metrics",
    "limiter",
    "config",
    "state",
    "route",
    // Plumbing.
    "session",
    "api_doc",
    "extract",
    "params",
    "views",
    "assets",
    "render",
    "error_page",
    // Features.
    "language",
    "login",
    "ops",
    "matching",
    "intake",
    "check",
    "sources",
    "dashboard",
    "digests",
    "public::published",
    "images",
    "public::jsonld",
    "public::pages",
    "public::feeds",
    "public::audit",
    "public",
    "export",
    "cases::views",
    "cases::ops",
    "cases::api",
    "cases::pages",
    "cases",
    "items::load",
    "items::api",
    "items::pages",
    "items",
    "factchecks::load",
    "factchecks::api",
    "factchecks::pages",
    "factchecks",
    "monitoring::views",
    "monitoring::load",
    "monitoring::api",
    "monitoring::pages",
    "monitoring",
    // The application.
    "auth",
    "http",
    "table",
    "router",
];

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

/// Why [`serve_desk`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listener failed.
    #[error("the server stopped with an error: {0}")]
    Io(#[from] std::io::Error),
    /// A background job could not start or run.
    #[error("the background jobs stopped: {0}")]
    Jobs(#[from] claimdesk_engine::Error),
    /// A background job panicked.
    #[error("the background jobs stopped: {0}")]
    Panicked(String),
}

/// Serves the desk as `claimdesk serve` runs it: `state` on `listener`, with the engine's
/// background jobs beside it (following the store, polling sources, delivering webhooks,
/// signing audit checkpoints), until `shutdown` resolves; then the requests in flight and
/// the jobs' work in flight finish.
pub async fn serve_desk(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let engine = state.engine().clone();
    let background = tokio::spawn(claimdesk_engine::jobs::run_background(engine, stopped));
    let served = serve(listener, state, async move {
        shutdown.await;
        let _ = stop.send(true);
    })
    .await;
    background
        .await
        .map_err(|e| ServeError::Panicked(e.to_string()))??;
    Ok(served?)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::LAYERS;

    /// The module path of a source file under `src/` (`cases/api.rs` → `cases::api`,
    /// `cases/mod.rs` → `cases`).
    fn module_of(relative: &Path) -> String {
        let mut parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        parts.join("::")
    }

    /// The source without its unit tests (`#[cfg(test)]` to the end: test modules come
    /// last), whose `super::` means the file itself.
    fn without_tests(source: &str) -> &str {
        source.find("#[cfg(test)]").map_or(source, |i| &source[..i])
    }

    /// Every module path a source names through `crate::` or `super::`, as written (up to
    /// three segments, `{` lists expanded one level), with `super::` resolved against
    /// `module`.
    fn imports(module: &str, source: &str) -> Vec<String> {
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        let mut out = Vec::new();
        for (prefix, base) in [("crate::", String::new()), ("super::", parent.to_string())] {
            for (i, _) in source.match_indices(prefix) {
                // `claimdesk_store::...` ends in `crate::`? No: only a whole word counts.
                let before = source[..i].chars().next_back();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &source[i + prefix.len()..];
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let path = path.trim_end_matches(':');
                let joined = |p: &str| {
                    if base.is_empty() {
                        p.to_string()
                    } else {
                        format!("{base}::{p}")
                    }
                };
                if !path.is_empty() {
                    out.push(joined(path));
                }
                // `crate::{a, b::c}` or `crate::x::{a, b}`.
                let after = &rest[path.len()..];
                let after = after.strip_prefix("::").unwrap_or(after);
                if let Some(list) = after.strip_prefix('{') {
                    let list = &list[..list.find('}').unwrap_or(0)];
                    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let item = item.trim_start_matches("self");
                        let full = match (path.is_empty(), item.is_empty()) {
                            (_, true) => path.to_string(),
                            (true, false) => item.to_string(),
                            (false, false) => format!("{path}::{item}"),
                        };
                        out.push(joined(&full));
                    }
                }
            }
        }
        out
    }

    /// The layer of an imported path: its longest prefix that is a module of [`LAYERS`].
    fn layer_of(path: &str) -> Option<usize> {
        let segments: Vec<&str> = path.split("::").collect();
        (1..=segments.len())
            .rev()
            .find_map(|n| LAYERS.iter().position(|m| *m == segments[..n].join("::")))
    }

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Issue 23, item 4: the modules import each other in layers, never upwards, so no
    /// import cycle can come back. Every file under `src/` is a module of [`LAYERS`] (but
    /// `lib.rs`, the root), and everything it names through `crate::` or `super::` is a
    /// module listed before it (naming an item through the root's re-exports, e.g.
    /// `crate::AppState`, fails: name the module that defines it).
    #[test]
    fn modules_import_only_lower_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            if relative == Path::new("lib.rs") {
                continue;
            }
            let module = module_of(relative);
            let Some(own) = LAYERS.iter().position(|m| *m == module) else {
                problems.push(format!("{module}: not in LAYERS"));
                continue;
            };
            seen.push(module.clone());
            let source = std::fs::read_to_string(&file).unwrap();
            for import in imports(&module, without_tests(&source)) {
                match layer_of(&import) {
                    Some(layer) if layer < own => {}
                    Some(layer) if LAYERS[layer] == module => {}
                    Some(layer) => problems.push(format!(
                        "{module} imports {import} ({} is not below it)",
                        LAYERS[layer]
                    )),
                    None => problems.push(format!(
                        "{module} imports {import}: name the module that defines it"
                    )),
                }
            }
        }
        for m in LAYERS {
            if !seen.iter().any(|s| s == m) {
                problems.push(format!("{m}: in LAYERS but no such file"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The check catches what it is for: an upward import, an import through the root,
    /// and `super::` resolved against the file's parent.
    #[test]
    fn the_layer_check_sees_imports() {
        let found = imports(
            "cases::api",
            "use crate::{error::ApiError, state};\nuse super::ops::x;\nlet a = crate::AppState;\nclaimdesk_store::x;",
        );
        assert_eq!(
            found,
            ["error::ApiError", "state", "AppState", "cases::ops::x"]
                .map(String::from)
                .to_vec()
        );
        assert_eq!(
            layer_of("cases::ops::do_note"),
            LAYERS.iter().position(|m| *m == "cases::ops")
        );
        assert_eq!(layer_of("AppState"), None);
    }
}
