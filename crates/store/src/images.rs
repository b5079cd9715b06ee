//! Images on items and fact-checks (issue 20, migration `0020_images`): one row per distinct
//! image file (its SHA-256, format, size, PDQ hash and the text read from it), and which
//! items and fact-checks carry which. The files are under the data directory
//! (`claimdesk_image::ImageFiles`); the store holds only what was learned from them.

use claimdesk_core::{FactCheckId, ImageJoin, ItemId};

use crate::Result;

/// What was learned from one image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// SHA-256 of the file's bytes, 64 lower-case hex digits: its key and file name.
    pub sha256: String,
    /// `png`, `jpeg`, `gif` or `webp`, read from the bytes.
    pub format: String,
    /// Width in pixels (upright).
    pub width: u32,
    /// Height in pixels (upright).
    pub height: u32,
    /// The file's size.
    pub bytes: u64,
    /// Its PDQ hash, 64 hex digits; `None` when too small to hash.
    pub pdq: Option<String>,
    /// The PDQ quality, 0 to 100.
    pub pdq_quality: Option<u8>,
    /// The text read from it (NFC); `None` when not read.
    pub ocr_text: Option<String>,
    /// Why it was not read, when it was not (no Tesseract, a timeout).
    pub ocr_note: Option<String>,
}

/// One image an item came with, as sent: kept (with what was learned) or refused (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemImage {
    /// 0 for the first image sent, then 1, 2, ...
    pub position: u32,
    /// The file name or URL as sent.
    pub name: Option<String>,
    /// The image, when it was kept.
    pub image: Option<StoredImage>,
    /// A remark on it (a JPEG named `.png`).
    pub note: Option<String>,
    /// Why it was refused, when it was (the item's text is kept either way).
    pub refused: Option<String>,
}

/// An image to record on an item: kept (its SHA-256, saved with [`ImageStore::save_image`]
/// first) or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItemImage {
    /// Its place among the item's images.
    pub position: u32,
    /// The file name or URL as sent.
    pub name: Option<String>,
    /// The kept image's SHA-256; `None` when refused.
    pub sha256: Option<String>,
    /// A remark on it.
    pub note: Option<String>,
    /// Why it was refused.
    pub refused: Option<String>,
}

/// A kept image of an item with a PDQ hash, as the search for near-duplicates among items'
/// images reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemImageHash {
    /// The item.
    pub item: ItemId,
    /// The image's SHA-256.
    pub sha256: String,
    /// Its PDQ hash, 64 hex digits.
    pub pdq: String,
    /// The PDQ quality, 0 to 100.
    pub pdq_quality: Option<u8>,
}

/// The images. Every method is one transaction.
pub trait ImageStore: Send + Sync {
    /// Records an image file. Recorded once: a second save of the same SHA-256 keeps the
    /// first row, except that text read now fills text not read then.
    fn save_image(&self, image: &StoredImage) -> impl Future<Output = Result<()>> + Send;

    /// The image with this SHA-256.
    fn image(&self, sha256: &str) -> impl Future<Output = Result<Option<StoredImage>>> + Send;

    /// Sets the images an item came with (replacing any it had).
    fn set_item_images(
        &self,
        item: ItemId,
        images: &[NewItemImage],
    ) -> impl Future<Output = Result<()>> + Send;

    /// The images an item came with, in the order sent.
    fn item_images(&self, item: ItemId) -> impl Future<Output = Result<Vec<ItemImage>>> + Send;

    /// How many kept images each of `items` came with (refused ones not counted); items
    /// without any are left out. For the queue's mark on items that carry images.
    fn item_image_counts(
        &self,
        items: &[ItemId],
    ) -> impl Future<Output = Result<Vec<(ItemId, u32)>>> + Send;

