//! Polling the watched sources: feeds by conditional GET through the guarded client, drop
//! folders by scanning for finished files. Each poll's outcome is recorded on the source
//! (validators, next poll, the run of failures and why), so its health is always visible.
//!
//! Schedule: a healthy source is polled every `interval`; after the n-th failure in a row
//! the next try waits `interval × 2^n`, at most [`PollSettings::max_backoff`] (but never
//! less than the interval). A 304 Not Modified is a healthy poll.
//!
//! Drop folders are also watched while [`Poller::run`] runs (see [`crate::watch`]): a folder
//! where an item file was created or written is looked at once no event came for
//! [`PollSettings::watch_quiet`], through the same folder poll, so a file is read about a
//! second after its last write. The periodic poll stays as the fallback, and is the only
//! path for a folder that cannot be watched.
//!
//! A drop folder also takes images (`.png`, `.jpg`/`.jpeg`, `.webp`, `.gif`), each an item
//! with an optional JSON sidecar of the same name (`photo.png` and `photo.json`: the item's
//! fields, `text` optional). Reading an image (decoding, hashing, OCR) is not this crate's:
//! the poller hands it to an [`ImageIntake`] ([`Poller::with_images`]; the engine's). A
//! refused image goes to `rejected/` with its sidecar and an `.errors.txt` naming it, and the
//! rest of the folder is read as usual; without an `ImageIntake`, images are left where they are.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use claimdesk_core::{Actor, Item, ItemId};
use claimdesk_store::{PollOutcome, PollRecord, Source, SourceId, SourceKind, Store};
use jiff::Timestamp;
use tokio::time::Instant;

use crate::feed::{parse_document, parse_document_with_images};
use crate::fetch::{Conditional, GuardedClient, fetch_image};
use crate::intake::store_items;
use crate::watch::FolderWatcher;
use crate::{ItemFormat, parse_items, sidecar_item};

/// How the poller treats sources.
#[derive(Debug, Clone)]
pub struct PollSettings {
    /// A dropped file is read only once it has not been modified for this long, so a file
    /// still being written is left alone (and names ending `.part`, `.tmp`, `.partial`,
    /// `.crdownload` or `~`, and hidden files, are never read).
    pub folder_settle: Duration,
    /// The longest wait after failures.
    pub max_backoff: Duration,
    /// Whether [`Poller::run`] watches drop folders for new files (polling stays the
    /// fallback either way).
    pub watch_folders: bool,
    /// How long a watched folder must be quiet (no event) before it is looked at; a file
    /// is then read when it has not been modified for this long (the watcher saw its
    /// writes, so it stands in for [`PollSettings::folder_settle`]).
    pub watch_quiet: Duration,
}

impl Default for PollSettings {
    /// 5 seconds of quiet for dropped files (1 second when the folder is watched); backoff
    /// at most 6 hours.
    fn default() -> Self {
        PollSettings {
            folder_settle: Duration::from_secs(5),
            max_backoff: Duration::from_secs(6 * 3600),
            watch_folders: true,
            watch_quiet: Duration::from_secs(1),
        }
    }
}

/// What one poll did.
#[derive(Debug, Clone)]
pub struct PollReport {
    /// The source, with its state after the poll.
    pub source: Source,
    /// Fetched, not modified, or failed.
    pub outcome: PollOutcome,
    /// Items read (before deduplication).
    pub items: u64,
    /// Items added or changed in the store.
    pub changed: Vec<ItemId>,
    /// Records rejected by the parser (kept in the import log).
    pub rejected: u64,
    /// Why it failed.
    pub error: Option<String>,
}

/// The wait before the next poll after `failures` failures in a row (0: the interval).
pub fn backoff(interval: Duration, failures: u32, max: Duration) -> Duration {
    if failures == 0 {
        return interval;
    }
    let factor = 1u32 << failures.min(16);
    interval.saturating_mul(factor).min(max.max(interval))
}

