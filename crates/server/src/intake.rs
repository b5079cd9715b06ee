//! `POST /api/items`: partner systems (and scripts) hand the desk posts and articles. The
//! body is read by the same parser as `claimdesk ingest` (a JSON array, one object, or JSON
//! Lines), the good records are stored and go through the desk's pipeline (check-worthiness,
//! matching, narratives and alerts), and the bad ones come back with their line and field.
//! Storing is idempotent: the same item posted twice is one item. An item's `images` (image
//! URLs) are fetched through the desk's guarded client and read as uploaded images are
//! (`claimdesk_engine::image_urls`); each one refused is reported with its URL and why, and
//! the item is stored anyway.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use claimdesk_core::Actor;
use claimdesk_engine::{ImageUpload, ImageUrlLimits, ReadImage};
use claimdesk_ingest::parse_items_with_images;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::CurrentUser;
use crate::state::AppState;

/// What an intake request did.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeReport {
    /// New items stored.
    pub added: u64,
    /// Known items (same source and id) whose content changed.
    pub updated: u64,
    /// Items already stored exactly as sent.
    pub unchanged: u64,
    /// Records refused; each is in `rejected_records`.
    pub rejected: u64,
    /// The ids of the items added or changed, in the order sent.
    pub items: Vec<i64>,
    /// How many of those have candidate fact-checks (their top matches are stored).
    pub matched: u64,
    /// How many of those scored below the check-worthiness threshold, so were not matched.
    pub below_threshold: u64,
    /// Alerts raised by these items (a false-rated match, a narrative's burst or growth).
    pub alerts: u64,
    /// Why each refused record was refused.
    pub rejected_records: Vec<RejectedRecord>,
    /// The images sent with the items, in order: the files of a `multipart/form-data` item,
    /// or the `images` URLs of JSON items; each kept (with the text read from it) or
    /// refused (with why). Absent when no item came with images.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageReport>,
}

/// What became of one image sent with an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageReport {
    /// The item it came with, by its place among the items of the body (0 for the first;
    /// `POST /api/items` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<u64>,
    /// The line of the body where that item starts (`POST /api/items` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Its place among its item's images (0 for the first).
    pub position: u32,
    /// The file name it was sent with, or its URL.
    pub name: Option<String>,
    /// SHA-256 of its bytes when kept (served at `/images/{sha256}`).
    pub sha256: Option<String>,
    /// Why it was refused (the item's text is kept); for a URL, the message starts with the
    /// URL and says what stood in the way (its scheme, an address the desk does not fetch,
    /// a redirect there, not an image, too large, unreachable).
    pub refused: Option<String>,
    /// A remark (a JPEG named `.png` is read as JPEG).
    pub note: Option<String>,
    /// The text read from it, which joined the item's text.
    pub text: Option<String>,
    /// Why no text was read, when none was (Tesseract not installed, a timeout).
    pub ocr_note: Option<String>,
    /// Its PDQ perceptual hash (64 hex digits).
    pub pdq: Option<String>,
}

/// A record the desk refused.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedRecord {
    /// The line of the body the record starts on.
    pub line: u64,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What was wrong.
    pub message: String,
}

/// One item of a `POST /api/items` body: the fields `claimdesk ingest` reads (it also takes
/// `content` or `body` for `text`, `external_id` for `id`, `date` or `datePublished` for
/// `published_at`, and `lang` for `language`). Describes the body in the OpenAPI document;
/// the body itself is read by `claimdesk_ingest::parse_items`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // Read by the ingest parser, not by serde: this type only describes it.
pub struct ItemRequest {
    /// The post's or article's text.
    #[schema(min_length = 1)]
    text: String,
    /// The partner's id of the item (a number is kept as its text): with `source` it is the
    /// item's key (posting it again updates it instead of adding another).
    #[schema(schema_with = string_or_number)]
    id: Option<String>,
    /// Where the item was seen.
    url: Option<String>,
    /// When it was published (RFC 3339).
    published_at: Option<String>,
    /// The platform, feed or partner it comes from.
    source: Option<String>,
    /// Its language tag (`vi`, `en`); detected when absent.
    language: Option<String>,
    /// Image URLs (http or https: PNG, JPEG, GIF or WebP), at most 4 an item and 16 a
    /// request. Each is fetched through the desk's guarded client (no internal addresses,
    /// redirects checked, size capped) and read as an uploaded image is; one that cannot be
    /// used is reported in the answer's `images` with its URL and why, and the item is kept.
    images: Option<Vec<String>>,
}