    /// Records that a fact-check carries an image (already saved); idempotent.
    fn add_fact_check_image(
        &self,
        fact_check: FactCheckId,
        sha256: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The images a fact-check carries, by SHA-256.
    fn fact_check_images(
        &self,
        fact_check: FactCheckId,
    ) -> impl Future<Output = Result<Vec<StoredImage>>> + Send;

    /// Every fact-check image with a PDQ hash: (fact-check, SHA-256, hash), for the
    /// near-duplicate index.
    fn fact_check_image_hashes(
        &self,
    ) -> impl Future<Output = Result<Vec<(FactCheckId, String, String)>>> + Send;

    /// The kept, hashed images of `items`, by item then position.
    fn item_image_hashes(
        &self,
        items: &[ItemId],
    ) -> impl Future<Output = Result<Vec<ItemImageHash>>> + Send;

    /// The kept, hashed images of the newest items that carry any, newest item first, at
    /// most `limit` images: what the search for near-duplicates among items' images starts
    /// from.
    fn recent_item_image_hashes(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ItemImageHash>>> + Send;

    /// Records, for each item, the earlier item whose image one of its images is a
    /// near-duplicate of (replacing what an earlier processing recorded). Narratives read it
    /// ([`ImageStore::image_neighbours`]); it outlives `claimdesk narratives rebuild`.
    fn save_image_neighbours(
        &self,
        neighbours: &[(ItemId, ImageJoin)],
    ) -> impl Future<Output = Result<()>> + Send;

    /// What [`ImageStore::save_image_neighbours`] recorded for those of `items` that have
    /// one, in item order.
    fn image_neighbours(
        &self,
        items: &[ItemId],
    ) -> impl Future<Output = Result<Vec<(ItemId, ImageJoin)>>> + Send;
}

/// (item, SHA-256, PDQ hex, quality) as the backends select an [`ItemImageHash`].
pub(crate) type ItemImageHashRow = (i64, String, String, Option<i64>);

pub(crate) fn item_image_hash_from_row(
    (item, sha256, pdq, quality): ItemImageHashRow,
) -> ItemImageHash {
    ItemImageHash {
        item: ItemId(item),
        sha256,
        pdq,
        pdq_quality: quality.and_then(|q| u8::try_from(q).ok()),
    }
}

/// (item, near item, distance) as the backends select an image neighbour.
pub(crate) fn image_neighbour_from_row(
    (item, near, distance): (i64, i64, i64),
) -> (ItemId, ImageJoin) {
    (
        ItemId(item),
        ImageJoin {
            item: ItemId(near),
            distance: u32::try_from(distance).unwrap_or(256),
        },
    )
}

/// The columns of `images` in the order the backends select them.
pub(crate) type ImageRow = (
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

pub(crate) fn image_from_row(
    (sha256, format, width, height, bytes, pdq, pdq_quality, ocr_text, ocr_note): ImageRow,
) -> StoredImage {
    StoredImage {
        sha256,
        format,
        width: u32::try_from(width).unwrap_or(0),
        height: u32::try_from(height).unwrap_or(0),
        bytes: u64::try_from(bytes).unwrap_or(0),
        pdq,
        pdq_quality: pdq_quality.and_then(|q| u8::try_from(q).ok()),
        ocr_text,
        ocr_note,
    }
}

/// The row of an item's image joined with its image (`NULL`s when refused).
pub(crate) type ItemImageRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

pub(crate) fn item_image_from_row(
    (
        position,
        name,
        note,
        refused,
        sha256,
        format,
        width,
        height,
        bytes,
        pdq,
        pdq_quality,
        ocr_text,
        ocr_note,
    ): ItemImageRow,
) -> ItemImage {
    let image = match (sha256, format) {
        (Some(sha256), Some(format)) => Some(image_from_row((
            sha256,
            format,
            width.unwrap_or(0),
            height.unwrap_or(0),
            bytes.unwrap_or(0),
            pdq,
            pdq_quality,
            ocr_text,
            ocr_note,
        ))),
        _ => None,
    };
    ItemImage {
        position: u32::try_from(position).unwrap_or(0),
        name,
        image,
        note,
        refused,
    }
}
