//! Images on items and fact-checks (issue 20): what the desk does with a picture it is sent.
//!
//! Each image is decoded within the limits of `claimdesk-image` (a refusal is kept beside
//! the item with its reason, and the item's text is kept), written once under
//! `<data>/images` by its SHA-256, hashed with PDQ and read by Tesseract; the row of what was
//! learned goes to the store ([`ImageStore`]). The text read joins the item's text, so
//! check-worthiness, matching and narratives see it; the desk shows it under the image as
//! read from it. An image that is a near-duplicate of a fact-check's image is a match of its
//! own ([`ImageMatch`], "image near-duplicate of …, distance D of 256"), found through a
//! live [`Index`] of the fact-checks' images (window hashes in a multi-index, outlines to
//! shortlist the crops worth aligning) rather than by measuring each.
//!
//! Decoding, hashing and OCR run on blocking threads, at most [`ImageDesk::WORKERS`] images at
//! once (and Tesseract's own pool inside), so a flood of images slows intake instead of
//! exhausting memory. Without Tesseract, images are stored and hashed but not read, and
//! [`ImageDesk::ocr_unavailable`] says why.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use claimdesk_core::{FactCheckId, ItemId};
use claimdesk_image::neardup::{Index, Probe, Reference};
use claimdesk_image::pdq::{self, PdqHash};
use claimdesk_image::post_header::without_post_header;
use claimdesk_image::{Decoded, ImageFiles, Limits, Ocr, OcrError, Sha256Hex, decode};
use claimdesk_store::prelude::*;
use claimdesk_store::{ItemImage, NewItemImage, StoredImage};

use crate::data::{DataDir, StoreHandle};
use crate::error::{Error, Result};

/// The largest near-duplicate distance (bits of 256, `claimdesk_image::neardup`: trimmed,
/// band windows, mirrored and rotated, crops aligned; a hash distance over
/// `neardup::MAX_UNCONFIRMED_DISTANCE` counts only when the pictures' contents line up) at
/// which an item's image is a near-duplicate of a fact-check's: chosen on half A of the
/// evaluation set at precision ≥ 0.99, the unconfirmed bound there among 10,000 generated
/// references (`bench/results/2026-12-06-image-threshold.txt`: on half B precision 1.000,
/// recall 0.981 against its 132 originals; 0.999, 0.950 among 10,132 references).
pub const NEAR_DUPLICATE_DISTANCE: u32 = claimdesk_image::neardup::MAX_DISTANCE;

/// The largest plain PDQ distance at which images are near-duplicates when one of the two
/// files cannot be read back to compute the near-duplicate distance (the stored hashes
/// alone): the PDQ reference's suggested threshold, under the 37 the evaluation set allows.
pub const PLAIN_NEAR_DUPLICATE_DISTANCE: u32 = 31;

/// Fact-check images kept ready for comparison ([`Reference`], some 64 KiB each) before the
/// cache is emptied and filled again.
const REFERENCES_CACHED: usize = 2048;

/// An image as sent: its bytes and the name (file name, URL or content type) it came with.
#[derive(Debug, Clone)]
pub struct ImageUpload {
    /// The file name or URL as sent, if any.
    pub name: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// An image to read ([`ImageDesk::read_inputs`]): its bytes, or one that never arrived (an
/// image URL that could not be fetched), recorded on the item as refused with why.
#[derive(Debug, Clone)]
pub enum ImageInput {
    /// Bytes to decode, keep, hash and read.
    Bytes(ImageUpload),
    /// Bytes fetched from the URL that is its name: read as [`ImageInput::Bytes`], a
    /// refusal starting with the URL.
    Fetched(ImageUpload),
    /// Refused before any reading.
    Refused {
        /// Its name (the URL it was to come from).
        name: String,
        /// Why (naming the URL).
        why: String,
    },
}

/// What the desk made of one image sent: the row linking it to its item, and what was learned
/// from it when it was kept.
#[derive(Debug, Clone)]
pub struct ReadImage {
    /// The link to record on the item (kept, or refused with why).
    pub link: NewItemImage,
    /// The image, when kept.
    pub image: Option<StoredImage>,
}

/// An item's image that is a near-duplicate of a fact-check's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMatch {
    /// The fact-check whose image it is near.
    pub fact_check: FactCheckId,
    /// The item's image (SHA-256).
    pub item_image: String,
    /// The fact-check's image (SHA-256).
    pub fact_check_image: String,
    /// Bits of 256 that differ between their PDQ hashes.
    pub distance: u32,
}

