//! schema.org ClaimReview JSON-LD: one object, an array, JSON Lines, `@graph` containers, and
//! HTML pages that embed it in `<script type="application/ld+json">`.

use claimdesk_core::{Diagnostic, FactCheck, Rating};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::json_scan::values;
use crate::{Parsed, Record, check_text, diag, hashed_id, json_kind, utf8_message};

pub(crate) fn parse(file: &str, bytes: &[u8]) -> Parsed<FactCheck> {
    let starts_html = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<');
    if starts_html {
        return parse_html(file, bytes);
    }
    let mut parsed = Parsed::new("claimreview");
    for v in values(file, bytes, &mut parsed.diagnostics) {
        collect(
            file,
            v.line,
            &v.value,
            true,
            &mut parsed.records,
            &mut parsed.diagnostics,
        );
    }
    parsed
}

fn parse_html(file: &str, bytes: &[u8]) -> Parsed<FactCheck> {
    let mut parsed = Parsed::new("html");
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            parsed
                .diagnostics
                .push(diag(file, 0, None, utf8_message(e)));
            return parsed;
        }
    };
    let doc = Html::parse_document(text);
    let selector =
        Selector::parse(r#"script[type="application/ld+json"]"#).expect("valid selector");
    let mut search_from = 0;
    let mut found = 0;
    for script in doc.select(&selector) {
        found += 1;
        let body = script.text().collect::<String>();
        // Line of the script body in the page, for diagnostics.
        let at = text[search_from..]
            .find(body.trim())
            .map(|p| p + search_from);
        let line = at.map_or(0, |p| 1 + text[..p].matches('\n').count() as u64);
        if let Some(p) = at {
            search_from = p;
        }
        match serde_json::from_str::<Value>(&body) {
            Ok(v) => collect(
                file,
                line,
                &v,
                false,
                &mut parsed.records,
                &mut parsed.diagnostics,
            ),
            Err(e) => parsed.diagnostics.push(diag(
                file,
                line + e.line().saturating_sub(1) as u64,
                None,
                format!(
                    "in <script type=\"application/ld+json\">: {}",
                    crate::json_error(&e)
                ),
            )),
        }
    }
    if found == 0 || (parsed.records.is_empty() && parsed.diagnostics.is_empty()) {
        parsed.diagnostics.push(diag(
            file,
            0,
            None,
            "no ClaimReview found: the page has no <script type=\"application/ld+json\"> with @type ClaimReview",
        ));
    }
    parsed
}

/// Collects every ClaimReview in `v` (an object, an array, or a `@graph`). With `strict`,
/// a top-level object that is not a ClaimReview is reported; in HTML pages, other types
/// (WebPage, Organization) are expected and skipped.
fn collect(
    file: &str,
    line: u64,
    v: &Value,
    strict: bool,
    out: &mut Vec<Record<FactCheck>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match v {
        Value::Array(items) => {
            for item in items {
                collect(file, line, item, strict, out, diagnostics);
            }
        }
        Value::Object(obj) => {
            if let Some(graph) = obj.get("@graph") {
                collect(file, line, graph, false, out, diagnostics);
            } else if is_claim_review(v) {
                match fact_check(v) {
                    Ok(fc) => out.push(Record { line, value: fc }),
                    Err((field, msg)) => diagnostics.push(diag(file, line, Some(field), msg)),
                }
            } else if strict && obj.get("@type").is_none() && obj.contains_key("text") {
                diagnostics.push(diag(file, line, None, LOOKS_LIKE_A_POST));
            } else if strict {
                diagnostics.push(diag(
                    file,
                    line,
                    Some("@type"),
                    format!(
                        "expected a ClaimReview, found {}",
                        obj.get("@type")
                            .map_or("no @type".to_string(), |t| t.to_string())
                    ),
                ));
            }
        }
        other if strict => diagnostics.push(diag(
            file,
            line,
            None,
            format!("expected a ClaimReview object, found {}", json_kind(other)),
        )),
        _ => {}
    }
}