/// A `POST /api/items/upload` body (`multipart/form-data`): one item with its images.
/// Describes the form in the OpenAPI document; the handler reads the parts. No other field
/// is taken (the document says `additionalProperties: false`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Read part by part by the handler: this type only describes the form.
pub struct ItemForm {
    /// The post's text (the text read from its images joins it). The desk also takes an
    /// item without it when text is read from its images.
    #[schema(min_length = 1)]
    text: String,
    /// The partner's id of the item.
    id: Option<String>,
    /// Where the item was seen.
    url: Option<String>,
    /// When it was published (RFC 3339).
    published_at: Option<String>,
    /// The platform, feed or partner it comes from.
    source: Option<String>,
    /// Its language tag (`vi`, `en`); detected when absent.
    language: Option<String>,
    /// Image files (PNG, JPEG, GIF or WebP), in the order sent; each is read and hashed, and
    /// one that cannot be is reported in the answer's `images` while the item is kept.
    #[schema(schema_with = binary_files)]
    image: Option<Vec<Vec<u8>>>,
}

/// An array of files, for a form's repeated file field.
pub(crate) fn binary_files() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
    utoipa::openapi::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
        )
        .build()
}

/// A string, a number, or null.
fn string_or_number() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Null,
        ]))
        .build()
}

/// A `POST /api/items` JSON body: one item, or a non-empty array of items stored in one
/// batch. Describes the body in the OpenAPI document, as [`ItemRequest`].
pub struct ItemsRequest;

impl utoipa::PartialSchema for ItemsRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{ArrayBuilder, OneOfBuilder, Ref};
        OneOfBuilder::new()
            .item(Ref::from_schema_name("ItemRequest"))
            .item(
                ArrayBuilder::new()
                    .items(Ref::from_schema_name("ItemRequest"))
                    .min_items(Some(1))
                    .build(),
            )
            .description(Some("One item, or an array of items"))
            .into()
    }
}

impl ToSchema for ItemsRequest {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("ItemRequest".to_string(), ItemRequest::schema()));
        <ItemRequest as ToSchema>::schemas(schemas);
    }
}

/// The body as items: only JSON (an array, one object, or JSON Lines) is accepted.
fn parse_body(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<
    (
        claimdesk_ingest::Parsed<claimdesk_core::Item>,
        Vec<claimdesk_ingest::ItemImageUrls>,
    ),
    ApiError,
> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let json = essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("application/x-ndjson")
        || essence.eq_ignore_ascii_case("application/jsonl");
    if essence.eq_ignore_ascii_case("multipart/form-data") {
        return Err(ApiError::with_detail(
            ErrorCode::UnsupportedMediaType,
            "an item with images (multipart/form-data) goes to POST /api/items/upload; \
             send items here as application/json or application/x-ndjson",
        ));
    }
    if !json {
        return Err(ApiError::with_detail(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Content-Type {:?}: send application/json (an array of items or one item) or application/x-ndjson",
                content_type
            ),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidRequest,
            "the body is empty: send an item such as {\"id\": \"...\", \"text\": \"...\"}",
        ));
    }
    Ok(parse_items_with_images("request body", body))
}

