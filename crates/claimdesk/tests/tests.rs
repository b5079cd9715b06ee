//! Black-box tests of the `claimdesk` binary: every test runs the real program on a fresh data
//! directory and asserts on what a user sees (exit code, stdout, stderr, files).

mod accounts;
mod bad_input;
mod config;
mod detection;
mod formats;
mod live;
mod matching;
mod monitoring;
mod newcomer;
mod privacy;
mod semantic;
mod sources;
mod util;
mod vietnamese;
