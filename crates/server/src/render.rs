//! Rendering pages: what every page shares ([`Chrome`]: language, catalog, signed-in user,
//! assets, dates), rendering an askama template (HTML auto-escaped), the filters' options
//! and the pager.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use jiff::tz::TimeZone;

use crate::assets::{CSS_PATH, HTMX_PATH};
use crate::error::{ApiError, ErrorCode};
use crate::extract::CurrentUser;
use crate::i18n::{Lang, Messages};
use crate::state::AppState;
use crate::time;
use crate::views::PageInfo;

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
    /// The chrome of a page in `lang` at `here` (path and query), dates in `tz`.
    pub(crate) fn new(lang: Lang, here: String, tz: TimeZone) -> Chrome {
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

    /// The `data-hx-headers` of the page's body: the CSRF token for htmx requests.
    pub fn hx_headers(&self) -> Option<String> {
        let csrf = &self.user.as_ref()?.csrf;
        (!csrf.is_empty()).then(|| serde_json::json!({ "X-CSRF-Token": csrf }).to_string())
    }

    /// The session's CSRF token, for the hidden field of every form.
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    /// The chrome with the nav's `section` highlighted.
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

/// A page: `page` rendered with `status`, or the internal error when the template fails.
pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(target: "server::http", error = %e, "template failed");
            ApiError::new(ErrorCode::Internal).into_response()
        }
    }
}

/// An option of a filter's `<select>`.
pub(crate) struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a filter: "any" (the catalog's `any`), then `values` as (value, label),
/// `chosen` selected.
pub(crate) fn options(
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

/// The pager of a list page: `shown` entries of `info`, links to `base` with `link(page)`
/// as the query.
pub(crate) fn pager(
    t: &Messages,
    info: &PageInfo,
    shown: usize,
    base: &str,
    link: impl Fn(u64) -> String,
) -> Pager {
    let from = (info.page - 1) * u64::from(info.per_page) + 1;
    let to = from + shown as u64 - 1;
    // A list counted only in part shows its count as "10000+".
    let total = format!("{}{}", info.total, if info.total_exact { "" } else { "+" });
    Pager {
        summary: if shown == 0 {
            t.with("pager.none", &[("total", &total)])
        } else {
            t.with(
                "pager.summary",
                &[("from", &from), ("to", &to), ("total", &total)],
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

/// The escaper of every HTML template (`askama.toml`): askama's HTML escaping, and each
/// character an HTML document may not carry shown instead of written raw: a C0 control
/// (but tab, line feed and carriage return) as its Control Pictures symbol (U+0007 as
/// `␇`), DEL as `␡`, a C1 control or a noncharacter as `�`. Item texts, sources and
/// titles come from feeds and partners and may hold any of them; the Nu HTML checker
/// refuses a page with one (issue 17, finding 6). Bidirectional controls and zero-width
/// spaces are shown by their code point, `[U+202E]` (see `invisible_format`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HtmlVisible;

impl askama::filters::Escaper for HtmlVisible {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, string: &str) -> std::fmt::Result {
        let mut start = 0;
        for (i, c) in string.char_indices() {
            if let Some(shown) = visible(c) {
                askama::filters::Html.write_escaped_str(&mut dest, &string[start..i])?;
                dest.write_char(shown)?;
                start = i + c.len_utf8();
            } else if invisible_format(c) {
                askama::filters::Html.write_escaped_str(&mut dest, &string[start..i])?;
                write!(dest, "[U+{:04X}]", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        askama::filters::Html.write_escaped_str(&mut dest, &string[start..])
    }
}

/// Whether `c` is a format character that changes how the text around it reads while
/// showing nothing itself: the bidirectional controls (U+202E turns "txt.exe" into what
/// looks like "exe.txt") and the zero-width spaces. Pages show them as `[U+202E]` (issue
/// 15, finding 7). The zero-width (non-)joiners are left alone: scripts and emoji need them.
fn invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The symbol shown for `c` when an HTML document may not carry it.
fn visible(c: char) -> Option<char> {
    let n = c as u32;
    match c {
        '\t' | '\n' | '\r' => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + n),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ if (0xfdd0..=0xfdef).contains(&n) || n & 0xfffe == 0xfffe => Some('\u{fffd}'),
        _ => None,
    }
}

#[cfg(test)]
mod escaper_tests {
    use askama::filters::Escaper;

    use super::HtmlVisible;

    #[test]
    fn control_characters_are_shown_and_markup_escaped() {
        let mut out = String::new();
        HtmlVisible
            .write_escaped_str(&mut out, "a\u{7}b<\u{8f}>\t\u{ffff}\u{7f}&\u{0}")
            .unwrap();
        assert_eq!(
            out,
            "a\u{2407}b&#60;\u{fffd}&#62;\t\u{fffd}\u{2421}&#38;\u{2400}"
        );
    }

    #[test]
    fn regression_bidi_controls_and_zero_width_spaces_are_shown() {
        let mut out = String::new();
        HtmlVisible
            .write_escaped_str(
                &mut out,
                "invoice\u{202e}fdp.exe a\u{200b}b \u{2067}x\u{2069} 👨\u{200d}👩",
            )
            .unwrap();
        assert_eq!(
            out,
            "invoice[U+202E]fdp.exe a[U+200B]b [U+2067]x[U+2069] 👨\u{200d}👩"
        );
    }
}
