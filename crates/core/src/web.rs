//! The one definition of a web address claimdesk accepts from outside (evidence, fact-check
//! URLs, links it renders): an absolute `http` or `https` URL (scheme in any case) with a
//! host, without spaces or control characters. Anything else (`javascript:`, `data:`,
//! scheme-relative `//host`, a bare path) is refused everywhere alike.

/// `value` when it is such an address, `None` otherwise.
pub fn web_url(value: &str) -> Option<&str> {
    let rest = ["https://", "http://"].iter().find_map(|scheme| {
        value
            .get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .map(|_| &value[scheme.len()..])
    })?;
    let host_present = !rest.is_empty() && !rest.starts_with(['/', '?', '#']);
    let clean = !value.chars().any(|c| c.is_whitespace() || c.is_control());
    (host_present && clean).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::web_url;

    #[test]
    fn only_absolute_web_addresses_with_a_host_pass() {
        for ok in ["https://who.int/a?b#c", "HTTP://X.VN", "Https://t.co/x"] {
            assert_eq!(web_url(ok), Some(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "//evil.example/x",
            "/relative",
            "https://",
            "https:///path",
            "http://?q",
            "https://a b.vn",
            "https://a.vn/\u{0}",
            "ftp://x.vn",
            "",
        ] {
            assert_eq!(web_url(bad), None, "{bad:?}");
        }
    }
}