/// Parses an interval: `90s`, `15m`, `2h`, `1d`. A number without its unit is refused (is
/// `5` five seconds, or the five minutes its writer meant?).
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not an interval: write 90s, 15m, 2h or 1d"))?;
    let secs = match unit.trim() {
        "" => {
            return Err(format!(
                "`{s}` has no unit: write {n}s, {n}m, {n}h or {n}d (seconds, minutes, hours, days)"
            ));
        }
        "s" => n,
        "m" | "min" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        other => return Err(format!("`{s}`: unknown unit `{other}` (use s, m, h or d)")),
    };
    if secs == 0 {
        return Err("the interval must be at least one second".into());
    }
    Ok(Duration::from_secs(secs))
}

/// RFC 3339 at whole seconds, UTC: the form sources' times are stored in.
pub fn timestamp_text(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A moment given as an RFC 3339 time, a date (midnight UTC), or a span back from `now`
/// (`90m`, `24h`, `7d`, as [`parse_interval`] reads them): Unix seconds.
pub fn parse_since(s: &str, now: Timestamp) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t.as_second());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .map_err(|e| format!("`{s}`: {e}"));
    }
    match parse_interval(s) {
        Ok(span) => Ok(now.as_second().saturating_sub(span.as_secs() as i64)),
        Err(e) => Err(format!(
            "{e}; or give a time (2026-11-20T10:00:00Z) or a date (2026-11-20)"
        )),
    }
}

fn after(t: Timestamp, d: Duration) -> Timestamp {
    let d = d.min(Duration::from_secs(10 * 365 * 86_400));
    let span = jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::ZERO);
    t.checked_add(span).unwrap_or(t)
}

/// What a poll found before it is recorded.
struct Found {
    outcome: PollOutcome,
    etag: Option<String>,
    last_modified: Option<String>,
    items: u64,
    rejected: u64,
    changed: Vec<ItemId>,
}

/// What a drop folder does with an image file: reads it (decodes it within limits, keeps
/// it, hashes it, reads its text) and stores the item it carries, *without* running the
/// pipeline (the poller's caller runs it on every polled item, these too). The engine
/// implements it; this crate only finds the files.
pub trait ImageIntake: Send + Sync {
    /// The largest image file read, in bytes: a larger one is refused without being read.
    fn max_bytes(&self) -> u64;

    /// Stores `item` (a feed entry, or a dropped image's sidecar fields, possibly empty)
    /// with `images`; `origin` (the dropped file, the feed's URL) names it in the import log.
    fn store_image_item(
        &self,
        item: Item,
        origin: &str,
        images: Vec<NamedImage>,
    ) -> impl Future<Output = Result<DroppedImage, ImageIntakeError>> + Send;
}

/// An image's bytes and the name it came with (a dropped file's name, an image URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedImage {
    /// The file name or URL.
    pub name: String,
    /// The bytes, as read or fetched (not yet decoded).
    pub bytes: Vec<u8>,
}

/// What became of a dropped image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DroppedImage {
    /// The item added or changed (empty when it was stored unchanged before).
    pub changed: Vec<ItemId>,
    /// Why the image was refused, when it was and the item was kept for its sidecar's text.
    pub refused: Option<String>,
}

/// Why a dropped image's item was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ImageIntakeError {
    /// The item was refused (its image cannot be read and it has no text): the file goes
    /// to `rejected/` with why.
    #[error("{0}")]
    Refused(String),
    /// The store failed: the poll fails and the file stays for the next one.
    #[error(transparent)]
    Store(#[from] claimdesk_store::Error),
    /// Another failure on the desk's side (the image directory cannot be written): the
    /// poll fails and the file stays for the next one.
    #[error("{0}")]
    Failed(String),
}

/// No [`ImageIntake`]: a poller made by [`Poller::new`] leaves dropped images where they are.
#[derive(Debug, Clone, Copy)]
pub enum NoImages {}

impl ImageIntake for NoImages {
    fn max_bytes(&self) -> u64 {
        match *self {}
    }

    async fn store_image_item(
        &self,
        _: Item,
        _: &str,
        _: Vec<NamedImage>,
    ) -> Result<DroppedImage, ImageIntakeError> {
        match *self {}
    }
}

/// Polls sources and stores what they bring.
#[derive(Debug, Clone)]
pub struct Poller<S, I = NoImages> {
    store: S,
    client: GuardedClient,
    settings: PollSettings,
    images: Option<I>,
}

