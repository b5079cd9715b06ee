//! The one validation of a fact-check, whichever way it comes in: the importer's parsers
//! (ClaimReview, CSV, TSV, CLEF) and the server's API both call [`fact_check`], so a record
//! the importer would refuse is refused everywhere, and what is published (pages, feeds,
//! ClaimReview JSON-LD) only ever holds what passed it.
//!
//! What it refuses: control characters in text (NUL and the rest of C0 and C1, but tab and
//! line breaks), links that are not absolute `http`/`https` URLs with a host (`javascript:`,
//! `data:`, `vbscript:`, scheme-relative `//host`), dates that are not ISO 8601
//! (`YYYY-MM-DD`, optionally with a time), and language tags that are not BCP 47's shape.

use claimdesk_core::FactCheck;

/// Why a value was refused: the field (as the importer's columns name it) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    /// The field at fault (`claim`, `url`, `date_published`, ...).
    pub field: &'static str,
    /// What was wrong and what is accepted.
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

/// Checks every field of a fact-check; the first problem found is returned.
pub fn fact_check(fc: &FactCheck) -> Result<(), Invalid> {
    text("id", &fc.source_id)?;
    text("claim", &fc.claim)?;
    for (field, value) in [
        ("headline", &fc.headline),
        ("author", &fc.author),
        ("claim_author", &fc.claim_author),
        ("summary", &fc.review_body),
    ] {
        if let Some(v) = value {
            text(field, v)?;
        }
    }
    if let Some(label) = fc.rating.as_ref().and_then(|r| r.label.as_deref()) {
        text("rating", label)?;
    }
    if let Some(url) = &fc.url {
        web_url("url", url)?;
    }
    for a in &fc.appearances {
        web_url("appearance", a)?;
    }
    for c in &fc.citations {
        web_url("evidence", c)?;
    }
    if let Some(d) = &fc.date_published {
        date("date_published", d)?;
    }
    if let Some(d) = &fc.claim_date {
        date("claim_date", d)?;
    }
    if let Some(l) = &fc.language {
        language("language", l)?;
    }
    Ok(())
}

/// Text without control characters (tab, line feed and carriage return are allowed).
pub fn text(field: &'static str, value: &str) -> Result<(), Invalid> {
    match value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(invalid(
            field,
            format!(
                "contains the control character U+{:04X}: remove it (binary data or a broken export?)",
                c as u32
            ),
        )),
        None => Ok(()),
    }
}

/// An absolute `http` or `https` URL with a host, without spaces or control characters
/// (the one definition, [`claimdesk_core::web_url`]), or the error naming `field`.
pub fn web_url(field: &'static str, value: &str) -> Result<(), Invalid> {
    if claimdesk_core::web_url(value).is_some() {
        return Ok(());
    }
    let scheme = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    let message = if scheme.starts_with("https://") || scheme.starts_with("http://") {
        "is not an http or https address with a host and without spaces"
    } else {
        "is not an http or https address"
    };
    Err(invalid(field, format!("`{}` {message}", shorten(value))))
}

/// An ISO 8601 date (`2026-01-12`), optionally followed by a time (`T09:30:00+07:00`).
pub fn date(field: &'static str, value: &str) -> Result<(), Invalid> {
    let bad = || {
        invalid(
            field,
            format!(
                "`{}` is not a date: write it as YYYY-MM-DD, optionally with a time (2026-01-12T09:30:00+07:00)",
                shorten(value)
            ),
        )
    };
    let (day, time) = match value.get(..10) {
        Some(day) => (day, &value[10..]),
        None => return Err(bad()),
    };
    day.parse::<jiff::civil::Date>().map_err(|_| bad())?;
    let Some(time) = time.strip_prefix(['T', 't', ' ']) else {
        return if time.is_empty() { Ok(()) } else { Err(bad()) };
    };
    let ok = time.parse::<jiff::Timestamp>().is_ok()
        || format!("{day}T{time}").parse::<jiff::Timestamp>().is_ok()
        || format!("{day}T{time}")
            .parse::<jiff::civil::DateTime>()
            .is_ok();
    if ok { Ok(()) } else { Err(bad()) }
}

