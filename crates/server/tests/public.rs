//! The public side: verdict pages with ClaimReview JSON-LD, the `.jsonld` endpoint and the
//! feeds, over a store with a desk verdict driven to `published` and one left as a draft.

use claimdesk_core::{Actor, CaseStatus, FactCheck, FactCheckId, Rating, Role, User};
use claimdesk_server::ServerConfig;
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{DraftFactCheck, NewCase, NewUser};
use serde_json::Value;

use crate::util::{Desk, desk_over};

/// Hostile text a published verdict may carry.
pub const BREAKOUT: &str = "</script><script>alert(1)</script>";

async fn user(s: &impl UserStore, name: &str, role: Role) -> User {
    s.add_user(
        &NewUser {
            username: name.into(),
            display_name: None,
            role,
            password: hash_password("long enough password").unwrap(),
        },
        Actor::Cli,
    )
    .await
    .unwrap()
}

/// A desk verdict on `claim`, published when `publish` (else left in review).
pub async fn verdict(s: &impl Store, claim: &str, summary: &str, publish: bool) -> FactCheckId {
    let n = s.users().await.unwrap().len();
    let ed = user(s, &format!("ed{n}"), Role::Editor).await;
    let rev = user(s, &format!("rev{n}"), Role::Reviewer).await;
    let case = s
        .create_case(
            &NewCase {
                claim: claim.into(),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, ed.id)
        .await
        .unwrap();
    let draft = DraftFactCheck {
        fact_check: FactCheck {
            claim: claim.into(),
            headline: Some(format!("Checked: {claim}")),
            rating: Some(Rating {
                value: Some(1.0),
                best: Some(5.0),
                worst: Some(1.0),
                label: Some("False".into()),
            }),
            author: Some("Sample Desk".into()),
            language: Some("en".into()),
            url: Some("https://factcheck.example/desk/1".into()),
            review_body: Some(summary.into()),
            citations: vec![
                "https://evidence.example/study".into(),
                "https://evidence.example/second".into(),
            ],
            ..FactCheck::default()
        },
        duplicate_key: claim.to_lowercase(),
    };
    let id = s
        .save_draft_fact_check(case.id, &draft, ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Drafted, ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::InReview, ed.id)
        .await
        .unwrap();
    if publish {
        s.transition_case(case.id, CaseStatus::Published, rev.id)
            .await
            .unwrap();
    }
    id
}

/// A desk with one published verdict (hostile summary) and one draft.
pub async fn public_desk() -> (Desk, FactCheckId, FactCheckId) {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let store = engine.store().clone();
    let published = verdict(
        &store,
        "Hot lemon water cures cancer",
        &format!("No study shows it. {BREAKOUT}"),
        true,
    )
    .await;
    let draft = verdict(&store, "Onions absorb viruses", "Not yet reviewed", false).await;
    let config = ServerConfig {
        public_url: Some("https://desk.example/".into()),
        ..ServerConfig::default()
    };
    let desk = desk_over(dir, engine, config).await;
    (desk, published, draft)
}

/// The JSON-LD blocks of a page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .map(|(i, _)| {
            let rest = &html[i + open.len()..];
            let end = rest.find("</script>").expect("a closed script element");
            serde_json::from_str(&rest[..end]).unwrap_or_else(|e| panic!("{e}: {}", &rest[..end]))
        })
        .collect()
}

