//! Integration tests of claimdesk-ingest: the guarded client against refused addresses,
//! and the poller against a feed server on loopback and a drop folder, over a real SQLite
//! store.

mod feed_server;
mod folder;
mod polling;
mod ssrf;
