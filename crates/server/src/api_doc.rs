//! The OpenAPI document: its description ([`ApiDoc`]) and what the route table adds to every
//! API operation, so the document says what the server does: who may call it (the security
//! schemes and each operation's requirement) and every error it can answer with (the status,
//! the codes behind it, the error body's schema).
//!
//! The handlers' `#[utoipa::path]` describe what is particular to them; the errors every
//! route of a kind shares (a body that is not JSON, an id that is not a number, a missing
//! token) are derived here from the route's access, its parameters and its body, in one
//! place, so no operation forgets one.

use std::collections::BTreeMap;

use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Object, ObjectBuilder, Ref, RefOr, ResponseBuilder, Type};

use crate::error::ErrorCode;
use crate::i18n::Lang;
use crate::route::{Access, Kind, Route};
use crate::session::SESSION_COOKIE;

/// The security scheme of API tokens (`Authorization: Bearer <token>`).
pub(crate) const BEARER_SCHEME: &str = "bearerAuth";
/// The security scheme of the desk's session cookie (changes also need `X-CSRF-Token`).
pub(crate) const COOKIE_SCHEME: &str = "sessionCookie";

/// The document's description; the paths come from the route table.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "claimdesk",
        description = "The desk's JSON API: the queue of items with their matches, the fact-checks, ranking of fact-checks for a text, the cases the desk works, and the narratives, copy-paste bursts and alerts the monitor found. Every route but this document, the JSON-LD, `/healthz` and `/metrics` needs an API token (`Authorization: Bearer <token>`, scheme `bearerAuth`; `claimdesk token create USER NAME` makes one) or a session cookie (scheme `sessionCookie`; changes then need the session's `X-CSRF-Token` header). Errors are `{\"message\", \"code\", \"type\", \"request_id\"}` (schema `ErrorBody`) with a stable `code`, listed in each response's description; the request id is also the `x-request-id` response header and names the log lines with the detail of an internal error."
    ),
    tags(
        (name = "items", description = "Posts and articles the desk watches"),
        (name = "factchecks", description = "Published fact-checks"),
        (name = "match", description = "Ranking fact-checks for a text"),
        (name = "check", description = "The privacy check before posting: personal data, sensitive terms and image metadata in a draft; nothing is kept"),
        (name = "cases", description = "The desk's workflow: cases, links, notes, evidence, verdicts"),
        (name = "narratives", description = "Narratives (items saying the same thing), copy-paste bursts and alerts; read-only"),
        (name = "stats", description = "The desk's figures over a period (the dashboard's), editors and above; read-only"),
        (name = "ops", description = "Health, metrics and this document")
    )
)]
pub(crate) struct ApiDoc;

/// Adds to `doc` the security schemes, each API route's security requirement, and the error
/// responses each can give (those its handler did not document itself).
pub(crate) fn complete(doc: &mut utoipa::openapi::OpenApi, routes: &[Route]) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token: `claimdesk token create USER NAME` prints one. The token's user's role decides what it may do.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        COOKIE_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session cookie of a signed-in browser (`POST /login`); requests that change the desk also need the session's `X-CSRF-Token` header.",
        ))),
    );
    constrain(doc);
    doc.security = Some(signed_in());
    for route in routes.iter().filter(|r| r.kind == Kind::Api) {
        let Some(item) = doc.paths.paths.get_mut(route.path) else {
            continue;
        };
        let op = match route.method {
            "GET" => item.get.as_mut(),
            "POST" => item.post.as_mut(),
            _ => None,
        };
        let Some(op) = op else { continue };
        op.security = Some(if route.access == Access::Public {
            Vec::new()
        } else {
            signed_in()
        });
        add_errors(op, route);
    }
}

