//! The engine over temporary data directories: the live ranker, the look-back, the backlog.

mod backlog;
mod fuzz_corpus;
mod live;
mod watch;
