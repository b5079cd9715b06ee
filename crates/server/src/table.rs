//! The route table: every route of the application, once, with who may use it, what it
//! answers and its handler. The router (`router.rs`), the guard's access list, the API
//! route list (and so the OpenAPI document) and the metrics labels are derived from it.
//!
//! Architecture invariant: the table is the only list of routes. A route missing here is
//! not served, and the guard refuses any path the table does not name (fail closed).

use axum::routing::{MethodRouter, get, post};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::cases::api as case_api;
use crate::cases::pages as case_pages;
use crate::route::Access::{Admin, Change, Public, SignedIn};
use crate::route::{Access, BodySize, Handler, Kind, Route};
use crate::state::AppState;
use crate::{
    assets, check, dashboard, digests, export, factchecks, images, intake, items, language, login,
    matching, monitoring, ops, public, sources,
};

const GET: &str = "GET";
const POST: &str = "POST";

const fn route(m: &'static str, path: &'static str, a: Access, k: Kind, h: Handler) -> Route {
    Route {
        method: m,
        path,
        access: a,
        kind: k,
        body: BodySize::Small,
        handler: h,
    }
}

/// `r`, reading a body up to the upload limit: a form or multipart body with images.
const fn upload(r: Route) -> Route {
    Route {
        body: BodySize::Upload,
        ..r
    }
}

/// An HTML page.
const fn page(
    m: &'static str,
    p: &'static str,
    a: Access,
    h: fn() -> MethodRouter<AppState>,
) -> Route {
    route(m, p, a, Kind::Page, Handler::Plain(h))
}

/// A public feed.
const fn feed(p: &'static str, h: fn() -> MethodRouter<AppState>) -> Route {
    route(GET, p, Public, Kind::Feed, Handler::Plain(h))
}

/// A staff download.
const fn download(p: &'static str, h: fn() -> MethodRouter<AppState>) -> Route {
    route(GET, p, SignedIn, Kind::Download, Handler::Plain(h))
}

/// A static file.
const fn asset(p: &'static str, h: fn() -> MethodRouter<AppState>) -> Route {
    route(GET, p, Public, Kind::Asset, Handler::Plain(h))
}

/// An API route, its handler with its OpenAPI description.
const fn api(
    m: &'static str,
    p: &'static str,
    a: Access,
    h: fn() -> UtoipaMethodRouter<AppState>,
) -> Route {
    route(m, p, a, Kind::Api, Handler::Api(h))
}

/// An API route served by another route's handler.
const fn served_by(p: &'static str, a: Access, by: &'static str) -> Route {
    route(GET, p, a, Kind::Api, Handler::By(by))
}