/// A language tag of BCP 47's shape: 2 or 3 letters, then subtags of 1 to 8 letters or
/// digits (`vi`, `en-GB`, `zh-Hant-TW`).
pub fn language(field: &'static str, value: &str) -> Result<(), Invalid> {
    let mut parts = value.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!(
                "`{}` is not a language tag (such as vi, en or en-GB)",
                shorten(value)
            ),
        ))
    }
}

/// A value as a message quotes it: at most 80 characters, control characters escaped.
fn shorten(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(80)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://a.example",
            "http://a.example/x?y#z",
            "HTTPS://A.EXAMPLE/",
        ] {
            assert!(web_url("url", ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "//evil.example/x",
            "https://",
            "https:///path",
            "https://a.example/ x",
            "ftp://a.example",
            "a.example",
        ] {
            assert!(web_url("url", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_languages_and_text() {
        for ok in [
            "2026-01-12",
            "2026-01-12T09:30:00Z",
            "2026-01-12T09:30:00+07:00",
            "2026-01-12T09:30:00.123Z",
            "2026-01-12 09:30:00",
            "2026-01-12T09:30",
        ] {
            assert!(date("d", ok).is_ok(), "{ok}");
        }
        for bad in [
            "yesterday",
            "2026-13-01",
            "2026-01-12junk",
            "12/01/2026",
            "",
            "2026",
        ] {
            assert!(date("d", bad).is_err(), "{bad}");
        }
        for ok in ["vi", "en", "en-GB", "zh-Hant-TW", "fil"] {
            assert!(language("l", ok).is_ok(), "{ok}");
        }
        for bad in ["", "english please", "e", "<script>", "en--GB", "vi\0"] {
            assert!(language("l", bad).is_err(), "{bad}");
        }
        assert!(text("t", "line\nbreak\tand tab").is_ok());
        for bad in ["nul\0", "bell\u{7}", "c1\u{85}", "del\u{7f}"] {
            let e = text("t", bad).unwrap_err();
            assert!(e.message.contains("control character U+"), "{e}");
        }
    }

    /// Issue 15, finding 7: the importer took `javascript:`, `data:`, `vbscript:` and
    /// scheme-relative URLs (and republished them in JSON-LD), any text as a date or a
    /// language, and control characters in ClaimReview text.
    #[test]
    fn regression_the_importer_refuses_what_the_api_refuses() {
        use crate::{FactCheckFormat, parse_fact_checks};
        let csv = "id,claim,url,date_published,language,appearance\n\
            1,fine,https://a.example/1,2026-01-12,vi,https://s.example/1\n\
            2,js,javascript:alert(1),,,\n\
            3,data,data:text/html;base64;PHNjcmlwdD4,,,\n\
            4,vb,vbscript:msgbox(1),,,\n\
            5,relative,//evil.example/x,,,\n\
            6,date,https://a.example/6,yesterday,,\n\
            7,lang,https://a.example/7,,<b>x</b>,\n\
            8,appearance,https://a.example/8,,,javascript:alert(2)\n";
        let parsed = parse_fact_checks("x.csv", csv.as_bytes(), FactCheckFormat::Csv);
        let ids: Vec<&str> = parsed
            .records
            .iter()
            .map(|r| r.value.source_id.as_str())
            .collect();
        assert_eq!(ids, ["1"]);
        let fields: Vec<(u64, Option<&str>)> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.line, d.field.as_deref()))
            .collect();
        assert_eq!(
            fields,
            [
                (3, Some("url")),
                (4, Some("url")),
                (5, Some("url")),
                (6, Some("url")),
                (7, Some("date_published")),
                (8, Some("language")),
                (9, Some("appearance")),
            ]
        );
        let json = "{\"@type\":\"ClaimReview\",\"claimReviewed\":\"a\\u0001b\",\"url\":\"https://a.example/x\"}\n";
        let parsed = parse_fact_checks("x.jsonl", json.as_bytes(), FactCheckFormat::ClaimReview);
        assert!(parsed.records.is_empty());
        assert_eq!(parsed.diagnostics[0].field.as_deref(), Some("claim"));
    }
}
