//! Guarded outgoing HTTP: the only way claimdesk reaches the network.
//!
//! [`GuardedClient`] resolves each host through a [`Resolver`] (the system's, or one a test
//! controls), refuses the request when any address is internal ([`policy`]), and connects
//! only to the addresses it checked: reqwest's own resolver is replaced by the checked table,
//! so there is no second lookup for a DNS-rebinding answer to slip into. Redirects are
//! followed by hand (at most [`FetchConfig::max_redirects`]), each hop checked again; only
//! http and https; bodies are read in chunks up to a size cap; the whole exchange has one
//! time cap. [`AllowList`] (the config's `[fetch] allow`) opens named hosts or CIDR blocks.
//!
//! Architecture invariant: no other code in claimdesk opens an outgoing connection.

mod client;
mod error;
mod image;
pub mod policy;
mod resolver;

pub use client::{Conditional, FetchConfig, Fetched, GuardedClient};
pub use error::{ALLOW_SETTING, FetchError};
pub use image::{FetchedImage, ImageFetchError, fetch_image};
pub use policy::{AllowList, BlockReason, Cidr};
pub use resolver::{Resolver, Resolving, StaticResolver, SystemResolver};
