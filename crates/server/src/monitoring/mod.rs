//! Narratives, their copy-paste bursts, and alerts: the desk's pages ([`pages`]:
//! `/narratives`, `/narratives/{id}`, `/alerts`) and the same data in the JSON API ([`api`]),
//! over the types of [`views`] read by [`load`]. Read-only: the monitor (claimdesk-monitor)
//! writes them; the desk shows them and contacts no one.

pub(crate) mod api;
pub(crate) mod load;
pub(crate) mod pages;
pub(crate) mod views;
