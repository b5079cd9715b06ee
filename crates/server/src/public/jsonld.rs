//! `GET /api/factchecks/{id}.jsonld`: a published fact-check as schema.org ClaimReview.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claimdesk_publish::claim_review;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::error::{ApiError, ErrorCode};
use crate::public::published::{PUBLIC_MAX_AGE, desk_claim_review, page_url, published};
use crate::state::AppState;

/// `/api/factchecks/{id}` (axum cannot match a parameter followed by a suffix in one
/// segment), which hands `{id}.jsonld` to [`fact_check_jsonld`].
#[derive(OpenApi)]
#[openapi(paths(jsonld_doc))]
pub(crate) struct JsonLdDoc;

/// schema.org `ClaimReview`, as `claimdesk_publish::claim_review` writes it. Describes the
/// JSON-LD in the OpenAPI document (the JSON itself is built by the publish crate).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Describes the document; the JSON is built by `claim_review`.
pub(crate) struct ClaimReview {
    /// `https://schema.org`.
    #[serde(rename = "@context")]
    context: String,
    /// `ClaimReview`.
    #[serde(rename = "@type")]
    kind: String,
    /// The fact-check's page.
    url: Option<String>,
    /// The claim that was checked.
    #[serde(rename = "claimReviewed")]
    claim_reviewed: String,
    /// The verdict.
    #[serde(rename = "reviewRating")]
    review_rating: Option<ClaimReviewRating>,
    /// Who published the fact-check.
    author: Option<ClaimReviewParty>,
    /// When it was published (ISO 8601).
    #[serde(rename = "datePublished")]
    date_published: Option<String>,
    /// Its language tag.
    #[serde(rename = "inLanguage")]
    in_language: Option<String>,
    /// Its headline.
    headline: Option<String>,
    /// The claim, where it appeared and who made it.
    #[serde(rename = "itemReviewed")]
    item_reviewed: ClaimReviewClaim,
}

/// A ClaimReview's `reviewRating` (schema.org `Rating`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Part of [`ClaimReview`].
pub(crate) struct ClaimReviewRating {
    /// `Rating`.
    #[serde(rename = "@type")]
    kind: String,
    /// The rating on the desk's scale.
    #[serde(rename = "ratingValue")]
    rating_value: Option<f64>,
    /// The value that means "true".
    #[serde(rename = "bestRating")]
    best_rating: Option<f64>,
    /// The value that means "false".
    #[serde(rename = "worstRating")]
    worst_rating: Option<f64>,
    /// The verdict in words.
    #[serde(rename = "alternateName")]
    alternate_name: Option<String>,
}

/// A person or organization (schema.org `Person` or `Organization`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Part of [`ClaimReview`].
pub(crate) struct ClaimReviewParty {
    /// `Person` or `Organization`.
    #[serde(rename = "@type")]
    kind: String,
    /// The name.
    name: String,
    /// Their page.
    url: Option<String>,
}

/// A ClaimReview's `itemReviewed` (schema.org `Claim`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Part of [`ClaimReview`].
pub(crate) struct ClaimReviewClaim {
    /// `Claim`.
    #[serde(rename = "@type")]
    kind: String,
    /// Who made the claim.
    author: Option<ClaimReviewParty>,
    /// When the claim was made.
    #[serde(rename = "datePublished")]
    date_published: Option<String>,
    /// Where the claim appeared.
    appearance: Option<Vec<ClaimReviewWork>>,
    /// Where it appeared first.
    #[serde(rename = "firstAppearance")]
    first_appearance: Option<ClaimReviewWork>,
}

/// A page where a claim appeared (schema.org `CreativeWork`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Part of [`ClaimReview`].
pub(crate) struct ClaimReviewWork {
    /// `CreativeWork`.
    #[serde(rename = "@type")]
    kind: String,
    /// Its address.
    url: String,
}

/// A published fact-check as schema.org ClaimReview JSON-LD.
#[utoipa::path(
    get, path = "/api/factchecks/{id}.jsonld", tag = "factchecks",
    params(("id" = i64, Path, description = "The fact-check's id")),
    responses(
        (status = 200, description = "The ClaimReview", body = ClaimReview, content_type = "application/ld+json"),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = crate::error::ErrorBody),
        (status = 404, description = "No such published fact-check (`not_found`)", body = crate::error::ErrorBody),
        (status = 410, description = "The fact-check was withdrawn: no ClaimReview for it (`withdrawn`)", body = crate::error::ErrorBody)
    )
)]
#[allow(dead_code)] // Describes the route only; `fact_check_jsonld` answers it.
async fn jsonld_doc() {}

/// `GET /api/factchecks/{id}.jsonld`, with `id` already stripped of its suffix.
pub(crate) async fn fact_check_jsonld(state: &AppState, raw_id: &str) -> Response {
    let Ok(id) = raw_id.parse::<i64>() else {
        return ApiError::with_detail(ErrorCode::InvalidPath, format!("{raw_id:?} is not an id"))
            .into_response();
    };
    let fc = match published(state, id).await {
        Ok(fc) => fc,
        Err(e) => return e.into_response(),
    };
    if let Some(w) = &fc.withdrawn {
        // No markup for a withdrawn verdict: search engines and partners drop it.
        return ApiError::with_detail(
            ErrorCode::Withdrawn,
            format!("fact-check {id} was withdrawn at {}: {}", w.at, w.reason),
        )
        .into_response();
    }
    // The desk's own verdict as its page marks it up; another newsroom's fact-check as it
    // was imported (its own `url` and author: cited, not claimed as ours).
    let doc = match desk_claim_review(state, &fc, None).await {
        Ok(Some(doc)) => Some(doc),
        Ok(None) if fc.case.is_none() => {
            Some(claim_review(&fc.fact_check, &page_url(state, fc.id)))
        }
        Ok(None) => None,
        Err(e) => return e.into_response(),
    };
    match doc {
        Some(doc) => (
            [
                (CONTENT_TYPE, "application/ld+json"),
                (CACHE_CONTROL, PUBLIC_MAX_AGE),
            ],
            doc.to_string(),
        )
            .into_response(),
        None => ApiError::with_detail(
            ErrorCode::NotFound,
            format!("fact-check {id} has no rating in words, so no ClaimReview"),
        )
        .into_response(),
    }
}