/// Every route the router serves, with its access, kind and handler. The guard refuses any
/// route missing here, and a test requests every one of them.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    // Pages.
    page(GET, "/", SignedIn, || get(items::pages::queue)),
    page(GET, "/items/{id}", SignedIn, || get(items::pages::item)),
    page(POST, "/items/{id}/link", Change, || post(case_pages::page_link_item)),
    page(POST, "/items/{id}/case", Change, || post(case_pages::page_open_case)),
    page(GET, "/factchecks", SignedIn, || get(factchecks::pages::fact_checks)),
    page(GET, "/factchecks/{id}", SignedIn, || get(factchecks::pages::fact_check)),
    page(POST, "/factchecks/{id}/withdraw", Admin, || post(factchecks::pages::withdraw_fact_check)),
    page(GET, "/cases", SignedIn, || get(case_pages::cases_page)),
    page(GET, "/cases/{id}", SignedIn, || get(case_pages::case_page)),
    page(GET, "/sources", SignedIn, || get(sources::sources_page)),
    page(POST, "/sources", Admin, || post(sources::add_source)),
    page(POST, "/sources/{id}/pause", Admin, || post(sources::pause_source)),
    page(POST, "/sources/{id}/resume", Admin, || post(sources::resume_source)),
    page(POST, "/sources/{id}/remove", Admin, || post(sources::remove_source)),
    page(POST, "/cases/{id}/transition", Change, || post(case_pages::page_transition)),
    page(POST, "/cases/{id}/assign", Change, || post(case_pages::page_assign)),
    page(POST, "/cases/{id}/notes", Change, || post(case_pages::page_note)),
    page(POST, "/cases/{id}/evidence", Change, || post(case_pages::page_evidence)),
    page(POST, "/cases/{id}/verdict", Change, || post(case_pages::page_verdict)),
    page(GET, "/narratives", SignedIn, || get(monitoring::pages::narratives_page)),
    page(GET, "/narratives/{id}", SignedIn, || get(monitoring::pages::narrative_page)),
    page(GET, "/alerts", SignedIn, || get(monitoring::pages::alerts_page)),
    page(POST, "/alerts/{id}/acknowledge", Change, || post(monitoring::pages::acknowledge_alert)),
    page(POST, "/alerts/{id}/dismiss", Change, || post(monitoring::pages::dismiss_alert)),
    page(POST, "/narratives/{id}/case", Change, || post(monitoring::pages::open_narrative_case)),
    page(GET, "/dashboard", Change, || get(dashboard::dashboard_page)),
    // The privacy check before posting (issue 21): any signed-in staff member.
    page(GET, "/check", SignedIn, || get(check::check_page)),
    upload(page(POST, "/check", SignedIn, || post(check::check_submit))),
    page(GET, "/digests", Change, || get(digests::digests_page)),
    page(GET, "/lang/{code}", Public, || get(language::switch_language)),
    page(GET, "/login", Public, || get(login::login_form)),
    page(POST, "/login", Public, || post(login::login)),
    page(POST, "/logout", SignedIn, || post(login::logout)),
    // Published verdicts, for the public.
    page(GET, "/verdicts", Public, || get(public::pages::verdicts)),
    page(GET, "/verdicts/{id}", Public, || get(public::pages::verdict)),
    // The image a published verdict reviewed (issue 20): a public download.
    route(GET, "/verdicts/{id}/images/{sha256}", Public, Kind::Download,
        Handler::Plain(|| get(images::verdict_image))),
    feed("/feeds/verdicts.rss", || get(public::feeds::rss)),
    feed("/feeds/verdicts.atom", || get(public::feeds::atom)),
    feed("/feeds/verdicts.json", || get(public::feeds::json_feed)),
    // The audit trail's signed checkpoints and their key, for witnesses.
    feed(public::audit::CHECKPOINTS_PATH, || get(public::audit::checkpoints)),
    feed(public::audit::KEY_PATH, || get(public::audit::key)),
    // Staff downloads.
    download("/export/factchecks.csv", || get(export::fact_checks_csv)),
    download("/export/factchecks.jsonl", || get(export::fact_checks_jsonl)),
    download("/export/cases.csv", || get(export::cases_csv)),
    download("/export/cases.jsonl", || get(export::cases_jsonl)),
    route(GET, "/dashboard/{figure}", Change, Kind::Download,
        Handler::Plain(|| get(dashboard::figure_download))),
    route(GET, "/digests/{digest}", Change, Kind::Download,
        Handler::Plain(|| get(digests::digest_file))),
    // The images items and fact-checks carry (issue 20).
    download("/images/{sha256}", || get(images::image_file)),
    // Assets.
    asset(assets::CSS_ROUTE, || get(assets::css)),
    asset(assets::HTMX_PATH, || get(assets::htmx)),
    // The JSON API and the machine endpoints (the OpenAPI document describes each).
    api(GET, "/api/items", SignedIn, || routes!(items::api::list_items)),
    api(POST, "/api/items", Change, || routes!(intake::api_add_items)),
    upload(api(POST, "/api/items/upload", Change, || routes!(intake::api_upload_item))),
    api(GET, "/api/items/{id}", SignedIn, || routes!(items::api::get_item)),
    api(POST, "/api/items/{id}/match", Change, || routes!(case_api::api_link_item)),
    api(POST, "/api/items/{id}/case", Change, || routes!(case_api::api_open_case)),
    api(GET, "/api/factchecks", SignedIn, || routes!(factchecks::api::list_fact_checks)),
    api(POST, "/api/factchecks", Admin, || routes!(case_api::api_add_fact_check)),
    api(GET, "/api/factchecks/{id}", SignedIn, || routes!(factchecks::api::get_fact_check)),
    api(POST, "/api/factchecks/{id}/withdraw", Admin, || routes!(factchecks::api::api_withdraw_fact_check)),
    api(GET, "/api/cases", SignedIn, || routes!(case_api::api_list_cases)),
    api(GET, "/api/cases/{id}", SignedIn, || routes!(case_api::api_get_case)),
    api(POST, "/api/cases/{id}/transition", Change, || routes!(case_api::api_transition)),
    api(POST, "/api/cases/{id}/assign", Change, || routes!(case_api::api_assign)),
    api(POST, "/api/cases/{id}/notes", Change, || routes!(case_api::api_note)),
    api(POST, "/api/cases/{id}/evidence", Change, || routes!(case_api::api_evidence)),
    api(POST, "/api/cases/{id}/verdict", Change, || routes!(case_api::api_verdict)),
    api(GET, "/api/narratives", SignedIn, || routes!(monitoring::api::api_narratives)),
    api(GET, "/api/narratives/{id}", SignedIn, || routes!(monitoring::api::api_narrative)),
    api(GET, "/api/alerts", SignedIn, || routes!(monitoring::api::api_alerts)),
    api(GET, "/api/stats", Change, || routes!(dashboard::api_stats)),
    api(POST, "/api/match", SignedIn, || routes!(matching::match_text)),
    upload(api(POST, "/api/check", SignedIn, || routes!(check::api_check))),
    api(GET, "/api/openapi.json", Public, || routes!(ops::openapi_json)),
    served_by("/api/factchecks/{id}.jsonld", Public, "/api/factchecks/{id}"),
    api(GET, "/healthz", Public, || routes!(ops::healthz)),
    api(GET, "/metrics", Public, || routes!(ops::metrics)),
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
