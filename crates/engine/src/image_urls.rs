//! Items given with image URLs (issue 20): the `images` of items posted to `POST /api/items`,
//! and the images of what `claimdesk ingest URL` fetches (feed entries' enclosures, an
//! article page's main image).
//!
//! Each URL is fetched through the guarded client, as feed images are
//! ([`claimdesk_ingest::fetch::fetch_image`]: the address rules on every redirect hop, the
//! body cap, the image size cap and an image's `Content-Type`), then read as an uploaded
//! image is (its signature and its decoding within limits). At most
//! [`ImageDesk::FETCHES`] URLs are fetched at once desk-wide, each within the client's time
//! cap and all of one call within [`ImageUrlLimits::deadline`]. A URL that gives no image is
//! recorded on its item as refused, saying which URL and why, and the item's text is stored
//! and processed anyway.

use std::collections::HashMap;
use std::time::Duration;

use claimdesk_core::{Actor, Diagnostic, ImportCounts, Item, ItemId};
use claimdesk_ingest::fetch::{Conditional, GuardedClient, fetch_image};
use claimdesk_ingest::{Parsed, Record};
use claimdesk_store::ImportSource;
use tokio::time::Instant;

use crate::engine::{Engine, Ingested};
use crate::error::Result;
use crate::images::{ImageDesk, ImageInput, ImageUpload, ReadImage};

/// How many image URLs one call fetches, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageUrlLimits {
    /// The most URLs one item gives (those beyond are refused, saying so).
    pub per_item: usize,
    /// The most URLs fetched in all (those beyond are refused, saying so).
    pub per_call: usize,
    /// The time for all of them; a URL not fetched by then is refused, saying so.
    pub deadline: Duration,
}

impl ImageUrlLimits {
    /// One `POST /api/items` request: 4 URLs an item (as a feed entry), 16 in all, 60
    /// seconds, so a request full of slow URLs ties up neither the desk nor its caller.
    pub const REQUEST: ImageUrlLimits = ImageUrlLimits {
        per_item: claimdesk_ingest::feed::MAX_ENTRY_IMAGES,
        per_call: 16,
        deadline: Duration::from_secs(60),
    };

    /// A feed or page fetched from the command line: 4 URLs an entry, as many entries as
    /// it has, 10 minutes.
    pub const COMMAND: ImageUrlLimits = ImageUrlLimits {
        per_item: claimdesk_ingest::feed::MAX_ENTRY_IMAGES,
        per_call: usize::MAX,
        deadline: Duration::from_secs(600),
    };
}

/// What became of the images one record gave.
#[derive(Debug)]
pub struct RecordImages {
    /// The record's place among the records stored (0 for the first).
    pub record: usize,
    /// The record's line ([`claimdesk_ingest::Record::line`]).
    pub line: u64,
    /// Each image, in the order given: kept with what was read from it, or refused with
    /// why (the URL first).
    pub images: Vec<ReadImage>,
}

/// What storing items with their image URLs did ([`Engine::store_items_with_image_urls`]).
#[derive(Debug)]
pub struct StoredItems {
    /// Added, updated, unchanged, rejected.
    pub counts: ImportCounts,
    /// The items added or changed, in the order given.
    pub changed: Vec<ItemId>,
    /// The images of each record that gave any, in the order given.
    pub images: Vec<RecordImages>,
}

impl Engine {
    /// Fetches one feed or article page at `url` through the guarded client (`[fetch]`
    /// rules) and stores its items like a file's, with their images (feed entries'
    /// enclosures, the page's main image) fetched through the same guard and read; run
    /// [`Engine::process`] on the changed ones next.
    pub async fn ingest_url(&self, url: &str, actor: Actor) -> Result<Ingested> {
        let started = std::time::Instant::now();
        let client = GuardedClient::new(self.config().fetch())?;
        let fetched = client.get(url, &Conditional::default()).await?;
        let (_, parsed, images) = claimdesk_ingest::feed::parse_document_with_images(
            &fetched.url,
            &fetched.body,
            fetched.content_type.as_deref(),
        );
        let (format, diagnostics) = (parsed.format, parsed.diagnostics.clone());
        // Entries are numbered in the document (and a page is entry 1): each record's own.
        let images = parsed
            .records
            .iter()
            .map(|r| {
                images
                    .iter()
                    .find(|e| e.line == r.line)
                    .map(|e| e.urls.clone())
                    .unwrap_or_default()
            })
            .collect();
        let stored = self
            .store_items_with_image_urls(url, parsed, images, actor, ImageUrlLimits::COMMAND)
            .await?;
        Ok(Ingested {
            format,
            counts: stored.counts,
            diagnostics,
            changed: stored.changed,
            store_time: started.elapsed(),
        })
    }

