//! The router, derived from the route table: every route of [`ROUTES`] with its handler,
//! the guard enforcing the table's access, the middleware, and the OpenAPI document built
//! from the table's API routes.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::Extension;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{self, Guard};
use crate::error_page;
use crate::http;
use crate::ops::ApiDocument;
use crate::route::{Handler, Kind};
use crate::state::AppState;
use crate::table::ROUTES;

/// The document's description; the paths come from the route table.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "claimdesk",
        description = "The desk's JSON API: the queue of items with their matches, the fact-checks, ranking of fact-checks for a text, the cases the desk works, and the narratives, copy-paste bursts and alerts the monitor found. Every route but this document needs a session cookie (changes then need the `X-CSRF-Token` header) or `Authorization: Bearer <API token>`. Errors are `{\"message\", \"code\", \"type\", \"request_id\"}` with a stable `code`; the request id is also the `x-request-id` response header and names the log lines with the detail of an internal error."
    ),
    tags(
        (name = "items", description = "Posts and articles the desk watches"),
        (name = "factchecks", description = "Published fact-checks"),
        (name = "match", description = "Ranking fact-checks for a text"),
        (name = "cases", description = "The desk's workflow: cases, links, notes, evidence, verdicts"),
        (name = "narratives", description = "Narratives (items saying the same thing), copy-paste bursts and alerts; read-only"),
        (name = "ops", description = "Health, metrics and this document")
    )
)]
struct ApiDoc;

/// The table's routes with their handlers, and the OpenAPI document of the API routes.
fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut doc = ApiDoc::openapi();
    // Served by `/api/factchecks/{id}`'s handler, described on its own.
    doc.merge(crate::public::jsonld::JsonLdDoc::openapi());
    let mut router = OpenApiRouter::with_openapi(doc);
    for r in ROUTES {
        router = match r.handler {
            Handler::Api(routes) => router.routes(routes()),
            Handler::Plain(method_router) => router.route(r.path, method_router()),
            Handler::By(by) => {
                // Served by `by`'s handler, which the table must list.
                debug_assert!(ROUTES.iter().any(|o| o.path == by), "{by}");
                router
            }
        };
    }
    router.split_for_parts()
}

static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| routes().1);

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OPENAPI.clone()
}

/// Every route the OpenAPI document describes, as (method in lower case, path): the
/// table's API routes.
pub fn api_routes() -> Vec<(String, &'static str)> {
    ROUTES
        .iter()
        .filter(|r| r.kind == Kind::Api)
        .map(|r| (r.method.to_ascii_lowercase(), r.path))
        .collect()
}

/// The whole application: every route of the table, the guard, the fallback and every
/// middleware.
pub fn router(state: AppState) -> Router {
    let json = OPENAPI
        .to_json()
        .unwrap_or_else(|e| {
            tracing::error!(target: "server::http", error = %e, "the OpenAPI document does not serialize");
            "{}".to_string()
        });
    let app = routes()
        .0
        .fallback(error_page::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Guard {
                state: state.clone(),
                routes: ROUTES,
            },
            auth::guard,
        ))
        .layer(Extension(ApiDocument(Arc::from(json))));
    http::layers(app, state, ROUTES)
}
