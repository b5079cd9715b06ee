//! How long work reports its progress: the binary draws bars, the server and tests draw
//! nothing. One stage at a time.
//!
//! Layer 0: imports no other module of the crate.

/// Receives the progress of one stage at a time (embedding, matching, narratives).
pub trait Progress: Send + Sync {
    /// A stage of `len` steps begins.
    fn begin(&self, stage: &str, len: u64);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
    /// The stage is over.
    fn end(&self);
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn end(&self) {}
}