/// White space as Rust's `char::is_whitespace` (Unicode `White_Space`) knows it, which the
/// server trims away, as a regular-expression class body.
const WHITE_SPACE: &str = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters the server refuses in text (`claimdesk_ingest::validate::text`: every
/// `Cc` but tab, line feed and carriage return), as a class body.
const CONTROL: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

/// Text the server takes: no control character but tab and line breaks.
fn text_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

/// Text that is not blank once trimmed (and has no control character).
fn non_blank_pattern() -> String {
    format!(r"^[^{CONTROL}]*[^{CONTROL}{WHITE_SPACE}][^{CONTROL}]*$")
}

/// Text that is not blank once trimmed, any character allowed (what `POST /api/match`
/// ranks): a search pattern, not anchored.
fn any_non_blank_pattern() -> String {
    format!("[^{WHITE_SPACE}]")
}

/// An item's text: not blank once trimmed, without NUL (`claimdesk_ingest`'s `check_text`).
fn item_text_pattern() -> String {
    format!(r"^[^\x00]*[^\x00{WHITE_SPACE}][^\x00]*$")
}

/// An `http`/`https` address with a host, without white space or control characters
/// (`claimdesk_core::web_url`), white space around it trimmed.
fn web_url_pattern() -> String {
    let ws = WHITE_SPACE;
    // Neither white space nor a control character; the host's first also not `/`, `?`, `#`.
    let inner = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
    let first = r"[^/?#\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
    format!("^[{ws}]*[Hh][Tt][Tt][Pp][Ss]?://{first}{inner}*[{ws}]*$")
}

/// A language tag (`claimdesk_ingest::validate::language`), or nothing (blank).
fn language_pattern() -> String {
    let ws = WHITE_SPACE;
    format!("^[{ws}]*([A-Za-z]{{2,3}}([-_][A-Za-z0-9]{{1,8}})*)?[{ws}]*$")
}

/// The request fields the server checks beyond their type, with the pattern it checks
/// them by: (schema, property, pattern).
fn field_rules() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("ItemRequest", "text", item_text_pattern()),
        ("ItemForm", "text", item_text_pattern()),
        ("MatchRequest", "text", any_non_blank_pattern()),
        ("NoteRequest", "text", non_blank_pattern()),
        ("EvidenceRequest", "url", web_url_pattern()),
        ("EvidenceRequest", "title", text_pattern()),
        ("EvidenceRequest", "note", text_pattern()),
        ("VerdictRequest", "claim", non_blank_pattern()),
        ("VerdictRequest", "headline", text_pattern()),
        ("VerdictRequest", "summary", text_pattern()),
        ("VerdictRequest", "language", language_pattern()),
        ("NewFactCheckRequest", "claim", non_blank_pattern()),
        ("NewFactCheckRequest", "url", web_url_pattern()),
        ("NewFactCheckRequest", "headline", text_pattern()),
        ("NewFactCheckRequest", "rating", text_pattern()),
        ("NewFactCheckRequest", "author", text_pattern()),
        ("NewFactCheckRequest", "language", language_pattern()),
        ("WithdrawRequest", "reason", non_blank_pattern()),
    ]
}

/// Writes [`field_rules`] into the document's schemas, closes the item form (`ItemForm`) to
/// other fields, and writes the evidence URLs' pattern into `VerdictRequest.evidence`'s items.
fn constrain(doc: &mut utoipa::openapi::OpenApi) {
    let Ok(mut v) = serde_json::to_value(&*doc) else {
        return;
    };
    let schemas = &mut v["components"]["schemas"];
    for (schema, property, pattern) in field_rules() {
        let p = &mut schemas[schema]["properties"][property];
        debug_assert!(p.is_object(), "{schema}.{property}");
        if let Some(p) = p.as_object_mut() {
            p.insert("pattern".into(), serde_json::Value::String(pattern));
        }
    }
    // The item form takes no other field (the handler refuses one it does not know).
    if let Some(form) = schemas["ItemForm"].as_object_mut() {
        form.insert(
            "additionalProperties".into(),
            serde_json::Value::Bool(false),
        );
    }
    if let Some(items) =
        schemas["VerdictRequest"]["properties"]["evidence"]["items"].as_object_mut()
    {
        items.insert(
            "pattern".into(),
            serde_json::Value::String(web_url_pattern()),
        );
    }
    if let Ok(constrained) = serde_json::from_value(v) {
        *doc = constrained;
    }
}

