//! The one way parsed items reach the store: keyed for idempotence, language filled in,
//! stored in one transaction with their import-log entry.

use claimdesk_core::{Actor, ImportCounts, Item, ItemId};
use claimdesk_store::{ImportSource, NewItem, Store};

use unicode_normalization::UnicodeNormalization;

use crate::{Parsed, item_key};

/// What storing a batch did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredBatch {
    /// Added, updated, unchanged, rejected.
    pub counts: ImportCounts,
    /// The items added or changed (to match them next).
    pub changed: Vec<ItemId>,
}

/// The item as the store keeps it: its text fields in Unicode NFC, the detected language
/// when none was given, and its key.
pub fn new_item(mut item: Item) -> NewItem {
    // One spelling per text: `hoà` typed as o + combining grave (NFD) and as `à` (NFC) is one
    // item, with one key.
    nfc(&mut item.text);
    for v in [
        &mut item.external_id,
        &mut item.source,
        &mut item.url,
        &mut item.published_at,
        &mut item.language,
    ]
    .into_iter()
    .flatten()
    {
        nfc(v);
    }
    if item.language.is_none() {
        item.language = claimdesk_text::detect_language(&item.text).map(|l| l.code.to_string());
    }
    NewItem {
        key: item_key(&item),
        item,
    }
}

/// Replaces `s` by its Unicode NFC form when it is not in it already.
fn nfc(s: &mut String) {
    if !unicode_normalization::is_nfc(s) {
        *s = s.nfc().collect();
    }
}

/// Stores what a parser read from `origin` (a file path or URL), logged as an ingest by
/// `actor`. The same item stored twice, from two pulls or two feeds, is one item.
pub async fn store_items<S: Store>(
    store: &S,
    origin: &str,
    parsed: Parsed<Item>,
    actor: Actor,
) -> Result<StoredBatch, claimdesk_store::Error> {
    let batch: Vec<NewItem> = parsed
        .records
        .into_iter()
        .map(|r| new_item(r.value))
        .collect();
    let source = ImportSource {
        file: origin,
        format: parsed.format,
        diagnostics: &parsed.diagnostics,
        actor,
    };
    let (counts, changed) = store.save_items(&batch, source).await?;
    Ok(StoredBatch { counts, changed })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 15, finding 7: `hoà` in NFC and in NFD (o + combining grave) became two items.
    #[test]
    fn regression_nfc_and_nfd_spellings_are_one_item() {
        let item = |text: &str, id: Option<&str>| Item {
            external_id: id.map(str::to_string),
            text: text.to_string(),
            source: Some(format!("báo {text}")),
            language: Some("vi".into()),
            ..Item::default()
        };
        let nfc = "Hòa bình ở Hà Nội: hoà";
        let nfd = "Ho\u{300}a bi\u{300}nh o\u{31b}\u{309} Ha\u{300} Nô\u{323}i: hoa\u{300}";
        assert_ne!(nfc, nfd);
        for id in [None, Some("hoà-1")] {
            let a = new_item(item(nfc, id));
            let b = new_item(item(nfd, id.map(|_| "hoa\u{300}-1")));
            assert_eq!(a.key, b.key, "{id:?}");
            assert_eq!(a.item, b.item, "{id:?}");
        }
    }
}
