//! Vietnamese matching, asserted through `match` results.

use unicode_normalization::UnicodeNormalization;

use crate::util::{Desk, claim_review};

fn vi_desk() -> Desk {
    let desk = Desk::new();
    // `diện` (appearance) is imported first: a folded-only match would win ties.
    let f = desk.file(
        "vi.jsonl",
        [
            claim_review(
                "https://f.example/vi/dien",
                "Hoàn tiền diện mạo qua tin nhắn cho khách hàng",
                "Tin sai",
                "vi",
            ),
            claim_review(
                "https://f.example/vi/tien-dien",
                "Hoàn tiền điện qua tin nhắn cho khách hàng",
                "Lừa đảo hoàn tiền điện",
                "vi",
            ),
            claim_review(
                "https://f.example/vi/thuy-dien",
                "Thủy điện Hòa Bình sắp vỡ đập, người dân cần sơ tán ngay",
                "Tin đồn vỡ đập",
                "vi",
            ),
            claim_review(
                "https://f.example/vi/vac-xin",
                "Tiêm vắc-xin khiến phụ nữ bị vô sinh",
                "Vắc-xin không gây vô sinh",
                "vi",
            ),
            claim_review(
                "https://f.example/en/lemon",
                "Hot lemon water cures cancer",
                "Lemon water does not cure cancer",
                "en",
            ),
        ]
        .join("\n"),
    );
    desk.run(&["import", &f]).ok();
    desk
}

#[test]
fn nfd_input_matches_like_nfc() {
    let desk = vi_desk();
    let nfc = "thủy điện Hòa Bình vỡ đập";
    let nfd: String = nfc.nfd().collect();
    assert_eq!(desk.ranked(nfc)[0], "https://f.example/vi/thuy-dien");
    assert_eq!(desk.matches(nfc), desk.matches(&nfd));
}

#[test]
fn old_and_new_tone_placement_match_identically() {
    let desk = vi_desk();
    let new_style = desk.matches("thủy điện hòa bình");
    let old_style = desk.matches("thuỷ điện hoà bình");
    assert_eq!(new_style[0]["source_id"], "https://f.example/vi/thuy-dien");
    assert_eq!(new_style, old_style);
}

#[test]
fn text_without_diacritics_still_matches() {
    let desk = vi_desk();
    assert_eq!(
        desk.ranked("thuy dien hoa binh sap vo dap")[0],
        "https://f.example/vi/thuy-dien"
    );
    assert_eq!(
        desk.ranked("tiem vac xin bi vo sinh")[0],
        "https://f.example/vi/vac-xin"
    );
}

#[test]
fn exact_diacritics_rank_above_folded_only() {
    let desk = vi_desk();
    let r = desk.ranked("hoàn tiền điện");
    assert_eq!(r[0], "https://f.example/vi/tien-dien", "{r:?}");
    let r = desk.ranked("hoàn tiền diện mạo");
    assert_eq!(r[0], "https://f.example/vi/dien", "{r:?}");
}

#[test]
fn mixed_vietnamese_and_english() {
    let desk = vi_desk();
    assert_eq!(
        desk.ranked("BREAKING: tiêm vắc-xin gây vô sinh, share now!!")[0],
        "https://f.example/vi/vac-xin"
    );
    assert_eq!(
        desk.ranked("mn ơi hot lemon water cures cancer thật ko?")[0],
        "https://f.example/en/lemon"
    );
}

#[test]
fn explanations_name_the_matched_terms() {
    let desk = vi_desk();
    let m = &desk.matches("thuy dien hoa binh")[0];
    let terms: Vec<&str> = m["explanation"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert!(terms.contains(&"thuy"), "{terms:?}");
    assert!(terms.contains(&"hoa_binh"), "{terms:?}");
    assert!(m["explanation"]["lexical"].as_f64().unwrap() > 0.0);
}
