//! What the public reads, without signing in: the published verdicts as pages
//! (`/verdicts`, `/verdicts/{id}`), as ClaimReview JSON-LD (`/api/factchecks/{id}.jsonld`)
//! and as feeds (`/feeds/verdicts.{rss,atom,json}`).
//!
//! Only published fact-checks are shown: imported ones and desk-written verdicts whose case
//! is published. A draft's id answers 404, exactly like an id that does not exist, so the
//! public cannot learn which drafts exist.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LAST_MODIFIED,
};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use claimdesk_core::{DeskFactCheck, FactCheckId, StoredFactCheck};
use claimdesk_publish::{FeedEntry, FeedFormat, FeedInfo, claim_review, claim_review_script};
use claimdesk_store::Store;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::OpenApi;

use crate::error::{ApiError, ErrorCode};
use crate::pages::{Chrome, PageError, fail, render};
use crate::views::web_link;
use crate::{AppState, Lang};

/// Verdicts per page of `/verdicts`.
const PER_PAGE: u32 = 20;
/// Verdicts in each feed.
const FEED_ENTRIES: u32 = 50;
/// How long browsers and proxies may keep a public page or feed, in seconds.
const PUBLIC_MAX_AGE: &str = "public, max-age=300";

/// The feeds, as (path, format).
const FEEDS: [(&str, FeedFormat); 3] = [
    ("/feeds/verdicts.rss", FeedFormat::Rss),
    ("/feeds/verdicts.atom", FeedFormat::Atom),
    ("/feeds/verdicts.json", FeedFormat::JsonFeed),
];

/// The public routes. None of them needs a session.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/verdicts", get(verdicts))
        .route("/verdicts/{id}", get(verdict))
        .route("/feeds/verdicts.rss", get(rss))
        .route("/feeds/verdicts.atom", get(atom))
        .route("/feeds/verdicts.json", get(json_feed))
}

/// The OpenAPI description of `GET /api/factchecks/{id}.jsonld`. The route itself is
/// `/api/factchecks/{id}` (axum cannot match a parameter followed by a suffix in one
/// segment), which hands `{id}.jsonld` to [`fact_check_jsonld`].
#[derive(OpenApi)]
#[openapi(paths(jsonld_doc))]
pub(crate) struct JsonLdDoc;

/// A published fact-check as schema.org ClaimReview JSON-LD.
#[utoipa::path(
    get, path = "/api/factchecks/{id}.jsonld", tag = "factchecks",
    params(("id" = i64, Path, description = "The fact-check's id")),
    responses(
        (status = 200, description = "The ClaimReview", content_type = "application/ld+json"),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = crate::error::ErrorBody),
        (status = 404, description = "No such published fact-check (`not_found`)", body = crate::error::ErrorBody)
    )
)]
#[allow(dead_code)] // Describes the route only; `fact_check_jsonld` answers it.
async fn jsonld_doc() {}

/// The absolute URL of a verdict's public page.
fn page_url(state: &AppState, id: FactCheckId) -> String {
    format!("{}/verdicts/{}", state.config().public_base(), id.0)
}

/// A published fact-check, or `not_found` (for drafts too).
async fn published(state: &AppState, id: i64) -> Result<DeskFactCheck, ApiError> {
    state
        .store()
        .fact_check(FactCheckId(id))
        .await?
        .filter(|fc| fc.published)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("fact-check {id}")))
}

