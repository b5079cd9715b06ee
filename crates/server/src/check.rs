//! The privacy check before posting (issue 21): `/check`, where any signed-in staff member
//! checks a draft's text and images and downloads each image's clean copy, and its API mirror
//! `POST /api/check`. Both take one `multipart/form-data` body (a `text` field and `image`
//! files) and run `claimdesk_engine::Engine::check_post`: the check keeps nothing (no item,
//! no file, no log line with the content); the audit trail records that the user ran a check
//! and its counts. Clean copies go back in the answer (base64 in JSON, a `data:` link on the
//! page), never to disk.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use claimdesk_core::Actor;
use claimdesk_engine::privacy::{Finding, Location};
use claimdesk_engine::{ImageUpload, PostCheck, PostPart};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::error_page::{PageError, fail};
use crate::extract::CurrentUser;
use crate::render::{Chrome, render};
use crate::state::AppState;

/// A `POST /api/check` body (`multipart/form-data`): a draft's text and its images.
/// Describes the form in the OpenAPI document; the handler reads the parts.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Read part by part by the handler: this type only describes the form.
pub struct CheckForm {
    /// The draft's text.
    text: Option<String>,
    /// Image files (PNG, JPEG, GIF or WebP): metadata, QR codes and the text in them are
    /// checked, and each comes back without its metadata.
    #[schema(schema_with = crate::intake::binary_files)]
    image: Option<Vec<Vec<u8>>>,
}

/// What the check found, part by part.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether every part was checked completely; when false, the parts with an `error`
    /// were not, and their findings are unknown.
    pub complete: bool,
    /// The numbers (the audit trail records these and nothing else).
    pub counts: CheckCounts,
    /// The text's findings.
    pub texts: Vec<CheckedTextView>,
    /// Each image's findings and clean copy, in the order sent.
    pub images: Vec<CheckedImageView>,
}

/// The check's numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckCounts {
    /// Texts checked.
    pub texts: u32,
    /// Images checked.
    pub images: u32,
    /// Findings.
    pub findings: u32,
    /// Findings of high severity.
    pub high: u32,
    /// Parts that could not be checked completely.
    pub incomplete: u32,
}

/// Why a part could not be checked completely.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckError {
    /// A stable code (`privacy_text_too_large`, `privacy_image_refused`,
    /// `privacy_metadata_unreadable`, `privacy_image_text_unread`).
    pub code: String,
    /// What happened, for a person.
    pub message: String,
}

/// A text's check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedTextView {
    /// `text`.
    pub name: String,
    /// What was found (byte spans in the text as sent).
    pub findings: Vec<FindingView>,
    /// Set when the text was not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<CheckError>,
}

/// An image's check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedImageView {
    /// Its file name as sent.
    pub name: String,
    /// Its format (`jpeg`, `png`, `gif`, `webp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// What was found: metadata fields, QR codes, the text read from it.
    pub findings: Vec<FindingView>,
    /// The QR codes decoded.
    pub qr_codes: Vec<QrCodeView>,
    /// The text read from it by OCR (spans of `image_text` findings are in it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_read: Option<String>,
    /// The image without its metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clean_copy: Option<CleanCopyView>,
    /// Set when its check is incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<CheckError>,
}

/// An image without its metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct CleanCopyView {
    /// A file name for it (`photo.clean.jpg`).
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// True when the picture is the original's byte for byte (only metadata removed).
    pub lossless: bool,
    /// The file, base64.
    pub base64: String,
}

/// A QR code and its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct QrCodeView {
    /// Where it is in the picture.
    pub region: RegionView,
    /// What it holds.
    pub text: String,
}

