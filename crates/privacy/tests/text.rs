//! The text checks through the public API: spans, sensitive terms, allowed numbers, the cap.

use claimdesk_privacy::{Config, Error, Kind, Location, SensitiveTerm, Severity, check_text};

fn span(text: &str, location: &Location) -> String {
    let Location::Text { start, end } = *location else {
        panic!("a text span: {location:?}")
    };
    text[start..end].to_string()
}

#[test]
fn a_sensitive_term_is_found_without_accents_or_case() {
    let config = Config {
        terms: vec![SensitiveTerm {
            term: "Tiểu đoàn 3".into(),
            severity: Severity::High,
            note: "đơn vị đang làm nhiệm vụ".into(),
        }],
        ..Config::default()
    };
    for (text, want) in [
        ("Anh ấy ở tieu doan 3 từ năm ngoái", "tieu doan 3"),
        ("TIỂU ĐOÀN  3 đã rút", "TIỂU ĐOÀN  3"),
        ("Tiểu đoàn 3.", "Tiểu đoàn 3"),
    ] {
        let report = check_text(text, &config).unwrap();
        assert_eq!(report.findings.len(), 1, "{text}: {report:?}");
        let f = &report.findings[0];
        assert_eq!(f.kind, Kind::SensitiveTerm);
        assert_eq!(f.severity, Severity::High);
        assert_eq!(span(text, &f.location), want);
        assert!(
            f.reason.vi.contains("đơn vị đang làm nhiệm vụ"),
            "{:?}",
            f.reason
        );
    }
    // Part of a longer number is not the term.
    assert!(
        check_text("tiểu đoàn 33", &config)
            .unwrap()
            .findings
            .is_empty()
    );
}

#[test]
fn spans_are_exact_and_in_order_with_reasons_in_both_languages() {
    let text = "Liên hệ chị Hoa 0987.654.321 hoặc hoa.tran@mail.vn, nhà số 15 phố Hàng Bông.";
    let report = check_text(text, &Config::default()).unwrap();
    let got: Vec<(Kind, String)> = report
        .findings
        .iter()
        .map(|f| (f.kind, span(text, &f.location)))
        .collect();
    assert_eq!(
        got,
        vec![
            (Kind::Phone, "0987.654.321".to_string()),
            (Kind::Email, "hoa.tran@mail.vn".to_string()),
            (Kind::Address, "nhà số 15 phố Hàng Bông".to_string()),
        ]
    );
    for f in &report.findings {
        assert!(!f.reason.vi.is_empty() && !f.reason.en.is_empty());
        assert_ne!(f.reason.vi, f.reason.en);
    }
}

#[test]
fn a_twenty_megabyte_text_is_refused_not_checked_in_part() {
    let text = "Gọi 0912 345 678. ".repeat(20 * 1024 * 1024 / 18 + 1);
    let err = check_text(&text, &Config::default()).unwrap_err();
    assert!(matches!(err, Error::TextTooLarge { .. }), "{err}");
    assert_eq!(err.code(), "privacy_text_too_large");
    assert!(err.to_string().contains("nothing was checked"), "{err}");
}

#[test]
fn nothing_in_plain_news_text() {
    let text = "Theo Nghị định 100/2019/NĐ-CP, mức phạt từ 4.000.000 đến 6.000.000 đồng. \
                Hội thảo diễn ra ngày 12/03/2025 tại Hà Nội, Điều 8 khoản 2. \
                Tổng đài 1900 9095 hỗ trợ 24/7; giá vàng 85,5 triệu đồng/lượng.";
    let report = check_text(text, &Config::default()).unwrap();
    assert!(report.findings.is_empty(), "{report:#?}");
}