impl<S: Store> Poller<S> {
    /// A poller over `store`, fetching through `client`; dropped images are left alone
    /// until [`Poller::with_images`] says who reads them.
    pub fn new(store: S, client: GuardedClient, settings: PollSettings) -> Poller<S> {
        Poller {
            store,
            client,
            settings,
            images: None,
        }
    }
}

impl<S: Store, I: ImageIntake> Poller<S, I> {
    /// This poller, with `images` reading the images dropped in folders.
    pub fn with_images<J: ImageIntake>(self, images: J) -> Poller<S, J> {
        Poller {
            store: self.store,
            client: self.client,
            settings: self.settings,
            images: Some(images),
        }
    }

    /// Polls every source due at `now`, one after another.
    pub async fn poll_due(&self, now: Timestamp) -> claimdesk_store::Result<Vec<PollReport>> {
        let due = self.store.due_sources(&timestamp_text(now)).await?;
        let mut reports = Vec::with_capacity(due.len());
        for source in &due {
            reports.push(self.poll(source, now).await?);
        }
        Ok(reports)
    }

    /// Polls every source now, due or not (paused ones excepted).
    pub async fn poll_all(&self, now: Timestamp) -> claimdesk_store::Result<Vec<PollReport>> {
        let all = self.store.sources().await?;
        let mut reports = Vec::with_capacity(all.len());
        for source in all.iter().filter(|s| !s.paused) {
            reports.push(self.poll(source, now).await?);
        }
        Ok(reports)
    }

    /// Polls one source and records the outcome. Fetch and parse failures go into the
    /// source's health; only store failures are errors.
    pub async fn poll(
        &self,
        source: &Source,
        now: Timestamp,
    ) -> claimdesk_store::Result<PollReport> {
        self.poll_settled(source, now, self.settings.folder_settle)
            .await
    }

    /// [`Poller::poll`], a folder's files read once unmodified for `settle`.
    async fn poll_settled(
        &self,
        source: &Source,
        now: Timestamp,
        settle: Duration,
    ) -> claimdesk_store::Result<PollReport> {
        let found = match source.kind {
            SourceKind::Feed => self.poll_feed(source).await,
            SourceKind::Folder => self.poll_folder(source, now, settle).await,
        };
        let interval = Duration::from_secs(source.interval_secs);
        let (found, error) = match found {
            Ok(found) => (found, None),
            Err(PollError::Store(e)) => return Err(e),
            Err(PollError::Source(why)) => (
                Found {
                    outcome: PollOutcome::Failed,
                    etag: None,
                    last_modified: None,
                    items: 0,
                    rejected: 0,
                    changed: Vec::new(),
                },
                Some(why),
            ),
        };
        let failures = if error.is_some() {
            source.consecutive_failures + 1
        } else {
            0
        };
        let wait = backoff(interval, failures, self.settings.max_backoff);
        let record = PollRecord {
            polled_at: timestamp_text(now),
            outcome: found.outcome,
            next_poll_at: timestamp_text(after(now, wait)),
            etag: found.etag,
            last_modified: found.last_modified,
            error: error.clone(),
            items: found.items,
        };
        if let Some(e) = &error {
            tracing::warn!(target: "ingest::poll", source = source.id.0, location = %source.location, failures, error = %e, "poll failed");
        } else {
            tracing::info!(target: "ingest::poll", source = source.id.0, outcome = found.outcome.as_str(), items = found.items, "polled");
        }
        let after = self.store.record_poll(source.id, &record).await?;
        Ok(PollReport {
            source: after,
            outcome: found.outcome,
            items: found.items,
            changed: found.changed,
            rejected: found.rejected,
            error,
        })
    }

