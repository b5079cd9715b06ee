//! Helpers: a store in a temporary directory, items saved into it, a small random source.

use claimdesk_core::{Actor, Item, StoredItem};
use claimdesk_monitor::{Monitor, MonitorSettings};
use claimdesk_publish::RatingScale;
use claimdesk_store::prelude::*;
use claimdesk_store::{ImportSource, NewItem, SqliteStore};

pub async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
    (dir, store)
}

pub fn source() -> ImportSource<'static> {
    ImportSource {
        file: "test",
        format: "jsonl",
        diagnostics: &[],
        actor: Actor::Cli,
    }
}

/// An item: (external id, text, source, published_at).
pub fn item(id: &str, text: &str, from: &str, at: Option<&str>) -> NewItem {
    NewItem {
        item: Item {
            external_id: Some(id.to_string()),
            text: text.to_string(),
            source: Some(from.to_string()),
            published_at: at.map(str::to_string),
            language: Some("vi".to_string()),
            ..Item::default()
        },
        key: format!("{from}:{id}"),
    }
}

/// Saves items and returns them as stored, in order.
pub async fn save(store: &SqliteStore, items: &[NewItem]) -> Vec<StoredItem> {
    let (_, ids) = store.save_items(items, source()).await.unwrap();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(store.item(id).await.unwrap().unwrap());
    }
    out
}

pub async fn monitor(store: &SqliteStore, settings: MonitorSettings) -> Monitor {
    Monitor::open(store, settings, RatingScale::default(), None)
        .await
        .unwrap()
}

/// xorshift64*: reproducible test data without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// RFC 3339 of a Unix time.
pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).unwrap().to_string()
}