/// `GET /api/factchecks/{id}.jsonld`, with `id` already stripped of its suffix.
pub(crate) async fn fact_check_jsonld(state: &AppState, raw_id: &str) -> Response {
    let Ok(id) = raw_id.parse::<i64>() else {
        return ApiError::with_detail(ErrorCode::InvalidPath, format!("{raw_id:?} is not an id"))
            .into_response();
    };
    match published(state, id).await {
        Ok(fc) => {
            let doc = claim_review(&fc.fact_check, &page_url(state, fc.id));
            (
                [
                    (CONTENT_TYPE, "application/ld+json"),
                    (CACHE_CONTROL, PUBLIC_MAX_AGE),
                ],
                doc.to_string(),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// A `<link rel="alternate">` to a feed.
pub(crate) struct FeedLink {
    pub href: String,
    pub media_type: &'static str,
}

fn feed_links(state: &AppState) -> Vec<FeedLink> {
    FEEDS
        .iter()
        .map(|(path, format)| FeedLink {
            href: format!("{}{path}", state.config().public_base()),
            media_type: format.media_type(),
        })
        .collect()
}

/// A verdict as the public pages show it.
pub(crate) struct VerdictCard {
    pub id: i64,
    pub claim: String,
    pub headline: Option<String>,
    pub verdict: Option<String>,
    pub summary: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub language: Option<String>,
    pub language_name: Option<String>,
    /// The fact-check's own URL, as text.
    pub url: Option<String>,
    /// The same, when it is safe to link.
    pub link: Option<String>,
    /// Evidence: the URL as text and, when it is `http`/`https`, the link.
    pub evidence: Vec<(String, Option<String>)>,
}

impl VerdictCard {
    fn new(state: &AppState, chrome: &Chrome, fc: &DeskFactCheck) -> VerdictCard {
        let f = &fc.fact_check;
        let label = f.rating.as_ref().and_then(|r| r.label.as_deref());
        VerdictCard {
            id: fc.id.0,
            claim: f.claim.clone(),
            headline: nonempty(&f.headline),
            verdict: label.map(|l| verdict_in(state, l, chrome.lang)),
            summary: nonempty(&fc.summary),
            author: nonempty(&f.author),
            published: f.date_published.as_deref().map(|d| chrome.date(d)),
            language_name: f
                .language
                .as_deref()
                .map(|l| chrome.language_name(l).to_string()),
            language: nonempty(&f.language),
            url: nonempty(&f.url),
            link: f.url.as_deref().and_then(web_link).map(str::to_string),
            evidence: fc
                .evidence
                .iter()
                .map(|e| (e.clone(), web_link(e).map(str::to_string)))
                .collect(),
        }
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A verdict label in the reader's language when the desk's rating scale knows it, else as
/// stored.
fn verdict_in(state: &AppState, label: &str, lang: Lang) -> String {
    state
        .config()
        .rating_scale
        .verdict(label)
        .and_then(|v| v.label(lang.code()))
        .unwrap_or(label)
        .to_string()
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "verdicts.html")]
struct VerdictsPage {
    chrome: Chrome,
    feeds: Vec<FeedLink>,
    cards: Vec<VerdictCard>,
    position: String,
    prev: Option<String>,
    next: Option<String>,
}

async fn verdicts(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let number = match q.page.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| {
                fail(&chrome)(ApiError::with_detail(
                    ErrorCode::InvalidQuery,
                    format!("page={p:?}"),
                ))
            })?,
    };
    // One more than a page tells whether there is a next page without counting.
    let mut found = state
        .store()
        .published_fact_checks(PER_PAGE + 1, (number - 1) * PER_PAGE)
        .await
        .map_err(|e| fail(&chrome)(e.into()))?;
    let more = found.len() > PER_PAGE as usize;
    found.truncate(PER_PAGE as usize);
    let cards = found
        .iter()
        .map(|fc| VerdictCard::new(&state, &chrome, fc))
        .collect();
    let page = VerdictsPage {
        feeds: feed_links(&state),
        cards,
        position: chrome.t.with("public.page", &[("page", &number)]),
        prev: (number > 1).then(|| format!("/verdicts?page={}", number - 1)),
        next: more.then(|| format!("/verdicts?page={}", number + 1)),
        chrome,
    };
    Ok(public(render(StatusCode::OK, &page)))
}

#[derive(Template)]
#[template(path = "verdict.html")]
struct VerdictPage {
    chrome: Chrome,
    feeds: Vec<FeedLink>,
    card: VerdictCard,
    /// The ClaimReview `<script>` element, escaped by `claim_review_script` so it can be
    /// written as it is.
    json_ld: String,
}

async fn verdict(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = raw
        .parse::<i64>()
        .map_err(|_| fail(&chrome)(ApiError::new(ErrorCode::NotFound)))?;
    let fc = published(&state, id).await.map_err(fail(&chrome))?;
    let page = VerdictPage {
        feeds: feed_links(&state),
        card: VerdictCard::new(&state, &chrome, &fc),
        json_ld: claim_review_script(&fc.fact_check, &page_url(&state, fc.id)),
        chrome,
    };
    Ok(public(render(StatusCode::OK, &page)))
}

/// Lets caches keep a successful public response a while (staff pages are `no-store`).
fn public(mut r: Response) -> Response {
    if r.status().is_success() {
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_MAX_AGE));
    }
    r
}

async fn rss(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    feed(&state, lang, &headers, 0).await
}

async fn atom(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    feed(&state, lang, &headers, 1).await
}

async fn json_feed(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    feed(&state, lang, &headers, 2).await
}

/// The feed `FEEDS[which]` of the latest published verdicts, with an `ETag` (the body's
/// SHA-256) and `Last-Modified` (the newest verdict's date); `If-None-Match` with the
/// current tag gets 304.
async fn feed(state: &AppState, lang: Lang, headers: &HeaderMap, which: usize) -> Response {
    let (path, format) = FEEDS[which];
    let found = match state.store().published_fact_checks(FEED_ENTRIES, 0).await {
        Ok(found) => found,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let t = lang.messages();
    let base = state.config().public_base();
    let entries: Vec<FeedEntry> = found
        .iter()
        .map(|fc| {
            let mut stored = StoredFactCheck {
                id: fc.id,
                alias_of: fc.alias_of,
                fact_check: fc.fact_check.clone(),
            };
            if let Some(r) = stored.fact_check.rating.as_mut()
                && let Some(label) = r.label.as_deref()
            {
                r.label = Some(verdict_in(state, label, lang));
            }
            FeedEntry::from_fact_check(&stored, &page_url(state, fc.id))
        })
        .collect();
    let info = FeedInfo {
        title: t.get("public.feed_title").to_string(),
        site_url: format!("{base}/verdicts"),
        feed_url: format!("{base}{path}"),
        description: Some(t.get("public.feed_description").to_string()),
        language: Some(lang.code().to_string()),
        updated: None,
        author: None,
    };
    let mut body = Vec::new();
    if let Err(e) = claimdesk_publish::write_feed(format, &mut body, &info, &entries) {
        return ApiError::with_detail(ErrorCode::Internal, e.to_string()).into_response();
    }
    let etag = format!("\"{}\"", &hex(&Sha256::digest(&body))[..32]);
    let mut out = if matches_etag(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                CONTENT_TYPE,
                format!("{}; charset=utf-8", format.media_type()),
            )],
            body,
        )
            .into_response()
    };
    let h = out.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_MAX_AGE));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    if let Some(v) = last_modified(&found).and_then(|s| HeaderValue::from_str(&s).ok()) {
        h.insert(LAST_MODIFIED, v);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak tags compare by their value.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// The newest publication date among `found`, as an HTTP date.
fn last_modified(found: &[DeskFactCheck]) -> Option<String> {
    found
        .iter()
        .filter_map(|fc| fc.fact_check.date_published.as_deref())
        .filter_map(parse_instant)
        .max()
        .map(|ts| ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// A stored date: an RFC 3339 timestamp, else a plain date (its midnight, UTC).
fn parse_instant(s: &str) -> Option<jiff::Timestamp> {
    let s = s.trim();
    s.parse::<jiff::Timestamp>().ok().or_else(|| {
        s.parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_tags() {
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(matches_etag(&h, "\"b\""));
        assert!(!matches_etag(&h, "\"c\""));
    }

    #[test]
    fn dates_and_timestamps_become_http_dates() {
        let ts = parse_instant("2026-01-12").unwrap();
        assert_eq!(
            ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            "Mon, 12 Jan 2026 00:00:00 GMT"
        );
        assert!(parse_instant("2026-01-12T03:00:00+07:00").is_some());
        assert!(parse_instant("last week").is_none());
    }
}
