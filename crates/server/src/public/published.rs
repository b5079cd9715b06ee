//! What the public pages, feeds and JSON-LD share: which fact-checks are public, where
//! their pages and feeds are, verdicts in the reader's language, and public caching.

use axum::http::header::{CACHE_CONTROL, HeaderMap, HeaderValue, VARY};
use axum::response::Response;
use claimdesk_core::{DeskFactCheck, FactCheckId};
use claimdesk_publish::{Appearance, DeskReview, FeedFormat};
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::state::AppState;

/// How long browsers and proxies may keep a public page or feed, in seconds.
pub(crate) const PUBLIC_MAX_AGE: &str = "public, max-age=300";

/// The feeds, as (path, format).
pub(crate) const FEEDS: [(&str, FeedFormat); 3] = [
    ("/feeds/verdicts.rss", FeedFormat::Rss),
    ("/feeds/verdicts.atom", FeedFormat::Atom),
    ("/feeds/verdicts.json", FeedFormat::JsonFeed),
];

/// The absolute URL of a verdict's public page.
pub(crate) fn page_url(state: &AppState, id: FactCheckId) -> String {
    format!("{}/verdicts/{}", state.config().public_base(), id.0)
}

/// The fact-check with the address it is read at: its own URL, else, for a verdict the
/// desk wrote and published, its public page (the address its page and JSON-LD give). A
/// desk verdict's `date_published` is set when its case is published, so a draft keeps no
/// URL.
pub(crate) fn with_public_url(
    state: &AppState,
    id: FactCheckId,
    mut fc: claimdesk_core::FactCheck,
) -> claimdesk_core::FactCheck {
    let blank = fc.url.as_deref().is_none_or(|u| u.trim().is_empty());
    if blank
        && fc.date_published.is_some()
        && claimdesk_store::verdict_case(&fc.source_id).is_some()
    {
        fc.url = Some(page_url(state, id));
    }
    fc
}

/// A published fact-check, or `not_found` (for drafts too).
pub(crate) async fn published(state: &AppState, id: i64) -> Result<DeskFactCheck, ApiError> {
    state
        .store()
        .fact_check(FactCheckId(id))
        .await?
        .filter(|fc| fc.published)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("fact-check {id}")))
}

/// A `<link rel="alternate">` to a feed.
pub(crate) struct FeedLink {
    pub href: String,
    pub media_type: &'static str,
    /// Its name for people, a catalog key ("RSS feed").
    pub name_key: &'static str,
}

/// The `<link rel="alternate">`s to the feeds.
pub(crate) fn feed_links(state: &AppState) -> Vec<FeedLink> {
    FEEDS
        .iter()
        .map(|(path, format)| FeedLink {
            href: format!("{}{path}", state.config().public_base()),
            media_type: format.media_type(),
            name_key: match format {
                FeedFormat::Rss => "public.feed_rss",
                FeedFormat::Atom => "public.feed_atom",
                FeedFormat::JsonFeed => "public.feed_json",
            },
        })
        .collect()
}

/// A verdict label in the reader's language when the desk's rating scale knows it, else as
/// stored.
pub(crate) fn verdict_in(state: &AppState, label: &str, lang: Lang) -> String {
    state
        .config()
        .rating_scale
        .verdict(label)
        .and_then(|v| v.label(lang.code()))
        .unwrap_or(label)
        .to_string()
}

/// Lets caches keep a successful public page a while (staff pages are `no-store`), one copy
/// per language: the page is in the reader's language (see [`vary_by_language`]).
pub(crate) fn public(mut r: Response) -> Response {
    if r.status().is_success() {
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_MAX_AGE));
        vary_by_language(r.headers_mut());
    }
    r
}

/// Says that the response depends on the reader's language, which comes from the language
/// cookie, else `Accept-Language`: a shared cache must not serve one reader's language to
/// another. Added to any `Vary` already there (compression adds `accept-encoding` later).
pub(crate) fn vary_by_language(h: &mut HeaderMap) {
    h.append(VARY, HeaderValue::from_static("accept-language, cookie"));
}

/// The ClaimReview of a published fact-check, as its public page and `.jsonld` give it:
/// only a verdict the desk wrote has one (an imported fact-check is another newsroom's:
/// shown and cited, not marked up as ours), and only when it has a rating in words. The
/// claim's appearances are its case's item; the author is the desk's publisher, and the
/// fact-checker too when the desk has bylines. `label` is the verdict as the page shows it.
pub(crate) async fn desk_claim_review(
    state: &AppState,
    fc: &DeskFactCheck,
    label: Option<&str>,
) -> Result<Option<serde_json::Value>, ApiError> {
    let Some(case_id) = fc.case else {
        return Ok(None);
    };
    let store = state.store();
    let case = store.case(case_id).await?;
    let mut appearances = Vec::new();
    if let Some(item) = case.as_ref().and_then(|c| c.item)
        && let Some(stored) = store.item(item).await?
        && let Some(url) = stored.item.url
    {
        appearances.push(Appearance {
            url,
            date_published: stored.item.published_at,
        });
    }
    let byline = match fc.author_user {
        Some(id) if state.config().publisher.bylines => store.user_by_id(id).await?.map(|u| {
            if u.display_name.trim().is_empty() {
                u.username
            } else {
                u.display_name
            }
        }),
        _ => None,
    };
    let page = page_url(state, fc.id);
    let review = DeskReview {
        fact_check: &fc.fact_check,
        page_url: &page,
        desk_url: state.config().public_base(),
        publisher: &state.config().publisher,
        byline: byline.as_deref(),
        appearances: &appearances,
        rating_label: label,
        date_modified: case.as_ref().map(|c| c.updated_at.as_str()),
    };
    Ok(review.claim_review())
}
