//! Property tests: no text makes the check panic, every span is on character boundaries and
//! inside the text, and findings come in order.

use claimdesk_privacy::{Config, Location, SensitiveTerm, Severity, check_text};
use proptest::prelude::*;

/// Texts built from the pieces the detectors look at: digits and separators, Vietnamese
/// letters with and without marks (precomposed and decomposed), keywords, `@`, `+`, `/`.
fn draft() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "0",
        "9",
        "1",
        "84",
        "+",
        "(",
        ")",
        ".",
        "-",
        " ",
        "/",
        ",",
        "@",
        "\n",
        "a",
        "Đ",
        "đường",
        "ngõ",
        "hẻm",
        "số",
        "sinh ngày",
        "CMND",
        "STK",
        "Vietcombank",
        "thẻ",
        "hộ chiếu",
        "e\u{302}\u{301}",
        "Tiểu",
        "đoàn",
        "tieu",
        "doan",
        "3",
        "29A",
        "C1234567",
        "@x.vn",
        "001203004567",
        "0912345678",
        "4111111111111111",
        "ẻ",
        "🙂",
        "\u{300}",
        "March",
        "DOB",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn spans_are_on_boundaries_and_in_order(text in draft()) {
        let config = Config {
            terms: vec![SensitiveTerm {
                term: "Tiểu đoàn 3".into(),
                severity: Severity::High,
                note: String::new(),
            }],
            allowed: vec!["0912 345 678".into()],
            ..Config::default()
        };
        let report = check_text(&text, &config).unwrap();
        let mut last = 0;
        for f in &report.findings {
            let Location::Text { start, end } = f.location else {
                panic!("a text finding outside the text: {f:?}");
            };
            prop_assert!(start < end && end <= text.len());
            prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            prop_assert_eq!(&text[start..end], f.matched.as_str());
            prop_assert!(start >= last || f.kind == claimdesk_privacy::Kind::SensitiveTerm);
            last = start;
        }
    }
}
