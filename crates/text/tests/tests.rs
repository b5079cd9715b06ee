//! Property tests of the text pipeline: no input makes it panic, normalization is idempotent
//! and NFC-stable, and every form it produces is valid UTF-8 in NFC.

use claimdesk_text::{Form, bigrams, fingerprint, fold, normalize, terms};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Text that looks like what the desk receives: Vietnamese letters with and without
/// combining marks, Latin, emoji, URLs, hashtags, control characters.
fn desk_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        "[a-zA-Z0-9 ]{1,8}",
        "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐ ]{1,6}",
        "[aeiouy][\u{300}\u{301}\u{303}\u{309}\u{323}\u{302}\u{306}\u{31b}]{0,3}",
        Just("https://www.example.com/a?b=1 ".to_string()),
        Just("#TinGiả @BộYTế ".to_string()),
        Just("😱🇻🇳 ".to_string()),
        Just("\u{0}\u{7}\u{202e}".to_string()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalize_is_idempotent(s in desk_text()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once.clone());
        prop_assert!(unicode_normalization::is_nfc(&once));
    }

    #[test]
    fn nfd_input_normalizes_like_nfc(s in desk_text()) {
        let nfd: String = s.nfd().collect();
        let nfc: String = s.nfc().collect();
        prop_assert_eq!(normalize(&nfd), normalize(&nfc));
        prop_assert_eq!(terms(&nfd, Form::Exact), terms(&nfc, Form::Exact));
    }

    #[test]
    fn fold_is_idempotent_and_mark_free(s in desk_text()) {
        let folded = fold(&s);
        prop_assert_eq!(fold(&folded), folded.clone());
        prop_assert!(!folded.contains('đ'));
        prop_assert!(std::str::from_utf8(folded.as_bytes()).is_ok());
    }

    #[test]
    fn analysis_never_panics(s in any::<String>()) {
        let _ = terms(&s, Form::Exact);
        let _ = terms(&s, Form::Folded);
        let _ = bigrams(&s, Form::Folded);
        let _ = fingerprint(&s);
        let _ = claimdesk_text::detect_language(&s);
        let _ = claimdesk_text::ClaimCues::of(&s);
    }

    #[test]
    fn sentences_cover_the_text_in_order(s in prop_oneof![desk_text(), sentence_text()]) {
        let found = claimdesk_text::sentences(&s);
        let mut last = 0;
        for sentence in &found {
            prop_assert!(sentence.start >= last && sentence.start < sentence.end);
            prop_assert!(s.is_char_boundary(sentence.start) && s.is_char_boundary(sentence.end));
            prop_assert_eq!(&s[sentence.start..sentence.end], sentence.text);
            prop_assert_eq!(sentence.text.trim(), sentence.text);
            prop_assert!(!s[last..sentence.start].chars().any(|c| !c.is_whitespace()));
            last = sentence.end;
        }
        prop_assert!(!s[last..].chars().any(|c| !c.is_whitespace()));
    }

    #[test]
    fn cue_values_are_finite_and_not_negative(s in sentence_text()) {
        let cues = claimdesk_text::ClaimCues::of(&s);
        prop_assert!(cues.values().iter().all(|v| v.is_finite() && *v >= 0.0));
    }
}

/// Text made of the pieces the sentence splitter decides on: stops, abbreviations, numbers,
/// links, ellipses, quotes, emoji and line breaks.
fn sentence_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Zđươ]{1,6}",
        Just(" ".to_string()),
        Just(". ".to_string()),
        Just(".".to_string()),
        Just("...".to_string()),
        Just("…".to_string()),
        Just("?!".to_string()),
        Just("TP.".to_string()),
        Just("U.S.".to_string()),
        Just("3.5".to_string()),
        Just("https://a.vn/x.y".to_string()),
        Just("\"".to_string()),
        Just("😀".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

#[test]
fn old_and_new_tone_styles_give_the_same_terms() {
    assert_eq!(
        terms("Thuỷ điện Hoà Bình khoẻ", Form::Exact),
        terms("Thủy điện Hòa Bình khỏe", Form::Exact)
    );
}
