//! The queue and an item's pages (`/`, `/items/{id}`): the items with their matches and why
//! each matched, the item's check-worthy sentences and its case.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use claimdesk_core::ItemId;
use claimdesk_store::WORTHINESS_LEVELS;
use claimdesk_store::prelude::*;
use claimdesk_text::{Analysis, Form};

use crate::cases::ops::item_case_status;
use crate::cases::pages::status_options;
use crate::error_page::{PageError, fail, page_id};
use crate::i18n::Messages;
use crate::items::load::{load_item, load_queue};
use crate::params::QueueQuery;
use crate::render::{Chrome, Pager, SelectOption, options, pager, render};
use crate::state::AppState;
use crate::views::{ItemDetail, ItemList, MatchView, web_link};

/// Terms shown per match in the "why" list.
const TERMS_SHOWN: usize = 8;
/// Characters of an item's text shown in the queue.
const EXCERPT: usize = 280;

/// A match as the pages show it, with its numbers formatted and names translated.
pub(crate) struct MatchCard {
    pub m: MatchView,
    /// Only the nearest fact-check, not a match.
    pub nearest: bool,
    /// The signals in the page's language.
    pub signals: Vec<String>,
    pub score: String,
    pub lexical: String,
    pub cosine: Option<String>,
    pub retrievers: String,
    /// Words in common: as the post writes them, the index's term when it differs (the
    /// accent-free or stemmed form), the field and the contribution.
    pub terms: Vec<(String, Option<String>, String, String)>,
    pub features: Vec<(String, String, String)>,
    pub link: Option<String>,
}

/// The words of the post that an index term stands for, as the post writes them (in the
/// normalized, lowercase form, accents kept): `nước chanh` for the accent-free bigram
/// `nuoc_chanh`. `None` when no word of the post gives the term.
fn as_written(post: &Analysis, term: &str) -> Option<String> {
    let gives = |w: &claimdesk_text::Word, t: &str| {
        [Form::Exact, Form::Folded]
            .into_iter()
            .any(|f| claimdesk_text::term(w, f).as_deref() == Some(t))
    };
    let mut found: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !found.contains(&s) {
            found.push(s);
        }
    };
    match term.split_once('_') {
        Some((a, b)) => {
            for pair in post.words.windows(2) {
                if gives(&pair[0], a) && gives(&pair[1], b) {
                    push(format!("{} {}", pair[0].text, pair[1].text));
                }
            }
        }
        None => {
            for w in post.words.iter().filter(|w| gives(w, term)) {
                push(w.text.clone());
            }
        }
    }
    (!found.is_empty()).then(|| found.join(", "))
}

/// The match with its fact-check's rating in `lang` when the desk's scale knows it.
fn in_lang(state: &AppState, lang: crate::i18n::Lang, mut m: MatchView) -> MatchView {
    m.fact_check.verdict = m
        .fact_check
        .verdict
        .map(|v| crate::public::published::verdict_in(state, &v, lang));
    m
}

impl MatchCard {
    fn new(t: &Messages, m: MatchView, post: &Analysis) -> MatchCard {
        let name =
            |prefix: &str, n: &str| t.lookup(&format!("{prefix}.{n}")).unwrap_or(n).to_string();
        MatchCard {
            nearest: m.why.is_nearest(),
            signals: m
                .why
                .signals
                .iter()
                .map(|s| name("signal", s.code()))
                .collect(),
            // With the model, the verifier's probability is what a reader should weigh.
            score: format!("{:.3}", m.why.probability.unwrap_or(m.score)),
            lexical: format!("{:.2}", m.why.lexical),
            cosine: m.why.cosine.map(|c| format!("{c:.3}")),
            retrievers: m
                .why
                .retrievers
                .iter()
                .map(|r| name("retriever", r))
                .collect::<Vec<_>>()
                .join(", "),
            terms: m
                .why
                .terms
                .iter()
                .take(TERMS_SHOWN)
                .map(|h| {
                    let written = as_written(post, &h.term);
                    let index = match &written {
                        Some(w) if *w == h.term.replace('_', " ") => None,
                        _ => Some(h.term.clone()),
                    };
                    (
                        written.unwrap_or_else(|| h.term.replace('_', " ")),
                        index,
                        name("field", h.field.as_str()),
                        format!("{:.2}", h.score),
                    )
                })
                .collect(),
            features: m
                .why
                .features
                .iter()
                .map(|f| {
                    (
                        f.name.to_string(),
                        format!("{:.3}", f.value),
                        format!("{:+.2}", f.effect),
                    )
                })
                .collect(),
            link: m
                .fact_check
                .url
                .as_deref()
                .and_then(web_link)
                .map(str::to_string),
            m,
        }
    }
}

/// An item of the queue as the page shows it.
pub(crate) struct QueueRow {
    pub id: i64,
    pub excerpt: String,
    pub language: Option<String>,
    pub source: Option<String>,
    pub published: Option<String>,
    pub top: Option<MatchCard>,
    /// The item's case status, in words.
    pub case_status: Option<String>,
    /// Its check-worthiness, two decimals, if it was scored.
    pub worthiness: Option<String>,
    /// Scored below the match threshold, so not matched.
    pub below_threshold: bool,
    /// How many images it came with (kept ones; 0 for a text post).
    pub images: u32,
}

fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(EXCERPT).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    chrome: Chrome,
    q: String,
    from: String,
    to: String,
    statuses: Vec<SelectOption>,
    case_statuses: Vec<SelectOption>,
    worthiness: Vec<SelectOption>,
    languages: Vec<SelectOption>,
    sources: Vec<SelectOption>,
    rows: Vec<QueueRow>,
    pager: Pager,
}

/// `GET /`: the queue, filtered by the query's parameters.
pub(crate) async fn queue(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("queue");
    let list: ItemList = load_queue(&state, &q).await.map_err(fail(&chrome))?;
    let facets = state
        .store()
        .item_facets()
        .await
        .map_err(|e| fail(&chrome)(e.into()))?;
    let t = chrome.t;
    let statuses = ["matched", "confident", "review", "unmatched"]
        .into_iter()
        .map(|s| (s.to_string(), t.get(&format!("status.{s}")).to_string()))
        .collect();
    let languages = facets
        .languages
        .into_iter()
        .map(|l| {
            let label = chrome.language_name(&l).to_string();
            (l, label)
        })
        .collect();
    let mut sources: Vec<(String, String)> =
        facets.sources.into_iter().map(|s| (s.clone(), s)).collect();
    // The facets list the busiest sources; the one asked for stays chosen.
    if let Some(s) = q.source.as_deref().map(str::trim).filter(|s| !s.is_empty())
        && !sources.iter().any(|(v, _)| v == s)
    {
        sources.push((s.to_string(), s.to_string()));
    }
    let pager = pager(t, &list.paging, list.items.len(), "/", |p| q.with_page(p));
    let ids: Vec<ItemId> = list.items.iter().map(|e| ItemId(e.item.id)).collect();
    let images: std::collections::HashMap<ItemId, u32> = state
        .store()
        .item_image_counts(&ids)
        .await
        .map_err(|e| fail(&chrome)(e.into()))?
        .into_iter()
        .collect();
    let rows = list
        .items
        .into_iter()
        .map(|e| QueueRow {
            id: e.item.id,
            excerpt: excerpt(&e.item.text),
            published: e.item.published_at.as_deref().map(|d| chrome.date(d)),
            language: e.item.language,
            source: e.item.source,
            // The queue shows no words in common: no analysis of the post.
            top: e
                .top_match
                .map(|m| MatchCard::new(t, in_lang(&state, chrome.lang, m), &Analysis::default())),
            case_status: e
                .case_status
                .map(|s| t.get(&format!("case_status.{s}")).to_string()),
            worthiness: e.check_worthiness.map(|s| format!("{s:.2}")),
            below_threshold: e.below_threshold,
            images: images.get(&ItemId(e.item.id)).copied().unwrap_or(0),
        })
        .collect();
    // The check-worthiness filter offers the levels the queue reads off an index of their own.
    let worthiness = WORTHINESS_LEVELS
        .into_iter()
        .map(|v| (format!("{v}"), format!("≥ {v}")))
        .collect();
    let page = QueuePage {
        statuses: options(t, "filter.any_status", q.status.as_deref(), statuses),
        case_statuses: status_options(&chrome, q.case.as_deref().map(str::trim)),
        worthiness: options(t, "filter.any_worthiness", q.worthy.as_deref(), worthiness),
        languages: options(t, "filter.any_language", q.language.as_deref(), languages),
        sources: options(t, "filter.any_source", q.source.as_deref(), sources),
        q: QueueQuery::shown(&q.q).to_string(),
        from: QueueQuery::shown(&q.from).to_string(),
        to: QueueQuery::shown(&q.to).to_string(),
        rows,
        pager,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    chrome: Chrome,
    item_id: i64,
    can_change: bool,
    /// The item's case: its id and status in words.
    case: Option<(i64, String)>,
    detail: ItemDetail,
    link: Option<String>,
    published: Option<String>,
    cards: Vec<MatchCard>,
    /// The item's sentences, most check-worthy first, with their scores (two decimals).
    sentences: Vec<(String, String)>,
    /// The images it came with.
    images: Vec<ImageView>,
    /// Fact-checks whose images its images nearly duplicate: id, claim, explanation.
    image_matches: Vec<(i64, String, String)>,
    /// The item's own text: its text without what was read from its images (shown under
    /// each image instead, marked as read from it).
    own_text: String,
    /// Whether part of the item's text was read from its images.
    read_from_images: bool,
}

/// An item's image as its page shows it.
struct ImageView {
    sha256: Option<String>,
    name: Option<String>,
    width: u32,
    height: u32,
    note: Option<String>,
    refused: Option<String>,
    text: Option<String>,
    ocr_note: Option<String>,
}

/// What the item page shows of an item's images.
struct ItemImages {
    /// Each image as sent.
    views: Vec<ImageView>,
    /// Fact-checks whose images its images nearly duplicate: id, claim, explanation.
    matches: Vec<(i64, String, String)>,
    /// The item's own text, and whether the rest of `text` was read from the images.
    own_text: String,
    read_from_images: bool,
}

/// The item's images, the fact-checks their near-duplicates are on, and its `text` split
/// into its own and what was read from them.
async fn item_images(
    state: &AppState,
    id: i64,
    text: &str,
) -> Result<ItemImages, crate::error::ApiError> {
    let images = state.store().item_images(ItemId(id)).await?;
    let (own, read) = claimdesk_engine::ImageDesk::split_text(text, &images);
    let (own_text, read_from_images) = (own.to_string(), read.is_some());
    let engine = state.engine();
    let matches = engine
        .images()
        .matches(state.store(), &images)
        .await
        .map_err(|e| {
            crate::error::ApiError::with_detail(crate::error::ErrorCode::Internal, e.to_string())
        })?;
    let ids: Vec<_> = matches.iter().map(|m| m.fact_check).collect();
    let fact_checks = state.store().fact_checks_by_id(&ids).await?;
    let image_matches = matches
        .iter()
        .map(|m| {
            let claim = fact_checks
                .iter()
                .find(|f| f.id == m.fact_check)
                .map_or_else(String::new, |f| f.fact_check.claim.clone());
            (m.fact_check.0, claim, m.explanation())
        })
        .collect();
    let views = images
        .into_iter()
        .map(|i| {
            let (width, height) = i.image.as_ref().map_or((0, 0), |s| (s.width, s.height));
            // The page shows the name before the reason: not twice.
            let refused = i.refused.map(|why| match &i.name {
                Some(name) => why
                    .strip_prefix(name.as_str())
                    .and_then(|rest| rest.strip_prefix(": "))
                    .map_or_else(|| why.clone(), str::to_string),
                None => why,
            });
            ImageView {
                sha256: i.image.as_ref().map(|s| s.sha256.clone()),
                name: i.name,
                width,
                height,
                note: i.note,
                refused,
                text: i.image.as_ref().and_then(|s| s.ocr_text.clone()),
                ocr_note: i.image.and_then(|s| s.ocr_note),
            }
        })
        .collect();
    Ok(ItemImages {
        views,
        matches: image_matches,
        own_text,
        read_from_images,
    })
}

/// `GET /items/{id}`: an item with its matches.
pub(crate) async fn item(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("queue");
    let id = page_id(&chrome, &raw)?;
    let mut detail = load_item(&state, id).await.map_err(fail(&chrome))?;
    let images = item_images(&state, id, &detail.item.text)
        .await
        .map_err(fail(&chrome))?;
    let mut sentences: Vec<_> = detail
        .check_worthiness
        .as_ref()
        .map(|cw| cw.sentences.iter().collect())
        .unwrap_or_default();
    sentences.sort_by(|a, b| b.score.total_cmp(&a.score));
    let sentences = sentences
        .into_iter()
        .map(|s| (s.text.clone(), format!("{:.2}", s.score)))
        .collect();
    let post = Analysis::new(&detail.item.text);
    let cards = std::mem::take(&mut detail.matches)
        .into_iter()
        .map(|m| MatchCard::new(chrome.t, in_lang(&state, chrome.lang, m), &post))
        .collect();
    let case = item_case_status(&state, id)
        .await
        .map_err(fail(&chrome))?
        .map(|c| {
            let label = chrome
                .t
                .get(&format!("case_status.{}", c.status.as_str()))
                .to_string();
            (c.id.0, label)
        });
    let page = ItemPage {
        item_id: id,
        can_change: chrome
            .user
            .as_ref()
            .is_some_and(|u| u.role >= claimdesk_core::Role::Editor),
        case,
        link: detail.item.link().map(str::to_string),
        published: detail.item.published_at.as_deref().map(|d| chrome.date(d)),
        cards,
        sentences,
        images: images.views,
        image_matches: images.matches,
        own_text: images.own_text,
        read_from_images: images.read_from_images,
        detail,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Words in common" shows the post's words, not only the index's accent-free forms
    /// (issue 16).
    #[test]
    fn index_terms_are_shown_as_the_post_writes_them() {
        let post = Analysis::new("Mn ơi uống NƯỚC CHANH nóng mỗi sáng, nước chanh diệt tế bào");
        assert_eq!(as_written(&post, "nuoc").as_deref(), Some("nước"));
        assert_eq!(
            as_written(&post, "nuoc_chanh").as_deref(),
            Some("nước chanh")
        );
        assert_eq!(as_written(&post, "nước").as_deref(), Some("nước"));
        assert_eq!(as_written(&post, "te_bao").as_deref(), Some("tế bào"));
        assert_eq!(as_written(&post, "ung_thu"), None);
        let english = Analysis::new("Hot lemons cure everything");
        assert_eq!(as_written(&english, "lemon").as_deref(), Some("lemons"));
    }
}
