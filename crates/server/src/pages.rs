//! The HTML desk: queue, item, fact-check list and fact-check pages, the language switch and
//! the error pages. Templates are askama (compile-checked, HTML auto-escaped); every word
//! comes from the catalogs.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use claimdesk_store::Store;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::api::{load_fact_check, load_fact_checks, load_item, load_queue};
use crate::assets::{CSS_PATH, HTMX_PATH};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorCode};
use crate::i18n::{LANG_COOKIE, Lang, Messages};
use crate::params::{QueueQuery, SearchQuery};
use crate::views::{
    FactCheckDetail, FactCheckView, ItemDetail, ItemList, MatchView, PageInfo, web_link,
};
use crate::{AppState, cases, login, time};

/// Terms shown per match in the "why" list.
const TERMS_SHOWN: usize = 8;
/// Characters of an item's text shown in the queue.
const EXCERPT: usize = 280;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(queue))
        .route("/items/{id}", get(item))
        .route("/factchecks", get(fact_checks))
        .route("/factchecks/{id}", get(fact_check))
        .route("/sources", get(crate::sources::sources_page))
        .route("/items/{id}/link", post(cases::page_link_item))
        .route("/items/{id}/case", post(cases::page_open_case))
        .route("/lang/{code}", get(switch_language))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(login::logout))
        .merge(cases::pages())
        .merge(crate::monitoring::pages())
}

/// Whether a path is an HTML page (errors on it get the error page, not JSON).
pub(crate) fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/static/")
        || path == "/healthz"
        || path == "/metrics")
}

/// What every page shares: the language, its catalog, where the page is, the assets.
pub(crate) struct Chrome {
    pub t: &'static Messages,
    pub lang: Lang,
    /// Path and query of this page, for the language switch to come back to.
    here: String,
    pub section: &'static str,
    pub css: &'static str,
    pub htmx: &'static str,
    tz: TimeZone,
    /// Who is signed in, for the nav and the forms' CSRF token.
    pub user: Option<Badge>,
}

/// The signed-in user as the nav shows them.
pub(crate) struct Badge {
    pub name: String,
    pub role_key: String,
    /// The session's CSRF token (empty for API-token requests, which need none).
    pub csrf: String,
    pub role: claimdesk_core::Role,
}

/// A language switch link.
pub(crate) struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

impl Chrome {
    fn new(lang: Lang, here: String, tz: TimeZone) -> Chrome {
        Chrome {
            t: lang.messages(),
            lang,
            here,
            section: "",
            css: CSS_PATH.as_str(),
            htmx: HTMX_PATH,
            tz,
            user: None,
        }
    }

    /// The `hx-headers` of the page's body: the CSRF token for htmx requests.
    pub fn hx_headers(&self) -> Option<String> {
        let csrf = &self.user.as_ref()?.csrf;
        (!csrf.is_empty()).then(|| serde_json::json!({ "X-CSRF-Token": csrf }).to_string())
    }

    /// The session's CSRF token, for the hidden field of every form.
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    pub(crate) fn section(mut self, section: &'static str) -> Chrome {
        self.section = section;
        self
    }

    /// A stored date or timestamp in the desk's time zone.
    pub fn date(&self, value: &str) -> String {
        time::display(value, &self.tz, self.t.get("format.datetime"))
    }

    /// The links to the other languages.
    pub fn languages(&self) -> Vec<LangLink> {
        let next = serde_urlencoded::to_string([("next", &self.here)]).unwrap_or_default();
        Lang::ALL
            .into_iter()
            .map(|l| LangLink {
                code: l.code(),
                name: l.messages().get("lang.name"),
                href: format!("/lang/{}?{next}", l.code()),
                current: l == self.lang,
            })
            .collect()
    }

    /// The name of a language tag, or the tag.
    pub fn language_name<'a>(&'a self, tag: &'a str) -> &'a str {
        self.t
            .lookup(&format!("language.{}", tag.to_ascii_lowercase()))
            .unwrap_or(tag)
    }
}

impl FromRequestParts<AppState> for Chrome {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        let mut chrome = Chrome::new(
            Lang::negotiate(&parts.headers),
            here,
            state.config().time_zone.clone(),
        );
        chrome.user = parts.extensions.get::<CurrentUser>().map(|c| Badge {
            name: c.user.display_name.clone(),
            role_key: format!("role.{}", c.user.role.as_str()),
            csrf: c.csrf.clone().unwrap_or_default(),
            role: c.user.role,
        });
        Ok(chrome)
    }
}

