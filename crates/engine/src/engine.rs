//! [`Engine`]: an open data directory with everything the desk runs on. Every command and
//! the server go through it; the parts that cost time to build (the ranker, which may load
//! the model and embed fact-checks; the pipeline) are built on first use.
//!
//! Layer 4: imports every module below it, nothing above (`jobs`).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimdesk_core::{
    Actor, CaseId, Diagnostic, FactCheck, FactCheckId, ImportCounts, ItemId, StoredFactCheck,
    UserId,
};
use claimdesk_ingest::{
    FactCheckFormat, ItemFormat, duplicate_key, fallback_source_id, parse_fact_checks, parse_items,
};
use claimdesk_store::prelude::*;
use claimdesk_store::{ImportSource, NewFactCheck};
use tokio::sync::{Mutex, OnceCell};

use crate::catalog::Catalog;
use crate::config::{Config, MatchSection};
use crate::data::{DataDir, StoreHandle};
use crate::error::{Error, Result};
use crate::image_neighbours::LazyImageDesk;
use crate::images::{ImageDesk, ImageInput, ImageUpload, ReadImage};
use crate::index::LexicalIndex;
use crate::lead::Leadership;
use crate::lookback::{LookBack, Window, look_back};
use crate::pipeline::{Pipeline, Report};
use crate::post_check::{PostCheck, PostPart};
use crate::progress::{Progress, Silent};
use crate::ranker::{LiveRanker, RankedMatch, RankerOptions, Refreshed};

/// Items per round of the backlog pass.
const BACKLOG_PAGE: u32 = 1000;

/// How an engine is opened.
#[derive(Clone)]
pub struct EngineOptions {
    /// How the ranker is chosen.
    pub ranker: RankerOptions,
    /// Ranking settings for this run (`NAME=VALUE`, as `--param`), over the config's.
    pub params: Vec<String>,
    /// Where long work reports its progress.
    pub progress: Arc<dyn Progress>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            ranker: RankerOptions::default(),
            params: Vec::new(),
            progress: Arc::new(Silent),
        }
    }
}

impl EngineOptions {
    /// Lexical ranking only (no model), nothing reported: what tests and small tools use.
    pub fn lexical() -> EngineOptions {
        EngineOptions {
            ranker: RankerOptions {
                lexical_only: true,
                ..RankerOptions::default()
            },
            ..EngineOptions::default()
        }
    }
}

/// An open data directory: config, store, index, and on first use the ranker and the
/// pipeline. Cheap to clone (shared).
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    data: DataDir,
    config: Config,
    store: StoreHandle,
    options: EngineOptions,
    /// The index, until the ranker takes it over.
    index: Mutex<Option<LexicalIndex>>,
    ranker: OnceCell<Arc<LiveRanker>>,
    pipeline: OnceCell<Arc<Pipeline>>,
    leadership: Arc<Leadership>,
    /// The images' files, limits and OCR, set up on first use (it looks for Tesseract).
    images: LazyImageDesk,
    /// The last privacy check of each case's publication, under a hash of what it checked:
    /// the case page shows it on every view, and OCR of the verdict's images takes seconds.
    publication_checks: std::sync::Mutex<HashMap<CaseId, (u64, PostCheck)>>,
}

/// Most publication checks [`Engine::publication_check`] keeps (one per case in review).
const PUBLICATION_CHECKS_KEPT: usize = 256;

/// What importing a file of fact-checks did.
#[derive(Debug)]
pub struct Imported {
    /// The format read.
    pub format: &'static str,
    /// Added, updated, unchanged, aliased, rejected.
    pub counts: ImportCounts,
    /// The rejected records.
    pub diagnostics: Vec<Diagnostic>,
}

/// What ingesting items did.
#[derive(Debug)]
pub struct Ingested {
    /// The format read.
    pub format: &'static str,
    /// Added, updated, unchanged, rejected.
    pub counts: ImportCounts,
    /// The rejected records.
    pub diagnostics: Vec<Diagnostic>,
    /// The items added or changed.
    pub changed: Vec<ItemId>,
    /// Storing took this long.
    pub store_time: std::time::Duration,
}

/// What storing an item sent with images did ([`Engine::add_item_with_images`]).
#[derive(Debug)]
pub struct ItemWithImages {
    /// Added, updated or unchanged (one item).
    pub counts: ImportCounts,
    /// The item, when added or changed.
    pub changed: Vec<ItemId>,
    /// Each image sent: kept with what was read from it, or refused with why.
    pub images: Vec<ReadImage>,
    /// The pipeline's report on the item.
    pub report: Report,
}

