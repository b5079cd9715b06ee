//! schema.org `ClaimReview` JSON-LD, the markup search engines and fact-check aggregators read.
//!
//! The shape mirrors what `claimdesk_ingest` parses, so a fact-check published here and
//! imported elsewhere keeps its fields.

use claimdesk_core::{FactCheck, Rating};
use serde_json::{Map, Value, json};

/// The ClaimReview JSON-LD of `fc`, published at `page_url`.
///
/// `url` is the fact-check's own URL when it has one, else `page_url`. Absent fields are
/// left out rather than written as `null`; `itemReviewed` (a `Claim`) is always present, as
/// consumers require it. The claimant is written as a `Person`: the store does not know
/// whether it is a person or an organization, and both answer to `author.name`.
pub fn claim_review(fc: &FactCheck, page_url: &str) -> Value {
    claim_review_object(fc, Some(page_url))
}

/// [`claim_review`] as a complete `<script type="application/ld+json">` element, safe to put
/// anywhere in an HTML page (see [`script_safe_json`]).
pub fn claim_review_script(fc: &FactCheck, page_url: &str) -> String {
    format!(
        "<script type=\"application/ld+json\">{}</script>",
        script_safe_json(&claim_review(fc, page_url))
    )
}

/// `value` as compact JSON that cannot end or alter the HTML element it is embedded in.
///
/// `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`, so no text can form
/// `</script>` or `<!--`; U+2028 and U+2029 are escaped because older JavaScript parsers
/// treat them as line ends. These characters only ever occur inside JSON strings, where the
/// `\u` forms mean the same, so the result parses to the same value.
pub fn script_safe_json(value: &Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The ClaimReview object; `fallback_url` stands in when the fact-check has no URL of its own.
pub(crate) fn claim_review_object(fc: &FactCheck, fallback_url: Option<&str>) -> Value {
    let mut o = Map::new();
    o.insert("@context".into(), json!("https://schema.org"));
    o.insert("@type".into(), json!("ClaimReview"));
    if let Some(url) = present(&fc.url).or(fallback_url.filter(|u| !u.trim().is_empty())) {
        o.insert("url".into(), json!(url));
    }
    o.insert("claimReviewed".into(), json!(fc.claim));
    if let Some(rating) = fc.rating.as_ref().filter(|r| !r.is_empty()) {
        o.insert("reviewRating".into(), review_rating(rating));
    }
    if let Some(author) = present(&fc.author) {
        o.insert(
            "author".into(),
            json!({"@type": "Organization", "name": author}),
        );
    }
    insert_str(&mut o, "datePublished", &fc.date_published);
    insert_str(&mut o, "inLanguage", &fc.language);
    insert_str(&mut o, "headline", &fc.headline);

    let mut claim = Map::new();
    claim.insert("@type".into(), json!("Claim"));
    if let Some(author) = present(&fc.claim_author) {
        claim.insert("author".into(), json!({"@type": "Person", "name": author}));
    }
    insert_str(&mut claim, "datePublished", &fc.claim_date);
    let appearances: Vec<Value> = fc
        .appearances
        .iter()
        .filter(|u| !u.trim().is_empty())
        .map(|u| json!({"@type": "CreativeWork", "url": u}))
        .collect();
    if !appearances.is_empty() {
        claim.insert("appearance".into(), Value::Array(appearances));
    }
    o.insert("itemReviewed".into(), Value::Object(claim));
    Value::Object(o)
}

fn review_rating(r: &Rating) -> Value {
    let mut o = Map::new();
    o.insert("@type".into(), json!("Rating"));
    // A NaN or infinite value has no JSON form; leaving it out beats writing `null`.
    let mut number = |key: &str, v: Option<f64>| {
        if let Some(n) = v.and_then(serde_json::Number::from_f64) {
            o.insert(key.into(), number_value(n));
        }
    };
    number("ratingValue", r.value);
    number("bestRating", r.best);
    number("worstRating", r.worst);
    if let Some(label) = present(&r.label) {
        o.insert("alternateName".into(), json!(label));
    }
    Value::Object(o)
}

/// Whole numbers as integers (`5`, not `5.0`), as ClaimReview examples and consumers expect.
fn number_value(n: serde_json::Number) -> Value {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
        _ => Value::Number(n),
    }
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.trim().is_empty())
}

fn insert_str(o: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(s) = present(v) {
        o.insert(key.into(), json!(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_left_out_not_null() {
        let fc = FactCheck {
            source_id: "x".into(),
            claim: "A claim".into(),
            ..FactCheck::default()
        };
        let v = claim_review(&fc, "https://desk.example/fc/1");
        assert_eq!(
            v,
            json!({
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": "https://desk.example/fc/1",
                "claimReviewed": "A claim",
                "itemReviewed": {"@type": "Claim"}
            })
        );
    }

    #[test]
    fn own_url_wins_over_page_url_and_whole_ratings_are_integers() {
        let fc = FactCheck {
            claim: "c".into(),
            url: Some("https://origin.example/a".into()),
            rating: Some(Rating {
                value: Some(1.0),
                best: Some(5.0),
                worst: Some(1.0),
                label: None,
            }),
            ..FactCheck::default()
        };
        let v = claim_review(&fc, "https://desk.example/fc/1");
        assert_eq!(v["url"], "https://origin.example/a");
        assert_eq!(v["reviewRating"]["ratingValue"].to_string(), "1");
        assert!(v["reviewRating"].get("alternateName").is_none());
    }

    #[test]
    fn script_safe_json_escapes_and_still_parses_to_the_same_value() {
        let v = json!({"t": "</script><!-- & \u{2028}\u{2029} >"});
        let s = script_safe_json(&v);
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!s.contains(bad), "{bad:?} left in {s}");
        }
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v);
    }
}
