//! Message catalogs (`i18n/en.toml`, `i18n/vi.toml`, compiled in) and the choice of
//! language: the `lang` cookie, else `Accept-Language`, else English.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;

/// The name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// A language the desk speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Vietnamese.
    Vi,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Vi];

    /// The language tag (`en`, `vi`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Vi => "vi",
        }
    }

    /// The language of a tag (`vi`, `vi-VN`, `EN-gb`), if the desk speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// This language's catalog.
    pub fn messages(self) -> &'static Messages {
        match self {
            Lang::En => &EN,
            Lang::Vi => &VI,
        }
    }

    /// The language for a request: the `lang` cookie, else the best `Accept-Language` entry
    /// the desk speaks, else English.
    pub fn negotiate(headers: &HeaderMap) -> Lang {
        cookie_lang(headers)
            .or_else(|| accept_language(headers))
            .unwrap_or(Lang::En)
    }
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim() == LANG_COOKIE)
        .and_then(|(_, value)| Lang::from_tag(value))
}

fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let mut best: Option<(f32, usize, Lang)> = None;
    let entries = headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for (i, entry) in entries.enumerate() {
        let mut parts = entry.split(';');
        let Some(lang) = parts.next().and_then(Lang::from_tag) else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // Higher q wins; on a tie, the earlier entry.
        if q > 0.0 && best.is_none_or(|(bq, _, _)| q > bq) {
            best = Some((q, i, lang));
        }
    }
    best.map(|(_, _, l)| l)
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Infallible> {
        Ok(Lang::negotiate(&parts.headers))
    }
}

/// One language's messages, by dotted key (`queue.title`).
#[derive(Debug)]
pub struct Messages {
    lang: Lang,
    entries: BTreeMap<String, String>,
}

impl Messages {
    fn parse(lang: Lang, source: &str) -> Messages {
        let mut entries = BTreeMap::new();
        // The catalogs are compiled in and checked by the tests below: a parse failure
        // would show as missing keys, never as a panic in a request.
        if let Ok(table) = source.parse::<toml::Table>() {
            flatten("", &table, &mut entries);
        }
        Messages { lang, entries }
    }

    /// The language of this catalog.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message for `key`; the key itself when the catalog lacks it, which is recorded
    /// ([`missing_keys`]) and logged: the tests render every page in every language and fail
    /// on any key recorded.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        match self.entries.get(key) {
            Some(text) => text,
            None => {
                record_missing(self.lang, key);
                key
            }
        }
    }

    /// The message for `key` with each `{name}` replaced by its value.
    pub fn with(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }

    /// The message for `key` if the catalog has it (for names that come from data, such as
    /// retriever names, shown as they are when not translated).
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }
}

/// The keys asked of a catalog that lacks them, as `lang:key`.
static MISSING: std::sync::Mutex<BTreeSet<String>> = std::sync::Mutex::new(BTreeSet::new());

fn record_missing(lang: Lang, key: &str) {
    let entry = format!("{}:{key}", lang.code());
    let mut missing = MISSING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if missing.insert(entry) {
        tracing::warn!(target: "server::i18n", lang = lang.code(), key, "untranslated message key");
    }
}

/// Every `lang:key` a page asked a catalog for that the catalog lacks, since the process
/// started (for tests: a page showing a key instead of words fails them).
pub fn missing_keys() -> Vec<String> {
    MISSING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .cloned()
        .collect()
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

static EN: LazyLock<Messages> =
    LazyLock::new(|| Messages::parse(Lang::En, include_str!("../i18n/en.toml")));
static VI: LazyLock<Messages> =
    LazyLock::new(|| Messages::parse(Lang::Vi, include_str!("../i18n/vi.toml")));

/// The keys of a language's catalog, sorted.
pub fn catalog_keys(lang: Lang) -> Vec<&'static str> {
    lang.messages().entries.keys().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        for (lang, src) in [
            (Lang::En, include_str!("../i18n/en.toml")),
            (Lang::Vi, include_str!("../i18n/vi.toml")),
        ] {
            if let Err(e) = src.parse::<toml::Table>() {
                panic!("{}.toml: {e}", lang.code());
            }
        }
        let en = catalog_keys(Lang::En);
        let vi = catalog_keys(Lang::Vi);
        let only_en: Vec<_> = en.iter().filter(|k| !vi.contains(k)).collect();
        let only_vi: Vec<_> = vi.iter().filter(|k| !en.contains(k)).collect();
        assert!(
            only_en.is_empty() && only_vi.is_empty(),
            "only in en: {only_en:?}; only in vi: {only_vi:?}"
        );
        assert!(en.len() > 50);
        for lang in Lang::ALL {
            for (k, v) in &lang.messages().entries {
                assert!(!v.trim().is_empty(), "{}: {k} is empty", lang.code());
            }
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_english() {
        assert_eq!(Lang::negotiate(&headers(&[])), Lang::En);
        assert_eq!(
            Lang::negotiate(&headers(&[(
                "accept-language",
                "fr-FR, vi-VN;q=0.8, en;q=0.5"
            )])),
            Lang::Vi
        );
        assert_eq!(
            Lang::negotiate(&headers(&[("accept-language", "en;q=0.4,vi;q=0.9")])),
            Lang::Vi
        );
        assert_eq!(
            Lang::negotiate(&headers(&[("accept-language", "vi;q=0, en")])),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(&headers(&[
                ("accept-language", "vi"),
                ("cookie", "theme=dark; lang=en")
            ])),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(&headers(&[
                ("cookie", "lang=xx"),
                ("accept-language", "vi")
            ])),
            Lang::Vi
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let m = Lang::En.messages();
        let s = m.with(
            "pager.summary",
            &[("from", &1), ("to", &25), ("total", &70)],
        );
        assert!(
            s.contains("25") && s.contains("70") && !s.contains('{'),
            "{s}"
        );
    }
}