    /// Stores `parsed` (read from `origin`, logged as `actor`'s) with the images its records
    /// give by URL (`images[i]`: record `i`'s; fewer than records: the rest give none),
    /// each fetched and read within `limits` (see the module's overview), a URL that gives
    /// no image recorded on its item as refused. The records without images are stored in
    /// batches as [`Engine::store_items`] stores them, in the order given; run
    /// [`Engine::process`] on the changed items next.
    pub async fn store_items_with_image_urls(
        &self,
        origin: &str,
        parsed: Parsed<Item>,
        images: Vec<Vec<String>>,
        actor: Actor,
        limits: ImageUrlLimits,
    ) -> Result<StoredItems> {
        let mut fetched = if images.iter().all(Vec::is_empty) {
            HashMap::new()
        } else {
            self.fetch_image_urls(images, limits).await?
        };
        let format = parsed.format;
        let mut diagnostics = Some(parsed.diagnostics);
        let mut out = StoredItems {
            counts: ImportCounts::default(),
            changed: Vec::new(),
            images: Vec::new(),
        };
        let mut batch: Vec<Record<Item>> = Vec::new();
        for (index, record) in parsed.records.into_iter().enumerate() {
            let Some(inputs) = fetched.remove(&index) else {
                batch.push(record);
                continue;
            };
            if !batch.is_empty() {
                let taken = std::mem::take(&mut batch);
                self.store_batch(origin, format, taken, &mut diagnostics, actor, &mut out)
                    .await?;
            }
            let rejected = diagnostics.take().unwrap_or_default();
            let source = ImportSource {
                file: origin,
                format,
                diagnostics: &rejected,
                actor,
            };
            let stored = self
                .store_item_with_inputs(record.value, inputs, source)
                .await?;
            add_counts(&mut out.counts, &stored.counts);
            out.changed.extend(stored.changed);
            out.images.push(RecordImages {
                record: index,
                line: record.line,
                images: stored.images,
            });
        }
        // The rest, and the rejected records when nothing carried them into the log yet.
        if !batch.is_empty() || diagnostics.as_ref().is_some_and(|d| !d.is_empty()) {
            self.store_batch(origin, format, batch, &mut diagnostics, actor, &mut out)
                .await?;
        }
        Ok(out)
    }

    /// Stores `records` in one batch, with the rejected records when none were logged yet.
    async fn store_batch(
        &self,
        origin: &str,
        format: &'static str,
        records: Vec<Record<Item>>,
        diagnostics: &mut Option<Vec<Diagnostic>>,
        actor: Actor,
        out: &mut StoredItems,
    ) -> Result<()> {
        let parsed = Parsed {
            records,
            diagnostics: diagnostics.take().unwrap_or_default(),
            format,
        };
        let stored =
            claimdesk_ingest::intake::store_items(self.store(), origin, parsed, actor).await?;
        add_counts(&mut out.counts, &stored.counts);
        out.changed.extend(stored.changed);
        Ok(())
    }

    /// Fetches every record's image URLs at once (within `limits` and the desk-wide
    /// [`ImageDesk::FETCHES`]): the images of each record that gives any, by its place, in
    /// the order given.
    async fn fetch_image_urls(
        &self,
        images: Vec<Vec<String>>,
        limits: ImageUrlLimits,
    ) -> Result<HashMap<usize, Vec<ImageInput>>> {
        let client = GuardedClient::new(self.config().fetch())?;
        let desk = self.images().clone();
        let deadline = Instant::now() + limits.deadline;
        let mut slots: HashMap<usize, Vec<Option<ImageInput>>> = HashMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        let mut fetching = 0usize;
        for (record, urls) in images.into_iter().enumerate() {
            if urls.is_empty() {
                continue;
            }
            let slot = slots.entry(record).or_default();
            for (i, url) in urls.into_iter().enumerate() {
                let refused = if i >= limits.per_item {
                    Some(format!(
                        "{url}: not fetched: an item takes at most {} image URLs",
                        limits.per_item
                    ))
                } else if fetching >= limits.per_call {
                    Some(format!(
                        "{url}: not fetched: one request takes at most {} image URLs in all; \
                         send this item again in a request of its own",
                        limits.per_call
                    ))
                } else {
                    None
                };
                if let Some(why) = refused {
                    slot.push(Some(ImageInput::Refused { name: url, why }));
                    continue;
                }
                fetching += 1;
                let position = slot.len();
                slot.push(None);
                let (client, desk) = (client.clone(), desk.clone());
                tasks.spawn(async move {
                    let input = fetch_one(&desk, &client, url, deadline, limits.deadline).await;
                    (record, position, input)
                });
            }
        }
        while let Some(done) = tasks.join_next().await {
            let (record, position, input) =
                done.map_err(|e| crate::Error::Usage(format!("fetching an image failed: {e}")))?;
            if let Some(slot) = slots.get_mut(&record).and_then(|s| s.get_mut(position)) {
                *slot = Some(input);
            }
        }
        Ok(slots
            .into_iter()
            .map(|(record, inputs)| (record, inputs.into_iter().flatten().collect()))
            .collect())
    }
}

/// Fetches one image URL once a fetch permit is free, by `deadline` at the latest
/// (`allowed` is the time the call had in all, for the message).
async fn fetch_one(
    desk: &ImageDesk,
    client: &GuardedClient,
    url: String,
    deadline: Instant,
    allowed: Duration,
) -> ImageInput {
    let work = async {
        // Closed only when the desk shuts down; then nothing waits for a permit.
        let _permit = desk.fetch_permits().clone().acquire_owned().await.ok();
        fetch_image(client, &url, desk.max_bytes()).await
    };
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(image)) => ImageInput::Fetched(ImageUpload {
            name: Some(url),
            bytes: image.bytes,
        }),
        Ok(Err(e)) => ImageInput::Refused {
            name: url,
            why: e.to_string(),
        },
        Err(_) => ImageInput::Refused {
            why: format!(
                "{url}: not fetched: the images given together get {} s in all, and this one \
                 was not in by then",
                allowed.as_secs()
            ),
            name: url,
        },
    }
}

fn add_counts(total: &mut ImportCounts, more: &ImportCounts) {
    total.added += more.added;
    total.updated += more.updated;
    total.unchanged += more.unchanged;
    total.aliased += more.aliased;
    total.rejected += more.rejected;
}
