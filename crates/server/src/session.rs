//! The session's cookies and CSRF token: cookie names, reading and setting cookies,
//! comparing tokens, and telling requests from other sites.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HOST, ORIGIN};

use crate::config::ServerConfig;

/// The session cookie.
pub const SESSION_COOKIE: &str = "claimdesk_session";
/// The cookie holding the sign-in form's CSRF token (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "claimdesk_login_csrf";
/// The header htmx requests carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `Set-Cookie` value with the desk's flags (HttpOnly, SameSite=Lax, Path, Secure when
/// the desk is served over TLS).
pub(crate) fn set_cookie(
    config: &ServerConfig,
    name: &str,
    value: &str,
    path: &str,
    max_age: Duration,
) -> String {
    let secure = if config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{name}={value}; Path={path}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        max_age.as_secs()
    )
}

/// Equal strings, compared in time independent of where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a browser says this request comes from another site: `Sec-Fetch-Site` of
/// `cross-site`/`same-site`, or an `Origin` that is not the desk's.
pub(crate) fn foreign_origin(headers: &HeaderMap, config: &ServerConfig) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && (site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site"))
    {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if let Some(public) = config.public_url.as_deref() {
        return !same_origin(origin, public);
    }
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bare = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    bare.is_none_or(|b| host.is_empty() || !b.eq_ignore_ascii_case(host))
}

/// Whether `origin` (`scheme://host[:port]`) is the origin of `url`.
fn same_origin(origin: &str, url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    origin.eq_ignore_ascii_case(&format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_with_the_host_or_the_public_url() {
        let config = ServerConfig::default();
        let mut h = HeaderMap::new();
        h.insert(HOST, "desk.example:8080".parse().unwrap());
        assert!(!foreign_origin(&h, &config));
        h.insert(ORIGIN, "http://desk.example:8080".parse().unwrap());
        assert!(!foreign_origin(&h, &config));
        h.insert(ORIGIN, "https://evil.example".parse().unwrap());
        assert!(foreign_origin(&h, &config));
        h.insert(ORIGIN, "null".parse().unwrap());
        assert!(foreign_origin(&h, &config));
        let public = ServerConfig {
            public_url: Some("https://desk.example/".into()),
            ..ServerConfig::default()
        };
        h.insert(ORIGIN, "https://desk.example".parse().unwrap());
        assert!(!foreign_origin(&h, &public));
        h.remove(ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(foreign_origin(&h, &config));
    }
}