impl ImageMatch {
    /// The explanation the desk shows.
    pub fn explanation(&self) -> String {
        format!(
            "image near-duplicate of fact-check {}'s image, distance {} of 256",
            self.fact_check, self.distance
        )
    }
}

/// The desk's images: the files, the limits, Tesseract (when installed) and the pool.
#[derive(Debug, Clone)]
pub struct ImageDesk {
    files: ImageFiles,
    limits: Limits,
    ocr: std::result::Result<Ocr, OcrError>,
    workers: Arc<tokio::sync::Semaphore>,
    /// Image URLs being fetched at once, desk-wide ([`ImageDesk::FETCHES`]).
    fetches: Arc<tokio::sync::Semaphore>,
    /// Fact-check images by SHA-256, prepared for the near-duplicate distance (`None`: the
    /// file is missing or unreadable). Files are content-addressed, so an entry never goes
    /// stale.
    references: Arc<Mutex<HashMap<String, Option<Arc<Reference>>>>>,
    /// The fact-checks' images, indexed; derived from the store and brought in step with
    /// it by each [`ImageDesk::matches`].
    index: Arc<Mutex<FactCheckImages>>,
}

/// The fact-checks' images as the near-duplicate search needs them: an [`Index`] by
/// SHA-256 (some 1 KiB an image: hashes and outline, not the picture), who carries each,
/// their stored PDQ hashes, and those whose file cannot be read (compared by plain PDQ).
#[derive(Debug, Default)]
struct FactCheckImages {
    index: Index<String>,
    owners: HashMap<String, Vec<FactCheckId>>,
    stored: HashMap<String, PdqHash>,
    unreadable: HashSet<String>,
}

impl ImageDesk {
    /// Images decoded, hashed and read at once.
    pub const WORKERS: usize = 2;
    /// Image URLs fetched at once, however many requests give them: a flood of URLs waits
    /// instead of opening a connection each.
    pub const FETCHES: usize = 4;
    /// The longest Tesseract may take on one image.
    pub const OCR_TIMEOUT: Duration = Duration::from_secs(30);

    /// The images of the data directory `data`, with Tesseract found on the `PATH` (or
    /// not: then images are stored and hashed but not read).
    pub fn open(data: &DataDir) -> ImageDesk {
        let ocr = Ocr::find(None, &["vie", "eng"], Self::WORKERS, Self::OCR_TIMEOUT);
        if let Err(e) = &ocr {
            tracing::warn!(target: "ingest::images", error = %e, "OCR unavailable");
        }
        ImageDesk {
            files: ImageFiles::new(data.root().join("images")),
            limits: Limits::default(),
            ocr,
            workers: Arc::new(tokio::sync::Semaphore::new(Self::WORKERS)),
            fetches: Arc::new(tokio::sync::Semaphore::new(Self::FETCHES)),
            references: Arc::default(),
            index: Arc::default(),
        }
    }

    /// Tesseract, or why it is not available.
    pub fn ocr(&self) -> &std::result::Result<Ocr, OcrError> {
        &self.ocr
    }

