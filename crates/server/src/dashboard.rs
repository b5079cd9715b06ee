//! The dashboard (`/dashboard`, editors and above): the desk's figures over a day, a week,
//! a month or any run of days in its time zone, charted as SVG drawn here (no chart script,
//! so the strict Content-Security-Policy holds), each chart with its title, description and
//! numbers as a table, and each figure as CSV (`/dashboard/{figure}.csv`). `GET /api/stats`
//! returns the same figures as JSON. The figures are the engine's
//! (`claimdesk_engine::briefing`); this module only reads the period and shows them.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claimdesk_core::Role;
use claimdesk_engine::briefing::{BriefingError, BriefingRequest, PeriodKind, briefing, period_of};
use claimdesk_engine::publish::briefing::{Briefing, Chart, ChartKind, Count, FIGURES, figure_csv};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorCode};
use crate::error_page::{PageError, fail};
use crate::extract::{ApiQuery, CurrentUser};
use crate::render::{Chrome, render};
use crate::state::AppState;

/// The period of the figures: `from` and `to` (local days, inclusive), or a `period`
/// (`day`, `week`, `month`) containing `date` (today when left out).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsQuery {
    /// The first day, `YYYY-MM-DD` in the desk's time zone (with `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// The last day, inclusive (with `from`).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// `day`, `week` (Monday to Sunday) or `month`, containing `date`; `week` by default.
    #[param(schema_with = period_schema)]
    pub period: Option<String>,
    /// A day in the period, `YYYY-MM-DD`; today by default.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
}

/// The schema of `period`: the kinds [`PeriodKind`] names.
fn period_schema() -> utoipa::openapi::Object {
    crate::api_doc::names_schema(PeriodKind::NAMES.iter().map(|(name, _)| *name))
}

/// The desk's figures over a period (see `claimdesk_publish::briefing::Briefing`: intake,
/// narratives, work and sources; `work.editors` only for admins).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatsView {
    /// The figures.
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub figures: Briefing,
}

fn day(name: &str, value: &str) -> Result<Date, ApiError> {
    value.trim().parse::<Date>().map_err(|_| {
        ApiError::with_detail(
            ErrorCode::InvalidQuery,
            format!("`{name}`: `{value}` is not a date (expected YYYY-MM-DD)"),
        )
    })
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The request `q` asks for, as `user` may see it.
fn request(state: &AppState, q: &StatsQuery, role: Role) -> Result<BriefingRequest, ApiError> {
    let tz = state.config().time_zone.clone();
    let now = Timestamp::now();
    let today = now.to_zoned_datetime(tz.clone()).date();
    let (from, to) = match (blank(&q.from), blank(&q.to)) {
        (Some(f), Some(t)) => (day("from", f)?, day("to", t)?),
        (Some(_), None) | (None, Some(_)) => {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "`from` and `to` go together: give both days, or a `period`",
            ));
        }
        (None, None) => {
            let kind = blank(&q.period)
                .unwrap_or("week")
                .parse::<PeriodKind>()
                .map_err(invalid)?;
            let date = match blank(&q.date) {
                Some(d) => day("date", d)?,
                None => today,
            };
            period_of(kind, date)
        }
    };
    let req = BriefingRequest {
        from,
        to,
        time_zone_name: tz.iana_name().unwrap_or("UTC").to_string(),
        time_zone: tz,
        with_editors: role == Role::Admin,
        now,
    };
    req.check().map_err(invalid)?;
    Ok(req)
}

fn invalid(e: BriefingError) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidQuery, e.to_string())
}

/// The figures `q` asks for.
async fn load(state: &AppState, q: &StatsQuery, role: Role) -> Result<Briefing, ApiError> {
    let req = request(state, q, role)?;
    briefing(state.store(), &req).await.map_err(|e| match e {
        claimdesk_engine::Error::Store(e) => ApiError::from(e),
        other => ApiError::with_detail(ErrorCode::Internal, other.to_string()),
    })
}