/// A rectangle of a picture, in pixels.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct RegionView {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// One finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    /// `phone`, `citizen_id`, `old_id`, `passport`, `bank_card`, `bank_account`, `email`,
    /// `plate`, `birth_date`, `address`, `sensitive_term`, `gps_position`, `device_serial`,
    /// `owner`, `timestamp`, `device`, `metadata_block`.
    pub kind: String,
    /// `low`, `medium` or `high`.
    pub severity: String,
    /// Where it is.
    pub location: LocationView,
    /// What was found.
    pub matched: String,
    /// Why it matters, in Vietnamese.
    pub reason_vi: String,
    /// Why it matters, in English.
    pub reason_en: String,
}

/// Where a finding is: `in` says in what, and the other fields where in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    /// `text` (the text sent), `metadata` (a metadata field), `qr_code` (a QR code's text)
    /// or `image_text` (the text read from the image).
    #[serde(rename = "in")]
    pub place: String,
    /// First byte of the span, when it is in a text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// One past its last byte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// The metadata block (`EXIF`, `XMP`, `IPTC`, `PNG text`, `JPEG`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// The metadata field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Which QR code (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<usize>,
    /// Where the QR code is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionView>,
}

impl LocationView {
    fn of(location: &Location) -> LocationView {
        let mut view = LocationView {
            place: String::new(),
            start: None,
            end: None,
            block: None,
            field: None,
            code: None,
            region: None,
        };
        match location {
            Location::Text { start, end } => {
                view.place = "text".into();
                (view.start, view.end) = (Some(*start), Some(*end));
            }
            Location::Metadata { block, field, span } => {
                view.place = "metadata".into();
                view.block = Some(block.clone());
                view.field = Some(field.clone());
                (view.start, view.end) = (span.map(|s| s.0), span.map(|s| s.1));
            }
            Location::QrCode {
                code,
                region,
                start,
                end,
            } => {
                view.place = "qr_code".into();
                view.code = Some(*code);
                view.region = Some(RegionView {
                    x: region.x,
                    y: region.y,
                    width: region.width,
                    height: region.height,
                });
                (view.start, view.end) = (Some(*start), Some(*end));
            }
            Location::ImageText { start, end, region } => {
                view.place = "image_text".into();
                view.region = region.map(|r| RegionView {
                    x: r.x,
                    y: r.y,
                    width: r.width,
                    height: r.height,
                });
                (view.start, view.end) = (Some(*start), Some(*end));
            }
        }
        view
    }
}

fn finding_view(f: &Finding) -> FindingView {
    FindingView {
        kind: f.kind.as_str().to_string(),
        severity: f.severity.as_str().to_string(),
        location: LocationView::of(&f.location),
        matched: f.matched.clone(),
        reason_vi: f.reason.vi.clone(),
        reason_en: f.reason.en.clone(),
    }
}