    /// Runs `work` on a blocking thread once one of the [`ImageDesk::WORKERS`] is free.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let permit = self
            .workers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Usage("the image workers are shut down".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| Error::Usage(format!("an image's work failed: {e}")))
    }

    /// The largest image file taken, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.limits.max_bytes as u64
    }

    /// The image files.
    pub fn files(&self) -> &ImageFiles {
        &self.files
    }

    /// Why images are not read, when they are not (Tesseract or its language data missing).
    pub fn ocr_unavailable(&self) -> Option<&OcrError> {
        self.ocr.as_ref().err()
    }

    /// The permits of [`ImageDesk::FETCHES`]: one is held while an image URL is fetched.
    pub fn fetch_permits(&self) -> &Arc<tokio::sync::Semaphore> {
        &self.fetches
    }

    /// Decodes, stores, hashes and reads `uploads`, recording each kept image in `store`;
    /// the links come back in the order sent, position 0 first.
    pub async fn read(
        &self,
        store: &StoreHandle,
        uploads: Vec<ImageUpload>,
    ) -> Result<Vec<ReadImage>> {
        self.read_inputs(store, uploads.into_iter().map(ImageInput::Bytes).collect())
            .await
    }

    /// [`ImageDesk::read`], some images refused before reading (their links say why).
    pub async fn read_inputs(
        &self,
        store: &StoreHandle,
        inputs: Vec<ImageInput>,
    ) -> Result<Vec<ReadImage>> {
        let mut out = Vec::with_capacity(inputs.len());
        for (position, input) in inputs.into_iter().enumerate() {
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            let (upload, url) = match input {
                ImageInput::Bytes(upload) => (upload, None),
                ImageInput::Fetched(upload) => {
                    let url = upload.name.clone();
                    (upload, url)
                }
                ImageInput::Refused { name, why } => {
                    out.push(ReadImage {
                        link: NewItemImage {
                            position,
                            name: Some(name),
                            sha256: None,
                            note: None,
                            refused: Some(why),
                        },
                        image: None,
                    });
                    continue;
                }
            };
            let permit = self
                .workers
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Error::Usage("the image workers are shut down".into()))?;
            let desk = self.clone();
            let mut read = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                desk.read_one(position, upload)
            })
            .await
            .map_err(|e| Error::Usage(format!("reading an image failed: {e}")))??;
            if let (Some(url), Some(why)) = (url, read.link.refused.as_mut()) {
                *why = format!("{url}: {why}");
            }
            if let Some(image) = &read.image {
                store.save_image(image).await?;
            }
            out.push(read);
        }
        Ok(out)
    }

    /// One image, on a blocking thread.
    fn read_one(&self, position: u32, upload: ImageUpload) -> Result<ReadImage> {
        let ImageUpload { name, bytes } = upload;
        let mut link = NewItemImage {
            position,
            name: name.clone(),
            sha256: None,
            note: None,
            refused: None,
        };
        let decoded = match decode(&bytes, name.as_deref(), &self.limits) {
            Ok(d) => d,
            Err(e) => {
                tracing::info!(target: "ingest::images", code = e.code(), error = %e, "image refused");
                link.refused = Some(e.to_string());
                return Ok(ReadImage { link, image: None });
            }
        };
        let sha = self.files.put(&bytes).map_err(|source| Error::Io {
            path: self.files.root().to_path_buf(),
            source,
        })?;
        let hash = pdq::hash(&decoded.image);
        let (ocr_text, ocr_note) = match &self.ocr {
            Ok(ocr) => match ocr.read(&decoded.image) {
                Ok(t) => (Some(t.text), None),
                Err(e) => (None, Some(e.to_string())),
            },
            Err(e) => (None, Some(e.to_string())),
        };
        link.sha256 = Some(sha.to_string());
        link.note = decoded.note;
        Ok(ReadImage {
            link,
            image: Some(StoredImage {
                sha256: sha.to_string(),
                format: decoded.format.as_str().to_string(),
                width: decoded.width,
                height: decoded.height,
                bytes: bytes.len() as u64,
                pdq: hash.map(|h| h.hash.to_hex()),
                pdq_quality: hash.map(|h| h.quality),
                ocr_text,
                ocr_note,
            }),
        })
    }

    /// The text read from `images`, one block per image, for the item's text: each
    /// without a post's header (`claimdesk_image::post_header`: the poster's name and the
    /// time say who and when, not what, and would pull matching towards names). The whole
    /// text read stays on the image.
    pub fn text_read(images: &[ReadImage]) -> Option<String> {
        join_read(
            images
                .iter()
                .filter_map(|r| r.image.as_ref()?.ocr_text.as_deref())
                .map(without_post_header),
        )
    }

    /// The item's text joined with the text read from its images, as
    /// [`Engine::add_item_with_images`](crate::Engine::add_item_with_images) stores it: its
    /// own text, then a paragraph per image (or the text read alone, when it has none).
    pub fn join_text(own: &str, read: Option<&str>) -> String {
        match read {
            None => own.to_string(),
            Some(read) if own.trim().is_empty() => read.to_string(),
            Some(read) => format!("{}\n\n{read}", own.trim_end()),
        }
    }

    /// A stored item's `text` split back into its own text and the text read from its
    /// `images` ([`join_text`](Self::join_text) undone), so the desk can show which is
    /// which. When the text does not end with what was read (an item updated since), all of
    /// it is the item's own.
    ///
    /// The text read joins without the posts' headers ([`text_read`](Self::text_read));
    /// items stored before that carry the whole text read, and are split as well.
    pub fn split_text<'a>(text: &'a str, images: &[ItemImage]) -> (&'a str, Option<&'a str>) {
        let read = |strip: fn(&str) -> &str| {
            join_read(
                images
                    .iter()
                    .filter_map(|i| i.image.as_ref()?.ocr_text.as_deref())
                    .map(strip),
            )
        };
        // The whole text read first: what is left without the header is its suffix.
        for read in [read(|t| t), read(without_post_header)]
            .into_iter()
            .flatten()
        {
            if text == read {
                return ("", Some(text));
            }
            if let Some(own) = text.strip_suffix(read.as_str())
                && own.ends_with("\n\n")
            {
                return (own.trim_end(), Some(&text[own.len()..]));
            }
        }
        (text, None)
    }

    /// The fact-checks whose images are near-duplicates of an item's images, nearest first,
    /// each fact-check once. Images too plain to hash meaningfully (PDQ quality under the
    /// reference's 50) match nothing. The distance is `claimdesk_image::neardup`'s (a
    /// framed, captioned, mirrored or cropped copy is found) within
    /// [`NEAR_DUPLICATE_DISTANCE`]; when an image's file cannot be read back, the stored
    /// PDQ hashes' within [`PLAIN_NEAR_DUPLICATE_DISTANCE`].
    ///
    /// The fact-check images are searched through an [`Index`], brought in step with the
    /// store's fact-check images first (an image added since the last call is prepared and
    /// indexed once; one no fact-check carries any more leaves it).
    pub async fn matches(
        &self,
        store: &StoreHandle,
        images: &[ItemImage],
    ) -> Result<Vec<ImageMatch>> {
        let hashed: Vec<(String, PdqHash)> = images
            .iter()
            .filter_map(|i| i.image.as_ref())
            .filter(|i| i.pdq_quality.is_some_and(|q| q >= pdq::MIN_QUALITY))
            .filter_map(|i| Some((i.sha256.clone(), PdqHash::from_hex(i.pdq.as_deref()?)?)))
            .collect();
        if hashed.is_empty() {
            return Ok(Vec::new());
        }
        let fact_checks = store.fact_check_image_hashes().await?;
        if fact_checks.is_empty() {
            return Ok(Vec::new());
        }
        let permit = self
            .workers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Usage("the image workers are shut down".into()))?;
        let desk = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            desk.sync(&fact_checks);
            desk.compare(&hashed)
        })
        .await
        .map_err(|e| Error::Usage(format!("comparing images failed: {e}")))
    }

    /// Brings the index in step with the store's fact-check images (fact-check, SHA-256,
    /// PDQ hex), on a blocking thread: new images prepared and indexed, gone ones removed.
    fn sync(&self, fact_checks: &[(FactCheckId, String, String)]) {
        let mut owners: HashMap<String, Vec<FactCheckId>> = HashMap::new();
        let mut stored: HashMap<String, PdqHash> = HashMap::new();
        for (fact_check, sha, hex) in fact_checks {
            owners.entry(sha.clone()).or_default().push(*fact_check);
            if let Some(hash) = PdqHash::from_hex(hex) {
                stored.insert(sha.clone(), hash);
            }
        }
        let mut images = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let images = &mut *images;
        let gone: Vec<String> = images
            .index
            .keys()
            .chain(images.unreadable.iter())
            .filter(|sha| !stored.contains_key(*sha))
            .cloned()
            .collect();
        for sha in &gone {
            images.index.remove(sha);
            images.unreadable.remove(sha);
        }
        for sha in stored.keys() {
            if images.index.contains(sha) || images.unreadable.contains(sha) {
                continue;
            }
            match self.reference(sha) {
                Some(reference) => images.index.insert(sha.clone(), &reference),
                None => {
                    images.unreadable.insert(sha.clone());
                }
            }
        }
        images.owners = owners;
        images.stored = stored;
    }

    /// [`matches`](Self::matches)' work, on a blocking thread: each item image searched in
    /// the index (or, when its file cannot be read back, compared by its stored hash).
    fn compare(&self, hashed: &[(String, PdqHash)]) -> Vec<ImageMatch> {
        let images = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<ImageMatch> = Vec::new();
        for (item_image, hash) in hashed {
            let probe = self.prepare(item_image).and_then(|d| Probe::new(&d.image));
            let mut near: Vec<(&str, u32)> = Vec::new();
            match &probe {
                Some(probe) => {
                    for (sha, d) in images.index.search(probe, |sha| self.reference(sha)) {
                        if let Some((key, _)) = images.owners.get_key_value(&sha) {
                            near.push((key.as_str(), d));
                        }
                    }
                    for sha in &images.unreadable {
                        let d = images.stored.get(sha).map_or(256, |s| hash.distance(s));
                        if d <= PLAIN_NEAR_DUPLICATE_DISTANCE {
                            near.push((sha.as_str(), d));
                        }
                    }
                }
                // The item's own file is unreadable: its stored hash against every stored one.
                None => {
                    for (sha, stored) in &images.stored {
                        let d = hash.distance(stored);
                        if d <= PLAIN_NEAR_DUPLICATE_DISTANCE {
                            near.push((sha.as_str(), d));
                        }
                    }
                }
            }
            for (sha, distance) in near {
                for fact_check in images.owners.get(sha).into_iter().flatten() {
                    keep_nearest(
                        &mut found,
                        ImageMatch {
                            fact_check: *fact_check,
                            item_image: item_image.clone(),
                            fact_check_image: sha.to_string(),
                            distance,
                        },
                    );
                }
            }
        }
        found.sort_by_key(|m| (m.distance, m.fact_check));
        found
    }

    /// The stored image `sha` decoded again (within the limits), or `None` when its file is
    /// missing or unreadable.
    pub(crate) fn prepare(&self, sha: &str) -> Option<Decoded> {
        let bytes = self.files.get(&Sha256Hex::parse(sha)?).ok()??;
        match decode(&bytes, None, &self.limits) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(target: "ingest::images", sha, error = %e, "stored image unreadable");
                None
            }
        }
    }

    /// The stored image `sha` (a fact-check's, or an item's) prepared for comparison, from
    /// the cache or its file.
    pub(crate) fn reference(&self, sha: &str) -> Option<Arc<Reference>> {
        if let Some(cached) = self.cached(sha) {
            return cached;
        }
        let reference = self
            .prepare(sha)
            .and_then(|d| Reference::new(&d.image))
            .map(Arc::new);
        let mut cache = self.references.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= REFERENCES_CACHED {
            cache.clear();
        }
        cache.insert(sha.to_string(), reference.clone());
        reference
    }

    fn cached(&self, sha: &str) -> Option<Option<Arc<Reference>>> {
        let cache = self.references.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(sha).cloned()
    }

    /// The image matches of a stored item.
    pub async fn item_matches(&self, store: &StoreHandle, item: ItemId) -> Result<Vec<ImageMatch>> {
        let images = store.item_images(item).await?;
        self.matches(store, &images).await
    }
}

