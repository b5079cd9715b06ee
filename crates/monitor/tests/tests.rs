//! The monitor's integration tests: real SQLite stores in temporary directories, and a real
//! loopback HTTP server for webhooks.

mod alerts;
mod narratives;
mod util;
mod webhooks;