/// What storing an item with images did, before the pipeline
/// ([`Engine::store_item_with_images`]).
#[derive(Debug)]
pub struct StoredItemWithImages {
    /// Added, updated or unchanged (one item).
    pub counts: ImportCounts,
    /// The item, when added or changed.
    pub changed: Vec<ItemId>,
    /// Each image sent: kept with what was read from it, or refused with why.
    pub images: Vec<ReadImage>,
}

/// What ingesting a file page by page did ([`Engine::ingest_file`]).
#[derive(Debug)]
pub struct IngestedFile {
    /// The pages' storing together: their counts, rejected records and time (`changed`
    /// is left empty: a file of millions of items would hold all their ids).
    pub stored: Ingested,
    /// How many items were added or changed.
    pub changed: u64,
    /// The pipeline's reports on the pages together.
    pub report: Report,
}

impl Engine {
    /// Opens the data directory `dir` (creating it on first use), reads its config and
    /// brings the index up to the store.
    pub async fn open(dir: impl Into<PathBuf>, options: EngineOptions) -> Result<Engine> {
        let data = DataDir::new(dir);
        data.init()?;
        let mut config = Config::load(data.root())?;
        if !options.params.is_empty() {
            let mut settings = config.match_settings();
            for p in &options.params {
                let (k, v) = p
                    .split_once('=')
                    .ok_or_else(|| Error::Usage(format!("--param `{p}`: expected NAME=VALUE")))?;
                settings
                    .set(k.trim(), v.trim())
                    .map_err(|e| Error::Usage(format!("--param `{p}`: {e}")))?;
            }
            config.matching = MatchSection::from_settings(
                &settings,
                config.matching.confident_at_least,
                config.matching.suggest_at_least,
            );
        }
        let store = data.open_store().await?;
        let mut index = LexicalIndex::open(&data)?;
        index.sync(&store).await?;
        let images = LazyImageDesk::new(data.clone());
        Ok(Engine {
            inner: Arc::new(Inner {
                data,
                config,
                store,
                options,
                index: Mutex::new(Some(index)),
                ranker: OnceCell::new(),
                pipeline: OnceCell::new(),
                leadership: Arc::default(),
                images,
                publication_checks: std::sync::Mutex::default(),
            }),
        })
    }

    /// The data directory.
    pub fn data(&self) -> &DataDir {
        &self.inner.data
    }

    /// The data directory's path.
    pub fn dir(&self) -> &Path {
        self.inner.data.root()
    }