fn error_view(e: &claimdesk_engine::privacy::Error) -> CheckError {
    CheckError {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

fn clean_name(name: &str, extension: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("image");
    format!("{stem}.clean.{extension}")
}

impl CheckResponse {
    fn of(check: &PostCheck) -> CheckResponse {
        let c = check.counts();
        let texts = check
            .texts
            .iter()
            .map(|t| CheckedTextView {
                name: t.name.clone(),
                findings: t
                    .result
                    .as_ref()
                    .map(|r| r.findings.iter().map(finding_view).collect())
                    .unwrap_or_default(),
                error: t.result.as_ref().err().map(error_view),
            })
            .collect();
        let images = check
            .images
            .iter()
            .map(|i| match &i.result {
                Ok(r) => CheckedImageView {
                    name: i.name.clone(),
                    format: Some(r.format.to_string()),
                    findings: r.findings.iter().map(finding_view).collect(),
                    qr_codes: r
                        .qr_codes
                        .iter()
                        .map(|q| QrCodeView {
                            region: RegionView {
                                x: q.region.x,
                                y: q.region.y,
                                width: q.region.width,
                                height: q.region.height,
                            },
                            text: q.text.clone(),
                        })
                        .collect(),
                    text_read: Some(r.text_read.clone()),
                    clean_copy: Some(CleanCopyView {
                        file_name: clean_name(&i.name, r.clean.extension),
                        media_type: r.clean.media_type.to_string(),
                        lossless: r.clean.lossless,
                        base64: base64::engine::general_purpose::STANDARD.encode(&r.clean.bytes),
                    }),
                    error: None,
                },
                Err(e) => CheckedImageView {
                    name: i.name.clone(),
                    format: None,
                    findings: Vec::new(),
                    qr_codes: Vec::new(),
                    text_read: None,
                    clean_copy: None,
                    error: Some(error_view(e)),
                },
            })
            .collect();
        CheckResponse {
            complete: check.complete(),
            counts: CheckCounts {
                texts: c.texts,
                images: c.images,
                findings: c.findings,
                high: c.high,
                incomplete: c.incomplete,
            },
            texts,
            images,
        }
    }
}

/// The parts of a check form: its `text` and `image` files (`csrf` is the guard's).
async fn read_form(headers: &HeaderMap, body: Bytes) -> Result<Vec<PostPart>, ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return Err(ApiError::with_detail(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Content-Type {content_type:?}: send the text and images as multipart/form-data"
            ),
        ));
    }
    let bad = |what: String| ApiError::with_detail(ErrorCode::InvalidRequest, what);
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| bad(format!("multipart/form-data body: {e}")))?;
    let stream =
        futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut text: Option<String> = None;
    let mut parts = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("multipart/form-data body: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "image" | "images" | "image[]" => {
                let file = field.file_name().map(str::to_string);
                if file.is_none() && field.content_type().is_none() {
                    return Err(bad(format!(
                        "field `{name}` is not a file: send each image as a file part"
                    )));
                }
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| bad(format!("image field: {e}")))?;
                // A browser sends an empty file part when no file was chosen.
                if bytes.is_empty() && file.as_deref().is_none_or(str::is_empty) {
                    continue;
                }
                parts.push(PostPart::Image(ImageUpload {
                    name: file.filter(|f| !f.is_empty()),
                    bytes: bytes.to_vec(),
                }));
            }
            "text" if text.is_none() => {
                text = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| bad(format!("field `text`: {e}")))?,
                );
            }
            "text" => return Err(bad("field `text` is sent twice: send it once".into())),
            "csrf" => {}
            other => {
                return Err(bad(format!(
                    "unknown field `{other}`: send `text` and `image` files"
                )));
            }
        }
    }
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        parts.insert(
            0,
            PostPart::Text {
                name: "text".into(),
                text,
            },
        );
    }
    if parts.is_empty() {
        return Err(bad(
            "nothing to check: send a `text` field and/or `image` files".into(),
        ));
    }
    Ok(parts)
}

async fn run_check(
    state: &AppState,
    who: &CurrentUser,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<PostCheck, ApiError> {
    let parts = read_form(headers, body).await?;
    state
        .engine()
        .check_post(Actor::User(who.user.id), parts)
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))
}