    async fn poll_feed(&self, source: &Source) -> Result<Found, PollError> {
        let conditional = Conditional {
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
        };
        let fetched = self
            .client
            .get(&source.location, &conditional)
            .await
            .map_err(|e| PollError::Source(e.to_string()))?;
        if fetched.not_modified() {
            return Ok(Found {
                outcome: PollOutcome::NotModified,
                etag: source.etag.clone(),
                last_modified: source.last_modified.clone(),
                items: 0,
                rejected: 0,
                changed: Vec::new(),
            });
        }
        let (_, mut parsed, entry_images) = parse_document_with_images(
            &fetched.url,
            &fetched.body,
            fetched.content_type.as_deref(),
        );
        if parsed.records.is_empty()
            && let Some(d) = parsed.diagnostics.first()
        {
            return Err(PollError::Source(d.message.clone()));
        }
        let items = parsed.records.len() as u64;
        let rejected = parsed.diagnostics.len() as u64;
        // Entries with images go one by one through the image reader, their images
        // fetched through the same guard; the rest are stored in one batch, as before.
        let mut changed = Vec::new();
        if let Some(images) = &self.images
            && !entry_images.is_empty()
        {
            let mut plain = Vec::with_capacity(parsed.records.len());
            for record in std::mem::take(&mut parsed.records) {
                let urls = entry_images
                    .iter()
                    .find(|e| e.line == record.line)
                    .map(|e| e.urls.as_slice())
                    .unwrap_or_default();
                let fetched = self.fetch_images(images, urls).await;
                if fetched.is_empty() {
                    plain.push(record);
                    continue;
                }
                match images
                    .store_image_item(record.value, &source.location, fetched)
                    .await
                {
                    Ok(d) => changed.extend(d.changed),
                    Err(ImageIntakeError::Store(e)) => return Err(PollError::Store(e)),
                    Err(e) => {
                        return Err(PollError::Source(format!(
                            "entry {} with images: {e}",
                            record.line
                        )));
                    }
                }
            }
            parsed.records = plain;
        }
        let stored = store_items(&self.store, &source.location, parsed, Actor::System)
            .await
            .map_err(PollError::Store)?;
        changed.extend(stored.changed);
        Ok(Found {
            outcome: PollOutcome::Fetched,
            etag: fetched.etag,
            last_modified: fetched.last_modified,
            items,
            rejected,
            changed,
        })
    }

    /// Fetches a feed entry's (or an article page's) images through the guarded client
    /// ([`fetch_image`]: its rules on every redirect, its body cap, the image reader's size
    /// and an image's `Content-Type`); one that cannot be fetched is left out, and the log
    /// says why (the entry's text is stored either way).
    async fn fetch_images(&self, images: &I, urls: &[String]) -> Vec<NamedImage> {
        let mut out = Vec::new();
        for url in urls {
            match fetch_image(&self.client, url, images.max_bytes()).await {
                Ok(f) => out.push(NamedImage {
                    name: url.clone(),
                    bytes: f.bytes,
                }),
                Err(e) => {
                    tracing::info!(target: "ingest::poll", image = %url, error = %e, "feed image not fetched");
                }
            }
        }
        out
    }

    async fn poll_folder(
        &self,
        source: &Source,
        now: Timestamp,
        settle: Duration,
    ) -> Result<Found, PollError> {
        let dir = Path::new(&source.location);
        let files = finished_files(dir, settle, now)
            .map_err(PollError::Source)?
            .0;
        let mut found = Found {
            outcome: PollOutcome::NotModified,
            etag: None,
            last_modified: None,
            items: 0,
            rejected: 0,
            changed: Vec::new(),
        };
        for file in files {
            if !file.is_file() {
                // A sidecar moved along with its image.
                continue;
            }
            if is_image_file(&file) {
                if let Some(images) = &self.images {
                    self.read_image(images, dir, &file, settle, now, &mut found)
                        .await?;
                }
                continue;
            }
            if sidecar_of_image(&file).is_some() {
                // Read with its image.
                continue;
            }
            let name = file.display().to_string();
            let bytes = std::fs::read(&file)
                .map_err(|e| PollError::Source(format!("cannot read {name}: {e}")))?;
            let parsed = if is_feed_file(&file) {
                // A feed saved to a file: its entries, as a feed source's would be.
                let base = std::path::absolute(&file)
                    .ok()
                    .and_then(|p| url::Url::from_file_path(p).ok());
                match base {
                    Some(base) => parse_document(&base, &bytes, None).1,
                    None => parse_items(&name, &bytes, ItemFormat::Auto),
                }
            } else {
                parse_items(&name, &bytes, ItemFormat::Auto)
            };
            let accepted = parsed.records.len() as u64;
            let rejected = parsed.diagnostics.len() as u64;
            let why: Vec<String> = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
            let stored = store_items(&self.store, &name, parsed, Actor::System)
                .await
                .map_err(PollError::Store)?;
            // Moved only after the items are committed: a crash in between re-reads the
            // file next time, and the keys make that a no-op.
            let to = if accepted == 0 && rejected > 0 {
                "rejected"
            } else {
                "done"
            };
            let moved = move_into(dir, to, &file).map_err(PollError::Source)?;
            if !why.is_empty() {
                let report = moved.with_file_name(format!(
                    "{}.errors.txt",
                    moved.file_name().and_then(|n| n.to_str()).unwrap_or("file")
                ));
                let _ = std::fs::write(&report, why.join("\n") + "\n");
            }
            found.outcome = PollOutcome::Fetched;
            found.items += accepted;
            found.rejected += rejected;
            found.changed.extend(stored.changed);
        }
        Ok(found)
    }

