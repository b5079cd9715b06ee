//! What the route table (`table::ROUTES`) says of each route: method, path, who may
//! use it, what kind of answer it gives, and the handler. The router, the guard's access
//! list, the API route list (and so the OpenAPI document) and the metrics labels are all
//! derived from that one table.

use axum::routing::MethodRouter;
use utoipa_axum::router::UtoipaMethodRouter;

use crate::state::AppState;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user, viewers included (reads, ranking a text, signing out).
    SignedIn,
    /// Users who change the desk: editors and above (the store checks finer rights).
    Change,
    /// Admins only: importing fact-checks, which publishes them without a case's review
    /// (the store checks it again).
    Admin,
}

/// What a route answers, and so what its errors look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An HTML page of the desk or the public site (errors: the error page; signed-out
    /// visitors of a `GET` are sent to the sign-in form).
    Page,
    /// A feed of the public verdicts (RSS, Atom, JSON Feed).
    Feed,
    /// A download: the staff's (CSV, JSON Lines, an item's image) or, with `Public`
    /// access, a published verdict's image.
    Download,
    /// The JSON API and the machine endpoints, described by the OpenAPI document (errors:
    /// the JSON error body).
    Api,
    /// A static file.
    Asset,
}

impl Kind {
    /// Whether errors on the route are the HTML error page (else the JSON error body).
    pub fn html_errors(self) -> bool {
        matches!(self, Kind::Page | Kind::Feed | Kind::Download)
    }
}

/// How large a body a route reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySize {
    /// At most `[server]`'s body limit (JSON, forms): most routes.
    Small,
    /// At most the upload limit: a form or multipart body with images (a photo from a
    /// phone is several megabytes).
    Upload,
}

/// How the router serves a route.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// A handler with its OpenAPI description (`utoipa_axum::routes!`).
    Api(fn() -> UtoipaMethodRouter<AppState>),
    /// A handler the OpenAPI document does not describe.
    Plain(fn() -> MethodRouter<AppState>),
    /// Served by the handler of the route named (`{id}.jsonld` by `/api/factchecks/{id}`:
    /// axum cannot match a parameter followed by a suffix).
    By(&'static str),
}

/// A route of the application: method, path (axum's syntax), who may use it, what it
/// answers, and its handler.
#[derive(Clone, Copy)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path pattern, e.g. `/items/{id}`.
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
    /// What it answers.
    pub kind: Kind,
    /// How large a body it reads.
    pub body: BodySize,
    /// Who answers it.
    pub(crate) handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("access", &self.access)
            .field("kind", &self.kind)
            .finish()
    }
}

impl Route {
    /// The route's label in `/metrics` (its path pattern, a value fixed by the code).
    pub fn metrics_label(&self) -> &'static str {
        self.path
    }
}

/// The route of `method` and matched `path` in `routes` (`HEAD` is `GET`'s).
pub(crate) fn find<'r>(routes: &'r [Route], method: &str, path: &str) -> Option<&'r Route> {
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    routes
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
}