/// Checks a draft before posting: personal data and the desk's sensitive terms in its text;
/// metadata, QR codes and the text in its images; each image back without its metadata.
/// Nothing is kept: the audit trail records that a check ran and its counts.
#[utoipa::path(
    post, path = "/api/check", tag = "check",
    request_body(
        content((CheckForm = "multipart/form-data")),
        description = "The draft as `multipart/form-data`: a `text` field and `image` files (PNG, JPEG, GIF or WebP)."
    ),
    responses(
        (status = 200, description = "What was found; `complete` is false when a part could not be checked (its `error` says why)", body = CheckResponse),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "The body is not `multipart/form-data` (`unsupported_media_type`)", body = ErrorBody),
        (status = 422, description = "Nothing to check, an unknown or repeated field, or an `image` that is not a file (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_check(
    State(state): State<AppState>,
    who: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CheckResponse>, ApiError> {
    let check = run_check(&state, &who, &headers, body).await?;
    Ok(Json(CheckResponse::of(&check)))
}

/// A piece of a checked text: plain, or a finding's span marked with its severity.
pub(crate) struct Piece {
    pub text: String,
    /// `low`, `medium` or `high` for a finding; empty for plain text.
    pub severity: &'static str,
    /// The finding's kind, in the page's language, for a marked piece.
    pub label: String,
}

/// A finding as the page lists it.
pub(crate) struct FindingRow {
    pub severity: &'static str,
    pub kind: String,
    pub place: String,
    pub matched: String,
    pub reason: String,
}

/// A part as the page shows it.
pub(crate) struct PartView {
    pub name: String,
    /// The text with its findings marked (texts, and the text read from an image).
    pub pieces: Vec<Piece>,
    pub findings: Vec<FindingRow>,
    /// Why the part could not be checked completely.
    pub error: Option<String>,
    /// The clean copy as a `data:` URL, its file name, and whether it is lossless.
    pub clean: Option<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    chrome: Chrome,
    /// The text as sent, put back in the form.
    text: String,
    /// The parts checked, after a check.
    parts: Option<Vec<PartView>>,
    /// The summary line, after a check.
    summary: String,
    complete: bool,
}

/// `text` in pieces, the spans of `findings` (in it, by `span`) marked; a span overlapping
/// an earlier one is listed but not marked twice.
fn pieces(
    chrome: &Chrome,
    text: &str,
    findings: &[Finding],
    span: impl Fn(&Location) -> Option<(usize, usize)>,
) -> Vec<Piece> {
    let mut spans: Vec<(usize, usize, &Finding)> = findings
        .iter()
        .filter_map(|f| span(&f.location).map(|(s, e)| (s, e, f)))
        .filter(|(s, e, _)| {
            s < e && *e <= text.len() && text.is_char_boundary(*s) && text.is_char_boundary(*e)
        })
        .collect();
    spans.sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e, f) in spans {
        if s < at {
            continue;
        }
        if s > at {
            out.push(Piece {
                text: text[at..s].to_string(),
                severity: "",
                label: String::new(),
            });
        }
        out.push(Piece {
            text: text[s..e].to_string(),
            severity: f.severity.as_str(),
            label: chrome
                .t
                .get(&format!("check.kind_{}", f.kind.as_str()))
                .to_string(),
        });
        at = e;
    }
    if at < text.len() {
        out.push(Piece {
            text: text[at..].to_string(),
            severity: "",
            label: String::new(),
        });
    }
    out
}

pub(crate) fn finding_row(chrome: &Chrome, f: &Finding) -> FindingRow {
    let t = chrome.t;
    let place = match &f.location {
        Location::Text { .. } => t.get("check.in_text").to_string(),
        Location::Metadata { block, field, .. } => {
            t.with("check.in_metadata", &[("block", block), ("field", field)])
        }
        Location::QrCode { code, region, .. } => t.with(
            "check.in_qr",
            &[
                ("n", &(code + 1)),
                ("x", &region.x),
                ("y", &region.y),
                ("w", &region.width),
                ("h", &region.height),
            ],
        ),
        Location::ImageText {
            region: Some(region),
            ..
        } => t.with(
            "check.in_image_text_at",
            &[
                ("x", &region.x),
                ("y", &region.y),
                ("w", &region.width),
                ("h", &region.height),
            ],
        ),
        Location::ImageText { region: None, .. } => t.get("check.in_image_text").to_string(),
    };
    FindingRow {
        severity: f.severity.as_str(),
        kind: t
            .get(&format!("check.kind_{}", f.kind.as_str()))
            .to_string(),
        place,
        matched: f.matched.clone(),
        reason: match chrome.lang.code() {
            "vi" => f.reason.vi.clone(),
            _ => f.reason.en.clone(),
        },
    }
}

