//! The feeds of the latest published verdicts: RSS, Atom and JSON Feed, with `ETag` and
//! `Last-Modified`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use axum::response::{IntoResponse, Response};
use claimdesk_core::{DeskFactCheck, StoredFactCheck};
use claimdesk_publish::{FeedEntry, FeedInfo};
use claimdesk_store::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::public::published::{FEEDS, PUBLIC_MAX_AGE, page_url, vary_by_language, verdict_in};
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
/// SHA-256) and `Last-Modified` (the newest verdict's change); `If-None-Match` with the
/// current tag gets 304, and so does `If-Modified-Since` at or after `Last-Modified` (when
/// no `If-None-Match` is sent). The feed is in the reader's language: `Vary` says so.
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
                withdrawn: None,
            };
            if let Some(r) = stored.fact_check.rating.as_mut()
                && let Some(label) = r.label.as_deref()
            {
                r.label = Some(verdict_in(state, label, lang));
            }
            let mut entry = FeedEntry::from_fact_check(&stored, &page_url(state, fc.id));
            entry.updated = fc.recorded_at.clone();
            entry
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
    let modified = last_modified(&found);
    let mut out = if matches_etag(headers, &etag) || not_modified_since(headers, modified) {
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
    vary_by_language(h);
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    if let Some(v) = modified
        .map(http_date)
        .and_then(|s| HeaderValue::from_str(&s).ok())
    {
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

/// The newest change among `found` (publication dates and the times the store recorded
/// them), to the second: HTTP dates have no finer unit.
fn last_modified(found: &[DeskFactCheck]) -> Option<jiff::Timestamp> {
    found
        .iter()
        .flat_map(|fc| [&fc.fact_check.date_published, &fc.recorded_at])
        .filter_map(|d| d.as_deref())
        .filter_map(parse_instant)
        .max()
        .and_then(|ts| jiff::Timestamp::from_second(ts.as_second()).ok())
}

/// `ts` as an HTTP date (`Mon, 12 Jan 2026 00:00:00 GMT`).
fn http_date(ts: jiff::Timestamp) -> String {
    ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether `If-Modified-Since` is at or after `modified` (RFC 9110 13.1.3): ignored when
/// `If-None-Match` is sent, or when it is not an HTTP date.
fn not_modified_since(headers: &HeaderMap, modified: Option<jiff::Timestamp>) -> bool {
    if headers.contains_key(IF_NONE_MATCH) {
        return false;
    }
    let Some(modified) = modified else {
        return false;
    };
    headers
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
        .is_some_and(|since| since >= modified)
}

/// An HTTP date in its preferred form (`Mon, 12 Jan 2026 00:00:00 GMT`).
fn parse_http_date(s: &str) -> Option<jiff::Timestamp> {
    jiff::fmt::strtime::parse("%a, %d %b %Y %H:%M:%S GMT", s.trim())
        .ok()?
        .to_datetime()
        .ok()?
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
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
        assert_eq!(http_date(ts), "Mon, 12 Jan 2026 00:00:00 GMT");
        assert_eq!(parse_http_date("Mon, 12 Jan 2026 00:00:00 GMT"), Some(ts));
        assert_eq!(parse_http_date("yesterday"), None);
        assert!(parse_instant("2026-01-12T03:00:00+07:00").is_some());
        assert!(parse_instant("last week").is_none());
    }
}
