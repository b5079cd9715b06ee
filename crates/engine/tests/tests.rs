//! The engine over temporary data directories: the live ranker, the look-back, the backlog.

mod backlog;
mod briefing;
mod database;
mod digest_mail;
mod fuzz_corpus;
mod images;
mod live;
mod privacy;
mod watch;
