//! Integration tests of claimdesk-publish: what it writes is read back by the parsers that
//! matter (claimdesk's own importer, feed-rs, quick-xml's reader).

mod claimreview;
mod export;
mod feeds;
mod scale;

use claimdesk_core::{FactCheck, FactCheckId, Rating, StoredFactCheck};

/// The claim that tries to end the element it is embedded in.
pub const HOSTILE: &str = "</script><script>alert(1)</script>";

/// A fact-check with every field set, in Vietnamese, with the characters formats trip on.
pub fn full_fact_check() -> FactCheck {
    FactCheck {
        source_id: "https://kiemchung.example/bai/1".into(),
        claim: "Uống nước chanh \"nóng\", mỗi sáng, chữa được ung thư".into(),
        headline: Some("Nước chanh nóng không chữa ung thư".into()),
        rating: Some(Rating {
            value: Some(1.0),
            best: Some(5.0),
            worst: Some(1.0),
            label: Some("Sai sự thật".into()),
        }),
        claim_author: Some("Bài đăng trên mạng xã hội".into()),
        claim_date: Some("2024-04-28".into()),
        appearances: vec![
            "https://social.example/p/1".into(),
            "https://social.example/p/2".into(),
        ],
        author: Some("Tổ Kiểm chứng".into()),
        date_published: Some("2024-05-03T10:00:00Z".into()),
        url: Some("https://kiemchung.example/bai/1".into()),
        language: Some("vi".into()),
        review_body: Some("Không có nghiên cứu nào cho thấy nước chanh \"nóng\" chữa ung thư;\nWHO nói rõ điều đó.".into()),
        citations: vec![
            "https://who.example/chanh".into(),
            "https://benhvien.example/bai?a=1&b=2".into(),
        ],
    }
}

/// `fc` as the store would hold it.
pub fn stored(id: i64, fact_check: FactCheck) -> StoredFactCheck {
    StoredFactCheck {
        id: FactCheckId(id),
        alias_of: None,
        fact_check,
        withdrawn: None,
    }
}