/// The desk's figures over a period, in its time zone: items in (by source and language,
/// check-worthy, matched), the fact-checks matched most, narratives and alerts, the desk's
/// work (cases, verdicts by rating, time from triage to publication, backlog), sources.
#[utoipa::path(
    get, path = "/api/stats", tag = "stats", params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = StatsView),
        (status = 400, description = "A date or the period is not valid, or breaks a rule across the parameters: `from` without `to` (or the reverse), `from` after `to`, more than ten years (`invalid_query`, naming the rule)", body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn api_stats(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<StatsView>, ApiError> {
    let figures = load(&state, &q, user.user.role).await?;
    Ok(Json(StatsView { figures }))
}

/// A chart with its table rows and its CSV link.
struct ChartBlock {
    chart: Chart,
    svg: String,
    rows: Vec<(String, u64)>,
    csv: String,
}

/// A figure with its value, in words.
struct Figure {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    b: Briefing,
    query: String,
    /// "From … to … (zone)" in words.
    period_text: String,
    figures: Vec<Figure>,
    charts: Vec<ChartBlock>,
    /// Editors' rows (admins): name, opened, moves, published.
    editors: Option<Vec<(String, u64, u64, u64)>>,
    /// Sources: location, health (in words), failures, items seen.
    sources: Vec<(String, String, u32, u64)>,
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The query string that names the briefing's period, for links.
fn period_query(b: &Briefing) -> String {
    serde_urlencoded::to_string([("from", &b.from), ("to", &b.to)]).unwrap_or_default()
}

fn charts(chrome: &Chrome, b: &Briefing) -> Vec<ChartBlock> {
    let t = chrome.t;
    let query = period_query(b);
    let over_time = |id: &str, values: &[u64], value_key: &str| Chart {
        id: id.to_string(),
        title: t.get(&format!("dashboard.chart.{id}")).to_string(),
        description: t.get(&format!("dashboard.desc.{id}")).to_string(),
        label_header: t.get("dashboard.col.period").to_string(),
        value_header: t.get(value_key).to_string(),
        labels: b.buckets.clone(),
        values: values.to_vec(),
        kind: ChartKind::Columns,
    };
    let by = |id: &str, counts: &[Count], label_key: &str, key_prefix: Option<&str>| Chart {
        id: id.to_string(),
        title: t.get(&format!("dashboard.chart.{id}")).to_string(),
        description: t.get(&format!("dashboard.desc.{id}")).to_string(),
        label_header: t.get(label_key).to_string(),
        value_header: t.get("dashboard.col.count").to_string(),
        labels: counts
            .iter()
            .map(|c| match key_prefix {
                Some(p) => t
                    .lookup(&format!("{p}.{}", c.key))
                    .unwrap_or(&c.key)
                    .to_string(),
                None if c.key.is_empty() => "—".to_string(),
                None => c.key.clone(),
            })
            .collect(),
        values: counts.iter().map(|c| c.count).collect(),
        kind: ChartKind::Bars,
    };
    let top: Vec<Count> = b
        .intake
        .top_fact_checks
        .iter()
        .map(|f| Count {
            key: f.claim.clone(),
            count: f.items,
        })
        .collect();
    let list = [
        over_time(
            "items_over_time",
            &b.intake.items_over_time,
            "dashboard.col.items",
        ),
        by(
            "items_by_source",
            &b.intake.by_source,
            "dashboard.col.source",
            None,
        ),
        by(
            "items_by_language",
            &b.intake.by_language,
            "dashboard.col.language",
            Some("language"),
        ),
        by("top_fact_checks", &top, "dashboard.col.claim", None),
        by(
            "alerts_by_rule",
            &b.narratives.alerts_by_rule,
            "dashboard.col.rule",
            Some("alert_rule"),
        ),
        over_time(
            "cases_over_time",
            &b.work.opened_over_time,
            "dashboard.col.cases",
        ),
        by(
            "verdicts_by_rating",
            &b.work.verdicts_by_rating,
            "dashboard.col.rating",
            None,
        ),
        by(
            "backlog_by_status",
            &b.work.backlog_by_status,
            "dashboard.col.status",
            Some("case_status"),
        ),
        by(
            "backlog_by_age",
            &b.work.backlog_by_age,
            "dashboard.col.age",
            Some("dashboard.age"),
        ),
    ];
    list.into_iter()
        .map(|chart| ChartBlock {
            svg: chart.svg(),
            rows: chart
                .labels
                .iter()
                .cloned()
                .zip(chart.values.iter().copied())
                .collect(),
            csv: format!("/dashboard/{}.csv?{query}", chart.id),
            chart,
        })
        .collect()
}

/// `GET /dashboard`.
pub(crate) async fn dashboard_page(
    State(state): State<AppState>,
    chrome: Chrome,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("dashboard");
    let b = load(&state, &q, user.user.role)
        .await
        .map_err(fail(&chrome))?;
    let t = chrome.t;
    let hours = |h: f64| t.with("dashboard.hours", &[("n", &format!("{h:.1}"))]);
    let mut figures = vec![
        Figure {
            label: t.get("dashboard.fig.items").to_string(),
            value: b.intake.items.to_string(),
        },
        Figure {
            label: t.get("dashboard.fig.check_worthy").to_string(),
            value: percent(b.intake.check_worthy.share),
        },
        Figure {
            label: t.get("dashboard.fig.confident").to_string(),
            value: percent(b.intake.confident_match.share),
        },
        Figure {
            label: t.get("dashboard.fig.suggestion").to_string(),
            value: percent(b.intake.suggestion_only.share),
        },
        Figure {
            label: t.get("dashboard.fig.narratives").to_string(),
            value: b.narratives.new.to_string(),
        },
        Figure {
            label: t.get("dashboard.fig.bursts").to_string(),
            value: b.narratives.bursts.to_string(),
        },
        Figure {
            label: t.get("dashboard.fig.cases_opened").to_string(),
            value: b.work.cases_opened.to_string(),
        },
        Figure {
            label: t.get("dashboard.fig.verdicts").to_string(),
            value: b.work.verdicts.to_string(),
        },
    ];
    if let Some(d) = b.work.triage_to_publication {
        figures.push(Figure {
            label: t.get("dashboard.fig.median").to_string(),
            value: hours(d.median_hours),
        });
        figures.push(Figure {
            label: t.get("dashboard.fig.p90").to_string(),
            value: hours(d.p90_hours),
        });
    }
    let charts = charts(&chrome, &b);
    let editors = b.work.editors.as_ref().map(|list| {
        list.iter()
            .map(|e| (e.name.clone(), e.cases_opened, e.moves, e.published))
            .collect()
    });
    let sources = b
        .sources
        .iter()
        .map(|s| {
            (
                s.location.clone(),
                t.get(&format!("dashboard.health.{}", s.health)).to_string(),
                s.consecutive_failures,
                s.items_seen,
            )
        })
        .collect();
    let period_text = t.with(
        "dashboard.period",
        &[("from", &b.from), ("to", &b.to), ("zone", &b.time_zone)],
    );
    let page = DashboardPage {
        query: period_query(&b),
        period_text,
        figures,
        charts,
        editors,
        sources,
        b,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /dashboard/{figure}.csv`: one figure of the period as CSV.
pub(crate) async fn figure_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(file): Path<String>,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".csv")
        .filter(|n| FIGURES.contains(n))
        .ok_or_else(|| {
            ApiError::with_detail(
                ErrorCode::NotFound,
                format!(
                    "figure `{file}` (expected one of {}, as .csv)",
                    FIGURES.join(", ")
                ),
            )
        })?;
    let b = load(&state, &q, user.user.role).await?;
    let body = figure_csv(&b, name).ok_or_else(|| {
        ApiError::with_detail(
            ErrorCode::Forbidden,
            format!("figure `{name}` is for admins"),
        )
    })?;
    let disposition = format!("attachment; filename=\"{name}-{}-{}.csv\"", b.from, b.to);
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, disposition),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
