use claimdesk_core::FactCheck;
use claimdesk_ingest::{FactCheckFormat, fact_checks_from_json, parse_fact_checks};
use claimdesk_publish::{claim_review, claim_review_script};

use crate::{HOSTILE, full_fact_check};

const PAGE: &str = "https://desk.example/fact-checks/1";

fn page_with(script: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title>{script}</head><body><p>after</p></body></html>"
    )
}

#[test]
fn json_ld_parses_back_to_the_same_fact_check() {
    let fc = full_fact_check();
    let (back, errors) = fact_checks_from_json(&claim_review(&fc, PAGE));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(back, vec![fc]);
}

#[test]
fn without_its_own_url_the_page_url_is_used() {
    let fc = FactCheck {
        source_id: PAGE.into(),
        claim: "Một tuyên bố".into(),
        ..FactCheck::default()
    };
    let v = claim_review(&fc, PAGE);
    assert_eq!(v["url"], PAGE);
    // Imported again, the page is the fact-check's URL.
    let (back, errors) = fact_checks_from_json(&v);
    assert!(errors.is_empty(), "{errors:?}");
    let mut expected = fc;
    expected.url = Some(PAGE.into());
    assert_eq!(back, vec![expected]);
}

#[test]
fn no_field_is_ever_null() {
    fn nulls(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::Null => 1,
            serde_json::Value::Array(a) => a.iter().map(nulls).sum(),
            serde_json::Value::Object(o) => o.values().map(nulls).sum(),
            _ => 0,
        }
    }
    let mut sparse = full_fact_check();
    sparse.headline = None;
    sparse.author = None;
    sparse.claim_author = None;
    sparse.rating.as_mut().unwrap().value = None;
    sparse.rating.as_mut().unwrap().label = None;
    let v = claim_review(&sparse, PAGE);
    assert_eq!(nulls(&v), 0, "{v}");
    assert!(v.get("headline").is_none());
    assert!(v["reviewRating"].get("ratingValue").is_none());
    assert_eq!(v["reviewRating"]["bestRating"], 5);
}

#[test]
fn script_element_in_a_page_imports_as_the_same_fact_check() {
    let fc = full_fact_check();
    let html = page_with(&claim_review_script(&fc, PAGE));
    let parsed = parse_fact_checks("page.html", html.as_bytes(), FactCheckFormat::ClaimReview);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].value, fc);
}

#[test]
fn hostile_claim_cannot_close_the_script_element() {
    let mut fc = full_fact_check();
    fc.claim = HOSTILE.into();
    fc.headline = Some("<!-- a &amp; b -->\u{2028}x\u{2029}y".into());
    let script = claim_review_script(&fc, PAGE);
    let open = "<script type=\"application/ld+json\">";
    assert!(script.starts_with(open));
    let body = &script[open.len()..script.len() - "</script>".len()];
    assert!(script.ends_with("</script>"));
    for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
        assert!(!body.contains(bad), "{bad:?} in {body}");
    }
    // An HTML parser sees one script element whose text is the whole JSON, and the
    // importer reads the hostile text back as the claim, not as markup.
    let html = page_with(&script);
    let parsed = parse_fact_checks("page.html", html.as_bytes(), FactCheckFormat::ClaimReview);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].value.claim, HOSTILE);
    assert_eq!(parsed.records[0].value.headline, fc.headline);
}
