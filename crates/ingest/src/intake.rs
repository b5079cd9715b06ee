//! The one way parsed items reach the store: keyed for idempotence, language filled in,
//! stored in one transaction with their import-log entry.

use claimdesk_core::{Actor, ImportCounts, Item, ItemId};
use claimdesk_store::{ImportSource, NewItem, Store};

use crate::{Parsed, item_key};

/// What storing a batch did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredBatch {
    /// Added, updated, unchanged, rejected.
    pub counts: ImportCounts,
    /// The items added or changed (to match them next).
    pub changed: Vec<ItemId>,
}

/// The item as the store keeps it: detected language when none was given, and its key.
pub fn new_item(mut item: Item) -> NewItem {
    if item.language.is_none() {
        item.language = claimdesk_text::detect_language(&item.text).map(|l| l.code.to_string());
    }
    NewItem {
        key: item_key(&item),
        item,
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