#[tokio::test]
async fn a_published_verdict_has_a_public_page_with_claim_review() {
    let (d, id, _) = public_desk().await;
    let a = d.get_anon(&format!("/verdicts/{}", id.0)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.header("content-type").starts_with("text/html"));
    let head = &a.body[..a.body.find("</head>").unwrap()];
    let blocks = json_ld(head);
    assert_eq!(blocks.len(), 1);
    let cr = &blocks[0];
    assert_eq!(cr["@type"], "ClaimReview");
    assert_eq!(cr["claimReviewed"], "Hot lemon water cures cancer");
    assert_eq!(cr["reviewRating"]["ratingValue"], 1);
    // The desk's verdict: authored by the desk (its host name, no `[publisher]` being
    // configured), at its own page (issue 17, finding 3).
    assert_eq!(
        cr["author"],
        serde_json::json!({"@type": "Organization", "name": "desk.example", "url": "https://desk.example"})
    );
    assert!(cr["datePublished"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(cr["url"], format!("https://desk.example/verdicts/{}", id.0));
    for feed in [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
    ] {
        assert!(
            head.contains(&format!("<link rel=\"alternate\" type=\"{feed}\"")),
            "{feed}"
        );
    }
    assert!(head.contains("href=\"https://desk.example/feeds/verdicts.rss\""));
    let body = &a.body;
    assert!(body.contains("No study shows it."));
    assert!(body.contains(
        "<a href=\"https://evidence.example/study\" rel=\"noopener noreferrer nofollow\">"
    ));
    assert!(body.contains("lang=\"en\""));
    // In Vietnamese, the verdict is the scale's Vietnamese label.
    let vi = d
        .get_with_anon(&format!("/verdicts/{}", id.0), "cookie", "lang=vi")
        .await;
    assert!(vi.body.contains("Sai sự thật"), "{}", vi.body);
}

#[tokio::test]
async fn hostile_text_stays_inside_the_json_ld_and_the_markup() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let store = engine.store().clone();
    let claim = format!("Lemon water {BREAKOUT} cures cancer");
    let id = verdict(&store, &claim, &format!("No. {BREAKOUT}"), true).await;
    let d = desk_over(dir, engine, ServerConfig::default()).await;
    for path in [format!("/verdicts/{}", id.0), "/verdicts".to_string()] {
        let a = d.get_anon(&path).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(!a.body.contains(BREAKOUT), "{path}: {}", a.body);
        assert!(!a.body.contains("<script>"), "{path}");
        // Shown as text in the page.
        assert!(
            a.body
                .contains("&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path}"
        );
    }
    let a = d.get_anon(&format!("/verdicts/{}", id.0)).await;
    // The only script element is the JSON-LD data block, and it still carries the text as
    // data: escaped inside the JSON string, which parses back to the claim.
    assert_eq!(a.body.matches("<script").count(), 1);
    assert_eq!(a.body.matches("</script>").count(), 1);
    let head = &a.body[..a.body.find("</head>").unwrap()];
    assert!(head.contains("\\u003c/script\\u003e"));
    let blocks = json_ld(head);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0]["claimReviewed"], claim.as_str());
    let jsonld = d
        .get_anon(&format!("/api/factchecks/{}.jsonld", id.0))
        .await;
    assert_eq!(jsonld.json(), blocks[0]);
    // The XML feeds escape it; JSON Feed carries it as plain text (`content_text`).
    for feed in ["rss", "atom", "json"] {
        let f = d.get_anon(&format!("/feeds/verdicts.{feed}")).await;
        if feed != "json" {
            assert!(!f.body.contains("<script>"), "{feed}: {}", f.body);
        }
        let parsed = feed_rs::parser::parse(f.body.as_bytes()).unwrap();
        assert_eq!(parsed.entries.len(), 1, "{feed}");
        let title = parsed.entries[0].title.as_ref().unwrap();
        assert_eq!(title.content, format!("Checked: {claim}"), "{feed}");
    }
}

#[tokio::test]
async fn drafts_are_not_public() {
    let (d, _, draft) = public_desk().await;
    let a = d.get_anon(&format!("/verdicts/{}", draft.0)).await;
    assert_eq!(a.status, 404);
    assert!(a.header("content-type").starts_with("text/html"));
    assert!(!a.body.contains("Onions"));
    d.get_anon(&format!("/api/factchecks/{}.jsonld", draft.0))
        .await
        .assert_error(404, "not_found");
    let list = d.get_anon("/verdicts").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Hot lemon water cures cancer"));
    assert!(!list.body.contains("Onions"));
    for feed in ["rss", "atom", "json"] {
        let f = d.get_anon(&format!("/feeds/verdicts.{feed}")).await;
        assert!(!f.body.contains("Onions"), "{feed}");
    }
    assert_eq!(d.get_anon("/verdicts/nope").await.status, 404);
}

#[tokio::test]
async fn the_list_pages_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let store = engine.store().clone();
    for i in 0..25 {
        verdict(&store, &format!("Claim number {i:02}"), "s", true).await;
    }
    let d = desk_over(dir, engine, ServerConfig::default()).await;
    let first = d.get_anon("/verdicts").await;
    assert!(first.body.contains("Claim number 24"));
    assert!(!first.body.contains("Claim number 04"));
    assert!(first.body.contains("href=\"/verdicts?page=2\""));
    let second = d.get_anon("/verdicts?page=2").await;
    assert!(second.body.contains("Claim number 04"));
    assert!(second.body.contains("Claim number 00"));
    assert!(!second.body.contains("Claim number 05"));
    assert!(!second.body.contains("page=3"));
    assert_eq!(d.get_anon("/verdicts?page=0").await.status, 400);
}

