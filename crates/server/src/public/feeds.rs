//! The feeds of the latest published verdicts: RSS, Atom and JSON Feed, with `ETag` and
//! `Last-Modified`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LAST_MODIFIED,
};
use axum::response::{IntoResponse, Response};
use claimdesk_core::{DeskFactCheck, StoredFactCheck};
use claimdesk_publish::{FeedEntry, FeedInfo};
use claimdesk_store::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::public::published::{FEEDS, PUBLIC_MAX_AGE, page_url, verdict_in};
use crate::state::AppState;

/// Verdicts in each feed.
const FEED_ENTRIES: u32 = 50;

/// `GET /feeds/verdicts.rss`.
pub(crate) async fn rss(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    feed(&state, lang, &headers, 0).await
}

/// `GET /feeds/verdicts.atom`.
pub(crate) async fn atom(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
) -> Response {
    feed(&state, lang, &headers, 1).await
}

/// `GET /feeds/verdicts.json`.
pub(crate) async fn json_feed(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
) -> Response {
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
