//! The architecture of the claimdesk workspace, checked: `tests/tidy.rs` reads every crate's
//! `Cargo.toml` and sources and fails when a rule of `ARCHITECTURE.md` is broken (as
//! rust-analyzer's tidy tests do). There is no code here and nothing depends on this crate;
//! it is a crate of its own so the checks build in a second, depend on nothing they check,
//! and cover every crate alike (`cargo test -p claimdesk-tidy`).
