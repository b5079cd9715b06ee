//! The dashboard and `GET /api/stats`: the same figures as JSON and as a page in English
//! and Vietnamese, charts with their tables, a CSV per figure, the desk's time zone, and
//! who may see them.

use claimdesk_core::Item;
use claimdesk_store::prelude::*;
use claimdesk_store::{ImportSource, NewItem};

use crate::util::desk;

fn source() -> ImportSource<'static> {
    ImportSource {
        file: "dashboard",
        format: "jsonl",
        diagnostics: &[],
        actor: claimdesk_core::Actor::Cli,
    }
}

fn item(key: &str, at: &str) -> NewItem {
    NewItem {
        item: Item {
            external_id: Some(key.into()),
            text: format!("dashboard post {key}"),
            published_at: Some(at.into()),
            source: Some("zalo".into()),
            language: Some("vi".into()),
            ..Item::default()
        },
        key: format!("dash:{key}"),
    }
}

async fn with_items() -> crate::util::Desk {
    let d = desk().await;
    d.store
        .save_items(
            &[
                item("a", "2031-03-02T23:30:00Z"), // 2031-03-03 06:30 in Asia/Ho_Chi_Minh
                item("b", "2031-03-02T16:30:00Z"), // 2031-03-02 23:30 there
                item("c", "2031-03-05T08:00:00Z"),
            ],
            source(),
        )
        .await
        .unwrap();
    d
}

#[tokio::test]
async fn the_api_counts_items_on_the_local_day() {
    let d = with_items().await;
    let a = d.get("/api/stats?from=2031-03-03&to=2031-03-03").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let j = a.json();
    assert_eq!(j["from"], "2031-03-03");
    assert_eq!(j["time_zone"], "Asia/Ho_Chi_Minh");
    assert_eq!(j["intake"]["items"], 1, "{j}");
    assert_eq!(j["intake"]["items_over_time"], serde_json::json!([1]));
    let week = d.get("/api/stats?period=week&date=2031-03-05").await.json();
    assert_eq!(
        (week["from"].as_str(), week["to"].as_str()),
        (Some("2031-03-03"), Some("2031-03-09"))
    );
    assert_eq!(week["intake"]["items"], 2);
    assert_eq!(week["intake"]["by_source"][0]["key"], "zalo");
    assert!(
        week["work"]["editors"].is_array(),
        "admins see per-member counts"
    );
    d.get("/api/stats?from=2031-03-05&to=2031-03-01")
        .await
        .assert_error(400, "invalid_query");
    d.get("/api/stats?from=yesterday&to=2031-03-01")
        .await
        .assert_error(400, "invalid_query");
    d.get("/api/stats?from=2031-03-01")
        .await
        .assert_error(400, "invalid_query");
    d.get("/api/stats?period=fortnight")
        .await
        .assert_error(400, "invalid_query");
}

#[tokio::test]
async fn the_dashboard_draws_each_chart_with_its_table_and_csv() {
    let d = with_items().await;
    let admin = d.login("admin").await;
    let a = d
        .get_as("/dashboard?from=2031-03-02&to=2031-03-08", &admin)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let b = &a.body;
    assert!(b.contains("<h1>Dashboard</h1>"), "{b}");
    assert!(b.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""));
    assert!(b.contains("<title id=\"items_over_time-title\">Items in over time</title>"));
    assert!(b.contains("<caption>Items in over time</caption>"));
    assert!(
        b.contains("<th scope=\"row\">2031-03-03</th><td>1</td>"),
        "{b}"
    );
    assert!(
        b.contains("href=\"/dashboard/items_over_time.csv?from=2031-03-02&"),
        "{b}"
    );
    assert!(
        b.contains("Work by desk member"),
        "admins see the editors' table"
    );
    assert!(!b.contains("<script>"), "no inline script");

    let vi = d
        .get_with(
            "/dashboard?from=2031-03-02&to=2031-03-08",
            "accept-language",
            "vi",
        )
        .await;
    assert_eq!(vi.status, 200, "{}", vi.body);
    assert!(
        vi.body.contains("Bài đăng nhận vào theo thời gian"),
        "{}",
        vi.body
    );

    let csv = d
        .get("/dashboard/items_over_time.csv?from=2031-03-02&to=2031-03-04")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        csv.body,
        "day,items\n2031-03-02,1\n2031-03-03,1\n2031-03-04,0\n"
    );
    d.get("/dashboard/nothing.csv")
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn viewers_may_not_see_the_figures() {
    let d = with_items().await;
    let viewer = d.login("viewer").await;
    assert_eq!(d.get_as("/dashboard", &viewer).await.status, 403);
    assert_eq!(d.get_as("/api/stats", &viewer).await.status, 403);
    let editor = d.login("editor").await;
    let a = d
        .get_as("/dashboard?period=month&date=2031-03-01", &editor)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        !a.body.contains("Work by desk member"),
        "per-member counts are for admins"
    );
}

#[tokio::test]
async fn the_digests_archive_lists_weeks_and_months_and_makes_each() {
    let d = with_items().await;
    let a = d.get("/digests").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body.matches("<tr><th scope=\"row\">").count(),
        24,
        "{}",
        a.body
    );
    let md = d.get("/digests/week-2031-03-03.vi.md").await;
    assert_eq!(md.status, 200, "{}", md.body);
    assert!(md.body.starts_with("# Bản tin tuần"), "{}", md.body);
    assert!(md.body.contains("Từ 2031-03-03 đến 2031-03-09"));
    assert!(md.body.contains("Bài đăng nhận vào: 2"), "{}", md.body);
    let json = d.get("/digests/month-2031-03-01.en.json").await.json();
    assert_eq!(json["briefing"]["intake"]["items"], 3);
    assert_eq!(json["lang"], "en");
    // Not the first day of its period, an unknown language or format: not found.
    for bad in [
        "week-2031-03-04.vi.md",
        "week-2031-03-03.fr.md",
        "week-2031-03-03.vi.pdf",
        "x",
    ] {
        d.get(&format!("/digests/{bad}"))
            .await
            .assert_error(404, "not_found");
    }
}
