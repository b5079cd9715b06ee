//! What an editor trips over (issue 16), each reproduced before it was fixed.

use crate::util::{Desk, Session, desk};

/// The session with the page language set to `lang`.
fn speaking(s: &Session, lang: &str) -> Session {
    Session {
        cookie: format!("{}; lang={lang}", s.cookie),
        csrf: s.csrf.clone(),
    }
}

/// Opens the case of item `item` as `editor` and moves it to verifying; returns its path.
async fn verifying_case(d: &Desk, editor: &Session, item: i64) -> String {
    let a = d
        .post_form(&format!("/items/{item}/case"), editor, &[])
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let case = a.header("location").to_string();
    let a = d
        .post_form(
            &format!("{case}/transition"),
            editor,
            &[("to", "verifying")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    case
}

/// The `<option>` of the verdict form's language select that is selected.
fn selected_language(html: &str) -> String {
    let select = html
        .split("<select name=\"language\">")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .unwrap_or_else(|| panic!("no language select in {html}"));
    select
        .split("<option value=\"")
        .skip(1)
        .find(|o| o.contains("\" selected>"))
        .and_then(|o| o.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn regression_the_verdict_language_follows_the_item_then_the_saved_draft() {
    let d = desk().await;
    let editor = d.login("editor").await;
    // Item 2 is Vietnamese; the editor reads the desk in English.
    let case = verifying_case(&d, &editor, 2).await;
    let page = d.get_as(&case, &editor).await;
    assert_eq!(selected_language(&page.body), "vi", "a Vietnamese item");
    // An English item on a Vietnamese page: the item decides.
    let case1 = verifying_case(&d, &editor, 1).await;
    let page = d.get_as(&case1, &speaking(&editor, "vi")).await;
    assert_eq!(selected_language(&page.body), "en", "an English item");

    // Saved in Vietnamese, the draft shows Vietnamese, and saving the form as shown keeps it.
    let save = |lang: &'static str| {
        let case = case.clone();
        let editor = editor.clone();
        let d = &d;
        async move {
            let a = d
                .post_form(
                    &format!("{case}/verdict"),
                    &editor,
                    &[
                        ("claim", "Tiêm vắc-xin gây vô sinh"),
                        ("rating", "false"),
                        ("language", lang),
                    ],
                )
                .await;
            assert_eq!(a.status.as_u16(), 303, "{}", a.body);
        }
    };
    save("vi").await;
    let page = d.get_as(&case, &editor).await;
    assert_eq!(selected_language(&page.body), "vi", "the saved draft");
    let shown = selected_language(&page.body);
    save(if shown == "vi" { "vi" } else { "en" }).await;
    let id = case.trim_start_matches("/cases/");
    let api = d.get(&format!("/api/cases/{id}")).await.json();
    assert_eq!(api["verdict"]["language"], "vi", "{api}");
    // A draft saved in English on a Vietnamese item shows English.
    save("en").await;
    let page = d.get_as(&case, &speaking(&editor, "vi")).await;
    assert_eq!(selected_language(&page.body), "en");
}

#[tokio::test]
async fn regression_mark_drafted_is_offered_only_with_a_verdict() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let case = verifying_case(&d, &editor, 2).await;
    let id = case.trim_start_matches("/cases/");
    let page = d.get_as(&case, &editor).await;
    assert!(
        page.body.contains("data-to=\"not_checkable\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("data-to=\"drafted\""), "{}", page.body);
    let api = d.get(&format!("/api/cases/{id}")).await.json();
    let next: Vec<_> = api["next_statuses"].as_array().unwrap().clone();
    assert!(!next.contains(&"drafted".into()), "{api}");

    // Posted anyway (an old page), the page says the API's reason, in the page's language.
    let api_answer = d
        .post_json(
            &format!("/api/cases/{id}/transition"),
            r#"{"to":"drafted"}"#,
        )
        .await;
    // A workflow refusal, like every state refusal (issue 17: 2): 409 with the reason.
    api_answer.assert_error(409, "invalid_transition");
    let message = api_answer.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("has no draft verdict"), "{message}");
    let a = d
        .post_form(&format!("{case}/transition"), &editor, &[("to", "drafted")])
        .await;
    assert_eq!(a.status.as_u16(), 409);
    assert!(
        a.body.contains(&format!(
            "case {id} has no draft verdict: write it before moving the case to “Drafted”"
        )),
        "{}",
        a.body
    );
    assert!(!a.body.contains("check the filters"), "{}", a.body);
    let a = d
        .post_form(
            &format!("{case}/transition"),
            &speaking(&editor, "vi"),
            &[("to", "drafted")],
        )
        .await;
    assert!(
        a.body
            .contains(&format!("vụ việc {id} chưa có bản nháp kết luận")),
        "{}",
        a.body
    );
    assert!(a.body.contains("“Đã soạn”"), "{}", a.body);

    // With a verdict, the move is offered and succeeds.
    let a = d
        .post_form(
            &format!("{case}/verdict"),
            &editor,
            &[("claim", "Vaccines cause infertility"), ("rating", "false")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let page = d.get_as(&case, &editor).await;
    assert!(page.body.contains("data-to=\"drafted\""), "{}", page.body);
    let a = d
        .post_form(&format!("{case}/transition"), &editor, &[("to", "drafted")])
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
}

#[tokio::test]
async fn regression_a_refused_move_says_why_on_the_page() {
    let d = desk().await;
    let viewer = d.login("viewer").await;
    let editor = d.login("editor").await;
    let case = verifying_case(&d, &editor, 1).await;
    let a = d
        .post_form(&format!("{case}/transition"), &viewer, &[("to", "triage")])
        .await;
    assert_eq!(a.status.as_u16(), 403, "{}", a.body);
    assert!(
        a.body.contains("Why:") && a.body.contains("viewer"),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn regression_the_verdict_form_is_not_styled_as_a_rating() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let case = verifying_case(&d, &editor, 1).await;
    let page = d.get_as(&case, &editor).await;
    let form = page
        .body
        .split("<form ")
        .find(|f| f.contains("/verdict\""))
        .expect("the verdict form");
    let classes = form
        .split("class=\"")
        .nth(1)
        .and_then(|c| c.split('"').next())
        .unwrap();
    let css_path = page
        .body
        .split("href=\"/static/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    let css = d.get_anon(&format!("/static/{css_path}")).await.body;
    // Every rule that colours `.verdict` excludes forms, or the form is not `.verdict`.
    let verdict_is_class = classes.split_whitespace().any(|c| c == "verdict");
    for rule in css.split('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        if !body.contains("--bad") {
            continue;
        }
        for sel in selectors.split(',') {
            let sel = sel.trim();
            if sel == ".verdict" {
                assert!(!verdict_is_class, "`{sel}` colours the verdict form");
            }
        }
    }
    assert!(
        css.contains(".desk-form textarea") && classes.contains("desk-form"),
        "{classes}"
    );
}

/// A verdict written by the editor (user 2) and published by the reviewer (user 3) through
/// the API; its fact-check id.
async fn published_verdict(d: &Desk, claim: &str) -> i64 {
    use serde_json::json;
    let editor = d.token_of(2).await;
    let reviewer = d.token_of(3).await;
    let a = d
        .post_json_as("/api/items/1/case", &editor, json!({}))
        .await;
    let id = a.json()["id"].as_i64().unwrap();
    let url = |p: &str| format!("/api/cases/{id}/{p}");
    let step = |to: &'static str, token: String| {
        let url = url("transition");
        async move {
            let a = d.post_json_as(&url, &token, json!({ "to": to })).await;
            assert_eq!(a.status.as_u16(), 200, "{to}: {}", a.body);
        }
    };
    step("verifying", editor.clone()).await;
    let a = d
        .post_json_as(
            &url("verdict"),
            &editor,
            json!({"claim": claim, "rating": "false", "language": "en"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let fc = a.json()["fact_check"].as_i64().unwrap();
    step("drafted", editor.clone()).await;
    step("in_review", editor.clone()).await;
    step("published", reviewer).await;
    fc
}

#[tokio::test]
async fn regression_desk_verdicts_have_their_url_in_the_api_and_the_exports() {
    let d = desk().await;
    let claim = "Lemon water every morning kills cancer cells";
    let fc = published_verdict(&d, claim).await;
    let jsonld = d.get_anon(&format!("/api/factchecks/{fc}.jsonld")).await;
    assert_eq!(jsonld.status.as_u16(), 200, "{}", jsonld.body);
    let page_url = jsonld.json()["url"].as_str().unwrap().to_string();
    assert!(page_url.ends_with(&format!("/verdicts/{fc}")), "{page_url}");

    let list = d.get("/api/factchecks").await.json();
    let entry = list["fact_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fc)
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    assert_eq!(entry["url"], page_url.as_str(), "{entry}");
    let one = d.get(&format!("/api/factchecks/{fc}")).await.json();
    assert_eq!(one["fact_check"]["url"], page_url.as_str(), "{one}");

    let csv = d.get("/export/factchecks.csv").await.body;
    let row = csv
        .lines()
        .find(|l| l.contains(claim))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(row.contains(&page_url), "{row}");
    let jsonl = d.get("/export/factchecks.jsonl").await.body;
    let line: serde_json::Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v.to_string().contains(claim))
        .unwrap_or_else(|| panic!("{jsonl}"));
    assert!(line.to_string().contains(&page_url), "{line}");
    // Imported fact-checks keep their own URL.
    let lemon = list["fact_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["source_id"] == "fc-lemon")
        .unwrap()
        .clone();
    assert_eq!(lemon["url"], "https://factcheck.example/fc-lemon");
}

/// Catalog values as `key = "value"` pairs of one language file.
fn catalog(lang: &str) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(format!("{}/i18n/{lang}.toml", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut out = std::collections::BTreeMap::new();
    for (section, entries) in &table {
        if let Some(t) = entries.as_table() {
            for (k, v) in t {
                if let Some(s) = v.as_str() {
                    out.insert(format!("{section}.{k}"), s.to_string());
                }
            }
        }
    }
    out
}

/// The visible text of a page: tags, scripts and styles out.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let tail = &rest[start..];
        let skip_to = if tail.starts_with("<script") {
            tail.find("</script>").map_or(tail.len(), |e| e + 9)
        } else {
            tail.find('>').map_or(tail.len(), |e| e + 1)
        };
        rest = &tail[skip_to..];
    }
    out.push_str(rest);
    out.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn regression_every_page_speaks_vietnamese_through_the_catalog() {
    let d = desk().await;
    let admin = d.login("admin").await;
    let editor = d.login("editor").await;
    let case = verifying_case(&d, &editor, 2).await;
    let en = catalog("en");
    let vi = catalog("vi");
    // English sentences of the catalog that Vietnamese says otherwise.
    let english: Vec<&String> = en
        .iter()
        .filter(|(k, v)| vi.get(*k) != Some(v) && v.len() >= 12 && !v.contains('{'))
        .map(|(_, v)| v)
        .collect();
    let pages = [
        "/",
        "/items/1",
        "/items/2",
        "/cases",
        case.as_str(),
        "/factchecks",
        "/factchecks/1",
        "/sources",
        "/narratives",
        "/narratives/1",
        "/alerts",
        "/verdicts",
        "/no-such-page",
    ];
    let vi_admin = speaking(&admin, "vi");
    for path in pages {
        let page = d.get_as(path, &vi_admin).await;
        assert!(page.status.as_u16() < 500, "{path}: {}", page.status);
        let text = visible_text(&page.body);
        for e in &english {
            assert!(
                !text.contains(e.as_str()),
                "{path} in Vietnamese shows English: {e}"
            );
        }
        // The alerts the store raised in English are said in Vietnamese.
        assert!(!text.contains("repeats a claim rated"), "{path}: {text}");
        assert!(!text.contains("near-identical items"), "{path}: {text}");
        assert!(!text.contains('`'), "{path} shows a backtick: {text}");
        // The English pages too, for keys missing from a catalog.
        d.get_as(path, &speaking(&admin, "en")).await;
    }
    let missing = claimdesk_server::i18n::missing_keys();
    assert!(missing.is_empty(), "untranslated keys: {missing:?}");
}

/// Monitoring from the web (issue 16, frictions): an admin adds and removes sources on
/// `/sources` with the CLI's checks, each change audited under their name; refusals say why
/// in the page's language; editors are not offered the forms and are refused.
#[tokio::test]
async fn admins_add_and_remove_sources_from_the_web() {
    use claimdesk_store::AuditFilter;
    use claimdesk_store::prelude::*;
    let d = desk().await;
    let admin = d.login("admin").await;
    let editor = d.login("editor").await;
    let drop = tempfile::tempdir().unwrap();
    let folder = std::fs::canonicalize(drop.path()).unwrap();

    let page = d.get_as("/sources", &editor).await;
    assert!(!page.body.contains("action=\"/sources\""), "{}", page.body);
    let refused = d
        .post_form(
            "/sources",
            &editor,
            &[("location", folder.to_str().unwrap()), ("interval", "1h")],
        )
        .await;
    assert_eq!(refused.status.as_u16(), 403, "{}", refused.body);

    let page = d.get_as("/sources", &admin).await;
    assert!(page.body.contains("action=\"/sources\""), "{}", page.body);
    let a = d
        .post_form(
            "/sources",
            &admin,
            &[("location", folder.to_str().unwrap()), ("interval", "1h")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    assert_eq!(a.header("location"), "/sources?added=1");
    let page = d.get_as("/sources?added=1", &admin).await;
    assert!(page.body.contains("Source 1 added"), "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "<td class=\"location\">{}</td><td>1h</td>",
            folder.display()
        )),
        "{}",
        page.body
    );
    let sources = d.store.sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].interval_secs, 3600);

    // The CLI's refusals, with the reason in the page's language.
    for (location, interval, en, vi) in [
        (
            folder.to_str().unwrap(),
            "5",
            "“5” is not an interval",
            "“5” không phải chu kỳ hợp lệ",
        ),
        (
            "/no/such/folder",
            "15m",
            "is neither an http(s) address nor an existing folder",
            "không phải địa chỉ http(s)",
        ),
        (
            "http://127.0.0.1/feed",
            "15m",
            "http://127.0.0.1/feed cannot be watched: its host 127.0.0.1 is or resolves to the internal address 127.0.0.1",
            "máy chủ 127.0.0.1 là hoặc trỏ tới địa chỉ nội bộ 127.0.0.1",
        ),
        (
            folder.to_str().unwrap(),
            "15m",
            "is already source 1",
            "is already source 1",
        ),
    ] {
        let a = d
            .post_form(
                "/sources",
                &admin,
                &[("location", location), ("interval", interval)],
            )
            .await;
        assert_eq!(a.status.as_u16(), 422, "{location} {interval}: {}", a.body);
        assert!(a.body.contains(en), "{location}: {}", a.body);
        let a = d
            .post_form(
                "/sources",
                &speaking(&admin, "vi"),
                &[("location", location), ("interval", interval)],
            )
            .await;
        assert!(a.body.contains(vi), "{location}: {}", a.body);
    }
    assert_eq!(d.store.sources().await.unwrap().len(), 1);

    // Paused, then resumed: not polled meanwhile, said on the page.
    assert_eq!(
        d.post_form("/sources/1/pause", &editor, &[]).await.status,
        403
    );
    let a = d.post_form("/sources/1/pause", &admin, &[]).await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    assert_eq!(a.header("location"), "/sources?paused=1");
    assert!(d.store.sources().await.unwrap()[0].paused);
    let page = d.get_as("/sources?paused=1", &admin).await.body;
    assert!(
        page.contains("Source 1 paused") && page.contains("action=\"/sources/1/resume\""),
        "{page}"
    );
    let a = d.post_form("/sources/1/resume", &admin, &[]).await;
    assert_eq!(a.header("location"), "/sources?resumed=1");
    assert!(!d.store.sources().await.unwrap()[0].paused);

    let refused = d.post_form("/sources/1/remove", &editor, &[]).await;
    assert_eq!(refused.status.as_u16(), 403, "{}", refused.body);
    let a = d.post_form("/sources/1/remove", &admin, &[]).await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    assert_eq!(a.header("location"), "/sources?removed=1");
    assert!(d.store.sources().await.unwrap().is_empty());
    let a = d.post_form("/sources/1/remove", &admin, &[]).await;
    assert_eq!(a.status.as_u16(), 404, "{}", a.body);

    let events = d
        .store
        .audit_events(&AuditFilter {
            subject: Some("source:1".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let done: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        done,
        [
            ("source.add", "user:1"),
            ("source.pause", "user:1"),
            ("source.resume", "user:1"),
            ("source.remove", "user:1")
        ]
    );
}

/// The case page (issue 16, frictions): the linked fact-check by its claim and rating; one
/// evidence input, whose links the verdict cites; the verdict's edits and publication in
/// the case's history; no "a verdict can be drafted" hint once the case is closed.
#[tokio::test]
async fn the_case_page_names_its_fact_check_and_keeps_the_verdicts_history() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let reviewer = d.login("reviewer").await;

    let a = d
        .post_form("/items/1/link", &editor, &[("fact_check", "1")])
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let linked = d.get_as(a.header("location"), &editor).await.body;
    assert!(
        linked.contains("<dd class=\"linked\"><a href=\"/factchecks/1\">Hot lemon water cures cancer</a> <span class=\"verdict\">False</span></dd>"),
        "{linked}"
    );
    assert!(!linked.contains("A verdict can be drafted"), "{linked}");

    let case = verifying_case(&d, &editor, 2).await;
    let page = d.get_as(&case, &editor).await.body;
    assert!(
        !page.contains("name=\"evidence\""),
        "one evidence input: {page}"
    );
    let a = d
        .post_form(
            &format!("{case}/evidence"),
            &editor,
            &[("url", "https://who.example/report"), ("title", "WHO")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303);
    let a = d
        .post_form(
            &format!("{case}/verdict"),
            &editor,
            &[
                ("claim", "Vaccines cause infertility"),
                ("rating", "false"),
                ("summary", "No study shows it."),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let id = case.trim_start_matches("/cases/");
    let detail = d.get(&format!("/api/cases/{id}")).await.json();
    assert_eq!(
        detail["verdict"]["evidence"],
        serde_json::json!(["https://who.example/report"])
    );
    for to in ["drafted", "in_review"] {
        let a = d
            .post_form(&format!("{case}/transition"), &editor, &[("to", to)])
            .await;
        assert_eq!(a.status.as_u16(), 303, "{to}: {}", a.body);
    }
    let a = d
        .post_form(
            &format!("{case}/transition"),
            &reviewer,
            &[("to", "published")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let page = d.get_as(&case, &editor).await.body;
    assert!(page.contains("<td>saved the verdict</td>"), "{page}");
    assert!(page.contains("<td>published the verdict</td>"), "{page}");
    assert!(!page.contains("A verdict can be drafted"), "{page}");
}

#[tokio::test]
async fn regression_vietnamese_marks_are_drawn_by_fonts_that_have_them_and_the_audit_reads_as_fields()
 {
    let d = desk().await;
    let editor = d.login("editor").await;
    let case = verifying_case(&d, &editor, 2).await;
    let a = d
        .post_form(
            &format!("{case}/verdict"),
            &editor,
            &[
                ("claim", "KHẨN: nguồn tin nói vắc-xin gây vô sinh"),
                ("rating", "false"),
                ("summary", "Không có nghiên cứu nào cho thấy điều đó."),
                ("language", "vi"),
            ],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let page = d.get_as(&case, &editor).await.body;
    // The verdict's audit event reads as fields with their values, not as raw JSON.
    let saved = page
        .split("<tr class=\"audit-event\">")
        .find(|row| row.contains("<td>saved the verdict</td>"))
        .unwrap_or_else(|| panic!("no audit row for the saved verdict: {page}"));
    let saved = saved.split("</tr>").next().unwrap();
    assert!(saved.contains("<dl class=\"changes\">"), "{saved}");
    assert!(
        saved.contains("<dt>claim</dt><dd>KHẨN: nguồn tin nói vắc-xin gây vô sinh</dd>"),
        "{saved}"
    );
    for raw in ["{&quot;", "{\"", "&quot;:"] {
        assert!(
            !saved.contains(raw),
            "raw JSON ({raw}) in the audit row: {saved}"
        );
    }
    // Text boxes take the page's font (browsers default them to the system monospace), and
    // both font stacks lead with families that draw Vietnamese stacked marks in place.
    let css = d.get("/static/desk.css").await.body;
    assert!(
        css.contains("input, select, textarea, button { font-family: inherit; }"),
        "{css}"
    );
    for (var, covers) in [
        ("--sans:", ["\"Noto Sans\"", "\"DejaVu Sans\""]),
        ("--mono:", ["\"Noto Sans Mono\"", "\"DejaVu Sans Mono\""]),
    ] {
        let stack = css
            .lines()
            .find_map(|l| l.trim().strip_prefix(var))
            .unwrap_or_else(|| panic!("no {var} in the stylesheet"));
        let first = stack.trim().split(',').next().unwrap().trim();
        assert!(
            covers.contains(&first),
            "{var} starts with {first}, which may lack Vietnamese marks"
        );
    }
    let root = css.split('}').next().unwrap();
    assert!(root.contains("font-family: var(--sans)"), "{root}");
}