/// Said of a record with a `text` and no `@type`: a post given to `import`. The printer says
/// a run of the same message once, so a file of posts gets one line, not one per post.
pub(crate) const LOOKS_LIKE_A_POST: &str =
    "these look like posts (a `text`, no ClaimReview), not fact-checks: use `claimdesk ingest`";

fn is_claim_review(v: &Value) -> bool {
    let is = |t: &Value| {
        t.as_str().is_some_and(|s| {
            s == "ClaimReview" || s.ends_with("/ClaimReview") || s == "schema:ClaimReview"
        })
    };
    match v.get("@type") {
        Some(Value::Array(ts)) => ts.iter().any(is),
        Some(t) => is(t),
        None => false,
    }
}

type FieldError = (&'static str, String);

/// A string field: a string, or a number written as one.
fn string(v: &Value, field: &'static str) -> Result<Option<String>, FieldError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            check_text(field, s)?;
            let s = s.trim();
            Ok((!s.is_empty()).then(|| s.to_string()))
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err((
            field,
            format!("expected a string, found {}", json_kind(other)),
        )),
    }
}

fn number(v: &Value, field: &'static str) -> Result<Option<f64>, FieldError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| (field, format!("expected a number, found \"{s}\""))),
        Some(other) => Err((
            field,
            format!("expected a number, found {}", json_kind(other)),
        )),
    }
}

/// A name: a string, an object with `name`, or an array of those (joined with ", ").
fn name(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Object(o) => name(o.get("name")),
        Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(|x| name(Some(x))).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

/// URLs: a string, an object with `url`, or an array of those.
fn urls(v: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Some(Value::Object(o)) => urls(o.get("url"), out),
        Some(Value::Array(a)) => a.iter().for_each(|x| urls(Some(x), out)),
        _ => {}
    }
}

fn language(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Object(o) => language(o.get("alternateName")).or_else(|| language(o.get("name"))),
        _ => None,
    }
}

fn fact_check(v: &Value) -> Result<FactCheck, FieldError> {
    let claim = string(v, "claimReviewed")?.ok_or((
        "claimReviewed",
        "missing: a ClaimReview must say which claim it reviews".to_string(),
    ))?;
    let rating = match v.get("reviewRating") {
        Some(r @ Value::Object(_)) => Some(Rating {
            value: number(r, "ratingValue").map_err(|(_, m)| ("reviewRating.ratingValue", m))?,
            best: number(r, "bestRating").map_err(|(_, m)| ("reviewRating.bestRating", m))?,
            worst: number(r, "worstRating").map_err(|(_, m)| ("reviewRating.worstRating", m))?,
            label: string(r, "alternateName")
                .map_err(|(_, m)| ("reviewRating.alternateName", m))?,
        })
        .filter(|r| !r.is_empty()),
        Some(Value::Null) | None => None,
        Some(other) => {
            return Err((
                "reviewRating",
                format!("expected a Rating object, found {}", json_kind(other)),
            ));
        }
    };
    let item = v.get("itemReviewed");
    let mut appearances = Vec::new();
    if let Some(item) = item {
        urls(item.get("appearance"), &mut appearances);
        urls(item.get("firstAppearance"), &mut appearances);
        // `firstAppearance` is usually one of the `appearance`s too: keep each URL once.
        let mut seen = std::collections::HashSet::new();
        appearances.retain(|u| seen.insert(u.clone()));
    }
    // `citation` may also name a book or a person: the web sources among them are kept.
    let mut citations = Vec::new();
    urls(v.get("citation"), &mut citations);
    citations.retain(|u| crate::validate::web_url("citation", u).is_ok());
    let url = string(v, "url")?;
    let headline = match string(v, "headline")? {
        Some(h) => Some(h),
        None => string(v, "name")?,
    };
    let source_id = match (&url, string(v, "@id")?) {
        (Some(u), _) => u.clone(),
        (None, Some(id)) => id,
        (None, None) => hashed_id(&claim),
    };
    Ok(FactCheck {
        source_id,
        claim,
        headline,
        rating,
        claim_author: item.and_then(|i| name(i.get("author"))),
        claim_date: item
            .and_then(|i| i.get("datePublished"))
            .and_then(|d| d.as_str())
            .map(str::to_string),
        appearances,
        author: name(v.get("author")),
        date_published: string(v, "datePublished")?,
        url,
        language: language(v.get("inLanguage")),
        review_body: string(v, "reviewBody")?,
        citations,
    })
}

