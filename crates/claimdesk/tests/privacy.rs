//! `claimdesk check-post` (issue 21): findings with their spans and exit 1, nothing found
//! exit 0, a text over the cap refused whole with exit 2, clean copies written.

use crate::util::Desk;

#[test]
fn check_post_reports_findings_and_exits_one() {
    let desk = Desk::new();
    let run = desk.run(&["check-post", "--text", "Gọi chị Lan 0912 345 678 nhé"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("phone"), "{}", run.stdout);
    assert!(run.stdout.contains("bytes 16..28"), "{}", run.stdout);
    let json = desk.run(&[
        "check-post",
        "--json",
        "--text",
        "Gọi chị Lan 0912 345 678 nhé",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["complete"], true);
    assert_eq!(v["texts"][0]["findings"][0]["kind"], "phone");
    assert_eq!(v["texts"][0]["findings"][0]["location"]["start"], 16);
    let clean = desk.run(&[
        "check-post",
        "--text",
        "Giá vàng 85.500.000 đồng ngày 12/03/2025",
    ]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
}

#[test]
fn a_twenty_megabyte_text_is_refused_with_exit_two() {
    let desk = Desk::new();
    let file = desk.dir.path().join("big.txt");
    std::fs::write(&file, "Gọi 0912 345 678. ".repeat(20 * 1024 * 1024 / 20)).unwrap();
    let run = desk.run(&["check-post", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("NOT CHECKED"), "{}", run.stdout);
    assert!(run.stdout.contains("nothing was checked"), "{}", run.stdout);
}

#[test]
fn an_unreadable_image_is_an_incomplete_check() {
    let desk = Desk::new();
    let file = desk.dir.path().join("bomb.png");
    // A PNG header declaring 100,000 × 100,000 pixels.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&100_000u32.to_be_bytes());
    png.extend_from_slice(&100_000u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::write(&file, png).unwrap();
    let run = desk.run(&["check-post", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("CHECK INCOMPLETE"), "{}", run.stdout);
}
