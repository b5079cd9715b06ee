//! Every error the server answers with: one table of stable codes, their HTTP status and
//! class, and the mapping from axum's rejections, so no response is axum's plain text.
//!
//! The JSON body is `{"message", "code", "type", "request_id"}`. Clients switch on `code`,
//! which never changes meaning; `message` (from the English catalog, plus detail) is for
//! people; `request_id` is the id of the request, also in its `x-request-id` header and in
//! the log.
//!
//! Architecture invariant: an internal error (class `internal`) says only its code's
//! message to the client. Its detail (a database error's text with its SQL, a file's path,
//! an I/O error) goes to the log, under the request id, and nowhere else.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::Lang;
use crate::request_id;

/// The class of an error: the caller's mistake, missing credentials, or ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// The request was wrong; repeating it unchanged fails again.
    InvalidRequest,
    /// The caller is not signed in or may not do this.
    Auth,
    /// The server failed; the request may succeed later.
    Internal,
}

impl ErrorType {
    /// The name in the JSON body.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::InvalidRequest => "invalid_request",
            ErrorType::Auth => "auth",
            ErrorType::Internal => "internal",
        }
    }
}

/// The stable error codes. [`ErrorCode::ALL`] lists them; [`ErrorCode::entry`] is the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The body is not syntactically valid JSON.
    InvalidJson,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// The body is not of the content type the route takes (`application/json`).
    UnsupportedMediaType,
    /// No such page, route or record.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// A path segment (an id) is not of the expected form.
    InvalidPath,
    /// A query-string parameter is not valid.
    InvalidQuery,
    /// The body is JSON but not a valid request (missing field, out-of-range value).
    InvalidRequest,
    /// The request took longer than the server allows.
    RequestTimeout,
    /// The store cannot be reached.
    StoreUnavailable,
    /// No session cookie or API token, or one that no longer works.
    Unauthorized,
    /// The signed-in user's role does not allow this.
    Forbidden,
    /// A state-changing request without the session's CSRF token, or from another site.
    CsrfFailed,
    /// Too many failed sign-ins from this address or for this username; try later.
    TooManyRequests,
    /// The case workflow does not allow this move (the message says why).
    InvalidTransition,
    /// The fact-check was withdrawn: it has no ClaimReview any more.
    Withdrawn,
    /// An unexpected failure inside the server.
    Internal,
}

impl ErrorCode {
    /// Every code, in table order.
    pub const ALL: [ErrorCode; 17] = [
        ErrorCode::InvalidJson,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InvalidPath,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidRequest,
        ErrorCode::RequestTimeout,
        ErrorCode::StoreUnavailable,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::CsrfFailed,
        ErrorCode::TooManyRequests,
        ErrorCode::InvalidTransition,
        ErrorCode::Withdrawn,
        ErrorCode::Internal,
    ];

    /// The table: machine code, HTTP status, class.
    pub fn entry(self) -> (&'static str, StatusCode, ErrorType) {
        use ErrorType::*;
        match self {
            ErrorCode::InvalidJson => ("invalid_json", StatusCode::BAD_REQUEST, InvalidRequest),
            ErrorCode::PayloadTooLarge => (
                "payload_too_large",
                StatusCode::PAYLOAD_TOO_LARGE,
                InvalidRequest,
            ),
            ErrorCode::UnsupportedMediaType => (
                "unsupported_media_type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                InvalidRequest,
            ),
            ErrorCode::NotFound => ("not_found", StatusCode::NOT_FOUND, InvalidRequest),
            ErrorCode::MethodNotAllowed => (
                "method_not_allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                InvalidRequest,
            ),
            ErrorCode::InvalidPath => ("invalid_path", StatusCode::BAD_REQUEST, InvalidRequest),
            ErrorCode::InvalidQuery => ("invalid_query", StatusCode::BAD_REQUEST, InvalidRequest),
            ErrorCode::InvalidRequest => (
                "invalid_request",
                StatusCode::UNPROCESSABLE_ENTITY,
                InvalidRequest,
            ),
            ErrorCode::RequestTimeout => (
                "request_timeout",
                StatusCode::REQUEST_TIMEOUT,
                InvalidRequest,
            ),
            ErrorCode::StoreUnavailable => (
                "store_unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                Internal,
            ),
            ErrorCode::Unauthorized => ("unauthorized", StatusCode::UNAUTHORIZED, Auth),
            ErrorCode::Forbidden => ("forbidden", StatusCode::FORBIDDEN, Auth),
            ErrorCode::CsrfFailed => ("csrf_failed", StatusCode::FORBIDDEN, Auth),
            ErrorCode::TooManyRequests => {
                ("too_many_requests", StatusCode::TOO_MANY_REQUESTS, Auth)
            }
            ErrorCode::InvalidTransition => {
                ("invalid_transition", StatusCode::CONFLICT, InvalidRequest)
            }
            ErrorCode::Withdrawn => ("withdrawn", StatusCode::GONE, InvalidRequest),
            ErrorCode::Internal => ("internal", StatusCode::INTERNAL_SERVER_ERROR, Internal),
        }
    }

