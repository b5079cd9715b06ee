//! The image URLs of items posted as JSON (`"images": ["https://…"]`, issue 20).

use claimdesk_core::Item;

use crate::{
    Parsed, Record, diag, first_non_space, json_items_with_images, json_kind, reject_duplicates,
    strip_bom, unreadable,
};

/// The image URLs one item of a body gives (perhaps none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemImageUrls {
    /// The item's place among the body's JSON values (0 for the first), which tells apart
    /// items on one line.
    pub item: usize,
    /// Its `images`, as given (blank ones skipped).
    pub urls: Vec<String>,
}

/// Parses posts as JSON (an array, one object, or JSON Lines) like [`crate::parse_items`],
/// with the image URLs each item gives in `images` (an array of URLs; fetching them is the
/// caller's: see [`crate::fetch::fetch_image`]), one [`ItemImageUrls`] per record, in the
/// records' order. A record whose `images` is not an array of strings is refused, naming
/// the field; whether each URL can be used is known only once it is fetched.
pub fn parse_items_with_images(file: &str, bytes: &[u8]) -> (Parsed<Item>, Vec<ItemImageUrls>) {
    if let Some(d) = unreadable(file, bytes) {
        let mut parsed = Parsed::new("unreadable");
        parsed.diagnostics.push(d);
        return (parsed, Vec::new());
    }
    let bytes = strip_bom(bytes);
    let mut parsed = json_items_with_images(file, bytes, true);
    if first_non_space(bytes).is_none() {
        parsed
            .diagnostics
            .push(diag(file, 0, None, "the file is empty: nothing to ingest"));
    }
    reject_duplicates(file, &mut parsed, |(it, _)| match &it.external_id {
        Some(id) => format!("{}\u{1f}{id}", it.source.as_deref().unwrap_or("")),
        None => String::new(),
    });
    let mut items = Parsed::new(parsed.format);
    items.diagnostics = parsed.diagnostics;
    let mut images = Vec::with_capacity(parsed.records.len());
    for r in parsed.records {
        let (item, urls) = r.value;
        items.records.push(Record {
            line: r.line,
            value: item,
        });
        images.push(urls);
    }
    (items, images)
}

/// The `images` of a JSON item: absent or null for none, else an array of URL strings
/// (blank ones skipped).
pub(crate) fn image_urls(v: &serde_json::Value) -> Result<Vec<String>, (&'static str, String)> {
    let wrong = |found: &serde_json::Value| {
        (
            "images",
            format!(
                "expected an array of image URLs (strings), found {}",
                json_kind(found)
            ),
        )
    };
    match v.get("images") {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(urls)) => {
            let mut out = Vec::with_capacity(urls.len());
            for (i, u) in urls.iter().enumerate() {
                match u {
                    serde_json::Value::String(s) if s.trim().is_empty() => {}
                    serde_json::Value::String(s) => out.push(s.trim().to_string()),
                    other => {
                        return Err((
                            "images",
                            format!(
                                "image {} of the array: expected a URL (a string), found {}",
                                i + 1,
                                json_kind(other)
                            ),
                        ));
                    }
                }
            }
            Ok(out)
        }
        Some(other) => Err(wrong(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_brings_its_image_urls_and_a_wrong_images_field_is_named() {
        let body = br#"[
            {"id": "1", "text": "one", "images": ["https://img.example/a.png", " ", "javascript:alert(1)"]},
            {"id": "2", "text": "two"},
            {"id": "3", "text": "three", "images": "https://img.example/b.png"},
            {"id": "4", "text": "four", "images": [{"url": "x"}]},
            {"id": "5", "text": "five", "images": null}
        ]"#;
        let (parsed, images) = parse_items_with_images("request body", body);
        let ids: Vec<_> = parsed
            .records
            .iter()
            .map(|r| r.value.external_id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["1", "2", "5"]);
        // One line per item or all on one: each item keeps its own.
        assert_eq!(
            images,
            [
                ItemImageUrls {
                    item: 0,
                    urls: vec![
                        "https://img.example/a.png".into(),
                        "javascript:alert(1)".into()
                    ]
                },
                ItemImageUrls {
                    item: 1,
                    urls: vec![]
                },
                ItemImageUrls {
                    item: 4,
                    urls: vec![]
                }
            ]
        );
        let why: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.field.as_deref().unwrap(), d.message.as_str()))
            .collect();
        assert_eq!(
            why,
            [
                (
                    "images",
                    "expected an array of image URLs (strings), found a string"
                ),
                (
                    "images",
                    "image 1 of the array: expected a URL (a string), found an object"
                )
            ]
        );
        let one_line = br#"[{"text": "a", "images": ["https://x.example/1.png"]}, {"text": "b"}]"#;
        let (parsed, images) = parse_items_with_images("request body", one_line);
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(images[0].urls, ["https://x.example/1.png"]);
        assert!(images[1].urls.is_empty());
    }
}
