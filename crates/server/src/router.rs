//! The router, derived from the route table: every route of [`ROUTES`] with its handler,
//! the guard enforcing the table's access, the middleware, and the OpenAPI document built
//! from the table's API routes.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Extension};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::api_doc::{self, ApiDoc};
use crate::auth::{self, Guard};
use crate::error_page;
use crate::http;
use crate::ops::ApiDocument;
use crate::route::{BodySize, Handler, Kind};
use crate::state::AppState;
use crate::table::ROUTES;

/// The table's routes with their handlers, and the OpenAPI document of the API routes;
/// routes that take uploads read bodies up to `upload_limit` bytes.
fn routes(upload_limit: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut doc = ApiDoc::openapi();
    // Served by `/api/factchecks/{id}`'s handler, described on its own.
    doc.merge(crate::public::jsonld::JsonLdDoc::openapi());
    let mut router = OpenApiRouter::with_openapi(doc);
    for r in ROUTES {
        // Inside the application-wide `[server]` body limit (http.rs), which it replaces.
        let sized = |m: axum::routing::MethodRouter<AppState>| match r.body {
            BodySize::Small => m,
            BodySize::Upload => m.layer(DefaultBodyLimit::max(upload_limit)),
        };
        router = match r.handler {
            Handler::Api(routes) => {
                let (schemas, paths, method_router) = routes();
                router.routes((schemas, paths, sized(method_router)))
            }
            Handler::Plain(method_router) => router.route(r.path, sized(method_router())),
            Handler::By(by) => {
                // Served by `by`'s handler, which the table must list.
                debug_assert!(ROUTES.iter().any(|o| o.path == by), "{by}");
                router
            }
        };
    }
    let (router, mut doc) = router.split_for_parts();
    api_doc::complete(&mut doc, ROUTES);
    (router, doc)
}

static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| routes(0).1);

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
    // The document as this desk serves it: with the ratings its scale takes.
    let json = api_doc::for_desk(&OPENAPI, &state.config().rating_scale).to_string();
    let app = routes(state.config().upload_limit)
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
