//! The desk's static files, compiled into the binary: htmx (vendored, see
//! `static/README.md`) and the stylesheet. Both are cached for a year: htmx's name carries
//! its version and the stylesheet's URL a hash of its content.

use std::sync::LazyLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

/// How long assets may be cached (they are versioned by name or query string).
const ASSET_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(365 * 24 * 3600);

const HTMX: &[u8] = include_bytes!("../static/htmx-2.0.11.min.js");
const CSS: &[u8] = include_bytes!("../static/desk.css");

/// Where htmx is served.
pub(crate) const HTMX_PATH: &str = "/static/htmx-2.0.11.min.js";
/// The stylesheet's route (its URL in pages is [`CSS_PATH`], with the version).
pub(crate) const CSS_ROUTE: &str = "/static/desk.css";

/// The stylesheet's URL, with a content hash so a changed file is fetched again.
pub(crate) static CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms, which `DefaultHasher` does not promise.
    let hash = CSS.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{CSS_ROUTE}?v={hash:016x}")
});

/// `GET /static/htmx-2.0.11.min.js`.
pub(crate) async fn htmx() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", HTMX)
}

/// `GET /static/desk.css`.
pub(crate) async fn css() -> impl IntoResponse {
    asset("text/css; charset=utf-8", CSS)
}

fn asset(content_type: &'static str, bytes: &'static [u8]) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (
                CACHE_CONTROL,
                format!("public, max-age={}, immutable", ASSET_MAX_AGE.as_secs()),
            ),
        ],
        bytes,
    )
}