/// Stores posts or articles sent by a partner system and matches them against the
/// fact-checks.
#[utoipa::path(
    post, path = "/api/items", tag = "items",
    request_body(
        content(
            (ItemsRequest = "application/json"),
            (String = "application/x-ndjson")
        ),
        description = "Items as one JSON object or a JSON array (`application/json`), or as JSON Lines, one item per line (`application/x-ndjson`). An item may give image URLs in `images` (at most 4 an item, 16 a request, fetched through the desk's guarded client within 60 seconds in all); an item with image files goes to `POST /api/items/upload`. Records that cannot be stored are refused one by one (see `rejected_records`); the rest are stored. An image URL that cannot be used (not http or https, an internal address or a redirect to one, not an image, too large, unreachable) is refused in `images` with its URL and why, and its item is stored."
    ),
    responses(
        (status = 200, description = "The items were stored (some records may have been refused: see `rejected_records`; some image URLs may have been refused: see `images`)", body = IntakeReport),
        (status = 400, description = "The body is not JSON (`invalid_json`)", body = ErrorBody),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON (`unsupported_media_type`)", body = ErrorBody),
        (status = 422, description = "No record could be stored (`invalid_request`, with the first reason)", body = ErrorBody)
    )
)]
pub(crate) async fn api_add_items(
    State(state): State<AppState>,
    who: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (parsed, images) = parse_body(&headers, &body)?;
    if parsed.records.is_empty() {
        let first = parsed
            .diagnostics
            .first()
            .map_or_else(|| "no item in the body".to_string(), ToString::to_string);
        let code = if first.contains("invalid JSON") {
            ErrorCode::InvalidJson
        } else {
            ErrorCode::InvalidRequest
        };
        return Err(ApiError::with_detail(code, first));
    }
    let rejected_records = parsed
        .diagnostics
        .iter()
        .map(|d| RejectedRecord {
            line: d.line,
            field: d.field.clone(),
            message: d.message.clone(),
        })
        .collect();
    let internal = |e: claimdesk_engine::Error| match e {
        claimdesk_engine::Error::Store(e) => ApiError::from(e),
        other => ApiError::with_detail(ErrorCode::Internal, other.to_string()),
    };
    let places: Vec<u64> = images.iter().map(|i| i.item as u64).collect();
    let stored = state
        .engine()
        .store_items_with_image_urls(
            "POST /api/items",
            parsed,
            images.into_iter().map(|i| i.urls).collect(),
            Actor::User(who.user.id),
            ImageUrlLimits::REQUEST,
        )
        .await
        .map_err(internal)?;
    let processed = state
        .engine()
        .process(&stored.changed, false)
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?;
    let report = IntakeReport {
        added: stored.counts.added,
        updated: stored.counts.updated,
        unchanged: stored.counts.unchanged,
        rejected: stored.counts.rejected,
        items: stored.changed.iter().map(|i| i.0).collect(),
        matched: processed.matched as u64,
        below_threshold: processed.below_threshold as u64,
        alerts: processed.alerts.len() as u64,
        rejected_records,
        images: stored
            .images
            .into_iter()
            .flat_map(|r| {
                let at = (places.get(r.record).copied(), Some(r.line));
                r.images
                    .into_iter()
                    .map(move |image| image_report(image, at))
            })
            .collect(),
    };
    Ok((StatusCode::OK, Json(report)).into_response())
}

/// What the answer says of one image read; `at`: its item's place and line in the body
/// (`POST /api/items`).
fn image_report(r: ReadImage, at: (Option<u64>, Option<u64>)) -> ImageReport {
    ImageReport {
        item: at.0,
        line: at.1,
        position: r.link.position,
        name: r.link.name,
        sha256: r.link.sha256,
        refused: r.link.refused,
        note: r.link.note,
        text: r.image.as_ref().and_then(|i| i.ocr_text.clone()),
        ocr_note: r.image.as_ref().and_then(|i| i.ocr_note.clone()),
        pdq: r.image.and_then(|i| i.pdq),
    }
}

