//! What the public reads, without signing in: the published verdicts as pages
//! (`/verdicts`, `/verdicts/{id}`), as ClaimReview JSON-LD (`/api/factchecks/{id}.jsonld`)
//! and as feeds (`/feeds/verdicts.{rss,atom,json}`); and the audit trail's signed checkpoints
//! for witnesses ([`audit`], under `/.well-known/claimdesk/`).
//!
//! Only published fact-checks are shown: imported ones and desk-written verdicts whose case
//! is published. A draft's id answers 404, exactly like an id that does not exist, so the
//! public cannot learn which drafts exist.
//!
//! [`published`] is what they share (which fact-checks are public, their addresses, caching),
//! [`pages`] the verdict pages, [`feeds`] the feeds, [`jsonld`] the ClaimReview.

pub(crate) mod audit;
pub(crate) mod feeds;
pub(crate) mod jsonld;
pub(crate) mod pages;
pub(crate) mod published;
