//! Who does the work that must have one writer when several processes share a database:
//! placing items in narratives and running the alert rules, polling the sources, delivering
//! webhooks and digests, signing checkpoints, looking back after a fact-check changes. One
//! process at a time holds the lead ([`LeadStore::try_lead`]); the others serve requests and
//! score and match intake (which is leased item by item, see
//! [`ItemStore::claim_pending`](crate::ItemStore::claim_pending)) and try again now and then,
//! so when the holder dies another takes over.
//!
//! On PostgreSQL the lead is a session advisory lock, held on a connection of its own for as
//! long as that connection lives: a process that dies, or loses the connection, loses the
//! lead with it, and the server gives it to the next process that asks. The lock is per schema,
//! so desks sharing a database in different schemas each have their own. On SQLite, one file
//! is one process's desk, and the process at hand always leads.

use std::future::Future;

use crate::Result;

/// Taking the lead.
pub trait LeadStore {
    /// The lead, when no other process holds it; `None` when one does.
    fn try_lead(&self) -> impl Future<Output = Result<Option<Lead>>> + Send;
}

/// The lead, held until dropped (or until its connection is lost: see [`Lead::holds`]).
#[derive(Debug)]
pub struct Lead {
    pub(crate) held: Held,
}

#[derive(Debug)]
pub(crate) enum Held {
    /// The only process of an embedded store.
    Local,
    /// A session advisory lock on this connection.
    Postgres(sqlx::PgConnection),
}

impl Lead {
    /// Whether the lead is still held: always for an embedded store; on PostgreSQL, whether
    /// the connection holding the lock still answers (when it does not, the server has let
    /// the lock go with the session, and another process may hold it now).
    pub async fn holds(&mut self) -> bool {
        match &mut self.held {
            Held::Local => true,
            Held::Postgres(conn) => sqlx::query("SELECT 1").execute(conn).await.is_ok(),
        }
    }
}

/// Wakes a process that follows the fact-check revision when another process changes it.
/// On PostgreSQL, a `LISTEN` on the channel the database announces revisions on (migration
/// `postgres/0005`); a lost connection is opened again, and what was announced meanwhile
/// is missed, so followers still poll. On SQLite, it never wakes (followers poll the file).
#[derive(Debug)]
pub struct RevisionListener {
    pub(crate) listener: Option<sqlx::postgres::PgListener>,
}

impl RevisionListener {
    /// The channel fact-check revisions are announced on.
    pub(crate) const CHANNEL: &'static str = "claimdesk_factcheck_revision";

    /// Waits for the next announcement (forever on SQLite). An error means the connection
    /// was lost; the next call opens it again.
    pub async fn changed(&mut self) -> Result<()> {
        match &mut self.listener {
            Some(l) => {
                l.recv().await?;
                Ok(())
            }
            None => std::future::pending().await,
        }
    }
}