/// `m` added to `found`, or in place of the match of the same fact-check when nearer.
fn keep_nearest(found: &mut Vec<ImageMatch>, m: ImageMatch) {
    match found.iter_mut().find(|f| f.fact_check == m.fact_check) {
        Some(f) if f.distance <= m.distance => {}
        Some(f) => *f = m,
        None => found.push(m),
    }
}

/// Blocks of text read from images, trimmed, blank ones left out, a blank line between.
fn join_read<'a>(blocks: impl Iterator<Item = &'a str>) -> Option<String> {
    let blocks: Vec<&str> = blocks.map(str::trim).filter(|t| !t.is_empty()).collect();
    (!blocks.is_empty()).then(|| blocks.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ItemImage {
        ItemImage {
            position: 0,
            name: None,
            image: Some(StoredImage {
                sha256: "0".repeat(64),
                format: "png".into(),
                width: 1,
                height: 1,
                bytes: 1,
                pdq: None,
                pdq_quality: None,
                ocr_text: Some(text.into()),
                ocr_note: None,
            }),
            note: None,
            refused: None,
        }
    }

    #[test]
    fn split_text_undoes_join_text() {
        let images = [read(" Ăn tỏi sống\nchữa cúm \n"), read("Chia sẻ ngay!")];
        let joined_read = "Ăn tỏi sống\nchữa cúm\n\nChia sẻ ngay!";
        for own in ["", "Xem ảnh này", "Xem ảnh này\n\nhai đoạn"] {
            let text = ImageDesk::join_text(own, Some(joined_read));
            assert_eq!(
                ImageDesk::split_text(&text, &images),
                (own, Some(joined_read)),
                "{own:?}"
            );
        }
        // Not the text read at its end (changed since): all of it is the item's own.
        assert_eq!(
            ImageDesk::split_text("something else", &images),
            ("something else", None)
        );
        assert_eq!(ImageDesk::split_text("own", &[]), ("own", None));
    }

    #[test]
    fn the_posts_header_stays_on_the_image_not_in_the_items_text() {
        let shot = |text: &str| ReadImage {
            link: NewItemImage {
                position: 0,
                name: None,
                sha256: Some("0".repeat(64)),
                note: None,
                refused: None,
            },
            image: read(text).image,
        };
        let whole = "Nguyễn Thu Hà · 7 giờ\n\nUống nước chanh nóng chữa ung thư";
        let joined = ImageDesk::text_read(&[shot(whole)]).unwrap();
        assert_eq!(joined, "Uống nước chanh nóng chữa ung thư");
        let text = ImageDesk::join_text("Xem này", Some(&joined));
        // Split back, as the item page shows it; and an item stored with the header too.
        for text in [text, format!("Xem này\n\n{whole}")] {
            let (own, read_back) = ImageDesk::split_text(&text, &[read(whole)]);
            assert_eq!(own, "Xem này");
            assert!(read_back.unwrap().ends_with("chữa ung thư"));
        }
    }
}
