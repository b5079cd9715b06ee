//! claimdesk watches what comes in: it groups items that say the same thing into
//! narratives, flags a narrative when many sources post near-identical text in a short
//! window (the copy-paste burst signal), raises alerts, and sends them to webhooks as signed
//! JSON.
//!
//! - [`cluster`]: online clustering by SimHash fingerprint, and by embedding when the model
//!   is present.
//! - [`signal`]: the burst and growth-rate measures over a narrative's time line.
//! - [`rules`]: which alerts an item or a narrative raises.
//! - [`webhook`]: signing, the [`webhook::WebhookTransport`] seam, delivery with retries.
//! - [`Monitor`]: the three together over a [`claimdesk_store::Store`]; call
//!   [`Monitor::observe`] after an item is stored and matched.
//!
//! Architecture invariant: claimdesk detects and shows a copy-paste flood; nothing here
//! posts, comments, reports or contacts anyone. The only outgoing requests are alerts to the
//! webhook endpoints the desk configured.
//!
//! Architecture invariant: narratives and bursts are derived from the stored items;
//! [`Monitor::rebuild`] recomputes them, with the same ids.

#![warn(missing_docs)]

pub mod cluster;
mod monitor;
pub mod rules;
pub mod settings;
pub mod signal;
pub mod webhook;

pub use monitor::{Monitor, Observation};
pub use settings::{AlertSettings, ClusterSettings, MonitorSettings, SettingsError, WebhookPolicy};

/// What can go wrong while monitoring.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] claimdesk_store::Error),
    /// The model failed to embed an item.
    #[error("the model could not embed an item: {0}")]
    Embed(#[from] claimdesk_embed::EmbedError),
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
