use std::collections::BTreeMap;

use claimdesk_core::Rating;
use claimdesk_publish::{RatingScale, ScaleError, Verdict};
use serde::Deserialize;

#[derive(Deserialize)]
struct Config {
    rating_scale: RatingScale,
}

fn from_toml(text: &str) -> Result<RatingScale, String> {
    toml::from_str::<Config>(text)
        .map(|c| c.rating_scale)
        .map_err(|e| e.to_string())
}

const THREE_POINT: &str = r#"
[rating_scale]
best_rating = 3
worst_rating = 1
language = "vi"
false_verdicts = ["misleading"]

[[rating_scale.verdict]]
key = "false"
value = 1
labels = { en = "False", vi = "Sai sự thật" }

[[rating_scale.verdict]]
key = "misleading"
value = 2
labels = { en = "Misleading", vi = "Gây hiểu lầm" }

[[rating_scale.verdict]]
key = "true"
value = 3
labels = { en = "True", vi = "Đúng" }

[[rating_scale.verdict]]
key = "unproven"
labels = { en = "Unproven", vi = "Chưa kiểm chứng" }
"#;

#[test]
fn default_scale_is_bilingual_one_to_five() {
    let s = RatingScale::default();
    assert_eq!((s.worst(), s.best()), (1.0, 5.0));
    let keys: Vec<&str> = s.verdicts().iter().map(|v| v.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "false",
            "mostly_false",
            "mixed",
            "mostly_true",
            "true",
            "misleading",
            "unproven"
        ]
    );
    assert_eq!(
        s.rating("false"),
        Some(Rating {
            value: Some(1.0),
            best: Some(5.0),
            worst: Some(1.0),
            label: Some("False".into()),
        })
    );
    assert_eq!(
        s.rating_in("mostly_true", "vi").unwrap().label.as_deref(),
        Some("Phần lớn đúng")
    );
    // A language the verdict lacks falls back to the scale's.
    assert_eq!(
        s.rating_in("mixed", "fr").unwrap().label.as_deref(),
        Some("Mixed")
    );
    assert_eq!(s.rating("misleading").unwrap().value, Some(2.0));
    let unproven = s.rating("unproven").unwrap();
    assert_eq!(unproven.value, None);
    assert_eq!(unproven.label.as_deref(), Some("Unproven"));
    assert_eq!(s.rating("no such verdict"), None);
}

#[test]
fn verdicts_are_found_by_key_or_any_label_regardless_of_case_and_composition() {
    let s = RatingScale::default();
    assert_eq!(s.verdict("Sai sự thật").unwrap().key, "false");
    assert_eq!(s.verdict("  MOSTLY FALSE ").unwrap().key, "mostly_false");
    // The same label with tone marks as combining characters (NFD), as some exports write it.
    let nfd = "Gây hie\u{302}\u{309}u lầm";
    assert_eq!(s.verdict(nfd).unwrap().key, "misleading");
    assert_eq!(s.rating("Đúng").unwrap().value, Some(5.0));
}

#[test]
fn what_counts_as_false() {
    let s = RatingScale::default();
    for key in ["false", "mostly_false", "misleading", "Phần lớn sai"] {
        assert!(s.is_false_verdict(key), "{key}");
    }
    for key in ["mixed", "mostly_true", "true", "unproven", "unknown"] {
        assert!(!s.is_false_verdict(key), "{key}");
    }
    // By value: the worst of the rating's own scale, else of this one.
    let value = |value, worst| Rating {
        value: Some(value),
        worst,
        ..Rating::default()
    };
    assert!(s.is_false(&value(1.0, None)));
    assert!(!s.is_false(&value(2.0, None)));
    assert!(s.is_false(&value(0.0, Some(0.0))));
    assert!(!s.is_false(&value(1.0, Some(0.0))));
    // By label, with no value at all.
    let label = |l: &str| Rating {
        label: Some(l.into()),
        ..Rating::default()
    };
    assert!(s.is_false(&label("Gây hiểu lầm")));
    assert!(!s.is_false(&label("Nửa đúng nửa sai")));
    assert!(!s.is_false(&label("a label no scale has")));
    assert!(!s.is_false(&Rating::default()));
}

