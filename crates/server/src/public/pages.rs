//! The public verdict pages: `/verdicts` (newest first) and `/verdicts/{id}` with its
//! ClaimReview in `<head>` and links to the feeds.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use claimdesk_core::DeskFactCheck;
use claimdesk_publish::script_safe_json;
use claimdesk_store::prelude::*;
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::error_page::{PageError, fail};
use crate::public::published::{
    FeedLink, desk_claim_review, feed_links, public, published, verdict_in,
};
use crate::render::{Chrome, render};
use crate::state::AppState;
use crate::views::web_link;

/// Verdicts per page of `/verdicts`.
const PER_PAGE: u32 = 20;

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
    /// That it was withdrawn and when (a sentence), and why.
    pub withdrawn: Option<(String, String)>,
}

impl VerdictCard {
    /// The card of `fc` in the page's language.
    fn new(state: &AppState, chrome: &Chrome, fc: &DeskFactCheck) -> VerdictCard {
        let f = &fc.fact_check;
        let label = f.rating.as_ref().and_then(|r| r.label.as_deref());
        VerdictCard {
            id: fc.id.0,
            claim: f.claim.clone(),
            headline: nonempty(&f.headline),
            verdict: label.map(|l| verdict_in(state, l, chrome.lang)),
            summary: nonempty(&f.review_body),
            // The desk's own verdicts are the publisher's ([publisher]), with the
            // fact-checker's byline when the desk has bylines; others keep their author.
            author: match fc.case {
                Some(_) => {
                    let publisher = &state.config().publisher;
                    let name = publisher.name_at(state.config().public_base());
                    match nonempty(&f.author) {
                        Some(by) if publisher.bylines => Some(format!("{name} · {by}")),
                        _ => Some(name),
                    }
                }
                None => nonempty(&f.author),
            },
            published: f.date_published.as_deref().map(|d| chrome.date(d)),
            language_name: f
                .language
                .as_deref()
                .map(|l| chrome.language_name(l).to_string()),
            language: nonempty(&f.language),
            url: nonempty(&f.url),
            link: f.url.as_deref().and_then(web_link).map(str::to_string),
            evidence: f
                .citations
                .iter()
                .map(|e| (e.clone(), web_link(e).map(str::to_string)))
                .collect(),
            withdrawn: fc.withdrawn.as_ref().map(|w| {
                let date = chrome.date(&w.at);
                let on = chrome.t.with("public.withdrawn_on", &[("date", &date)]);
                (on, w.reason.clone())
            }),
        }
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The page of `/verdicts` asked for.
#[derive(Deserialize)]
pub(crate) struct PageQuery {
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

/// `GET /verdicts`: the published verdicts, newest first.
pub(crate) async fn verdicts(
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
    /// The ClaimReview `<script>` element (empty for a fact-check the desk did not write),
    /// escaped by `script_safe_json` so it can be written as it is.
    json_ld: String,
    /// The fact-check's id, for its images' addresses.
    id: i64,
    /// The images the verdict reviewed (SHA-256, width, height); none once withdrawn.
    images: Vec<(String, u32, u32)>,
}

/// `GET /verdicts/{id}`: a published verdict (a draft's id is a 404); a withdrawn one
/// says when and why, without its ClaimReview.
pub(crate) async fn verdict(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = raw
        .parse::<i64>()
        .map_err(|_| fail(&chrome)(ApiError::new(ErrorCode::NotFound)))?;
    let fc = published(&state, id).await.map_err(fail(&chrome))?;
    let card = VerdictCard::new(&state, &chrome, &fc);
    // The markup names the verdict as the page shows it, in the page's language; a
    // withdrawn verdict is marked up no more (its page stays, saying so).
    let review = match fc.withdrawn {
        Some(_) => None,
        None => desk_claim_review(&state, &fc, card.verdict.as_deref())
            .await
            .map_err(fail(&chrome))?,
    };
    let json_ld = review
        .map(|v| {
            format!(
                "<script type=\"application/ld+json\">{}</script>",
                script_safe_json(&v)
            )
        })
        .unwrap_or_default();
    // The picture the claim came as, shown while the verdict stands.
    let images = match fc.withdrawn {
        Some(_) => Vec::new(),
        None => state
            .store()
            .fact_check_images(fc.id)
            .await
            .map_err(|e| fail(&chrome)(e.into()))?
            .into_iter()
            .map(|i| (i.sha256, i.width, i.height))
            .collect(),
    };
    let page = VerdictPage {
        feeds: feed_links(&state),
        card,
        json_ld,
        id,
        images,
        chrome,
    };
    Ok(public(render(StatusCode::OK, &page)))
}
