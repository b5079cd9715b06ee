//! The route table: every route of the application, once, with who may use it, what it
//! answers and its handler. The router (`router.rs`), the guard's access list, the API
//! route list (and so the OpenAPI document) and the metrics labels are derived from it.
//!
//! Architecture invariant: the table is the only list of routes. A route missing here is
//! not served, and the guard refuses any path the table does not name (fail closed).

use axum::routing::{get, post};
use utoipa_axum::routes;

use crate::route::Access::{Admin, Change, Public, SignedIn};
use crate::route::Kind::{Api, Asset, Download, Feed, Page};
use crate::route::{Access, Handler, Kind, Route};
use crate::{
    assets, cases, export, factchecks, intake, items, language, login, matching, monitoring, ops,
    public, sources,
};

const fn route(
    method: &'static str,
    path: &'static str,
    access: Access,
    kind: Kind,
    handler: Handler,
) -> Route {
    Route {
        method,
        path,
        access,
        kind,
        handler,
    }
}

/// Every route the router serves, with its access, kind and handler. The guard refuses any
/// route missing here, and a test requests every one of them.
pub const ROUTES: &[Route] = &[
    // Pages.
    route(
        "GET",
        "/",
        SignedIn,
        Page,
        Handler::Plain(|| get(items::pages::queue)),
    ),
    route(
        "GET",
        "/items/{id}",
        SignedIn,
        Page,
        Handler::Plain(|| get(items::pages::item)),
    ),
    route(
        "POST",
        "/items/{id}/link",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_link_item)),
    ),
    route(
        "POST",
        "/items/{id}/case",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_open_case)),
    ),
    route(
        "GET",
        "/factchecks",
        SignedIn,
        Page,
        Handler::Plain(|| get(factchecks::pages::fact_checks)),
    ),
    route(
        "GET",
        "/factchecks/{id}",
        SignedIn,
        Page,
        Handler::Plain(|| get(factchecks::pages::fact_check)),
    ),
    route(
        "GET",
        "/cases",
        SignedIn,
        Page,
        Handler::Plain(|| get(cases::pages::cases_page)),
    ),
    route(
        "GET",
        "/cases/{id}",
        SignedIn,
        Page,
        Handler::Plain(|| get(cases::pages::case_page)),
    ),
    route(
        "GET",
        "/sources",
        SignedIn,
        Page,
        Handler::Plain(|| get(sources::sources_page)),
    ),
    route(
        "POST",
        "/cases/{id}/transition",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_transition)),
    ),
    route(
        "POST",
        "/cases/{id}/assign",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_assign)),
    ),
    route(
        "POST",
        "/cases/{id}/notes",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_note)),
    ),
    route(
        "POST",
        "/cases/{id}/evidence",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_evidence)),
    ),
    route(
        "POST",
        "/cases/{id}/verdict",
        Change,
        Page,
        Handler::Plain(|| post(cases::pages::page_verdict)),
    ),
    route(
        "GET",
        "/narratives",
        SignedIn,
        Page,
        Handler::Plain(|| get(monitoring::pages::narratives_page)),
    ),
    route(
        "GET",
        "/narratives/{id}",
        SignedIn,
        Page,
        Handler::Plain(|| get(monitoring::pages::narrative_page)),
    ),
    route(
        "GET",
        "/alerts",
        SignedIn,
        Page,
        Handler::Plain(|| get(monitoring::pages::alerts_page)),
    ),
    route(
        "GET",
        "/lang/{code}",
        Public,
        Page,
        Handler::Plain(|| get(language::switch_language)),
    ),
    route(
        "GET",
        "/login",
        Public,
        Page,
        Handler::Plain(|| get(login::login_form)),
    ),
    route(
        "POST",
        "/login",
        Public,
        Page,
        Handler::Plain(|| post(login::login)),
    ),
    route(
        "POST",
        "/logout",
        SignedIn,
        Page,
        Handler::Plain(|| post(login::logout)),
    ),
    // Published verdicts, for the public.
    route(
        "GET",
        "/verdicts",
        Public,
        Page,
        Handler::Plain(|| get(public::pages::verdicts)),
    ),
    route(
        "GET",
        "/verdicts/{id}",
        Public,
        Page,
        Handler::Plain(|| get(public::pages::verdict)),
    ),
    route(
        "GET",
        "/feeds/verdicts.rss",
        Public,
        Feed,
        Handler::Plain(|| get(public::feeds::rss)),
    ),
    route(
        "GET",
        "/feeds/verdicts.atom",
        Public,
        Feed,
        Handler::Plain(|| get(public::feeds::atom)),
    ),
    route(
        "GET",
        "/feeds/verdicts.json",
        Public,
        Feed,
        Handler::Plain(|| get(public::feeds::json_feed)),
    ),
    // Staff downloads.
    route(
        "GET",
        "/export/factchecks.csv",
        SignedIn,
        Download,
        Handler::Plain(|| get(export::fact_checks_csv)),
    ),
    route(
        "GET",
        "/export/factchecks.jsonl",
        SignedIn,
        Download,
        Handler::Plain(|| get(export::fact_checks_jsonl)),
    ),
    route(
        "GET",
        "/export/cases.csv",
        SignedIn,
        Download,
        Handler::Plain(|| get(export::cases_csv)),
    ),
    route(
        "GET",
        "/export/cases.jsonl",
        SignedIn,
        Download,
        Handler::Plain(|| get(export::cases_jsonl)),
    ),
    // Assets.
    route(
        "GET",
        assets::CSS_ROUTE,
        Public,
        Asset,
        Handler::Plain(|| get(assets::css)),
    ),
    route(
        "GET",
        assets::HTMX_PATH,
        Public,
        Asset,
        Handler::Plain(|| get(assets::htmx)),
    ),
    // The JSON API and the machine endpoints (the OpenAPI document describes each).
    route(
        "GET",
        "/api/items",
        SignedIn,
        Api,
        Handler::Api(|| routes!(items::api::list_items)),
    ),
    route(
        "POST",
        "/api/items",
        Change,
        Api,
        Handler::Api(|| routes!(intake::api_add_items)),
    ),
    route(
        "GET",
        "/api/items/{id}",
        SignedIn,
        Api,
        Handler::Api(|| routes!(items::api::get_item)),
    ),
    route(
        "POST",
        "/api/items/{id}/match",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_link_item)),
    ),
    route(
        "POST",
        "/api/items/{id}/case",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_open_case)),
    ),
    route(
        "GET",
        "/api/factchecks",
        SignedIn,
        Api,
        Handler::Api(|| routes!(factchecks::api::list_fact_checks)),
    ),
    route(
        "POST",
        "/api/factchecks",
        Admin,
        Api,
        Handler::Api(|| routes!(cases::api::api_add_fact_check)),
    ),
    route(
        "GET",
        "/api/factchecks/{id}",
        SignedIn,
        Api,
        Handler::Api(|| routes!(factchecks::api::get_fact_check)),
    ),
    route(
        "GET",
        "/api/cases",
        SignedIn,
        Api,
        Handler::Api(|| routes!(cases::api::api_list_cases)),
    ),
    route(
        "GET",
        "/api/cases/{id}",
        SignedIn,
        Api,
        Handler::Api(|| routes!(cases::api::api_get_case)),
    ),
    route(
        "POST",
        "/api/cases/{id}/transition",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_transition)),
    ),
    route(
        "POST",
        "/api/cases/{id}/assign",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_assign)),
    ),
    route(
        "POST",
        "/api/cases/{id}/notes",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_note)),
    ),
    route(
        "POST",
        "/api/cases/{id}/evidence",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_evidence)),
    ),
    route(
        "POST",
        "/api/cases/{id}/verdict",
        Change,
        Api,
        Handler::Api(|| routes!(cases::api::api_verdict)),
    ),
    route(
        "GET",
        "/api/narratives",
        SignedIn,
        Api,
        Handler::Api(|| routes!(monitoring::api::api_narratives)),
    ),
    route(
        "GET",
        "/api/narratives/{id}",
        SignedIn,
        Api,
        Handler::Api(|| routes!(monitoring::api::api_narrative)),
    ),
    route(
        "GET",
        "/api/alerts",
        SignedIn,
        Api,
        Handler::Api(|| routes!(monitoring::api::api_alerts)),
    ),
    route(
        "POST",
        "/api/match",
        SignedIn,
        Api,
        Handler::Api(|| routes!(matching::match_text)),
    ),
    route(
        "GET",
        "/api/openapi.json",
        Public,
        Api,
        Handler::Api(|| routes!(ops::openapi_json)),
    ),
    route(
        "GET",
        "/api/factchecks/{id}.jsonld",
        Public,
        Api,
        Handler::By("/api/factchecks/{id}"),
    ),
    route(
        "GET",
        "/healthz",
        Public,
        Api,
        Handler::Api(|| routes!(ops::healthz)),
    ),
    route(
        "GET",
        "/metrics",
        Public,
        Api,
        Handler::Api(|| routes!(ops::metrics)),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_listed_once() {
        for (i, r) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[..i]
                    .iter()
                    .any(|o| o.method == r.method && o.path == r.path),
                "{r:?}"
            );
        }
    }

    /// An API route's handler describes exactly the table's method and path, so the
    /// OpenAPI document and the table cannot disagree.
    #[test]
    fn api_handlers_describe_their_own_route() {
        for r in ROUTES {
            match r.handler {
                Handler::Api(handler) => {
                    assert_eq!(r.kind, Kind::Api, "{r:?}");
                    let (_, paths, _) = handler();
                    let described: Vec<_> = paths.paths.keys().cloned().collect();
                    assert_eq!(described, [r.path.to_string()], "{r:?}");
                    let item = &paths.paths[r.path];
                    let op = match r.method {
                        "GET" => item.get.as_ref(),
                        "POST" => item.post.as_ref(),
                        _ => None,
                    };
                    assert!(op.is_some(), "{r:?} is not described for {}", r.method);
                }
                Handler::By(path) => {
                    assert!(
                        ROUTES
                            .iter()
                            .any(|o| o.path == path && o.method == r.method),
                        "{r:?}"
                    );
                }
                Handler::Plain(_) => assert_ne!(r.kind, Kind::Api, "{r:?} is not documented"),
            }
        }
    }

    /// The paths the pages link to (assets, feeds) are routes of the table.
    #[test]
    fn linked_paths_are_routes() {
        let linked = [assets::CSS_ROUTE, assets::HTMX_PATH]
            .into_iter()
            .chain(public::published::FEEDS.iter().map(|(path, _)| *path));
        for path in linked {
            assert!(
                ROUTES.iter().any(|r| r.path == path && r.method == "GET"),
                "{path}"
            );
        }
    }

    /// The kind says how errors look; it agrees with the rule the fallback uses for paths
    /// that match no route.
    #[test]
    fn kinds_agree_with_the_error_format_of_their_paths() {
        for r in ROUTES {
            assert_eq!(
                r.kind.html_errors(),
                crate::error_page::is_page_path(r.path),
                "{r:?}"
            );
        }
    }
}