    /// The config in force.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &StoreHandle {
        &self.inner.store
    }

    /// Where long work reports its progress.
    pub fn progress(&self) -> &dyn Progress {
        self.inner.options.progress.as_ref()
    }

    /// The live ranker, built on first use (loading the model and embedding fact-checks
    /// when semantic matching is on).
    pub async fn ranker(&self) -> Result<Arc<LiveRanker>> {
        self.inner
            .ranker
            .get_or_try_init(|| async {
                let index = match self.inner.index.lock().await.take() {
                    Some(index) => index,
                    None => LexicalIndex::open(&self.inner.data)?,
                };
                let ranker = LiveRanker::open(
                    &self.inner.store,
                    index,
                    &self.inner.data,
                    &self.inner.config,
                    &self.inner.options.ranker,
                    self.progress(),
                )
                .await?;
                Ok(Arc::new(ranker))
            })
            .await
            .cloned()
    }

    /// The intake pipeline, built on first use.
    pub async fn pipeline(&self) -> Result<Arc<Pipeline>> {
        self.inner
            .pipeline
            .get_or_try_init(|| async {
                let ranker = self.ranker().await?;
                // Leading or not, before the monitor is loaded (see `Pipeline::monitor`).
                self.inner.leadership.check(&self.inner.store).await?;
                let pipeline = Pipeline::open(
                    self.inner.store.clone(),
                    &self.inner.config,
                    ranker,
                    Arc::clone(&self.inner.leadership),
                    Arc::clone(&self.inner.options.progress),
                    self.inner.images.clone(),
                )
                .await?;
                Ok(Arc::new(pipeline))
            })
            .await
            .cloned()
    }

    /// Whether this process leads (see [`Leadership`]): on SQLite always once the pipeline
    /// runs; on PostgreSQL, the one process of those sharing the database that holds the lead.
    pub fn leads(&self) -> bool {
        self.inner.leadership.held()
    }

    /// Checks the lead, taking it when no other process holds it; returns whether this
    /// process leads now.
    pub async fn check_lead(&self) -> Result<bool> {
        self.inner.leadership.check(&self.inner.store).await
    }

    /// The store revision the ranker serves (`None` before it is built).
    pub fn served_revision(&self) -> Option<i64> {
        self.inner.ranker.get().map(|r| r.revision())
    }

    /// The `k` best fact-checks for `text`, on a blocking thread.
    pub async fn rank(&self, text: &str, k: usize) -> Result<Vec<RankedMatch>> {
        let ranker = self.ranker().await?.current();
        let text = text.to_string();
        tokio::task::spawn_blocking(move || ranker.rank(&text, k))
            .await
            .map_err(|e| Error::Internal(format!("ranking stopped: {e}")))?
    }

    /// Every fact-check by id, with its aliases.
    pub async fn catalog(&self) -> Result<Catalog> {
        Ok(Catalog::new(self.inner.store.fact_checks().await?))
    }

    /// Follows the store: when its fact-check revision moved (an import here or in another
    /// process, a verdict published, a correction), the index and the ranker take the
    /// changes in, and, once the pipeline runs, the recent items are looked back over.
    pub async fn refresh(&self) -> Result<Option<(Refreshed, Option<LookBack>)>> {
        let Some(ranker) = self.inner.ranker.get() else {
            if let Some(index) = self.inner.index.lock().await.as_mut() {
                index.sync(&self.inner.store).await?;
            }
            return Ok(None);
        };
        let Some(refreshed) = ranker.refresh(&self.inner.store).await? else {
            return Ok(None);
        };
        let days = self.inner.config.lookback.days;
        // One process looks back (the leader): the others only follow the index.
        let looked = match self.inner.pipeline.get() {
            Some(pipeline) if days > 0 && !refreshed.changed.is_empty() && self.leads() => {
                let since = jiff::Timestamp::now().as_second() - i64::from(days) * 86_400;
                Some(
                    look_back(
                        &self.inner.store,
                        pipeline,
                        &refreshed.changed,
                        Window::Since(since),
                        false,
                    )
                    .await?,
                )
            }
            _ => None,
        };
        Ok(Some((refreshed, looked)))
    }

    /// Matches every item stored since `since` (Unix seconds; all when `None`) again
    /// against the fact-checks as they are now.
    pub async fn rematch(&self, since: Option<i64>) -> Result<LookBack> {
        let pipeline = self.pipeline().await?;
        let window = since.map_or(Window::All, Window::Since);
        look_back(&self.inner.store, &pipeline, &[], window, true).await
    }

    /// Processes the items stored but never through the pipeline: those a process that
    /// stopped mid-pipeline left (taken over once their lease ran out), and, when this process
    /// leads, those other processes matched and left for the narratives. The pass a serving
    /// desk runs as it starts and then now and then.
    pub async fn process_backlog(&self) -> Result<Report> {
        let mut total = Report::default();
        loop {
            let ids = self.inner.store.claim_pending(BACKLOG_PAGE).await?;
            if ids.is_empty() {
                total
                    .alerts
                    .extend(self.pipeline().await?.place_pending().await?);
                return Ok(total);
            }
            let r = self.process(&ids, false).await?;
            total.scored += r.scored;
            total.matched += r.matched;
            total.below_threshold += r.below_threshold;
            total.alerts.extend(r.alerts);
            total.match_time += r.match_time;
            total.monitor_time += r.monitor_time;
        }
    }

    /// Deletes the index and rebuilds it from the store; returns how many fact-checks
    /// changed and how many are indexed.
    pub async fn reindex(&self) -> Result<(usize, u64)> {
        let mut guard = self.inner.index.lock().await;
        let index = match guard.as_mut() {
            Some(index) => index,
            None => guard.insert(LexicalIndex::open(&self.inner.data)?),
        };
        let n = index.rebuild(&self.inner.store).await?;
        Ok((n, index.len()))
    }

    /// Imports fact-checks read from `bytes` (named `name` in the log and diagnostics),
    /// and brings the index up to date.
    pub async fn import_fact_checks(
        &self,
        name: &str,
        bytes: &[u8],
        format: FactCheckFormat,
        actor: Actor,
    ) -> Result<Imported> {
        refuse_unreadable(name, bytes)?;
        let parsed = parse_fact_checks(name, bytes, format);
        let mut own = 0;
        let mut batch: Vec<NewFactCheck> = Vec::with_capacity(parsed.records.len());
        for r in parsed.records {
            let mut fc = r.value;
            let public_url = self.inner.config.server.public_url.as_deref();
            if self.own_verdict(&fc, public_url).await?.is_some() {
                // The desk's own published verdict read back (its page or `.jsonld`): it is
                // here already, and importing it would publish it a second time.
                own += 1;
                continue;
            }
            if let Some(case) = claimdesk_store::verdict_case(&fc.source_id) {
                let mine = self.inner.store.case_verdict(case).await?;
                if mine.is_some_and(|v| v.published && v.fact_check == fc) {
                    // This desk's export read back, unchanged.
                    own += 1;
                    continue;
                }
                // A verdict another desk wrote (its export names it by that desk's case):
                // case ids mean nothing here, so it is keyed like a record without an id.
                fc.source_id = fallback_source_id(&fc);
            }
            batch.push(NewFactCheck {
                duplicate_key: duplicate_key(&fc),
                fact_check: fc,
            });
        }
        let source = ImportSource {
            file: name,
            format: parsed.format,
            diagnostics: &parsed.diagnostics,
            actor,
        };
        let mut counts = self.inner.store.save_fact_checks(&batch, source).await?;
        counts.unchanged += own;
        self.refresh().await?;
        let mut diagnostics = parsed.diagnostics;
        if parsed.format == "claimreview" {
            let reviewed = claimdesk_ingest::reviewed_images(bytes);
            diagnostics.extend(self.attach_reviewed_images(name, reviewed).await?);
        }
        Ok(Imported {
            format: parsed.format,
            counts,
            diagnostics,
        })
    }

    /// The images imported ClaimReviews say their claims were shared as
    /// ([`claimdesk_ingest::reviewed_images`]: source id, URLs), fetched through the
    /// guarded client (its rules and body cap, and the images' size cap), read and attached
    /// to their fact-checks, so a post carrying a near-duplicate matches them and the public
    /// verdict shows the image. One that cannot be fetched or read is a diagnostic naming its
    /// URL; the fact-check is kept either way.
    async fn attach_reviewed_images(
        &self,
        file: &str,
        reviewed: Vec<(String, Vec<String>)>,
    ) -> Result<Vec<Diagnostic>> {
        let mut diagnostics = Vec::new();
        if reviewed.is_empty() {
            return Ok(diagnostics);
        }
        let client = claimdesk_ingest::fetch::GuardedClient::new(self.inner.config.fetch())?;
        let max = self.images().max_bytes();
        // `why` starts with the image's URL.
        let mut refused = |why: String| {
            diagnostics.push(Diagnostic {
                file: file.to_string(),
                line: 0,
                field: Some("itemReviewed.image".into()),
                message: format!("{why}; the fact-check is kept without it"),
            });
        };
        for (source_id, urls) in reviewed {
            let Some(id) = self.inner.store.fact_check_id(&source_id).await? else {
                continue;
            };
            for url in urls {
                let fetched = match client
                    .get(&url, &claimdesk_ingest::fetch::Conditional::default())
                    .await
                {
                    Ok(f) => f,
                    Err(e) => {
                        refused(format!("{url}: not fetched: {e}"));
                        continue;
                    }
                };
                if fetched.body.len() as u64 > max {
                    refused(format!(
                        "{url}: {} bytes, more than the {max} an image may have",
                        fetched.body.len()
                    ));
                    continue;
                }
                let upload = ImageUpload {
                    name: Some(url.clone()),
                    bytes: fetched.body,
                };
                match self.add_fact_check_image(id, upload).await {
                    Ok(_) => {}
                    // Already named by its URL.
                    Err(Error::Usage(why)) => refused(why),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(diagnostics)
    }

    /// Withdraws a published fact-check (admins only, with a reason: see
    /// [`FactCheckStore::withdraw_fact_check`]) and follows the store at once: the index
    /// and the ranker drop it, and the items matched to it are matched again.
    pub async fn withdraw_fact_check(
        &self,
        id: FactCheckId,
        actor: Actor,
        reason: &str,
    ) -> Result<StoredFactCheck> {
        let withdrawn = self
            .inner
            .store
            .withdraw_fact_check(id, actor, reason)
            .await?;
        self.refresh().await?;
        Ok(withdrawn)
    }

    /// The desk's own published verdict that `fc` is a copy of, read back from its public
    /// page or its `.jsonld`: its `url` is `/verdicts/{id}` or `/api/factchecks/{id}.jsonld`
    /// (on `public_url`, the desk's public address, when it is known) and the verdict `id`
    /// the desk wrote reviews the same claim. Importing such a copy would publish the
    /// verdict twice.
    pub async fn own_verdict(
        &self,
        fc: &FactCheck,
        public_url: Option<&str>,
    ) -> Result<Option<FactCheckId>> {
        let Some(id) = fc
            .url
            .as_deref()
            .and_then(|u| own_verdict_id(u, public_url))
        else {
            return Ok(None);
        };
        let Some(stored) = self.inner.store.fact_check(FactCheckId(id)).await? else {
            return Ok(None);
        };
        let same_claim = stored.fact_check.claim.trim() == fc.claim.trim();
        Ok((stored.case.is_some() && stored.published && same_claim).then_some(stored.id))
    }

    /// Stores items read from `bytes` (named `name`); run [`Engine::process`] on the
    /// changed ones next.
    pub async fn store_items(
        &self,
        name: &str,
        bytes: &[u8],
        format: ItemFormat,
        actor: Actor,
    ) -> Result<Ingested> {
        refuse_unreadable(name, bytes)?;
        let started = std::time::Instant::now();
        let parsed = parse_items(name, bytes, format);
        self.store_parsed(name, parsed, started, actor).await
    }

    /// Ingests the items file at `path` in bounded pages
    /// ([`claimdesk_ingest::pages`]): each page is read, stored, run through the pipeline
    /// (check-worthiness, matching, narratives, alerts) and released before the next, so
    /// memory stays the same whatever the file's size. The progress bar counts the file's
    /// bytes.
    pub async fn ingest_file(
        &self,
        path: &Path,
        format: ItemFormat,
        actor: Actor,
    ) -> Result<IngestedFile> {
        let name = path.display().to_string();
        let io = |e: std::io::Error| Error::Usage(format!("cannot read {name}: {e}"));
        let mut pages =
            claimdesk_ingest::pages::ItemPages::open(path, &name, format).map_err(io)?;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let progress = self.progress();
        progress.begin("ingest", size);
        let mut done = IngestedFile {
            stored: Ingested {
                format: "jsonl",
                counts: ImportCounts::default(),
                diagnostics: Vec::new(),
                changed: Vec::new(),
                store_time: std::time::Duration::ZERO,
            },
            changed: 0,
            report: Report::default(),
        };
        let mut first = true;
        loop {
            let started = std::time::Instant::now();
            let Some(page) = pages.next_page().map_err(io)? else {
                break;
            };
            if std::mem::replace(&mut first, false) {
                refuse_unreadable(&name, &page.bytes)?;
            }
            let read = page.bytes.len() as u64;
            drop(page.bytes);
            let stored = self
                .store_parsed(&name, page.parsed, started, actor)
                .await?;
            let report = self.process(&stored.changed, false).await?;
            let (all, r) = (&mut done.stored, &mut done.report);
            all.format = stored.format;
            let (c, p) = (&mut all.counts, &stored.counts);
            c.added += p.added;
            c.updated += p.updated;
            c.unchanged += p.unchanged;
            c.aliased += p.aliased;
            c.rejected += p.rejected;
            all.diagnostics.extend(stored.diagnostics);
            all.store_time += stored.store_time;
            done.changed += stored.changed.len() as u64;
            r.scored += report.scored;
            r.matched += report.matched;
            r.below_threshold += report.below_threshold;
            r.alerts.extend(report.alerts);
            r.match_time += report.match_time;
            r.monitor_time += report.monitor_time;
            progress.advance(read);
        }
        progress.end();
        Ok(done)
    }

    /// Stores parsed items (named `name`), keeping the rejected records and the time taken
    /// since `started`.
    async fn store_parsed(
        &self,
        name: &str,
        parsed: claimdesk_ingest::Parsed<claimdesk_core::Item>,
        started: std::time::Instant,
        actor: Actor,
    ) -> Result<Ingested> {
        let (format, diagnostics) = (parsed.format, parsed.diagnostics.clone());
        let stored =
            claimdesk_ingest::intake::store_items(&self.inner.store, name, parsed, actor).await?;
        Ok(Ingested {
            format,
            counts: stored.counts,
            diagnostics,
            changed: stored.changed,
            store_time: started.elapsed(),
        })
    }

    /// Adds desk accounts for a demo, each with a fresh random password of 20 hex
    /// characters (80 random bits, short enough to type): (username, role, password).
    pub async fn add_demo_accounts(
        &self,
        accounts: &[(&'static str, claimdesk_core::Role)],
    ) -> Result<Vec<(&'static str, claimdesk_core::Role, String)>> {
        let mut out = Vec::new();
        for &(username, role) in accounts {
            let secret = claimdesk_store::auth::Secret::generate()?;
            let password = secret.expose()[..20].to_string();
            let new = claimdesk_store::NewUser {
                username: username.to_string(),
                display_name: None,
                role,
                password: claimdesk_store::auth::hash_password(&password)?,
            };
            self.store().add_user(&new, Actor::Cli).await?;
            out.push((username, role, password));
        }
        Ok(out)
    }

    /// Recomputes every narrative and burst from the stored items (they are derived
    /// state), with the model when the ranker has it; returns how many items were read.
    pub async fn rebuild_narratives(&self) -> Result<u64> {
        let config = self.config();
        let embedder = self.ranker().await?.current().matcher().embedder();
        let (_, items) = self.inner.store.counts().await?;
        let progress = self.progress();
        progress.begin("narratives", items);
        let mut last = 0;
        let rebuilt = claimdesk_monitor::Monitor::rebuild(
            &self.inner.store,
            config.monitor(),
            config.rating_scale().clone(),
            embedder,
            &mut |done| {
                progress.advance(done.saturating_sub(last));
                last = done;
            },
        )
        .await;
        progress.end();
        Ok(rebuilt?.1)
    }

    /// The privacy check before posting (issue 21): `parts` (texts, images) checked with the
    /// config's `[privacy]` terms and allowed numbers, nothing stored; the audit trail
    /// records that `actor` ran a check and its counts (`privacy.check`), not what was
    /// checked or found.
    pub async fn check_post(&self, actor: Actor, parts: Vec<PostPart>) -> Result<PostCheck> {
        let config = self.config().privacy();
        let check = crate::post_check::check_post(self.images(), &config, parts).await?;
        self.store()
            .record_privacy_check(actor, &check.counts())
            .await?;
        Ok(check)
    }

    /// The privacy check of what publishing case `case` would publish: its verdict's claim,
    /// headline and summary, its evidence's titles and notes, and the images its verdict
    /// carries; run (and audited as `privacy.check`) as `actor` when any of these changed
    /// since the case's last check, else that check again (nothing run, nothing audited).
    pub async fn publication_check(&self, case: CaseId, actor: Actor) -> Result<PostCheck> {
        let mut parts = Vec::new();
        let mut key = std::hash::DefaultHasher::new();
        let mut text = |name: String, value: Option<String>| {
            if let Some(text) = value.filter(|t| !t.trim().is_empty()) {
                (&name, &text).hash(&mut key);
                parts.push(PostPart::Text { name, text });
            }
        };
        let verdict = self.store().case_verdict(case).await?;
        if let Some(v) = &verdict {
            text("verdict: claim".into(), Some(v.fact_check.claim.clone()));
            text("verdict: headline".into(), v.fact_check.headline.clone());
            text("verdict: summary".into(), v.fact_check.review_body.clone());
        }
        for (i, e) in self.store().evidence(case).await?.into_iter().enumerate() {
            text(format!("evidence {}: title", i + 1), e.title);
            text(format!("evidence {}: note", i + 1), e.note);
        }
        if let Some(v) = &verdict {
            for image in self.store().fact_check_images(v.id).await? {
                let bytes = claimdesk_image::Sha256Hex::parse(&image.sha256)
                    .and_then(|sha| self.images().files().get(&sha).ok().flatten());
                if let Some(bytes) = bytes {
                    image.sha256.hash(&mut key);
                    parts.push(PostPart::Image(ImageUpload {
                        name: Some(format!("verdict image {}", &image.sha256[..12])),
                        bytes,
                    }));
                }
            }
        }
        let key = key.finish();
        let kept = |checks: &HashMap<CaseId, (u64, PostCheck)>| {
            checks
                .get(&case)
                .filter(|(k, _)| *k == key)
                .map(|(_, c)| c.clone())
        };
        if let Some(check) = kept(&self.publication_checks()) {
            return Ok(check);
        }
        let check = self.check_post(actor, parts).await?;
        let mut checks = self.publication_checks();
        if checks.len() >= PUBLICATION_CHECKS_KEPT {
            checks.clear();
        }
        checks.insert(case, (key, check.clone()));
        Ok(check)
    }

    fn publication_checks(&self) -> std::sync::MutexGuard<'_, HashMap<CaseId, (u64, PostCheck)>> {
        // A panic while holding the map leaves nothing half-written: a check is inserted whole.
        self.inner
            .publication_checks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether case `case` may be published by reviewer `user` as far as its privacy check
    /// goes: clear when nothing of high severity was found and every part was checked;
    /// otherwise held ([`Error::PrivacyHold`]) unless `override_reason` says why it is
    /// published anyway, which is recorded (`privacy.override` on the case, with the
    /// counts) before the caller publishes. Returns the check.
    pub async fn clear_publication(
        &self,
        case: CaseId,
        user: UserId,
        override_reason: Option<&str>,
    ) -> Result<PostCheck> {
        let check = self.publication_check(case, Actor::User(user)).await?;
        if !check.has_high() && check.complete() {
            return Ok(check);
        }
        let counts = check.counts();
        match override_reason.filter(|r| !r.trim().is_empty()) {
            None => Err(Error::PrivacyHold {
                high: counts.high,
                incomplete: counts.incomplete,
            }),
            Some(reason) => {
                self.store()
                    .record_privacy_override(case, user, reason, &counts)
                    .await?;
                Ok(check)
            }
        }
    }

    /// `check-post`: `text` and the files at `paths` checked as [`Engine::check_post`] by
    /// the command line, each image's clean copy written into `clean_dir` when given (the
    /// paths written, in image order).
    pub async fn check_files(
        &self,
        text: Option<&str>,
        paths: &[PathBuf],
        clean_dir: Option<&Path>,
    ) -> Result<(PostCheck, Vec<Option<PathBuf>>)> {
        let parts = PostPart::gather(text, paths)?;
        let check = self.check_post(Actor::Cli, parts).await?;
        let clean = match clean_dir {
            Some(dir) => check.write_clean_copies(dir)?,
            None => vec![None; check.images.len()],
        };
        Ok((check, clean))
    }

    /// The desk's images (files, limits, OCR), set up on first use.
    pub fn images(&self) -> &ImageDesk {
        self.inner.images.get()
    }

    /// Stores an item sent with images: each image is decoded, kept under the data
    /// directory, hashed and read ([`ImageDesk::read`]); the text read joins the item's text
    /// (after it, a paragraph per image) so the pipeline sees it; the item is stored, its
    /// images recorded on it, and it goes through the pipeline. A refused image is recorded
    /// with its reason and the item's own text is kept; an item with no text of its own and
    /// none read is refused with the images' reasons.
    pub async fn add_item_with_images(
        &self,
        item: claimdesk_core::Item,
        uploads: Vec<ImageUpload>,
        actor: Actor,
    ) -> Result<ItemWithImages> {
        let stored = self
            .store_item_with_images(item, uploads, actor, "POST /api/items/upload", "multipart")
            .await?;
        let report = self.process(&stored.changed, false).await?;
        Ok(ItemWithImages {
            counts: stored.counts,
            changed: stored.changed,
            images: stored.images,
            report,
        })
    }

    /// [`Engine::add_item_with_images`] without the pipeline, for callers that run it on
    /// what they gathered (the source poller's: a drop folder's images); `origin` and
    /// `format` name where the item came from in the import log.
    pub async fn store_item_with_images(
        &self,
        item: claimdesk_core::Item,
        uploads: Vec<ImageUpload>,
        actor: Actor,
        origin: &str,
        format: &str,
    ) -> Result<StoredItemWithImages> {
        let inputs = uploads.into_iter().map(ImageInput::Bytes).collect();
        let origin = ImportSource {
            file: origin,
            format,
            diagnostics: &[],
            actor,
        };
        self.store_item_with_inputs(item, inputs, origin).await
    }

    /// [`Engine::store_item_with_images`], some images refused before reading (image URLs
    /// that could not be fetched: recorded on the item with why); `origin` is the import
    /// log's entry (with the rejected records of the request it came in, if any).
    pub async fn store_item_with_inputs(
        &self,
        mut item: claimdesk_core::Item,
        inputs: Vec<ImageInput>,
        origin: ImportSource<'_>,
    ) -> Result<StoredItemWithImages> {
        let images = self.images().read_inputs(self.store(), inputs).await?;
        item.text = ImageDesk::join_text(&item.text, ImageDesk::text_read(&images).as_deref());
        if item.text.trim().is_empty() {
            let why: Vec<String> = images
                .iter()
                .map(|r| match (&r.link.refused, &r.image) {
                    (Some(refused), _) => refused.clone(),
                    (None, Some(i)) => i
                        .ocr_note
                        .clone()
                        .unwrap_or_else(|| "no text was read from the image".into()),
                    (None, None) => "the image was not kept".into(),
                })
                .collect();
            return Err(Error::Usage(format!(
                "the item has no text and none was read from its images{}{}",
                if why.is_empty() { "" } else { ": " },
                why.join("; ")
            )));
        }
        let batch = [claimdesk_ingest::intake::new_item(item)];
        let (counts, changed) = self.store().save_items(&batch, origin).await?;
        let links: Vec<_> = images.iter().map(|r| r.link.clone()).collect();
        for id in &changed {
            self.store().set_item_images(*id, &links).await?;
        }
        Ok(StoredItemWithImages {
            counts,
            changed,
            images,
        })
    }

    /// Adds an image to a fact-check (decoded, kept, hashed and read as an item's are), so
    /// items carrying a near-duplicate of it match the fact-check. A refused image is the
    /// user's error, with its reason.
    pub async fn add_fact_check_image(
        &self,
        fact_check: FactCheckId,
        upload: ImageUpload,
    ) -> Result<ReadImage> {
        let name = upload.name.clone().unwrap_or_else(|| "the image".into());
        let mut read = self.images().read(self.store(), vec![upload]).await?;
        let read = read.pop().expect("one image in, one out");
        match (&read.link.refused, &read.image) {
            (Some(why), _) => Err(Error::Usage(format!("{name}: {why}"))),
            (None, Some(image)) => {
                self.store()
                    .add_fact_check_image(fact_check, &image.sha256)
                    .await?;
                Ok(read)
            }
            (None, None) => Err(Error::Usage(format!("{name}: the image was not kept"))),
        }
    }

    /// Runs stored items through the pipeline (check-worthiness, matching, narratives,
    /// alerts); `progress` reports it.
    pub async fn process(&self, ids: &[ItemId], progress: bool) -> Result<Report> {
        if ids.is_empty() {
            return Ok(Report::default());
        }
        self.pipeline().await?.process(ids, progress).await
    }
}

/// A file of a kind claimdesk cannot read (a spreadsheet, a PDF, binary data) as the
/// user's error, naming its kind, the formats that work and how to export CSV; nothing of
/// it is stored.
fn refuse_unreadable(name: &str, bytes: &[u8]) -> Result<()> {
    match claimdesk_ingest::unreadable_kind(name, bytes) {
        Some(kind) => Err(Error::Usage(format!(
            "{name} is {kind}, not a format claimdesk reads; nothing was stored. {}",
            claimdesk_ingest::READABLE_FORMATS
        ))),
        None => Ok(()),
    }
}

/// The verdict id of a URL of the desk's own public verdict: `…/verdicts/{id}` or
/// `…/api/factchecks/{id}.jsonld` (query and fragment ignored), on the host of `public_url`
/// when it is set.
fn own_verdict_id(url: &str, public_url: Option<&str>) -> Option<i64> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if let Some(public) = public_url {
        let public = public
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let public_host = public.split('/').next().unwrap_or(public);
        if !host.eq_ignore_ascii_case(public_host) {
            return None;
        }
    }
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .trim_end_matches('/');
    let id = path
        .strip_prefix("verdicts/")
        .or_else(|| {
            path.strip_prefix("api/factchecks/")
                .and_then(|p| p.strip_suffix(".jsonld"))
        })
        .or_else(|| path.rsplit_once("/verdicts/").map(|(_, id)| id))?;
    id.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod own_verdict_tests {
    use super::own_verdict_id;

    #[test]
    fn the_desks_verdict_urls_are_recognized() {
        for (url, public, id) in [
            ("https://desk.example/verdicts/7", None, Some(7)),
            (
                "http://127.0.0.1:8080/api/factchecks/12.jsonld",
                None,
                Some(12),
            ),
            (
                "https://desk.example/verdicts/7?lang=vi#x",
                Some("https://desk.example"),
                Some(7),
            ),
            (
                "https://other.example/verdicts/7",
                Some("https://desk.example/"),
                None,
            ),
            ("https://desk.example/verdicts/seven", None, None),
            ("https://desk.example/factchecks/7", None, None),
            ("ftp://desk.example/verdicts/7", None, None),
        ] {
            assert_eq!(own_verdict_id(url, public), id, "{url}");
        }
    }
}
