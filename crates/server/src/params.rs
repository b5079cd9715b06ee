//! Query-string parameters of the lists (queue, fact-checks), shared by the pages and the
//! API. Every field arrives as text so a bad value gets our error, naming the parameter.

use claimdesk_store::{ItemFilter, MatchStatus, PageRequest};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorCode};
use crate::time::day_bounds;

/// Entries per page unless `per_page` says otherwise.
pub(crate) const PER_PAGE: u32 = 25;
/// Most entries per page.
pub(crate) const MAX_PER_PAGE: u32 = 100;
/// Longest search text accepted.
const MAX_SEARCH: usize = 200;

/// The queue's `status` filter: its values and what each selects.
const QUEUE_STATUSES: [(&str, MatchStatus); 4] = [
    ("matched", MatchStatus::Matched),
    ("unmatched", MatchStatus::Unmatched),
    ("confident", MatchStatus::Confident),
    ("review", MatchStatus::Review),
];

/// The schema of the queue's `status` filter: the values [`QueueQuery::parse`] takes.
fn queue_status_schema() -> utoipa::openapi::Object {
    crate::api_doc::names_schema(QUEUE_STATUSES.iter().map(|(name, _)| *name))
}

/// Filters of the queue. Empty values mean "any" (HTML forms send every field).
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, PartialEq, Eq)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `matched` (has candidates), `unmatched`, `confident` (top match is confident) or
    /// `review` (candidates, none confident).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(schema_with = queue_status_schema)]
    pub status: Option<String>,
    /// Language tag of the item (`vi`, `en`).
    #[serde(default, skip_serializing_if = "is_blank")]
    pub language: Option<String>,
    /// Source of the item (platform, feed or partner name).
    #[serde(default, skip_serializing_if = "is_blank")]
    pub source: Option<String>,
    /// First day of publication (`YYYY-MM-DD`, in the desk's time zone).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Last day of publication (`YYYY-MM-DD`, inclusive, in the desk's time zone).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// Text the item contains (at most 200 characters).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Status of the item's case (`triage`, `verifying`, ... `published`).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(schema_with = crate::api_doc::case_status_schema)]
    pub case: Option<String>,
    /// Only items at least this check-worthy (0 to 1; e.g. `0.5`).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<f64>, minimum = 0.0, maximum = 1.0)]
    pub worthy: Option<String>,
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<String>,
    /// Entries per page, 1 to 100 (default 25).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// Search of the fact-checks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, PartialEq, Eq)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text the claim or the headline contains (at most 200 characters).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<String>,
    /// Entries per page, 1 to 100 (default 25).
    #[serde(default, skip_serializing_if = "is_blank")]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

fn is_blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn value(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn bad(param: &str, v: &str) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidQuery, format!("{param}={v:?}"))
}

/// A page of a list: the store's window and the page number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub number: u64,
    pub per_page: u32,
}

impl Paging {
    fn parse(page: &Option<String>, per_page: &Option<String>) -> Result<Paging, ApiError> {
        let number = match value(page) {
            None => 1,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| bad("page", v))?,
        };
        let per_page = match value(per_page) {
            None => PER_PAGE,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                .ok_or_else(|| bad("per_page", v))?,
        };
        Ok(Paging { number, per_page })
    }

    /// The store's page request.
    pub(crate) fn request(self) -> PageRequest {
        PageRequest {
            offset: (self.number - 1) * u64::from(self.per_page),
            limit: self.per_page,
        }
    }
}

fn search_text(v: &Option<String>) -> Result<Option<String>, ApiError> {
    // Counted before trimming: the limit is on what was sent.
    if v.as_deref().is_some_and(|t| t.chars().count() > MAX_SEARCH) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            format!("q: longer than {MAX_SEARCH} characters"),
        ));
    }
    Ok(value(v).map(str::to_string))
}