/// The most images kept from one ClaimReview.
pub const MAX_REVIEWED_IMAGES: usize = 4;

/// The images the claims of `bytes` (ClaimReview JSON: an object, an array, a `@graph`, or
/// JSON Lines) were shared as, by the fact-check's source id (as the importer keys it):
/// `itemReviewed.image`, and each `itemReviewed.appearance` that is an `ImageObject` (its
/// `contentUrl`, else its `url`) or has an `image`. Only http(s) URLs, each once, at most
/// [`MAX_REVIEWED_IMAGES`] a fact-check; ClaimReviews without any (or not valid) are left out.
pub fn reviewed_images(bytes: &[u8]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => walk_images(&v, &mut out),
        Err(_) => {
            for line in bytes.split(|b| *b == b'\n') {
                if let Ok(v) = serde_json::from_slice::<Value>(line) {
                    walk_images(&v, &mut out);
                }
            }
        }
    }
    out
}

fn walk_images(v: &Value, out: &mut Vec<(String, Vec<String>)>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk_images(i, out)),
        Value::Object(obj) => {
            if let Some(graph) = obj.get("@graph") {
                walk_images(graph, out);
            } else if is_claim_review(v)
                && let Ok(fc) = fact_check(v)
            {
                let mut urls = Vec::new();
                if let Some(item) = v.get("itemReviewed") {
                    image_urls(item.get("image"), &mut urls);
                    let appearances = match item.get("appearance") {
                        Some(Value::Array(a)) => a.iter().collect(),
                        Some(one) => vec![one],
                        None => Vec::new(),
                    };
                    for a in appearances {
                        let is_image = a
                            .get("@type")
                            .and_then(Value::as_str)
                            .is_some_and(|t| t == "ImageObject" || t.ends_with("/ImageObject"));
                        if is_image {
                            image_urls(Some(a), &mut urls);
                        }
                        image_urls(a.get("image"), &mut urls);
                    }
                }
                let mut seen = std::collections::HashSet::new();
                urls.retain(|u| {
                    let lower = u.to_ascii_lowercase();
                    (lower.starts_with("http://") || lower.starts_with("https://"))
                        && seen.insert(u.clone())
                });
                urls.truncate(MAX_REVIEWED_IMAGES);
                if !urls.is_empty() {
                    out.push((fc.source_id, urls));
                }
            }
        }
        _ => {}
    }
}

/// Image URLs: a string, an `ImageObject` (`contentUrl`, else `url`), or an array of those.
fn image_urls(v: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Some(Value::Object(o)) => {
            image_urls(o.get("contentUrl").or_else(|| o.get("url")), out);
        }
        Some(Value::Array(a)) => a.iter().for_each(|x| image_urls(Some(x), out)),
        _ => {}
    }
}