    /// A dropped image and its sidecar (when there is one, and once it has settled too): the
    /// item stored through `images`, the files moved to `done/` or `rejected/`, a refusal
    /// written beside them naming the file.
    async fn read_image(
        &self,
        images: &I,
        dir: &Path,
        file: &Path,
        settle: Duration,
        now: Timestamp,
        found: &mut Found,
    ) -> Result<(), PollError> {
        let name = file.display().to_string();
        let sidecar = file.with_extension("json");
        let sidecar = sidecar.is_file().then_some(sidecar);
        if let Some(side) = &sidecar
            && !settled(side, settle, now)
        {
            // Its item fields are still being written: next time.
            return Ok(());
        }
        let mut why = Vec::new();
        let item = match &sidecar {
            None => Ok(Item::default()),
            Some(side) => std::fs::read(side)
                .map_err(|e| format!("{}: cannot read: {e}", side.display()))
                .and_then(|bytes| {
                    sidecar_item(&side.display().to_string(), &bytes).map_err(|d| d.to_string())
                }),
        };
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let stored = match item {
            Err(e) => Err(e),
            Ok(_) if size > images.max_bytes() => Err(format!(
                "{name}: the file is {size} bytes, more than the {} an image may have",
                images.max_bytes()
            )),
            Ok(item) => {
                let bytes = std::fs::read(file)
                    .map_err(|e| PollError::Source(format!("cannot read {name}: {e}")))?;
                let image = NamedImage {
                    name: file
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("image")
                        .to_string(),
                    bytes,
                };
                match images.store_image_item(item, &name, vec![image]).await {
                    Ok(d) => Ok(d),
                    Err(ImageIntakeError::Refused(m)) => Err(format!("{name}: {m}")),
                    Err(ImageIntakeError::Store(e)) => return Err(PollError::Store(e)),
                    Err(ImageIntakeError::Failed(m)) => {
                        return Err(PollError::Source(format!("{name}: {m}")));
                    }
                }
            }
        };
        let to = match stored {
            Ok(d) => {
                if let Some(refused) = d.refused {
                    why.push(format!(
                        "{name}: {refused} (the item was kept for its text)"
                    ));
                    found.rejected += 1;
                }
                found.items += 1;
                found.changed.extend(d.changed);
                "done"
            }
            Err(e) => {
                tracing::info!(target: "ingest::poll", file = %name, error = %e, "dropped image refused");
                why.push(e);
                found.rejected += 1;
                "rejected"
            }
        };
        // Moved only after the item is committed (a crash in between reads it again, and
        // its key makes that a no-op); the sidecar goes along.
        let moved = move_into(dir, to, file).map_err(PollError::Source)?;
        if let Some(side) = &sidecar {
            move_into(dir, to, side).map_err(PollError::Source)?;
        }
        if !why.is_empty() {
            let report = moved.with_file_name(format!(
                "{}.errors.txt",
                moved.file_name().and_then(|n| n.to_str()).unwrap_or("file")
            ));
            let _ = std::fs::write(&report, why.join("\n") + "\n");
        }
        found.outcome = PollOutcome::Fetched;
        Ok(())
    }