/// A failed page: rendered as the error page in the page's language.
pub(crate) struct PageError {
    lang: Lang,
    error: ApiError,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        let mut r = error_page(self.lang, self.error.code).into_response();
        *r.status_mut() = self.error.code.status();
        r
    }
}

pub(crate) fn fail(chrome: &Chrome) -> impl FnOnce(ApiError) -> PageError + '_ {
    move |error| PageError {
        lang: chrome.lang,
        error,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    chrome: Chrome,
    title: &'static str,
    message: &'static str,
    /// The request's id, to quote when reporting the problem.
    request_id: String,
}

/// The error page of `code` in `lang`.
pub(crate) fn error_page(lang: Lang, code: ErrorCode) -> Response {
    let t = lang.messages();
    let key = match code {
        ErrorCode::NotFound | ErrorCode::InvalidPath => "not_found",
        ErrorCode::Internal | ErrorCode::StoreUnavailable => "internal",
        ErrorCode::Forbidden | ErrorCode::Unauthorized => "forbidden",
        ErrorCode::CsrfFailed => "csrf",
        ErrorCode::InvalidTransition => "conflict",
        _ => "bad_request",
    };
    let page = ErrorTemplate {
        chrome: Chrome::new(lang, "/".into(), TimeZone::UTC),
        title: t.get(match key {
            "not_found" => "error_page.not_found_title",
            "internal" => "error_page.internal_title",
            "forbidden" => "error_page.forbidden_title",
            "csrf" => "error_page.csrf_title",
            "conflict" => "error_page.conflict_title",
            _ => "error_page.bad_request_title",
        }),
        message: t.get(match key {
            "not_found" => "error_page.not_found",
            "internal" => "error_page.internal",
            "forbidden" => "error_page.forbidden",
            "csrf" => "error_page.csrf",
            "conflict" => "error_page.conflict",
            _ => "error_page.bad_request",
        }),
        request_id: crate::request_id::current(),
    };
    render(code.status(), &page)
}

pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(target: "server::http", error = %e, "template failed");
            ApiError::new(ErrorCode::Internal).into_response()
        }
    }
}

/// The fallback: the error page for pages, JSON under `/api/`.
pub(crate) async fn not_found(lang: Lang, uri: axum::http::Uri) -> Response {
    if is_page_path(uri.path()) {
        error_page(lang, ErrorCode::NotFound)
    } else {
        ApiError::new(ErrorCode::NotFound).into_response()
    }
}

/// An option of a filter's `<select>`.
pub(crate) struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn options(
    t: &Messages,
    any: &str,
    chosen: Option<&str>,
    values: Vec<(String, String)>,
) -> Vec<SelectOption> {
    let chosen = chosen.map(str::trim).unwrap_or("");
    let mut out = vec![SelectOption {
        value: String::new(),
        label: t.get(any).to_string(),
        selected: chosen.is_empty(),
    }];
    out.extend(values.into_iter().map(|(value, label)| SelectOption {
        selected: value == chosen,
        value,
        label,
    }));
    out
}

/// Previous and next links and the "showing x–y of z" line.
pub(crate) struct Pager {
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub position: String,
}

fn pager(
    t: &Messages,
    info: &PageInfo,
    shown: usize,
    base: &str,
    link: impl Fn(u64) -> String,
) -> Pager {
    let from = (info.page - 1) * u64::from(info.per_page) + 1;
    let to = from + shown as u64 - 1;
    Pager {
        summary: if shown == 0 {
            t.with("pager.none", &[("total", &info.total)])
        } else {
            t.with(
                "pager.summary",
                &[("from", &from), ("to", &to), ("total", &info.total)],
            )
        },
        prev: (info.page > 1).then(|| format!("{base}?{}", link(info.page - 1))),
        next: (info.page < info.pages).then(|| format!("{base}?{}", link(info.page + 1))),
        position: t.with(
            "pager.position",
            &[("page", &info.page), ("pages", &info.pages)],
        ),
    }
}

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
    pub terms: Vec<(String, String, String)>,
    pub features: Vec<(String, String, String)>,
    pub link: Option<String>,
}