/// Fact-checks from an already parsed JSON-LD value (an object, array or `@graph`), with
/// the fields at fault for those that are not valid ClaimReviews.
pub fn fact_checks_from_json(v: &Value) -> (Vec<FactCheck>, Vec<(String, String)>) {
    let mut records = Vec::new();
    let mut diagnostics = Vec::new();
    collect("-", 0, v, true, &mut records, &mut diagnostics);
    (
        records.into_iter().map(|r| r.value).collect(),
        diagnostics
            .into_iter()
            .map(|d| (d.field.unwrap_or_default(), d.message))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_documented_field() {
        let v: Value = serde_json::from_str(
            r#"{"@context":"https://schema.org","@type":"ClaimReview",
            "url":"https://factcheck.example/a","headline":"H","claimReviewed":"C",
            "datePublished":"2026-01-02","inLanguage":"vi",
            "author":{"@type":"Organization","name":"Desk"},
            "reviewRating":{"@type":"Rating","ratingValue":"1","bestRating":5,"worstRating":1,"alternateName":"Sai"},
            "itemReviewed":{"@type":"Claim","author":{"name":"Posts"},"datePublished":"2026-01-01",
              "appearance":[{"url":"https://social.example/1"},"https://social.example/2"]}}"#,
        )
        .unwrap();
        let (fcs, errs) = fact_checks_from_json(&v);
        assert!(errs.is_empty());
        let fc = &fcs[0];
        assert_eq!(fc.source_id, "https://factcheck.example/a");
        assert_eq!(fc.rating.as_ref().unwrap().value, Some(1.0));
        assert_eq!(fc.rating.as_ref().unwrap().label.as_deref(), Some("Sai"));
        assert_eq!(fc.appearances.len(), 2);
        assert_eq!(fc.claim_author.as_deref(), Some("Posts"));
        assert_eq!(fc.author.as_deref(), Some("Desk"));
        assert_eq!(fc.language.as_deref(), Some("vi"));
    }

    #[test]
    fn html_pages_with_graph() {
        let html = r#"<html><head>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebPage","name":"x"},
 {"@type":"ClaimReview","url":"https://f.example/1","claimReviewed":"Garlic cures flu"}]}</script>
</head><body><script type="application/ld+json">{"@type":"ClaimReview","url":"https://f.example/2"}</script></body></html>"#;
        let p = parse("page.html", html.as_bytes());
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].value.claim, "Garlic cures flu");
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].field.as_deref(), Some("claimReviewed"));
        assert_eq!(p.diagnostics[0].line, 5);
    }

    #[test]
    fn reviewed_images_come_from_the_item_reviewed() {
        let json = br#"[{"@type": "ClaimReview", "url": "https://fc.example/1",
            "claimReviewed": "A claim",
            "image": "https://fc.example/hero.jpg",
            "itemReviewed": {"@type": "Claim",
              "image": {"@type": "ImageObject", "contentUrl": "https://cdn.example/shot.png"},
              "appearance": [
                {"@type": "ImageObject", "url": "https://social.example/p/1.jpg"},
                {"@type": "CreativeWork", "url": "https://social.example/p/2",
                 "image": "https://social.example/p/2.webp"},
                {"@type": "CreativeWork", "url": "https://social.example/p/3"},
                {"@type": "ImageObject", "url": "javascript:alert(1)"}]}},
          {"@type": "ClaimReview", "url": "https://fc.example/2", "claimReviewed": "No image"},
          {"@type": "ClaimReview", "itemReviewed": {"image": "https://x.example/a.png"}}]"#;
        assert_eq!(
            reviewed_images(json),
            [(
                "https://fc.example/1".to_string(),
                vec![
                    "https://cdn.example/shot.png".to_string(),
                    "https://social.example/p/1.jpg".to_string(),
                    "https://social.example/p/2.webp".to_string(),
                ]
            )]
        );
        // JSON Lines too.
        let lines = b"{\"@type\": \"ClaimReview\", \"url\": \"https://fc.example/3\", \"claimReviewed\": \"c\", \"itemReviewed\": {\"image\": \"https://x.example/3.png\"}}\n{\"@type\": \"ClaimReview\", \"claimReviewed\": \"d\"}\n";
        assert_eq!(
            reviewed_images(lines),
            [(
                "https://fc.example/3".to_string(),
                vec!["https://x.example/3.png".to_string()]
            )]
        );
    }
}
