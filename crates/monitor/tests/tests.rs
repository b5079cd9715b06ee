//! The monitor's integration tests: real SQLite stores, a real loopback HTTP server.

mod util;
