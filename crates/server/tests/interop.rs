//! What integrators' tools read (issue 17, findings 3 to 5; issue 16, bug 9): the desk's
//! ClaimReview by Google's rules, caching of the public pages and feeds, and the exports.

use claimdesk_ingest::FactCheckFormat;
use claimdesk_publish::Publisher;
use claimdesk_server::ServerConfig;
use serde_json::{Value, json};

use crate::util::{Desk, desk_with};

/// What Google's fact-check structured data documentation requires of a ClaimReview...
const REQUIRED: [&str; 4] = [
    "claimReviewed",
    "reviewRating",
    "reviewRating.alternateName",
    "url",
];
/// ...and recommends (`itemReviewed.appearance` or `firstAppearance`: both are written).
const RECOMMENDED: [&str; 13] = [
    "author",
    "author.name",
    "author.url",
    "datePublished",
    "itemReviewed",
    "itemReviewed.appearance",
    "itemReviewed.appearance.url",
    "itemReviewed.firstAppearance.url",
    "itemReviewed.datePublished",
    "reviewRating.ratingValue",
    "reviewRating.bestRating",
    "reviewRating.worstRating",
    "publisher.name",
];

/// Whether `v` has a non-empty value at the dotted `path`; through an array, every
/// element must have it.
fn has(v: &Value, path: &str) -> bool {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let at = |v: &Value| -> bool {
        match v.get(head) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) if s.trim().is_empty() => false,
            Some(Value::Array(a)) if a.is_empty() => false,
            Some(next) => rest.is_none_or(|r| has(next, r)),
        }
    };
    match v {
        Value::Array(items) => !items.is_empty() && items.iter().all(at),
        v => at(v),
    }
}

/// The JSON-LD blocks of a page.
fn json_ld(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .map(|(i, _)| {
            let rest = &html[i + open.len()..];
            serde_json::from_str(&rest[..rest.find("</script>").unwrap()]).unwrap()
        })
        .collect()
}

fn publisher(bylines: bool) -> ServerConfig {
    ServerConfig {
        public_url: Some("https://desk.example".into()),
        publisher: Publisher {
            name: Some("Example Fact Check".into()),
            url: Some("https://factcheck.example".into()),
            logo: Some("https://factcheck.example/logo.png".into()),
            bylines,
        },
        ..ServerConfig::default()
    }
}

