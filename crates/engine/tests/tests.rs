//! The engine over temporary data directories: the live ranker, the look-back, the backlog.

mod backlog;
mod database;
mod briefing;
mod digest_mail;
mod fuzz_corpus;
mod live;
mod watch;