fn date(param: &str, v: &Option<String>) -> Result<Option<Date>, ApiError> {
    value(v)
        .map(|s| s.parse::<Date>().map_err(|_| bad(param, s)))
        .transpose()
}

impl QueueQuery {
    /// The store's filter and the page asked for, dates read in `tz`.
    pub(crate) fn parse(&self, tz: &TimeZone) -> Result<(ItemFilter, Paging), ApiError> {
        let status = match value(&self.status) {
            None => None,
            Some(v) => Some(
                QUEUE_STATUSES
                    .iter()
                    .find(|(name, _)| *name == v)
                    .map(|(_, s)| *s)
                    .ok_or_else(|| bad("status", v))?,
            ),
        };
        let from = date("from", &self.from)?;
        let to = date("to", &self.to)?;
        let (published_from, published_until) = day_bounds(from, to, tz);
        let filter = ItemFilter {
            status,
            language: value(&self.language).map(str::to_string),
            source: value(&self.source).map(str::to_string),
            published_from,
            published_until,
            text: search_text(&self.q)?,
            case_status: value(&self.case)
                .map(|v| {
                    v.parse::<claimdesk_core::CaseStatus>()
                        .map_err(|_| bad("case", v))
                })
                .transpose()?,
            min_check_worthiness: value(&self.worthy)
                .map(|v| {
                    v.parse::<f32>()
                        .ok()
                        .filter(|x| (0.0..=1.0).contains(x))
                        .ok_or_else(|| bad("worthy", v))
                })
                .transpose()?,
        };
        Ok((filter, Paging::parse(&self.page, &self.per_page)?))
    }

    /// These parameters on another page, as a query string (without `?`).
    pub(crate) fn with_page(&self, page: u64) -> String {
        let mut q = self.clone();
        q.page = Some(page.to_string());
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }

    /// The value of a text parameter as the form shows it again.
    pub(crate) fn shown(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
}

impl SearchQuery {
    /// The search text and the page asked for.
    pub(crate) fn parse(&self) -> Result<(Option<String>, Paging), ApiError> {
        Ok((
            search_text(&self.q)?,
            Paging::parse(&self.page, &self.per_page)?,
        ))
    }

    /// This search on another page, as a query string (without `?`).
    pub(crate) fn with_page(&self, page: u64) -> String {
        let mut q = self.clone();
        q.page = Some(page.to_string());
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> TimeZone {
        crate::time::zone("Asia/Ho_Chi_Minh").unwrap()
    }

    #[test]
    fn blank_fields_mean_any() {
        let q = QueueQuery {
            status: Some(String::new()),
            q: Some("  ".into()),
            ..QueueQuery::default()
        };
        let (filter, paging) = q.parse(&tz()).unwrap();
        assert_eq!(filter, ItemFilter::default());
        assert_eq!(
            paging,
            Paging {
                number: 1,
                per_page: PER_PAGE
            }
        );
    }

    #[test]
    fn bad_values_name_their_parameter() {
        for (q, param) in [
            (
                QueueQuery {
                    status: Some("maybe".into()),
                    ..Default::default()
                },
                "status",
            ),
            (
                QueueQuery {
                    from: Some("2026-13-01".into()),
                    ..Default::default()
                },
                "from",
            ),
            (
                QueueQuery {
                    page: Some("0".into()),
                    ..Default::default()
                },
                "page",
            ),
            (
                QueueQuery {
                    per_page: Some("500".into()),
                    ..Default::default()
                },
                "per_page",
            ),
        ] {
            let e = q.parse(&tz()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidQuery);
            assert!(e.detail.as_deref().unwrap().starts_with(param), "{e:?}");
        }
    }

    #[test]
    fn paging_links_keep_the_filters() {
        let q = QueueQuery {
            language: Some("vi".into()),
            q: Some("a&b".into()),
            ..QueueQuery::default()
        };
        assert_eq!(q.with_page(3), "language=vi&q=a%26b&page=3");
    }
}