/// Item 1's case driven to a published verdict through the API: editor drafts, reviewer
/// publishes. Returns the verdict's fact-check id.
async fn publish_item_1(d: &Desk) -> i64 {
    let editor = d.token_of(2).await;
    let reviewer = d.token_of(3).await;
    let case = d
        .post_json_as("/api/items/1/case", &editor, json!({}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let step = |p: &'static str, body: Value, token: String| async move {
        let a = d
            .post_json_as(&format!("/api/cases/{case}/{p}"), &token, body)
            .await;
        assert_eq!(a.status, 200, "{p}: {}", a.body);
        a.json()
    };
    step("transition", json!({"to": "verifying"}), editor.clone()).await;
    let saved = step(
        "verdict",
        json!({
            "claim": "Hot lemon water kills cancer cells",
            "rating": "false",
            "summary": "No study shows that lemon water kills cancer cells.",
            "evidence": ["https://who.example/lemon"],
            "language": "en"
        }),
        editor.clone(),
    )
    .await;
    step("transition", json!({"to": "drafted"}), editor.clone()).await;
    step("transition", json!({"to": "in_review"}), editor.clone()).await;
    step("transition", json!({"to": "published"}), reviewer).await;
    saved["fact_check"].as_i64().unwrap()
}

/// Issue 17, finding 3 and issue 16, bug 9: the desk's verdict named the drafting user as
/// an `Organization`, and `itemReviewed` was a bare `Claim` though the item's URL and date
/// were known.
#[tokio::test]
async fn a_desk_verdict_has_every_required_and_recommended_claim_review_field() {
    let d = desk_with(publisher(false)).await;
    let id = publish_item_1(&d).await;
    let page = d.get_anon(&format!("/verdicts/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let blocks = json_ld(&page.body);
    assert_eq!(blocks.len(), 1, "{}", page.body);
    let cr = &blocks[0];
    for field in REQUIRED.iter().chain(&RECOMMENDED) {
        assert!(has(cr, field), "{field} missing: {cr:#}");
    }
    // The page's own address, on the desk's domain.
    assert_eq!(cr["url"], format!("https://desk.example/verdicts/{id}"));
    let organization = json!({
        "@type": "Organization",
        "name": "Example Fact Check",
        "url": "https://factcheck.example",
        "logo": {"@type": "ImageObject", "url": "https://factcheck.example/logo.png"}
    });
    assert_eq!(cr["author"], organization);
    assert_eq!(cr["publisher"], organization);
    let claim = &cr["itemReviewed"];
    assert_eq!(claim["@type"], "Claim");
    let post = json!({
        "@type": "CreativeWork",
        "url": "https://social.example/post/1",
        "datePublished": "2026-01-09T06:42:00+07:00"
    });
    assert_eq!(claim["appearance"], json!([post.clone()]));
    assert_eq!(claim["firstAppearance"], post);
    assert_eq!(claim["datePublished"], "2026-01-09T06:42:00+07:00");
    // The rating as the page shows it (the page and the markup agree).
    let shown = cr["reviewRating"]["alternateName"].as_str().unwrap();
    assert!(page.body.contains(&format!(">{shown}<")), "{shown}");
    let vi = d
        .get_with_anon(&format!("/verdicts/{id}"), "cookie", "lang=vi")
        .await;
    let vi_label = json_ld(&vi.body)[0]["reviewRating"]["alternateName"].clone();
    assert_eq!(vi_label, "Sai sự thật", "the Vietnamese page's markup");
    // The `.jsonld` is the same review, with the verdict's own label.
    let jsonld = d
        .get_anon(&format!("/api/factchecks/{id}.jsonld"))
        .await
        .json();
    assert_eq!(jsonld["author"], organization);
    assert_eq!(jsonld["itemReviewed"], cr["itemReviewed"]);
}

/// With `[publisher] bylines = true` the fact-checker is named too, as a `Person`.
#[tokio::test]
async fn bylines_name_the_fact_checker_beside_the_organization() {
    let d = desk_with(publisher(true)).await;
    let id = publish_item_1(&d).await;
    let cr = &json_ld(&d.get_anon(&format!("/verdicts/{id}")).await.body)[0];
    assert_eq!(cr["author"][0]["@type"], "Organization", "{cr:#}");
    assert_eq!(cr["author"][0]["url"], "https://factcheck.example");
    assert_eq!(
        cr["author"][1],
        json!({"@type": "Person", "name": "editor name"})
    );
    // Every author is named; the organization's page is its `url` (a person has none).
    for field in REQUIRED.iter().chain(&RECOMMENDED) {
        if *field != "author.url" {
            assert!(has(cr, field), "{field} missing: {cr:#}");
        }
    }
}

/// Issue 17, finding 3: imported third-party fact-checks were re-published with ClaimReview
/// markup of ours whose `url` is on another domain. They are shown and cited, unmarked.
#[tokio::test]
async fn an_imported_fact_check_is_cited_without_markup_of_ours() {
    let d = desk_with(publisher(false)).await;
    let page = d.get_anon("/verdicts/1").await;
    assert_eq!(page.status, 200);
    assert!(json_ld(&page.body).is_empty(), "{}", page.body);
    assert!(!page.body.contains("application/ld+json"));
    assert!(
        page.body
            .contains("href=\"https://factcheck.example/fc-lemon\""),
        "cited: {}",
        page.body
    );
    // Its data is still there as the original newsroom published it (its url, its author).
    let data = d.get_anon("/api/factchecks/1.jsonld").await.json();
    assert_eq!(data["url"], "https://factcheck.example/fc-lemon");
    assert_eq!(data["author"]["name"], "Sample Desk");
}

async fn published_total(d: &Desk) -> u64 {
    d.get("/api/factchecks").await.json()["paging"]["total"]
        .as_u64()
        .unwrap()
}

/// Issue 17, finding 3: importing the desk's own page or `.jsonld` back into the same desk
/// created a duplicate public fact-check.
#[tokio::test]
async fn importing_the_desks_own_verdict_back_changes_nothing() {
    let d = desk_with(publisher(false)).await;
    let id = publish_item_1(&d).await;
    let before = published_total(&d).await;
    let page = d.get_anon(&format!("/verdicts/{id}")).await.body;
    let jsonld = d
        .get_anon(&format!("/api/factchecks/{id}.jsonld"))
        .await
        .body;
    for _ in 0..2 {
        for (name, bytes) in [("verdict.html", &page), ("verdict.jsonld", &jsonld)] {
            let imported = d
                .engine
                .import_fact_checks(
                    name,
                    bytes.as_bytes(),
                    FactCheckFormat::Auto,
                    claimdesk_core::Actor::Cli,
                )
                .await
                .unwrap();
            assert_eq!(
                (imported.counts.added, imported.counts.unchanged),
                (0, 1),
                "{name}: {:?}",
                imported.diagnostics
            );
        }
    }
    // And through the API.
    let a = d
        .post_json(
            "/api/factchecks",
            json!({"claim": "Hot lemon water kills cancer cells",
                   "url": format!("https://desk.example/verdicts/{id}")})
            .to_string(),
        )
        .await;
    assert_eq!(a.json()["added"], false, "{}", a.body);
    assert_eq!(published_total(&d).await, before);
    // Another desk's page at the same path is not ours: it is imported.
    let other = d
        .post_json(
            "/api/factchecks",
            json!({"claim": "Hot lemon water kills cancer cells",
                   "url": format!("https://other.example/verdicts/{id}")})
            .to_string(),
        )
        .await;
    assert_eq!(other.json()["added"], true, "{}", other.body);
}

/// The `Vary` values of an answer, lower-cased.
fn vary(a: &crate::util::Answer) -> String {
    a.headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
        .to_ascii_lowercase()
}

/// Issue 17, finding 4: pages and feeds in the reader's language were cached as one;
/// `If-Modified-Since` got 200; an undated fact-check had no `pubDate` and Atom's `updated`
/// was borrowed from another entry.
#[tokio::test]
async fn public_pages_and_feeds_cache_per_language_and_by_date() {
    let d = desk_with(publisher(false)).await;
    let started = jiff::Timestamp::now();
    let id = publish_item_1(&d).await;
    // A fact-check without a date of its own.
    let a = d
        .post_json(
            "/api/factchecks",
            json!({"claim": "Onions absorb viruses", "url": "https://factcheck.example/onions",
                   "rating": "false"})
            .to_string(),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    for path in [
        "/verdicts".to_string(),
        format!("/verdicts/{id}"),
        "/feeds/verdicts.rss".to_string(),
        "/feeds/verdicts.atom".to_string(),
        "/feeds/verdicts.json".to_string(),
    ] {
        let a = d.get_anon(&path).await;
        assert_eq!(a.status, 200, "{path}");
        let v = vary(&a);
        assert!(
            v.contains("accept-language") && v.contains("cookie"),
            "{path}: {v}"
        );
    }
    for path in [
        "/feeds/verdicts.rss",
        "/feeds/verdicts.atom",
        "/feeds/verdicts.json",
    ] {
        let a = d.get_anon(path).await;
        let modified = a.header("last-modified").to_string();
        let again = d.get_with_anon(path, "if-modified-since", &modified).await;
        assert_eq!(again.status, 304, "{path}: {modified}");
        assert!(again.body.is_empty());
        let old = d
            .get_with_anon(path, "if-modified-since", "Mon, 12 Jan 2026 00:00:00 GMT")
            .await;
        assert_eq!(old.status, 200, "{path}");
        // Every entry is dated, each by its own dates.
        let feed = feed_rs::parser::parse(a.body.as_bytes()).unwrap();
        assert_eq!(feed.entries.len(), 5, "{path}");
        for e in &feed.entries {
            let date = e.published.or(e.updated);
            assert!(date.is_some(), "{path}: {:?} is undated", e.title);
        }
        let onions = feed
            .entries
            .iter()
            .find(|e| {
                e.links
                    .iter()
                    .any(|l| l.href.ends_with(&format!("/verdicts/{}", id + 1)))
            })
            .unwrap_or_else(|| panic!("{path}: {:?}", feed.entries));
        let dated = onions.published.or(onions.updated).unwrap();
        assert!(
            dated.timestamp() >= started.as_second() - 1,
            "{path}: dated by when it was recorded, not by another entry: {dated}"
        );
        if path.ends_with("atom") {
            let lemon = feed
                .entries
                .iter()
                .find(|e| e.links.iter().any(|l| l.href.ends_with("/verdicts/1")))
                .unwrap();
            assert_eq!(
                lemon.published.unwrap().to_rfc3339(),
                "2026-01-12T00:00:00+00:00"
            );
            assert!(lemon.updated.unwrap() >= lemon.published.unwrap());
        }
    }
}

/// Issue 17, finding 5: CSV exports opened garbled in Excel (no BOM), and the verdicts'
/// summary and evidence were not exported.
#[tokio::test]
async fn csv_exports_offer_a_bom_and_carry_summary_and_evidence() {
    let d = desk_with(publisher(false)).await;
    let id = publish_item_1(&d).await;
    for path in ["/export/factchecks.csv", "/export/cases.csv"] {
        let plain = d.get(path).await;
        assert_eq!(plain.status, 200, "{path}");
        assert!(plain.body.starts_with("id,"), "{path}: no BOM by default");
        let excel = d.get(&format!("{path}?bom=1")).await;
        assert!(
            excel.body.starts_with("\u{feff}id,"),
            "{path}: {:?}",
            &excel.body[..10]
        );
        assert_eq!(&excel.body['\u{feff}'.len_utf8()..], plain.body, "{path}");
        assert_eq!(d.get(&format!("{path}?bom=maybe")).await.status, 400);
    }
    let csv = d.get("/export/factchecks.csv").await.body;
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let verdict = rows
        .records()
        .map(Result::unwrap)
        .find(|r| r[col("claim")] == *"Hot lemon water kills cancer cells")
        .expect("the desk's verdict");
    assert_eq!(
        &verdict[col("summary")],
        "No study shows that lemon water kills cancer cells."
    );
    assert_eq!(&verdict[col("evidence")], "https://who.example/lemon");
    let jsonl = d.get("/export/factchecks.jsonl").await.body;
    let line: Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["claimReviewed"] == "Hot lemon water kills cancer cells")
        .unwrap();
    assert_eq!(
        line["reviewBody"],
        "No study shows that lemon water kills cancer cells."
    );
    assert_eq!(line["citation"], json!(["https://who.example/lemon"]));
    // The download buttons ask for the BOM; the page links both files.
    let page = d.get("/factchecks").await.body;
    assert!(
        page.contains("href=\"/export/factchecks.csv?bom=1\""),
        "{page}"
    );
    let _ = id;
}

/// Issue 17, finding 5: the round trip. A desk's exports, imported into another desk, bring
/// back each verdict's summary and evidence, which that desk's public page then shows; with
/// or without a public address (without one, the export names the verdict by its case,
/// which the other desk must not take for its own case of that number). Read back into the
/// same desk, the export changes nothing.
#[tokio::test]
async fn exports_imported_into_another_desk_keep_summary_and_evidence() {
    use claimdesk_store::prelude::*;
    let claim = "Hot lemon water kills cancer cells";
    let summary = "No study shows that lemon water kills cancer cells.";
    for config in [publisher(false), ServerConfig::default()] {
        let named = config.public_url.is_some();
        let d = desk_with(config).await;
        publish_item_1(&d).await;
        for (file, format) in [
            ("/export/factchecks.csv", FactCheckFormat::Csv),
            ("/export/factchecks.jsonl", FactCheckFormat::ClaimReview),
        ] {
            let what = format!("{file} (public address: {named})");
            let export = d.get(file).await;
            assert_eq!(export.status, 200, "{what}");
            let dir = tempfile::tempdir().unwrap();
            let other = crate::util::engine(&dir).await;
            let counts = other
                .import_fact_checks(
                    file,
                    export.body.as_bytes(),
                    format,
                    claimdesk_core::Actor::Cli,
                )
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"))
                .counts;
            assert!(counts.added > 0, "{what}: {counts:?}");
            let fcs = other.store().fact_checks().await.unwrap();
            let verdict = fcs
                .iter()
                .find(|f| f.fact_check.claim == claim)
                .unwrap_or_else(|| panic!("{what}: the verdict was not imported"));
            assert!(
                claimdesk_store::verdict_case(&verdict.fact_check.source_id).is_none(),
                "{what}: imported under a case id of the other desk: {}",
                verdict.fact_check.source_id
            );
            assert_eq!(
                verdict.fact_check.review_body.as_deref(),
                Some(summary),
                "{what}"
            );
            assert_eq!(
                verdict.fact_check.citations,
                ["https://who.example/lemon"],
                "{what}"
            );
            // The other desk shows them on its public page of the imported fact-check.
            let id = verdict.id.0;
            let other = crate::util::desk_over(dir, other, ServerConfig::default()).await;
            let page = other.get_anon(&format!("/verdicts/{id}")).await;
            assert_eq!(page.status, 200, "{what}");
            assert!(page.body.contains(summary), "{what}: {}", page.body);
            assert!(
                page.body.contains("href=\"https://who.example/lemon\""),
                "{what}: {}",
                page.body
            );
            if !named {
                let again = d
                    .engine
                    .import_fact_checks(
                        file,
                        export.body.as_bytes(),
                        format,
                        claimdesk_core::Actor::Cli,
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{what}, read back: {e}"))
                    .counts;
                assert_eq!(
                    (again.added, again.updated),
                    (0, 0),
                    "{what}, read back: {again:?}"
                );
            }
        }
    }
}

/// The public page as a reader sees it (issue 16, frictions): the byline is the
/// `[publisher]`'s (with the fact-checker's name when the desk has bylines), and the footer
/// names the feeds for people, in the page's language.
#[tokio::test]
async fn the_public_page_names_the_publisher_and_its_feeds_for_people() {
    let d = desk_with(publisher(false)).await;
    let id = publish_item_1(&d).await;
    let page = d.get_anon(&format!("/verdicts/{id}")).await.body;
    assert!(page.contains("<dd>Example Fact Check</dd>"), "{page}");
    for name in [">RSS feed</a>", ">Atom feed</a>", ">JSON Feed</a>"] {
        assert!(page.contains(name), "{name}: {page}");
    }
    assert!(!page.contains("(application/rss+xml)"), "{page}");
    let vi = d
        .get_with_anon(&format!("/verdicts/{id}"), "cookie", "lang=vi")
        .await
        .body;
    assert!(vi.contains(">Nguồn tin RSS</a>"), "{vi}");

    let d = desk_with(publisher(true)).await;
    let id = publish_item_1(&d).await;
    let page = d.get_anon(&format!("/verdicts/{id}")).await.body;
    assert!(page.contains("<dd>Example Fact Check · "), "{page}");
}