    /// Polls due sources until `shutdown` resolves, awaiting `on_report` after each poll
    /// before the next (the backpressure: a slow consumer, matching what came in, holds
    /// the polling back rather than letting work pile up). Sources added while it runs are
    /// picked up within a minute.
    ///
    /// Drop folders are watched too (unless [`PollSettings::watch_folders`] is off): a
    /// folder where an item file was written is polled once it has been quiet for
    /// [`PollSettings::watch_quiet`]. Watched and periodic polls run one at a time, here,
    /// so a file is never read by two polls at once.
    pub async fn run<F, Fut>(&self, shutdown: impl Future<Output = ()>, mut on_report: F)
    where
        F: FnMut(PollReport) -> Fut,
        Fut: Future<Output = ()>,
    {
        tokio::pin!(shutdown);
        let mut watcher = self.folder_watcher();
        // Watched folders with news, and when they will have been quiet long enough.
        let mut quiet_at: HashMap<SourceId, Instant> = HashMap::new();
        let mut next_due = Instant::now();
        loop {
            let now = Instant::now();
            let quiet = quiet_at
                .iter()
                .find(|(_, at)| **at <= now)
                .map(|(id, _)| *id);
            let polled = if now >= next_due {
                // Watching before polling: a file dropped after the poll is seen.
                if let Some(w) = watcher.as_mut() {
                    self.watch_folders(w).await;
                }
                let polled = tokio::select! {
                    r = self.poll_due(Timestamp::now()) => r,
                    () = &mut shutdown => return,
                };
                next_due = Instant::now() + self.until_next_due().await;
                polled
            } else if let Some(id) = quiet {
                quiet_at.remove(&id);
                let polled = tokio::select! {
                    r = self.poll_watched(id) => r,
                    () = &mut shutdown => return,
                };
                if matches!(&polled, Ok((_, settling)) if *settling > 0) {
                    // A file written just before the quiet ended: look again.
                    quiet_at.insert(id, Instant::now() + self.settings.watch_quiet);
                }
                polled.map(|(reports, _)| reports)
            } else {
                let wake = quiet_at.values().copied().fold(next_due, Instant::min);
                tokio::select! {
                    () = tokio::time::sleep_until(wake) => {}
                    id = changed(&mut watcher) => {
                        quiet_at.insert(id, Instant::now() + self.settings.watch_quiet);
                    }
                    () = &mut shutdown => return,
                }
                continue;
            };
            match polled {
                Ok(reports) => {
                    for report in reports {
                        on_report(report).await;
                    }
                }
                Err(e) => {
                    tracing::error!(target: "ingest::poll", error = %e, "cannot poll the sources")
                }
            }
        }
    }

    /// The watcher of drop folders, when wanted and when the system gives one (if not, the
    /// log says the folders are polled only).
    fn folder_watcher(&self) -> Option<FolderWatcher> {
        if !self.settings.watch_folders {
            return None;
        }
        match FolderWatcher::new(is_candidate) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(target: "ingest::watch", error = %e, "cannot watch drop folders for new files: they are polled at their interval only");
                None
            }
        }
    }

    /// Watches the folders of the sources that are not paused (and no others).
    async fn watch_folders(&self, watcher: &mut FolderWatcher) {
        let Ok(sources) = self.store.sources().await else {
            return;
        };
        let folders: Vec<(SourceId, PathBuf)> = sources
            .into_iter()
            .filter(|s| s.kind == SourceKind::Folder && !s.paused)
            .map(|s| (s.id, PathBuf::from(s.location)))
            .collect();
        for e in watcher.watch_only(&folders) {
            tracing::warn!(target: "ingest::watch", error = %e, "the folder is polled at its interval only");
        }
    }

    /// Polls a watched folder that saw news (unless it was paused or removed since), its
    /// files read once unmodified for [`PollSettings::watch_quiet`]. Also says how many
    /// item files were too fresh to read.
    async fn poll_watched(
        &self,
        id: SourceId,
    ) -> claimdesk_store::Result<(Vec<PollReport>, usize)> {
        let Some(source) = self.store.source(id).await? else {
            return Ok((Vec::new(), 0));
        };
        if source.paused || source.kind != SourceKind::Folder {
            return Ok((Vec::new(), 0));
        }
        let now = Timestamp::now();
        let report = self
            .poll_settled(&source, now, self.settings.watch_quiet)
            .await?;
        let settling = finished_files(Path::new(&source.location), self.settings.watch_quiet, now)
            .map_or(0, |(_, settling)| settling);
        tracing::debug!(target: "ingest::watch", source = id.0, items = report.items, settling, "looked at a watched folder");
        Ok((vec![report], settling))
    }

    async fn until_next_due(&self) -> Duration {
        let longest = Duration::from_secs(60);
        let Ok(sources) = self.store.sources().await else {
            return longest;
        };
        let now = Timestamp::now();
        sources
            .iter()
            .filter(|s| !s.paused)
            .filter_map(|s| s.next_poll_at.parse::<Timestamp>().ok())
            .map(|t| {
                let secs = t.as_second().saturating_sub(now.as_second());
                Duration::from_secs(secs.max(1) as u64)
            })
            .min()
            .unwrap_or(longest)
            .min(longest)
    }
}

