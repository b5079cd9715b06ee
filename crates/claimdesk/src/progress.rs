//! Progress bars on stderr, for the engine's long work and the binary's own.

use std::sync::Mutex;

use claimdesk_engine::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with `message` and the time spent.
pub fn spinner(message: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
    );
    pb.set_message(message.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// A bar of `len` steps.
pub fn bar(len: u64, message: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .expect("valid template"),
    );
    pb.set_message(message.to_string());
    pb
}

/// The engine's stages as bars, one at a time.
#[derive(Default)]
pub struct Bars(Mutex<Option<ProgressBar>>);

impl Progress for Bars {
    fn begin(&self, stage: &str, len: u64) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar(len, stage));
    }

    fn advance(&self, n: u64) {
        if let Some(pb) = &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            pb.inc(n);
        }
    }

    fn end(&self) {
        if let Some(pb) = self.0.lock().unwrap_or_else(|e| e.into_inner()).take() {
            pb.finish_and_clear();
        }
    }
}
