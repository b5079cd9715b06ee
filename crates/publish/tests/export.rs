use claimdesk_core::{FactCheck, Rating};
use claimdesk_ingest::{FactCheckFormat, parse_fact_checks};
use claimdesk_publish::{CSV_HEADER, CsvExport, JsonlExport, JsonlWriter};

use crate::{HOSTILE, full_fact_check, stored};

/// Fact-checks with the text CSV trips on: delimiters, quotes, line breaks, Vietnamese.
fn awkward() -> Vec<FactCheck> {
    vec![
        full_fact_check(),
        FactCheck {
            source_id: "42".into(),
            claim: "Dòng một, có dấu phẩy\nDòng \"hai\"\r\nDòng ba; 'bốn'\ttab".into(),
            headline: Some("\"Trích dẫn\", rồi phẩy".into()),
            rating: Some(Rating {
                value: Some(2.5),
                best: Some(5.0),
                worst: Some(0.0),
                label: Some("Nửa đúng, nửa sai".into()),
            }),
            author: Some(HOSTILE.into()),
            ..FactCheck::default()
        },
        FactCheck {
            source_id: "sha:only-a-claim".into(),
            claim: "=1+1 looks like a formula".into(),
            ..FactCheck::default()
        },
    ]
}

fn reimport(file: &str, bytes: &[u8], format: FactCheckFormat) -> Vec<FactCheck> {
    let parsed = parse_fact_checks(file, bytes, format);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed.records.into_iter().map(|r| r.value).collect()
}

#[test]
fn csv_round_trips_through_the_importer() {
    let fcs = awkward();
    let mut export = CsvExport::new(Vec::new());
    for (i, fc) in fcs.iter().enumerate() {
        export.write(&stored(i as i64 + 1, fc.clone())).unwrap();
    }
    assert_eq!(export.rows(), 3);
    let bytes = export.finish().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert_eq!(text.lines().next().unwrap(), CSV_HEADER.join(","));
    assert_eq!(reimport("export.csv", &bytes, FactCheckFormat::Auto), fcs);
}

#[test]
fn csv_rows_reach_the_writer_as_they_are_written() {
    let mut export = CsvExport::new(Vec::new());
    export.write(&stored(1, full_fact_check())).unwrap();
    let after_one = export.finish().unwrap();
    // Nothing was held back: the one row is complete in the output.
    assert_eq!(
        reimport("one.csv", &after_one, FactCheckFormat::Csv),
        vec![full_fact_check()]
    );
}

#[test]
fn an_empty_csv_export_is_a_header() {
    let bytes = CsvExport::new(Vec::new()).finish().unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        format!("{}\n", CSV_HEADER.join(","))
    );
}

#[test]
fn jsonl_round_trips_through_the_importer() {
    let fcs = awkward();
    let mut export = JsonlExport::new(Vec::new());
    for (i, fc) in fcs.iter().enumerate() {
        export.write(&stored(i as i64 + 1, fc.clone())).unwrap();
    }
    assert_eq!(export.rows(), 3);
    let bytes = export.finish().unwrap();
    assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 3);
    assert_eq!(reimport("export.jsonl", &bytes, FactCheckFormat::Auto), fcs);
}

#[test]
fn jsonl_writer_takes_any_serializable_value() {
    #[derive(serde::Serialize)]
    struct Case<'a> {
        id: u32,
        note: &'a str,
    }
    let mut w = JsonlWriter::new(Vec::new());
    w.write(&Case {
        id: 7,
        note: "hai\ndòng",
    })
    .unwrap();
    w.write(&stored(3, full_fact_check())).unwrap();
    let bytes = w.finish().unwrap();
    let lines: Vec<serde_json::Value> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["note"], "hai\ndòng");
    assert_eq!(lines[1]["id"], 3);
    assert_eq!(lines[1]["fact_check"]["claim"], full_fact_check().claim);
}

#[test]
fn writer_failures_are_errors_not_panics() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = CsvExport::new(Broken)
        .write(&stored(1, full_fact_check()))
        .unwrap_err();
    assert!(matches!(err, claimdesk_publish::Error::Io(_)), "{err:?}");
    let err = JsonlExport::new(Broken)
        .write(&stored(1, full_fact_check()))
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
}
