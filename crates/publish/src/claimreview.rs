//! schema.org `ClaimReview` JSON-LD, the markup search engines and fact-check aggregators read.
//!
//! The shape mirrors what `claimdesk_ingest` parses, so a fact-check published here and
//! imported elsewhere keeps its fields.

use claimdesk_core::{FactCheck, Rating};
use serde::{Deserialize, Serialize};
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
    insert_str(&mut o, "reviewBody", &fc.review_body);
    let citations: Vec<&str> = fc
        .citations
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .collect();
    if !citations.is_empty() {
        o.insert("citation".into(), json!(citations));
    }

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

/// Who publishes the desk's own verdicts: `[publisher]` in `claimdesk.toml`. Their ClaimReview
/// names it as `author` and `publisher`, as Google asks ("the publisher of the fact check
/// article").
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Publisher {
    /// The organization's name (default: the host name of the desk's public address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its home page (default: the desk's public address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its logo, an image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Whether verdicts carry a byline: the fact-checker who wrote the verdict is named (on the
    /// page, and in the ClaimReview as a `Person` author beside the organization).
    pub bylines: bool,
}

impl Publisher {
    /// The organization's name: `name`, else the host name of its URL (`url`, else the
    /// desk's public address `desk_url`).
    pub fn name_at(&self, desk_url: &str) -> String {
        let url = present(&self.url).unwrap_or(desk_url.trim_end_matches('/'));
        present(&self.name)
            .map(str::to_string)
            .unwrap_or_else(|| host_of(url).to_string())
    }
}

/// Where the claim a desk verdict reviews was seen: the address and date of an item of its
/// case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appearance {
    /// The post's or article's address (only `http`/`https` ones are written).
    pub url: String,
    /// When it was published (RFC 3339 or a date), when known.
    pub date_published: Option<String>,
}

/// A verdict the desk wrote and published, as its own public page marks it up.
///
/// Only the desk's own verdicts get ClaimReview markup: a fact-check imported from another
/// newsroom is shown and cited, never marked up as the desk's (Google requires the markup's
/// `url` on the page's own domain, and the review is not the desk's).
#[derive(Debug, Clone)]
pub struct DeskReview<'a> {
    /// The verdict's ClaimReview fields.
    pub fact_check: &'a FactCheck,
    /// The verdict's public page on the desk (the markup's `url`).
    pub page_url: &'a str,
    /// The desk's public address, for the publisher's defaults.
    pub desk_url: &'a str,
    /// `[publisher]`.
    pub publisher: &'a Publisher,
    /// The fact-checker's name for the byline (used when [`Publisher::bylines`] is on).
    pub byline: Option<&'a str>,
    /// Where the claim was seen (the case's item).
    pub appearances: &'a [Appearance],
    /// The verdict label as the page shows it (in the page's language); the stored label
    /// when `None`.
    pub rating_label: Option<&'a str>,
    /// When the verdict last changed, when known (`dateModified`).
    pub date_modified: Option<&'a str>,
}

impl DeskReview<'_> {
    /// The ClaimReview, or `None` when the verdict has no rating in words: Google requires
    /// `reviewRating.alternateName`, and markup without it is worse than none.
    pub fn claim_review(&self) -> Option<Value> {
        let fc = self.fact_check;
        let mut rating = fc.rating.clone()?;
        if let Some(label) = self.rating_label.filter(|l| !l.trim().is_empty()) {
            rating.label = Some(label.to_string());
        }
        present(&rating.label)?;
        let organization = self.organization();
        let author = match self
            .byline
            .filter(|b| self.publisher.bylines && !b.trim().is_empty())
        {
            Some(person) => json!([
                organization.clone(),
                {"@type": "Person", "name": person.trim()}
            ]),
            None => organization.clone(),
        };
        let mut o = Map::new();
        o.insert("@context".into(), json!("https://schema.org"));
        o.insert("@type".into(), json!("ClaimReview"));
        o.insert("url".into(), json!(self.page_url));
        o.insert("claimReviewed".into(), json!(fc.claim));
        o.insert("reviewRating".into(), review_rating(&rating));
        o.insert("author".into(), author);
        o.insert("publisher".into(), organization);
        insert_str(&mut o, "datePublished", &fc.date_published);
        if let Some(d) = self.date_modified.filter(|d| !d.trim().is_empty()) {
            o.insert("dateModified".into(), json!(d));
        }
        insert_str(&mut o, "inLanguage", &fc.language);
        insert_str(&mut o, "headline", &fc.headline);
        o.insert("itemReviewed".into(), self.item_reviewed());
        Some(Value::Object(o))
    }

    /// [`DeskReview::claim_review`] as a `<script type="application/ld+json">` element, safe
    /// in HTML ([`script_safe_json`]); `None` when there is no markup.
    pub fn script(&self) -> Option<String> {
        self.claim_review().map(|v| {
            format!(
                "<script type=\"application/ld+json\">{}</script>",
                script_safe_json(&v)
            )
        })
    }

    /// The desk as a schema.org `Organization`.
    fn organization(&self) -> Value {
        let desk_url = self.desk_url.trim_end_matches('/');
        let url = present(&self.publisher.url).unwrap_or(desk_url);
        let name = self.publisher.name_at(desk_url);
        let mut org = Map::new();
        org.insert("@type".into(), json!("Organization"));
        org.insert("name".into(), json!(name.trim()));
        org.insert("url".into(), json!(url));
        if let Some(logo) = present(&self.publisher.logo) {
            org.insert("logo".into(), json!({"@type": "ImageObject", "url": logo}));
        }
        Value::Object(org)
    }

    /// The `Claim`: where it appeared (the case's items, then the verdict's own list), the
    /// first appearance and its date, and who made it when known.
    fn item_reviewed(&self) -> Value {
        let fc = self.fact_check;
        let mut seen: Vec<(&str, Option<&str>)> = Vec::new();
        let listed = self
            .appearances
            .iter()
            .map(|a| (a.url.as_str(), a.date_published.as_deref()))
            .chain(fc.appearances.iter().map(|u| (u.as_str(), None)));
        for (url, date) in listed {
            let url = url.trim();
            if claimdesk_core::web_url(url).is_some() && !seen.iter().any(|(u, _)| *u == url) {
                seen.push((url, date.map(str::trim).filter(|d| !d.is_empty())));
            }
        }
        let work = |(url, date): &(&str, Option<&str>)| {
            let mut w = Map::new();
            w.insert("@type".into(), json!("CreativeWork"));
            w.insert("url".into(), json!(url));
            if let Some(d) = date {
                w.insert("datePublished".into(), json!(d));
            }
            Value::Object(w)
        };
        // The earliest dated appearance is the first; undated ones keep their order after.
        let first = seen
            .iter()
            .filter_map(|a| a.1.and_then(crate::date::parse).map(|t| (t, a)))
            .min_by_key(|(t, _)| *t)
            .map(|(_, a)| a)
            .or(seen.first());
        let mut claim = Map::new();
        claim.insert("@type".into(), json!("Claim"));
        if let Some(author) = present(&fc.claim_author) {
            claim.insert("author".into(), json!({"@type": "Person", "name": author}));
        }
        let date = present(&fc.claim_date).or(first.and_then(|f| f.1));
        if let Some(d) = date {
            claim.insert("datePublished".into(), json!(d));
        }
        if !seen.is_empty() {
            claim.insert(
                "appearance".into(),
                Value::Array(seen.iter().map(work).collect()),
            );
        }
        if let Some(f) = first {
            claim.insert("firstAppearance".into(), work(f));
        }
        Value::Object(claim)
    }
}

