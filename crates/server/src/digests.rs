//! The digests archive (`/digests`, editors and above): the weekly and monthly digests of the
//! last year, each made on request from the store (a digest is derived: the same period
//! gives the same digest, with what the desk has learned since), as the HTML a reader opens
//! on a phone, Markdown or JSON, in Vietnamese or English, downloaded. The PDF is made by
//! `claimdesk digest --format pdf` (it needs a headless Chromium, which the server does not).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claimdesk_engine::briefing::{BriefingRequest, PeriodKind, digest, period_of, previous_period};
use claimdesk_engine::publish::briefing::DigestLang;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::error::{ApiError, ErrorCode};
use crate::render::{Chrome, render};
use crate::state::AppState;

/// Weeks and months listed.
const WEEKS: usize = 12;
const MONTHS: usize = 12;

/// One digest of the archive: its kind, first and last day, and the links to it.
struct DigestRow {
    kind_key: &'static str,
    from: String,
    to: String,
    /// (label, href) per language and format.
    links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "digests.html")]
struct DigestsPage {
    chrome: Chrome,
    rows: Vec<DigestRow>,
}

fn row(kind: PeriodKind, (from, to): (Date, Date)) -> DigestRow {
    let name = match kind {
        PeriodKind::Month => "month",
        _ => "week",
    };
    let mut links = Vec::new();
    for lang in ["vi", "en"] {
        for format in ["html", "md", "json"] {
            links.push((
                format!("{} {}", lang.to_uppercase(), format.to_uppercase()),
                format!("/digests/{name}-{from}.{lang}.{format}"),
            ));
        }
    }
    DigestRow {
        kind_key: match kind {
            PeriodKind::Month => "digests.month",
            _ => "digests.week",
        },
        from: from.to_string(),
        to: to.to_string(),
        links,
    }
}

/// `GET /digests`: the last twelve complete weeks and months.
pub(crate) async fn digests_page(State(state): State<AppState>, chrome: Chrome) -> Response {
    let chrome = chrome.section("digests");
    let today = Timestamp::now()
        .to_zoned_datetime(state.config().time_zone.clone())
        .date();
    let mut rows = Vec::new();
    for (kind, n) in [(PeriodKind::Week, WEEKS), (PeriodKind::Month, MONTHS)] {
        let mut day = today;
        for _ in 0..n {
            let period = previous_period(kind, day);
            rows.push(row(kind, period));
            day = period.0;
        }
    }
    render(StatusCode::OK, &DigestsPage { chrome, rows })
}

/// `GET /digests/{file}`: `week-YYYY-MM-DD.LANG.FORMAT` or `month-YYYY-MM-01.LANG.FORMAT`
/// (the period's first day; LANG `vi` or `en`; FORMAT `html`, `md` or `json`).
pub(crate) async fn digest_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let bad = || {
        ApiError::with_detail(
            ErrorCode::NotFound,
            format!(
                "digest `{file}` (expected week-YYYY-MM-DD.LANG.FORMAT or \
                 month-YYYY-MM-01.LANG.FORMAT, LANG vi or en, FORMAT html, md or json)"
            ),
        )
    };
    let mut parts = file.splitn(3, '.');
    let (Some(name), Some(lang), Some(format)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (kind, day) = name.split_once('-').ok_or_else(bad)?;
    let kind = match kind {
        "week" => PeriodKind::Week,
        "month" => PeriodKind::Month,
        _ => return Err(bad()),
    };
    let day = day.parse::<Date>().map_err(|_| bad())?;
    let (from, to) = period_of(kind, day);
    if from != day {
        return Err(bad());
    }
    let lang = DigestLang::parse(lang).ok_or_else(bad)?;
    let tz = state.config().time_zone.clone();
    let req = BriefingRequest {
        from,
        to,
        time_zone_name: tz.iana_name().unwrap_or("UTC").to_string(),
        time_zone: tz,
        with_editors: false,
        now: Timestamp::now(),
    };
    let desk = (state.config().publisher.name.clone()).unwrap_or_else(|| "claimdesk".into());
    let base = state.config().public_base().to_string();
    let name_of_kind = if kind == PeriodKind::Month {
        "month"
    } else {
        "week"
    };
    let d = digest(state.store(), &req, lang, name_of_kind, &desk, &base)
        .await
        .map_err(|e| match e {
            claimdesk_engine::Error::Store(e) => ApiError::from(e),
            other => ApiError::with_detail(ErrorCode::Internal, other.to_string()),
        })?;
    let (body, mime) = match format {
        "html" => (d.html(), "text/html; charset=utf-8"),
        "md" => (d.markdown(), "text/markdown; charset=utf-8"),
        "json" => (
            serde_json::to_string_pretty(&d)
                .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?,
            "application/json",
        ),
        _ => return Err(bad()),
    };
    // A download: the digest's HTML carries its own style, which the desk's CSP would
    // refuse as a page of the desk.
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok((
        [
            (CONTENT_TYPE, mime.to_string()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
