//! Near-duplicate images among items (issue 20): a picture re-shared with a new crop, frame
//! or caption joins the narrative of the item it was seen on before, whatever words go with
//! it.
//!
//! As the pipeline processes items, each item's images are searched among the images of the
//! items processed before it: the most recent [`RECENT_ITEM_IMAGES`], in a
//! `claimdesk_image::neardup::Index` as the fact-checks' images are. The nearest within
//! [`NEAR_DUPLICATE_DISTANCE`] is recorded as the item's image neighbour
//! ([`ImageStore::save_image_neighbours`]); the monitor then joins the item to that item's
//! narrative ([`JoinedBy::Image`](claimdesk_core::JoinedBy::Image)) unless its words
//! already placed it as a copy. The record is learned from the images, not from the
//! narratives, so `claimdesk narratives rebuild` reads it again; a desk node that matched
//! an item records it, and the leading node places the item with it.
//!
//! The window is the last [`RECENT_ITEM_IMAGES`] item images: a meme is re-shared within
//! days. Before each batch with images it takes in the newest items' images from the store
//! that it does not hold: after a restart the whole window (each image decoded again, so
//! its size bounds that pause), later the images that other processes sharing the database
//! stored. The near-duplicate distance keeps its precision well past that size (0.999 among
//! 10,132 references, `bench/results/2026-12-06-image-threshold.txt`). Batches of text only
//! read one list of image hashes and nothing else.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use claimdesk_core::{ImageJoin, ItemId};
use claimdesk_image::neardup::{Index, Probe};
use claimdesk_image::pdq;
use claimdesk_store::ItemImageHash;
use claimdesk_store::prelude::*;

use crate::data::{DataDir, StoreHandle};
use crate::error::Result;
use crate::images::{ImageDesk, NEAR_DUPLICATE_DISTANCE};

/// The most item images searched for an item's near-duplicates: those of the items
/// processed most recently.
pub const RECENT_ITEM_IMAGES: usize = 1000;

/// The desk's [`ImageDesk`], set up on first use (it looks for Tesseract), shared by the
/// engine and the pipeline: intake of text alone never sets it up.
#[derive(Debug, Clone)]
pub struct LazyImageDesk {
    cell: Arc<OnceLock<ImageDesk>>,
    data: DataDir,
    /// The images of the items processed most recently.
    recent: Arc<Mutex<RecentImages>>,
}

impl LazyImageDesk {
    /// The images of the data directory `data`, not set up yet.
    pub fn new(data: DataDir) -> LazyImageDesk {
        LazyImageDesk {
            cell: Arc::default(),
            data,
            recent: Arc::default(),
        }
    }

    /// The image desk, set up now if it was not.
    pub fn get(&self) -> &ImageDesk {
        self.cell.get_or_init(|| ImageDesk::open(&self.data))
    }
}

/// The images of the items processed most recently, indexed for near-duplicates.
#[derive(Debug, Default)]
struct RecentImages {
    index: Index<String>,
    /// The item each indexed image was first seen on.
    first: HashMap<String, ItemId>,
    /// The indexed images, oldest first.
    order: VecDeque<String>,
}

impl RecentImages {
    /// Adds an image seen on `item`; the oldest leaves past [`RECENT_ITEM_IMAGES`]. An image
    /// already held keeps the item it was first seen on.
    fn add(&mut self, desk: &ImageDesk, item: ItemId, sha: &str) {
        if self.first.contains_key(sha) {
            return;
        }
        let Some(reference) = desk.reference(sha) else {
            return;
        };
        self.index.insert(sha.to_string(), &reference);
        self.first.insert(sha.to_string(), item);
        self.order.push_back(sha.to_string());
        while self.order.len() > RECENT_ITEM_IMAGES {
            if let Some(old) = self.order.pop_front() {
                self.index.remove(&old);
                self.first.remove(&old);
            }
        }
    }

    /// The nearest image of another item within [`NEAR_DUPLICATE_DISTANCE`] (the earliest
    /// item on a tie).
    fn nearest(&self, desk: &ImageDesk, item: ItemId, probe: &Probe) -> Option<ImageJoin> {
        self.index
            .search(probe, |sha| desk.reference(sha))
            .into_iter()
            .filter(|(_, d)| *d <= NEAR_DUPLICATE_DISTANCE)
            .filter_map(|(sha, d)| {
                let owner = *self.first.get(&sha)?;
                (owner != item).then_some((d, owner))
            })
            .min()
            .map(|(distance, item)| ImageJoin { item, distance })
    }
}

/// Finds and records the image neighbour of each of `items` (stored, in processing order)
/// that has one: the earlier item whose image one of its images is nearest to. Returns what
/// was recorded. Items without images cost one read of the store.
pub(crate) async fn record_neighbours(
    images: &LazyImageDesk,
    store: &StoreHandle,
    items: &[ItemId],
) -> Result<Vec<(ItemId, ImageJoin)>> {
    let hashed: Vec<ItemImageHash> = store
        .item_image_hashes(items)
        .await?
        .into_iter()
        .filter(|h| h.pdq_quality.is_some_and(|q| q >= pdq::MIN_QUALITY))
        .collect();
    if hashed.is_empty() {
        return Ok(Vec::new());
    }
    let desk = images.get().clone();
    let recent = Arc::clone(&images.recent);
    // The newest items' images in the store: after a restart the whole window, later those
    // that other processes sharing the database stored since.
    let limit = RECENT_ITEM_IMAGES.saturating_add(hashed.len());
    let window = store
        .recent_item_image_hashes(u32::try_from(limit).unwrap_or(u32::MAX))
        .await?;
    let batch: HashSet<ItemId> = items.iter().copied().collect();
    let neighbours = images
        .get()
        .run_blocking(move || {
            let mut recent = recent.lock().unwrap_or_else(|e| e.into_inner());
            // Oldest first, so the newest stay; this batch's own images come after. Images
            // already held are skipped without being read again.
            let before = window
                .iter()
                .rev()
                .filter(|h| !batch.contains(&h.item) && h.pdq_quality >= Some(pdq::MIN_QUALITY));
            for h in before {
                recent.add(&desk, h.item, &h.sha256);
            }
            search_and_add(&desk, &mut recent, &hashed)
        })
        .await?;
    store.save_image_neighbours(&neighbours).await?;
    Ok(neighbours)
}

/// Each item's images (grouped by item, in order) searched among the window, then added to
/// it, so a later item of the same batch finds them.
fn search_and_add(
    desk: &ImageDesk,
    recent: &mut RecentImages,
    hashed: &[ItemImageHash],
) -> Vec<(ItemId, ImageJoin)> {
    let mut out = Vec::new();
    for group in hashed.chunk_by(|a, b| a.item == b.item) {
        let item = group[0].item;
        let nearest = group
            .iter()
            .filter_map(|h| {
                let probe = desk.prepare(&h.sha256).and_then(|d| Probe::new(&d.image))?;
                recent.nearest(desk, item, &probe)
            })
            .min_by_key(|j| (j.distance, j.item));
        if let Some(join) = nearest {
            out.push((item, join));
        }
        for h in group {
            recent.add(desk, item, &h.sha256);
        }
    }
    out
}