    /// The machine code, e.g. `invalid_json`.
    pub fn as_str(self) -> &'static str {
        self.entry().0
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        self.entry().1
    }

    /// The class.
    pub fn error_type(self) -> ErrorType {
        self.entry().2
    }

    /// The code a bare status from a middleware layer (body limit, timeout, router) stands
    /// for.
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::SERVICE_UNAVAILABLE => ErrorCode::StoreUnavailable,
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
            StatusCode::FORBIDDEN => ErrorCode::Forbidden,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::TooManyRequests,
            StatusCode::CONFLICT => ErrorCode::InvalidTransition,
            StatusCode::GONE => ErrorCode::Withdrawn,
            s if s.is_server_error() => ErrorCode::Internal,
            _ => ErrorCode::InvalidRequest,
        }
    }
}

/// An error answered as JSON: a code and, when it helps, what exactly was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// Detail appended to the code's message (a parser's complaint, the field at fault).
    pub detail: Option<String>,
    /// The detail in words the catalogs translate, for pages in other languages than
    /// English; `None` when the detail exists only in English (a parser's message).
    pub reason: Option<Reason>,
}

/// A value of a [`Reason`]: text shown as it is, or a catalog key shown translated (a
/// status or a role name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReasonArg {
    /// Shown as it is (an id, a username).
    Text(String),
    /// A catalog key, shown in the page's language (`case_status.drafted`).
    Key(String),
}

/// Why a request was refused, as a catalog message (`reason.*`) and its values, so a page
/// says in its own language the same thing the API's `message` says in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The catalog key, e.g. `reason.no_draft_verdict`.
    pub key: &'static str,
    /// The values of its `{placeholders}`.
    pub args: Vec<(&'static str, ReasonArg)>,
}

impl Reason {
    /// A reason with no values.
    pub fn new(key: &'static str) -> Reason {
        Reason {
            key,
            args: Vec::new(),
        }
    }

    /// The reason with `{name}` shown as `value`.
    pub fn text(mut self, name: &'static str, value: impl ToString) -> Reason {
        self.args.push((name, ReasonArg::Text(value.to_string())));
        self
    }

    /// The reason with `{name}` shown as the catalog's message for `key`.
    pub fn key(mut self, name: &'static str, key: impl Into<String>) -> Reason {
        self.args.push((name, ReasonArg::Key(key.into())));
        self
    }

    /// The reason in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let t = lang.messages();
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    ReasonArg::Text(s) => s.clone(),
                    ReasonArg::Key(k) => t.get(k).to_string(),
                };
                (*name, value)
            })
            .collect();
        let args: Vec<(&str, &dyn std::fmt::Display)> = values
            .iter()
            .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
            .collect();
        t.with(self.key, &args)
    }
}

/// The JSON body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub message: String,
    /// The stable machine code.
    pub code: &'static str,
    /// `invalid_request`, `auth` or `internal`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The request's id (as in its `x-request-id` response header): quote it when reporting
    /// a problem; the log has the detail under it.
    pub request_id: String,
}

impl ApiError {
    /// An error with only its code's message.
    pub fn new(code: ErrorCode) -> ApiError {
        ApiError {
            code,
            detail: None,
            reason: None,
        }
    }