fn part_views(chrome: &Chrome, check: &PostCheck) -> Vec<PartView> {
    let mut out = Vec::new();
    for t in &check.texts {
        let (pieces, findings, error) = match &t.result {
            Ok(r) => (
                pieces(chrome, &t.text, &r.findings, |l| match l {
                    Location::Text { start, end } => Some((*start, *end)),
                    _ => None,
                }),
                r.findings.iter().map(|f| finding_row(chrome, f)).collect(),
                None,
            ),
            Err(e) => (Vec::new(), Vec::new(), Some(e.to_string())),
        };
        out.push(PartView {
            name: chrome.t.get("check.the_text").to_string(),
            pieces,
            findings,
            error,
            clean: None,
        });
    }
    for i in &check.images {
        out.push(match &i.result {
            Ok(r) => PartView {
                name: i.name.clone(),
                pieces: pieces(chrome, &r.text_read, &r.findings, |l| match l {
                    Location::ImageText { start, end, .. } => Some((*start, *end)),
                    _ => None,
                }),
                findings: r.findings.iter().map(|f| finding_row(chrome, f)).collect(),
                error: None,
                clean: Some((
                    format!(
                        "data:{};base64,{}",
                        r.clean.media_type,
                        base64::engine::general_purpose::STANDARD.encode(&r.clean.bytes)
                    ),
                    clean_name(&i.name, r.clean.extension),
                    r.clean.lossless,
                )),
            },
            Err(e) => PartView {
                name: i.name.clone(),
                pieces: Vec::new(),
                findings: Vec::new(),
                error: Some(e.to_string()),
                clean: None,
            },
        });
    }
    out
}

/// What a case's privacy check shows on its page: each finding with the part it is in,
/// and whether publishing is held (findings of high severity, or a part not checked).
pub(crate) struct PublicationCheck {
    /// (part, finding).
    pub findings: Vec<(String, FindingRow)>,
    /// The parts that could not be checked, with why.
    pub incomplete: Vec<(String, String)>,
    /// Whether publishing needs a reviewer's reason.
    pub held: bool,
}

impl PublicationCheck {
    /// The page's view of `check`.
    pub(crate) fn of(chrome: &Chrome, check: &PostCheck) -> PublicationCheck {
        let mut findings = Vec::new();
        let mut incomplete = Vec::new();
        for t in &check.texts {
            match &t.result {
                Ok(r) => findings.extend(
                    r.findings
                        .iter()
                        .map(|f| (t.name.clone(), finding_row(chrome, f))),
                ),
                Err(e) => incomplete.push((t.name.clone(), e.to_string())),
            }
        }
        for i in &check.images {
            match &i.result {
                Ok(r) => findings.extend(
                    r.findings
                        .iter()
                        .map(|f| (i.name.clone(), finding_row(chrome, f))),
                ),
                Err(e) => incomplete.push((i.name.clone(), e.to_string())),
            }
        }
        PublicationCheck {
            findings,
            incomplete,
            held: check.has_high() || !check.complete(),
        }
    }
}

/// `GET /check`: the form.
pub(crate) async fn check_page(chrome: Chrome) -> Response {
    let chrome = chrome.section("check");
    render(
        StatusCode::OK,
        &CheckPage {
            chrome,
            text: String::new(),
            parts: None,
            summary: String::new(),
            complete: true,
        },
    )
}

/// `POST /check`: the form checked, its findings marked in the text and listed with why,
/// each image's clean copy to download.
pub(crate) async fn check_submit(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let chrome = chrome.section("check");
    let check = run_check(&state, &who, &headers, body)
        .await
        .map_err(|e| fail(&chrome)(e))?;
    let c = check.counts();
    let summary = chrome.t.with(
        "check.summary",
        &[
            ("findings", &c.findings),
            ("high", &c.high),
            ("images", &c.images),
        ],
    );
    let text = check
        .texts
        .first()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let parts = part_views(&chrome, &check);
    Ok(render(
        StatusCode::OK,
        &CheckPage {
            chrome,
            text,
            parts: Some(parts),
            summary,
            complete: check.complete(),
        },
    ))
}
