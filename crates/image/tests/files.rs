//! Image files stored once by SHA-256.

use claimdesk_image::{ImageFiles, Sha256Hex};

#[test]
fn an_image_is_stored_once_under_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let files = ImageFiles::new(dir.path().join("images"));
    let a = files.put(b"picture one").unwrap();
    let again = files.put(b"picture one").unwrap();
    assert_eq!(a, again);
    assert_eq!(a, Sha256Hex::of(b"picture one"));
    let path = files.path(&a);
    assert_eq!(
        path.strip_prefix(dir.path()).unwrap().to_str().unwrap(),
        format!("images/{}/{}", &a.as_str()[..2], &a.as_str()[2..])
    );
    assert_eq!(files.get(&a).unwrap().as_deref(), Some(&b"picture one"[..]));
    let count = walk(dir.path());
    assert_eq!(count, 1, "one file, no temporary left behind");
    assert_eq!(files.get(&Sha256Hex::of(b"other")).unwrap(), None);
}

#[test]
fn a_key_is_never_a_path() {
    assert!(Sha256Hex::parse("../../etc/passwd").is_none());
    assert!(Sha256Hex::parse(&"A".repeat(64)).is_none());
    assert!(Sha256Hex::parse(&"a".repeat(64)).is_some());
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}