    /// An error with detail.
    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            code,
            detail: Some(detail.into()),
            reason: None,
        }
    }

    /// The error with its detail in translatable words too.
    pub fn because(mut self, reason: Reason) -> ApiError {
        self.reason = Some(reason);
        self
    }

    /// What the caller did wrong, in `lang`: the translated reason, else the detail as it
    /// is; nothing for internal errors (their detail is for the log).
    pub fn reason_in(&self, lang: Lang) -> Option<String> {
        if !self.detail_shown() {
            return None;
        }
        self.reason
            .as_ref()
            .map(|r| r.render(lang))
            .or_else(|| self.detail.clone())
    }

    /// Whether the client may read the detail: the caller's mistakes say what was wrong;
    /// internal failures keep their detail for the log.
    fn detail_shown(&self) -> bool {
        self.code.error_type() != ErrorType::Internal
    }

    /// The body this error is answered with, for the request being answered.
    pub fn body(&self) -> ErrorBody {
        let key = format!("api_error.{}", self.code.as_str());
        let base = Lang::En.messages().get(&key);
        let message = match &self.detail {
            Some(d) if self.detail_shown() => format!("{base}: {d}"),
            _ => base.to_string(),
        };
        ErrorBody {
            message,
            code: self.code.as_str(),
            kind: self.code.error_type().as_str(),
            request_id: request_id::current(),
        }
    }

    /// Writes an internal error's detail to the log under the request's id (the client is
    /// told only the code); other errors are the caller's and are not logged.
    pub fn log(&self) {
        if self.code.error_type() == ErrorType::Internal {
            tracing::error!(
                target: "server::http",
                request_id = %request_id::current(),
                code = self.code.as_str(),
                detail = self.detail.as_deref().unwrap_or(""),
                "request failed"
            );
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.body().message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        (self.code.status(), Json(self.body())).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match &r {
            JsonRejection::JsonSyntaxError(_) => ErrorCode::InvalidJson,
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidRequest,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::InvalidRequest,
        };
        ApiError::with_detail(code, r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        let code = match &r {
            PathRejection::FailedToDeserializePathParams(_) => ErrorCode::InvalidPath,
            _ => ErrorCode::Internal,
        };
        ApiError::with_detail(code, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::with_detail(ErrorCode::InvalidQuery, r.body_text())
    }
}

impl From<claimdesk_store::Error> for ApiError {
    /// The store's refusals become the caller's errors (role → `forbidden`, workflow →
    /// `invalid_transition` with the core's reason); its failures stay internal.
    fn from(e: claimdesk_store::Error) -> Self {
        use claimdesk_store::Error as E;
        let code = match &e {
            E::NotFound { .. } => ErrorCode::NotFound,
            E::Forbidden { .. } | E::ImportForbidden { .. } | E::Disabled(_) => {
                ErrorCode::Forbidden
            }
            E::Workflow(_)
            | E::DeskVerdict { .. }
            | E::NoDraftVerdict { .. }
            | E::Conflict(_)
            | E::AlreadyWithdrawn { .. } => ErrorCode::InvalidTransition,
            E::NoWithdrawalReason
            | E::UsernameTaken(_)
            | E::PasswordTooShort { .. }
            | E::PasswordTooWeak { .. }
            | E::Invalid(_) => ErrorCode::InvalidRequest,
            E::Unavailable(_) | E::Unreachable { .. } => ErrorCode::StoreUnavailable,
            _ => ErrorCode::Internal,
        };
        let reason = store_reason(&e);
        let error = ApiError::with_detail(code, e.to_string());
        match reason {
            Some(r) => error.because(r),
            None => error,
        }
    }
}

/// `fact-check`, `API token` as a catalog key's part: `fact_check`, `api_token`.
fn key_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The store's refusal in translatable words, when it is one the catalogs know.
fn store_reason(e: &claimdesk_store::Error) -> Option<Reason> {
    use claimdesk_core::WorkflowError as W;
    use claimdesk_store::Error as E;
    let status = |s: &claimdesk_core::CaseStatus| format!("case_status.{}", s.as_str());
    Some(match e {
        E::NotFound { what, id } => Reason::new("reason.not_found")
            .key("what", format!("reason.what_{}", key_part(what)))
            .text("id", id),
        E::Forbidden { username, role, .. } | E::ImportForbidden { username, role } => {
            Reason::new("reason.forbidden")
                .text("username", username)
                .key("role", format!("role.{}", role.as_str()))
        }
        E::Disabled(username) => Reason::new("reason.disabled").text("username", username),
        E::UsernameTaken(username) => {
            Reason::new("reason.username_taken").text("username", username)
        }
        E::PasswordTooShort { min } => Reason::new("reason.password_too_short").text("min", min),
        E::PasswordTooWeak { .. } => Reason::new("reason.password_too_weak"),
        E::DeskVerdict { source_id, case } => Reason::new("reason.desk_verdict")
            .text("source_id", source_id)
            .text("case", case),
        E::NoDraftVerdict { case, to } => Reason::new("reason.no_draft_verdict")
            .text("case", case)
            .key("to", status(to)),
        E::Workflow(W::NotAllowed { from, to }) => Reason::new("reason.move_not_allowed")
            .key("from", status(from))
            .key("to", status(to)),
        E::NoWithdrawalReason => Reason::new("reason.withdrawal_needs_reason"),
        E::AlreadyWithdrawn { id, at } => Reason::new("reason.already_withdrawn")
            .text("id", id)
            .text("at", at),
        E::Workflow(W::ViewerCannotChange) => Reason::new("reason.viewer_cannot_change"),
        E::Workflow(W::OnlyReviewerCanPublish) => Reason::new("reason.only_reviewer_publishes"),
        E::Workflow(W::AuthorCannotApprove) => Reason::new("reason.author_cannot_approve"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(code: ErrorCode) -> (StatusCode, serde_json::Value) {
        let e = ApiError::new(code);
        let b = e.body();
        (code.status(), serde_json::to_value(b).unwrap())
    }

    /// One test per code: its table entry and its JSON body.
    macro_rules! code_tests {
        ($($name:ident: $code:ident => $str:literal, $status:literal, $kind:literal;)*) => {$(
            #[test]
            fn $name() {
                let (status, body) = body_of(ErrorCode::$code);
                assert_eq!(status.as_u16(), $status);
                assert_eq!(body["code"], $str);
                assert_eq!(body["type"], $kind);
                let message = body["message"].as_str().unwrap();
                assert!(!message.is_empty() && !message.starts_with("api_error."), "{message}");
            }
        )*
            #[test]
            fn every_code_has_a_test() {
                let tested = [$(ErrorCode::$code),*];
                assert_eq!(tested.len(), ErrorCode::ALL.len());
                for c in ErrorCode::ALL {
                    assert!(tested.contains(&c), "{c:?}");
                }
            }
        };
    }

    code_tests! {
        invalid_json: InvalidJson => "invalid_json", 400, "invalid_request";
        payload_too_large: PayloadTooLarge => "payload_too_large", 413, "invalid_request";
        unsupported_media_type: UnsupportedMediaType => "unsupported_media_type", 415, "invalid_request";
        not_found: NotFound => "not_found", 404, "invalid_request";
        method_not_allowed: MethodNotAllowed => "method_not_allowed", 405, "invalid_request";
        invalid_path: InvalidPath => "invalid_path", 400, "invalid_request";
        invalid_query: InvalidQuery => "invalid_query", 400, "invalid_request";
        invalid_request: InvalidRequest => "invalid_request", 422, "invalid_request";
        request_timeout: RequestTimeout => "request_timeout", 408, "invalid_request";
        store_unavailable: StoreUnavailable => "store_unavailable", 503, "internal";
        unauthorized: Unauthorized => "unauthorized", 401, "auth";
        forbidden: Forbidden => "forbidden", 403, "auth";
        csrf_failed: CsrfFailed => "csrf_failed", 403, "auth";
        too_many_requests: TooManyRequests => "too_many_requests", 429, "auth";
        invalid_transition: InvalidTransition => "invalid_transition", 409, "invalid_request";
        withdrawn: Withdrawn => "withdrawn", 410, "invalid_request";
        internal: Internal => "internal", 500, "internal";
    }

    #[test]
    fn codes_are_unique_and_a_bare_status_finds_its_code() {
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert_eq!(
            ErrorCode::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            ErrorCode::PayloadTooLarge
        );
        assert_eq!(
            ErrorCode::for_status(StatusCode::BAD_GATEWAY),
            ErrorCode::Internal
        );
    }

    #[test]
    fn detail_follows_the_message() {
        let b = ApiError::with_detail(ErrorCode::InvalidQuery, "page: not a number").body();
        assert!(b.message.ends_with(": page: not a number"), "{}", b.message);
    }

    #[test]
    fn internal_detail_stays_out_of_the_body() {
        for code in [ErrorCode::Internal, ErrorCode::StoreUnavailable] {
            let e = ApiError::with_detail(code, "no such table: items in SELECT * FROM items");
            let b = serde_json::to_value(e.body()).unwrap();
            assert!(!b.to_string().contains("items"), "{b}");
            assert!(b["request_id"].is_string(), "{b}");
        }
    }
}
