//! claimdesk's source of truth: fact-checks, items, matches, the desk (users, sessions, API
//! tokens, cases, desk-written verdicts) and the hash-chained audit trail.
//!
//! The seam is a set of role traits, each a few related async methods, each method one
//! transaction:
//!
//! | trait | holds |
//! |---|---|
//! | [`FactCheckStore`] | fact-checks, their duplicate groups and the revision the index follows |
//! | [`EmbeddingStore`] | the embedding cache (vectors by model and text hash) |
//! | [`ItemStore`] | items, check-worthiness, stored matches, the queue, the intake backlog |
//! | [`UserStore`] | users, sessions, API tokens |
//! | [`CaseStore`] | cases, notes, evidence, desk-written verdicts, the workflow policy |
//! | [`AuditStore`] | the audit trail and the import log |
//! | [`SourceStore`] | watched feeds and drop folders, their poll state |
//! | [`MonitorStore`] | narratives, bursts, alerts, webhooks and their delivery log |
//! | [`DigestStore`] | the log of scheduled digests mailed |
//! | [`ImageStore`] | images on items and fact-checks: hashes, text read, links |
//! | [`StatsStore`] | the desk's figures: counters per hour and the work read from cases |
//!
//! [`Store`] is all of them, for callers that need everything; a function that needs one
//! role asks for that trait. Callers are generic over the traits (the methods return
//! `impl Future + Send`, so there are no trait objects); they never name a backend.
//! [`SqliteStore`] is the embedded default (one file in the data directory, migrations
//! compiled in), one file per role under `sqlite/`; [`PgStore`] implements the same traits
//! on PostgreSQL with the same SQL shapes, one file per role under `postgres/`, its own
//! migrations under `migrations/postgres/`. [`AnyStore`] holds either, chosen by URL, and
//! implements every trait by delegation: it is what a desk opens. Only this crate speaks
//! SQL. [`auth`] hashes passwords and makes tokens.
//!
//! Architecture invariants: everything else (the lexical index, caches) is derived from what
//! this store holds and carries the store revision it reflects. Every data change appends
//! its [`AuditEvent`](claimdesk_core::AuditEvent) in the same transaction as the change
//! (through one helper per backend: begin, authorize, write, append, commit); the workflow rules
//! of [`claimdesk_core::workflow`] and the role permissions are checked here, whichever front
//! end asks.

#![warn(missing_docs)]

mod any;
mod audit;
pub mod auth;
mod cases;
pub mod digests;
mod embeddings;
mod error;
mod factchecks;
pub mod images;
mod items;
mod lead;
mod monitor;
mod postgres;
mod search;
pub mod sources;
mod sqlite;
pub mod stats;
mod users;

pub use any::AnyStore;
pub use audit::{
    AuditFilter, AuditStore, ImportRecord, ImportSource, PrivacyCheckCounts, witnessed_checkpoints,
};
pub use auth::{PasswordHash, Secret, TokenHash};
pub use cases::{
    CaseFilter, CaseStore, DraftFactCheck, NewCase, NewEvidence, WorkflowPolicy, verdict_case,
};
pub use digests::{DigestAttempt, DigestStore};
pub use embeddings::EmbeddingStore;
pub use error::{DatabaseError, Error, Result};
pub use factchecks::{FactCheckChange, FactCheckStore, NewFactCheck};
pub use images::{ImageStore, ItemImage, ItemImageHash, NewItemImage, StoredImage};
pub use items::{
    COUNT_LIMIT, FACET_SOURCES, INTAKE_LEASE_MS, ItemFacets, ItemFilter, ItemStore, MatchStatus,
    NewItem, Page, PageRequest, QueueEntry, StoredMatch, WORTHINESS_LEVELS,
};
pub use lead::{Lead, LeadStore, RevisionListener};
pub use monitor::{
    AlertDecision, AlertFilter, AlertState, Assigned, Delivery, DeliveryAttempt, DueDelivery,
    HourlyVolume, MonitorStore, NarrativeAlert, NarrativeAssignment, NarrativeDetail,
    NarrativeFactCheck, NarrativeFilter, NarrativeIndex, NarrativeItem, NarrativeSummary, NewAlert,
    NextAttempt, Representative, Tally, Webhook,
};
pub use postgres::PgStore;
pub use postgres::transfer::CopyReport;
pub use sources::{
    NewSource, PollOutcome, PollRecord, Source, SourceHealth, SourceId, SourceKind, SourceStore,
};
pub use sqlite::SqliteStore;
pub use stats::{Metric, Period, StatsStore};
pub use users::{ApiToken, NewApiToken, NewSession, NewUser, Session, UserStore};

/// Every role at once, for callers that need the whole store (the engine holds one).
/// Implemented for every type that implements all the role traits.
pub trait Store:
    FactCheckStore
    + EmbeddingStore
    + ItemStore
    + UserStore
    + CaseStore
    + AuditStore
    + SourceStore
    + MonitorStore
    + StatsStore
    + DigestStore
    + LeadStore
    + ImageStore
{
}

impl<T> Store for T where
    T: FactCheckStore
        + EmbeddingStore
        + ItemStore
        + UserStore
        + CaseStore
        + AuditStore
        + SourceStore
        + MonitorStore
        + StatsStore
        + DigestStore
        + LeadStore
        + ImageStore
{
}

/// The role traits, to bring their methods into scope on a concrete store:
/// `use claimdesk_store::prelude::*;`. (A generic `S: Store` has them without it.)
pub mod prelude {
    pub use crate::{
        AuditStore, CaseStore, DigestStore, EmbeddingStore, FactCheckStore, ImageStore, ItemStore,
        LeadStore, MonitorStore, SourceStore, StatsStore, Store, UserStore,
    };
}