/// The host of an `http(s)` URL (the whole text when it has none).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() { url } else { host }
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

    fn desk_verdict(label: Option<&str>) -> FactCheck {
        FactCheck {
            source_id: "claimdesk:case:1".into(),
            claim: "Hot lemon water cures cancer".into(),
            rating: Some(Rating {
                value: Some(1.0),
                best: Some(5.0),
                worst: Some(1.0),
                label: label.map(str::to_string),
            }),
            date_published: Some("2026-02-01".into()),
            appearances: vec!["javascript:alert(1)".into(), "https://b.example/2".into()],
            ..FactCheck::default()
        }
    }

    fn review<'a>(
        fc: &'a FactCheck,
        publisher: &'a Publisher,
        appearances: &'a [Appearance],
    ) -> DeskReview<'a> {
        DeskReview {
            fact_check: fc,
            page_url: "https://desk.example/verdicts/3",
            desk_url: "https://desk.example/",
            publisher,
            byline: Some("Lan Nguyen"),
            appearances,
            rating_label: None,
            date_modified: Some("2026-02-02T10:00:00Z"),
        }
    }

    /// Issue 17, finding 3: a verdict without a rating in words got markup without the
    /// `reviewRating.alternateName` Google requires. No markup at all is better.
    #[test]
    fn a_verdict_without_a_rating_in_words_gets_no_markup() {
        let publisher = Publisher::default();
        for fc in [
            desk_verdict(None),
            FactCheck {
                rating: None,
                ..desk_verdict(None)
            },
        ] {
            let r = review(&fc, &publisher, &[]);
            assert_eq!(r.claim_review(), None);
            assert_eq!(r.script(), None);
        }
    }

    #[test]
    fn the_desk_is_the_author_and_the_earliest_appearance_is_the_first() {
        let fc = desk_verdict(Some("False"));
        let appearances = [
            Appearance {
                url: "https://a.example/later".into(),
                date_published: Some("2026-01-20T10:00:00+07:00".into()),
            },
            Appearance {
                url: "https://a.example/first".into(),
                date_published: Some("2026-01-09".into()),
            },
        ];
        let bare = Publisher::default();
        let v = review(&fc, &bare, &appearances).claim_review().unwrap();
        let desk =
            json!({"@type": "Organization", "name": "desk.example", "url": "https://desk.example"});
        assert_eq!(v["author"], desk, "no bylines: the organization alone");
        assert_eq!(v["publisher"], desk);
        assert_eq!(v["url"], "https://desk.example/verdicts/3");
        assert_eq!(v["dateModified"], "2026-02-02T10:00:00Z");
        let claim = &v["itemReviewed"];
        assert_eq!(claim["firstAppearance"]["url"], "https://a.example/first");
        assert_eq!(claim["datePublished"], "2026-01-09");
        // Only web addresses, each once: the verdict's own `javascript:` one is left out.
        let urls: Vec<&str> = claim["appearance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["url"].as_str().unwrap())
            .collect();
        assert_eq!(
            urls,
            [
                "https://a.example/later",
                "https://a.example/first",
                "https://b.example/2"
            ]
        );
        let named = Publisher {
            name: Some("Example Fact Check".into()),
            url: Some("https://factcheck.example".into()),
            logo: None,
            bylines: true,
        };
        let v = review(&fc, &named, &[]).claim_review().unwrap();
        assert_eq!(
            v["author"],
            json!([
                {"@type": "Organization", "name": "Example Fact Check", "url": "https://factcheck.example"},
                {"@type": "Person", "name": "Lan Nguyen"}
            ])
        );
        assert!(v["itemReviewed"].get("firstAppearance").is_some(), "{v}");
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