/// Stores one post sent with its images (screenshots, photos): each image is kept, hashed and
/// read, the text read joins the item's text, and the item is matched against the
/// fact-checks.
#[utoipa::path(
    post, path = "/api/items/upload", tag = "items",
    request_body(
        content(
            (ItemForm = "multipart/form-data")
        ),
        description = "One item as `multipart/form-data`: the fields `text`, `id`, `url`, `published_at`, `source` and `language`, and `image` files (PNG, JPEG, GIF or WebP, in the order sent). The text read from each image joins the item's text (an item of images alone is taken when text is read from them); an image that cannot be read is refused and reported in `images`, and the item is kept."
    ),
    responses(
        (status = 200, description = "The item was stored; `images` says what became of each image", body = IntakeReport),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "The body is not `multipart/form-data` (`unsupported_media_type`)", body = ErrorBody),
        (status = 422, description = "The form is not an item: an unknown or repeated field, an `image` that is not a file part, text with a NUL byte, or neither text nor text read from an image (`invalid_request`, saying why)", body = ErrorBody)
    )
)]
pub(crate) async fn api_upload_item(
    State(state): State<AppState>,
    who: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return Err(ApiError::with_detail(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Content-Type {content_type:?}: send the item and its images as multipart/form-data \
                 (items without images go to POST /api/items as JSON)"
            ),
        ));
    }
    let bad = |what: String| ApiError::with_detail(ErrorCode::InvalidRequest, what);
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| bad(format!("multipart/form-data body: {e}")))?;
    let stream =
        futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut item = claimdesk_core::Item::default();
    let mut uploads = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("multipart/form-data body: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "image" || name == "images" || name == "image[]" {
            // A file part says so with a file name or a content type; a bare value (`{}`,
            // a number) is a mistake, not a picture to try to decode.
            if field.file_name().is_none() && field.content_type().is_none() {
                return Err(bad(format!(
                    "field `{name}` is not a file: send each image as a file part (with a \
                     file name or a content type)"
                )));
            }
            let file = field
                .file_name()
                .map(str::to_string)
                .or_else(|| field.content_type().map(ToString::to_string));
            let bytes = field
                .bytes()
                .await
                .map_err(|e| bad(format!("image field: {e}")))?;
            uploads.push(ImageUpload {
                name: file,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| bad(format!("field `{name}`: {e}")))?;
        if !seen.insert(name.clone()) {
            return Err(bad(format!("field `{name}` is sent twice: send it once")));
        }
        let value = Some(value).filter(|v| !v.trim().is_empty());
        match name.as_str() {
            "text" => item.text = value.unwrap_or_default(),
            "id" => item.external_id = value,
            "url" => item.url = value,
            "published_at" => item.published_at = value,
            "source" => item.source = value,
            "language" => item.language = value,
            other => {
                return Err(bad(format!(
                    "unknown field `{other}`: send text, id, url, published_at, source, \
                     language and image files"
                )));
            }
        }
    }
    if let Err((field, message)) = claimdesk_ingest::check_text("text", &item.text) {
        return Err(bad(format!("field `{field}`: {message}")));
    }
    if uploads.is_empty() && item.text.trim().is_empty() {
        return Err(bad(
            "the item has neither text nor an image: send a `text` field or `image` files".into(),
        ));
    }
    let out = state
        .engine()
        .add_item_with_images(item, uploads, Actor::User(who.user.id))
        .await
        .map_err(|e| match e {
            claimdesk_engine::Error::Usage(m) => bad(m),
            other => ApiError::with_detail(ErrorCode::Internal, other.to_string()),
        })?;
    let report = IntakeReport {
        added: out.counts.added,
        updated: out.counts.updated,
        unchanged: out.counts.unchanged,
        rejected: out.counts.rejected,
        items: out.changed.iter().map(|i| i.0).collect(),
        matched: out.report.matched as u64,
        below_threshold: out.report.below_threshold as u64,
        alerts: out.report.alerts.len() as u64,
        rejected_records: Vec::new(),
        images: out
            .images
            .into_iter()
            .map(|r| image_report(r, (None, None)))
            .collect(),
    };
    Ok((StatusCode::OK, Json(report)).into_response())
}