/// The next watched folder with news; never, without a watcher.
async fn changed(watcher: &mut Option<FolderWatcher>) -> SourceId {
    match watcher {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

/// Why a poll failed: the source's fault (recorded in its health) or the store's.
enum PollError {
    Source(String),
    Store(claimdesk_store::Error),
}

/// Temporary names that writers use before renaming a finished file.
fn is_partial(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.ends_with('~')
        || [".part", ".tmp", ".partial", ".crdownload", ".swp"]
            .iter()
            .any(|s| lower.ends_with(s))
}

/// What a drop folder reads: item files, feeds saved as files (RSS, Atom), and images.
const ITEM_EXTENSIONS: &[&str] = &[
    "jsonl", "ndjson", "json", "csv", "tsv", "rss", "atom", "xml", "png", "jpg", "jpeg", "webp",
    "gif",
];

/// The images a drop folder takes, by extension (the bytes decide the format).
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "webp", "gif"];

/// Whether a dropped file is an image, by its extension.
fn is_image_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The image whose sidecar `path` is: a `.json` file beside an image of the same name.
fn sidecar_of_image(path: &Path) -> Option<PathBuf> {
    let ext = path.extension()?.to_str()?;
    if !ext.eq_ignore_ascii_case("json") {
        return None;
    }
    IMAGE_EXTENSIONS
        .iter()
        .flat_map(|e| [e.to_string(), e.to_ascii_uppercase()])
        .map(|e| path.with_extension(e))
        .find(|p| p.is_file())
}

/// Whether `path` has not been modified for `settle` before `now`.
fn settled(path: &Path, settle: Duration, now: Timestamp) -> bool {
    let now = SystemTime::try_from(now).unwrap_or(SystemTime::UNIX_EPOCH);
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|m| now.duration_since(m).is_ok_and(|age| age >= settle))
}

/// Whether a dropped file is a feed (read as a feed source's document is).
fn is_feed_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["rss", "atom", "xml"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether a drop folder reads a file of this name: a known extension, not a temporary name.
fn is_candidate(name: &str) -> bool {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    !is_partial(name) && ITEM_EXTENSIONS.contains(&ext.as_str())
}

/// The finished item files in `dir`, by name: known extensions, not temporary names, and
/// not modified within `settle` of `now`; and how many item files were left because they
/// were modified within `settle` (not counting modification times ahead of `now`).
fn finished_files(
    dir: &Path,
    settle: Duration,
    now: Timestamp,
) -> Result<(Vec<PathBuf>, usize), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
    let now = SystemTime::try_from(now).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut files = Vec::new();
    let mut settling = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !is_candidate(name) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        // A modification time ahead of `now` (clock skew) counts as just written.
        let age = meta.modified().ok().map(|m| now.duration_since(m));
        match age {
            Some(Ok(age)) if age >= settle => files.push(path),
            Some(Ok(_)) => settling += 1,
            _ => {}
        }
    }
    files.sort();
    Ok((files, settling))
}

/// Moves `file` into `dir/sub/`, renaming it `name.1.ext`, ... when the name is taken.
fn move_into(dir: &Path, sub: &str, file: &Path) -> Result<PathBuf, String> {
    let target_dir = dir.join(sub);
    std::fs::create_dir_all(&target_dir)
        .map_err(|e| format!("cannot create {}: {e}", target_dir.display()))?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut target = target_dir.join(name);
    let mut n = 1;
    while target.exists() {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        target = target_dir.join(format!("{stem}.{n}.{ext}"));
        n += 1;
    }
    std::fs::rename(file, &target).map_err(|e| {
        format!(
            "cannot move {} to {}: {e}",
            file.display(),
            target.display()
        )
    })?;
    Ok(target)
}