#[test]
fn reads_from_toml() {
    let s = from_toml(THREE_POINT).unwrap();
    assert_eq!(s.language(), "vi");
    assert_eq!((s.worst(), s.best()), (1.0, 3.0));
    assert_eq!(s.verdicts().len(), 4);
    assert_eq!(
        s.rating("misleading").unwrap(),
        Rating {
            value: Some(2.0),
            best: Some(3.0),
            worst: Some(1.0),
            label: Some("Gây hiểu lầm".into()),
        }
    );
    assert!(s.is_false_verdict("misleading"));
    assert!(s.is_false_verdict("false"));
    assert!(!s.is_false_verdict("true"));
    assert_eq!(s.rating("unproven").unwrap().value, None);
}

#[test]
fn toml_errors_name_the_entry_at_fault() {
    let cases = [
        (
            THREE_POINT.replace("value = 2", "value = 7"),
            "verdict 2 (`misleading`) has value 7, outside worst_rating 1 to best_rating 3",
        ),
        (
            THREE_POINT.replace("key = \"true\"", "key = \"FALSE\""),
            "verdict 3 (`FALSE`) repeats the key of verdict 1",
        ),
        (
            THREE_POINT.replace("vi = \"Đúng\"", "vn = \"Đúng\""),
            "verdict 3 (`true`) has no label in `vi`, the scale's language: add labels.vi",
        ),
        (
            THREE_POINT.replace("vi = \"Gây hiểu lầm\"", "vi = \"sai sự thật\""),
            "verdict 2 (`misleading`) has the label \"sai sự thật\" of verdict 1",
        ),
        (
            THREE_POINT.replace("[\"misleading\"]", "[\"misleadin\"]"),
            "false_verdicts names `misleadin`, which is not a verdict of the scale",
        ),
        (
            THREE_POINT.replace("best_rating = 3", "best_rating = 1"),
            "best_rating (1) must be a number greater than worst_rating (1)",
        ),
        (
            THREE_POINT.replace("key = \"unproven\"", "key = \" \""),
            "verdict 4 has an empty key",
        ),
        (
            THREE_POINT.replace("value = 2", "valeu = 2"),
            "unknown field `valeu`",
        ),
    ];
    for (text, expected) in cases {
        let err = from_toml(&text).unwrap_err();
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
}

#[test]
fn building_in_code_validates_the_same_way() {
    let verdict = |key: &str, value| Verdict {
        key: key.into(),
        value,
        labels: BTreeMap::from([("en".to_string(), key.to_uppercase())]),
    };
    assert_eq!(
        RatingScale::new(1.0, 0.0, "en", vec![], &[]),
        Err(ScaleError::NoVerdicts)
    );
    assert!(matches!(
        RatingScale::new(f64::NAN, 0.0, "en", vec![verdict("a", None)], &[]),
        Err(ScaleError::Bounds { worst: 0.0, .. })
    ));
    assert!(matches!(
        RatingScale::new(1.0, 0.0, "en", vec![verdict("a", Some(f64::INFINITY))], &[]),
        Err(ScaleError::ValueOutOfRange { position: 1, .. })
    ));
    let s = RatingScale::new(
        1.0,
        0.0,
        "en",
        vec![verdict("no", Some(0.0)), verdict("yes", Some(1.0))],
        &[],
    )
    .unwrap();
    assert!(s.is_false_verdict("NO"));
    assert_eq!(s.rating("yes").unwrap().label.as_deref(), Some("YES"));
    assert_eq!(
        RatingScale::new(1.0, 0.0, "", vec![verdict("a", None)], &[]),
        Err(ScaleError::NoLanguage)
    );
}