impl MatchCard {
    fn new(t: &Messages, m: MatchView) -> MatchCard {
        let name =
            |prefix: &str, n: &str| t.lookup(&format!("{prefix}.{n}")).unwrap_or(n).to_string();
        MatchCard {
            nearest: m.why.is_nearest(),
            signals: m.why.signals.iter().map(|s| name("signal", s)).collect(),
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
                    (
                        h.term.clone(),
                        name("field", &h.field),
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
                        f.name.clone(),
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
}

/// The check-worthiness filter's choices (at least this score).
const WORTHINESS_CHOICES: [&str; 3] = ["0.3", "0.5", "0.7"];

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

async fn queue(
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
    let sources = facets.sources.into_iter().map(|s| (s.clone(), s)).collect();
    let pager = pager(t, &list.paging, list.items.len(), "/", |p| q.with_page(p));
    let rows = list
        .items
        .into_iter()
        .map(|e| QueueRow {
            id: e.item.id,
            excerpt: excerpt(&e.item.text),
            published: e.item.published_at.as_deref().map(|d| chrome.date(d)),
            language: e.item.language,
            source: e.item.source,
            top: e.top_match.map(|m| MatchCard::new(t, m)),
            case_status: e
                .case_status
                .map(|s| t.get(&format!("case_status.{s}")).to_string()),
            worthiness: e.check_worthiness.map(|s| format!("{s:.2}")),
            below_threshold: e.below_threshold,
        })
        .collect();
    let worthiness = WORTHINESS_CHOICES
        .into_iter()
        .map(|v| (v.to_string(), format!("≥ {v}")))
        .collect();
    let page = QueuePage {
        statuses: options(t, "filter.any_status", q.status.as_deref(), statuses),
        case_statuses: cases::status_options(&chrome, q.case.as_deref().map(str::trim)),
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

/// Reads a numeric id from the path; anything else is a page that does not exist.
pub(crate) fn page_id(chrome: &Chrome, raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .map_err(|_| fail(chrome)(ApiError::new(ErrorCode::NotFound)))
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
}

async fn item(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("queue");
    let id = page_id(&chrome, &raw)?;
    let mut detail = load_item(&state, id).await.map_err(fail(&chrome))?;
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
    let cards = std::mem::take(&mut detail.matches)
        .into_iter()
        .map(|m| MatchCard::new(chrome.t, m))
        .collect();
    let case = cases::item_case_status(&state, id)
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
        detail,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A fact-check of a list as the page shows it.
pub(crate) struct FactCheckRow {
    pub fc: FactCheckView,
    pub published: Option<String>,
}

#[derive(Template)]
#[template(path = "factchecks.html")]
struct FactChecksPage {
    chrome: Chrome,
    q: String,
    rows: Vec<FactCheckRow>,
    pager: Pager,
}

async fn fact_checks(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("factchecks");
    let list = load_fact_checks(&state, &q).await.map_err(fail(&chrome))?;
    let pager = pager(
        chrome.t,
        &list.paging,
        list.fact_checks.len(),
        "/factchecks",
        |p| q.with_page(p),
    );
    let rows = list
        .fact_checks
        .into_iter()
        .map(|fc| FactCheckRow {
            published: fc.date_published.as_deref().map(|d| chrome.date(d)),
            fc,
        })
        .collect();
    let page = FactChecksPage {
        q: QueueQuery::shown(&q.q).to_string(),
        rows,
        pager,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "factcheck.html")]
struct FactCheckPage {
    chrome: Chrome,
    detail: FactCheckDetail,
    link: Option<String>,
    published: Option<String>,
    claim_date: Option<String>,
    /// Appearances with their link when they are web addresses.
    appearances: Vec<(String, Option<String>)>,
}

async fn fact_check(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("factchecks");
    let id = page_id(&chrome, &raw)?;
    let detail = load_fact_check(&state, id).await.map_err(fail(&chrome))?;
    let fc = &detail.fact_check;
    let page = FactCheckPage {
        link: fc.link().map(str::to_string),
        published: fc.date_published.as_deref().map(|d| chrome.date(d)),
        claim_date: fc.claim_date.as_deref().map(|d| chrome.date(d)),
        appearances: fc
            .appearances
            .iter()
            .map(|a| (a.clone(), web_link(a).map(str::to_string)))
            .collect(),
        detail,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Remembers the language in a cookie and goes back to the page the switch was on (a path
/// of this site only, never another host).
async fn switch_language(
    lang: Lang,
    Path(code): Path<String>,
    Query(next): Query<Next>,
) -> Response {
    let Some(chosen) = Lang::from_tag(&code).filter(|l| l.code() == code) else {
        return error_page(lang, ErrorCode::NotFound);
    };
    let next = next
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .filter(|n| n.is_ascii() && !n.chars().any(|c| c.is_ascii_control()))
        .unwrap_or_else(|| "/".to_string());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        chosen.code()
    );
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, next), (SET_COOKIE, cookie)],
    )
        .into_response()
}