/// The document as served by a desk: the verdict ratings its rating scale takes (config, so
/// not known to [`complete`]).
pub(crate) fn for_desk(
    doc: &utoipa::openapi::OpenApi,
    scale: &claimdesk_publish::RatingScale,
) -> serde_json::Value {
    let mut v = serde_json::to_value(doc).unwrap_or_default();
    // The scale compares without case, so one spelling of each is listed (generated clients
    // name enum values by their upper-cased spelling, which must not collide).
    let mut names: Vec<String> = Vec::new();
    for verdict in scale.verdicts() {
        for name in std::iter::once(&verdict.key).chain(verdict.labels.values()) {
            if !names
                .iter()
                .any(|n| n.to_lowercase() == name.to_lowercase())
            {
                names.push(name.clone());
            }
        }
    }
    let rating = &mut v["components"]["schemas"]["VerdictRequest"]["properties"]["rating"];
    if let Some(r) = rating.as_object_mut() {
        r.insert("enum".into(), serde_json::json!(names));
    }
    v
}

/// Either credential: an API token or a session cookie.
fn signed_in() -> Vec<SecurityRequirement> {
    vec![
        SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new()),
        SecurityRequirement::new(COOKIE_SCHEME, Vec::<String>::new()),
    ]
}

/// The error codes `route` (described by `op`) can answer with, from what it takes and who
/// may call it.
pub(crate) fn error_codes(op: &Operation, route: &Route) -> Vec<ErrorCode> {
    let params = op.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| {
        params.iter().any(|p| match p {
            RefOr::T(p) => p.parameter_in == place,
            RefOr::Ref(_) => false,
        })
    };
    let mut codes = Vec::new();
    if takes(ParameterIn::Path) {
        codes.extend([ErrorCode::InvalidPath, ErrorCode::NotFound]);
    }
    if takes(ParameterIn::Query) {
        codes.push(ErrorCode::InvalidQuery);
    }
    if op.request_body.is_some() {
        codes.extend([
            ErrorCode::InvalidJson,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::InvalidRequest,
        ]);
    }
    if route.access != Access::Public {
        codes.push(ErrorCode::Unauthorized);
        if route.method != "GET" {
            codes.push(ErrorCode::CsrfFailed);
        }
        if matches!(route.access, Access::Change | Access::Admin) {
            codes.push(ErrorCode::Forbidden);
        }
    }
    codes
}

/// Documents every error of [`error_codes`] whose status the handler left undocumented.
fn add_errors(op: &mut Operation, route: &Route) {
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    for code in error_codes(op, route) {
        by_status
            .entry(code.status().as_u16())
            .or_default()
            .push(code);
    }
    for (status, codes) in by_status {
        let key = status.to_string();
        if op.responses.responses.contains_key(&key) {
            continue;
        }
        let messages = Lang::En.messages();
        let description = codes
            .iter()
            .map(|c| {
                let key = format!("api_error.{}", c.as_str());
                format!("`{}`: {}", c.as_str(), messages.get(&key))
            })
            .collect::<Vec<_>>()
            .join("; ");
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        op.responses.responses.insert(key, RefOr::T(response));
    }
}

/// A string schema that takes exactly `names`.
pub(crate) fn names_schema<'a>(names: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names.into_iter().map(str::to_string)))
        .build()
}

/// The case statuses, as `CaseStatus::from_str` takes them.
pub(crate) fn case_status_schema() -> Object {
    names_schema(claimdesk_core::CaseStatus::ALL.iter().map(|s| s.as_str()))
}

/// The statuses a case can be moved to with a transition: every status but
/// `matched_existing`, which only linking a fact-check sets.
pub(crate) fn transition_status_schema() -> Object {
    names_schema(
        claimdesk_core::CaseStatus::ALL
            .iter()
            .filter(|s| **s != claimdesk_core::CaseStatus::MatchedExisting)
            .map(|s| s.as_str()),
    )
}

/// The alert rules, as `AlertRule::from_str` takes them.
pub(crate) fn alert_rule_schema() -> Object {
    names_schema(claimdesk_core::AlertRule::ALL.iter().map(|r| r.as_str()))
}