#[tokio::test]
async fn the_jsonld_endpoint_serves_claim_review_and_the_plain_one_still_works() {
    let (d, id, _) = public_desk().await;
    let a = d
        .get_anon(&format!("/api/factchecks/{}.jsonld", id.0))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("content-type"), "application/ld+json");
    let cr = a.json();
    assert_eq!(cr["@context"], "https://schema.org");
    assert_eq!(cr["claimReviewed"], "Hot lemon water cures cancer");
    assert_eq!(cr["reviewRating"]["alternateName"], "False");
    // It parses back as the fact-check it came from.
    let parsed = claimdesk_ingest::parse_fact_checks(
        "x.jsonld",
        a.body.as_bytes(),
        claimdesk_ingest::FactCheckFormat::ClaimReview,
    );
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(
        parsed.records[0].value.claim,
        "Hot lemon water cures cancer"
    );
    let plain = d.get(&format!("/api/factchecks/{}", id.0)).await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert_eq!(plain.json()["fact_check"]["id"], id.0);
    d.get_anon("/api/factchecks/abc.jsonld")
        .await
        .assert_error(400, "invalid_path");
}

#[tokio::test]
async fn each_feed_parses_and_lists_the_published_verdict() {
    let (d, id, _) = public_desk().await;
    let page = format!("https://desk.example/verdicts/{}", id.0);
    for (path, media) in [
        ("/feeds/verdicts.rss", "application/rss+xml"),
        ("/feeds/verdicts.atom", "application/atom+xml"),
        ("/feeds/verdicts.json", "application/feed+json"),
    ] {
        let a = d.get_anon(path).await;
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert!(a.header("content-type").starts_with(media), "{path}");
        let feed = feed_rs::parser::parse(a.body.as_bytes())
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", a.body));
        assert_eq!(feed.entries.len(), 1, "{path}");
        let entry = &feed.entries[0];
        assert!(
            entry.links.iter().any(|l| l.href == page),
            "{path}: {:?}",
            entry.links
        );
        let title = entry.title.as_ref().map(|t| t.content.clone()).unwrap();
        assert_eq!(title, "Checked: Hot lemon water cures cancer", "{path}");
        // Caching: the same tag gets 304.
        let etag = a.header("etag").to_string();
        assert!(etag.starts_with('"'), "{path}: {:?}", a.headers);
        assert!(!a.header("last-modified").is_empty(), "{path}");
        let again = d.get_with_anon(path, "if-none-match", &etag).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        let other = d.get_with_anon(path, "if-none-match", "\"other\"").await;
        assert_eq!(other.status, 200, "{path}");
    }
}

#[tokio::test]
async fn public_pages_and_feeds_need_no_session_and_are_cacheable() {
    let (d, id, _) = public_desk().await;
    for path in [
        "/verdicts".to_string(),
        format!("/verdicts/{}", id.0),
        "/feeds/verdicts.rss".to_string(),
    ] {
        let a = d.get_anon(&path).await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("cache-control"), "public, max-age=300", "{path}");
        assert!(
            a.header("content-security-policy")
                .contains("script-src 'self'")
        );
    }
}

/// Issue 15, finding 6: the audit trail's signed checkpoints and their key are public, for
/// witnesses to copy, and the public pages link to them.
#[tokio::test]
async fn audit_checkpoints_and_their_key_are_public() {
    let (d, _, _) = public_desk().await;
    let data = claimdesk_engine::DataDir::new(d._dir.path().join("data"));
    let signer = data
        .audit_signer(&claimdesk_engine::Config::default())
        .unwrap();
    let signed = claimdesk_engine::jobs::checkpoint_audit(&d.store, &signer, 1)
        .await
        .unwrap()
        .unwrap();

    let a = d
        .get_anon("/.well-known/claimdesk/audit-checkpoints.jsonl")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.header("content-type").starts_with("application/jsonl"));
    assert_eq!(a.header("cache-control"), "public, max-age=60");
    let expected: String = claimdesk_store::witnessed_checkpoints(&d.store)
        .await
        .unwrap()
        .iter()
        .map(|l| format!("{}\n", serde_json::to_string(l).unwrap()))
        .collect();
    assert_eq!(a.body, expected);
    let line: Value = serde_json::from_str(a.body.lines().next().unwrap()).unwrap();
    assert_eq!(line["seq"], signed.seq);
    assert_eq!(line["hashes"].as_array().unwrap().len() as i64, signed.seq);

    let key = d.get_anon("/.well-known/claimdesk/audit-key").await;
    assert_eq!(key.status, 200);
    assert_eq!(key.body, format!("{}\n", signer.public().to_hex()));

    let page = d.get_anon("/verdicts").await;
    assert!(
        page.body
            .contains("href=\"/.well-known/claimdesk/audit-checkpoints.jsonl\""),
        "{}",
        page.body
    );
}
