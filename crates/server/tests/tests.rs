//! The server through `Router::oneshot`, over a real SQLite store in a temporary directory.

mod api;
mod auth;
mod check;
mod dashboard;
mod errors;
mod exports;
mod image_urls;
mod images;
mod interop;
mod lookback;
mod monitoring;
mod openapi;
mod ops;
mod pages;
mod public;
mod security;
mod usability;
mod util;
mod withdrawal;
mod workflow;
