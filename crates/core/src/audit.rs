//! The audit trail: every change at the desk is one [`AuditEvent`], and each event's hash
//! covers its predecessor's, so editing or deleting a stored event breaks the chain where it
//! happened. [`ChainVerifier`] walks the chain and names the first event that does not fit.
//!
//! # Canonical encoding
//!
//! `hash` is the lowercase hex SHA-256 of the bytes `claimdesk-audit-v1\n` followed by these
//! eight fields in order: `seq` (decimal ASCII), `at`, `actor`, `action`, `subject`, `before`,
//! `after`, `prev_hash`. Each field is written as one tag byte (`0` absent, `1` present) and,
//! when present, its length in bytes as a big-endian `u64` and then its UTF-8 bytes. Only
//! `before` and `after` can be absent. The first event's `prev_hash` is [`GENESIS_HASH`]
//! (64 zeros). This encoding never changes: stored hashes must stay verifiable.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"claimdesk-audit-v1\n";

/// One change at the desk, as the audit trail stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Position in the trail: 1, 2, 3, ... without gaps.
    pub seq: i64,
    /// When (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// Who (an [`crate::Actor`] in its `user:ID` / `cli` / `system` form).
    pub actor: String,
    /// What, as `area.verb` (`case.transition`, `user.add`, `import`, ...).
    pub action: String,
    /// What it was done to, as `kind:ID` (`case:12`, `user:3`, `import:7`).
    pub subject: String,
    /// The relevant state before, as JSON text (absent for creations).
    pub before: Option<String>,
    /// The relevant state after, as JSON text.
    pub after: Option<String>,
    /// The hash of the event before (64 zeros for the first).
    pub prev_hash: String,
    /// The hash of this event (see the module docs for the encoding).
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event should have, from its other fields.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        let seq = self.seq.to_string();
        let fields = [
            Some(seq.as_str()),
            Some(self.at.as_str()),
            Some(self.actor.as_str()),
            Some(self.action.as_str()),
            Some(self.subject.as_str()),
            self.before.as_deref(),
            self.after.as_deref(),
            Some(self.prev_hash.as_str()),
        ];
        for field in fields {
            match field {
                None => h.update([0u8]),
                Some(s) => {
                    h.update([1u8]);
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
            }
        }
        hex(&h.finalize())
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// The first place where the stored trail does not fit its chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditProblem {
    /// The event's hash does not match its content, or its `prev_hash` does not match the
    /// event before it: it was edited, or the one before was deleted and the rest renumbered.
    Edited {
        /// The event.
        seq: i64,
        /// Its action, as stored.
        action: String,
        /// Its time, as stored.
        at: String,
    },
    /// An event is missing from the middle of the trail.
    Missing {
        /// The missing event.
        seq: i64,
    },
    /// The trail ends before the last event the store recorded.
    Truncated {
        /// The last event present (0 when none is).
        last: i64,
        /// The last event the store recorded.
        recorded: i64,
    },
}

impl fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditProblem::Edited { seq, action, at } => write!(
                f,
                "event {seq} ({action} at {at}) was edited or its predecessor was deleted"
            ),
            AuditProblem::Missing { seq } => write!(f, "event {seq} was deleted"),
            AuditProblem::Truncated { last, recorded } => write!(
                f,
                "the trail ends at event {last} but {recorded} were recorded: event {} and later \
                 were deleted",
                last + 1
            ),
        }
    }
}

/// The result of checking the whole trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Events checked.
    pub events: u64,
    /// The first problem found, if any.
    pub problem: Option<AuditProblem>,
}

impl AuditReport {
    /// True when every event fits the chain.
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// Walks the trail in `seq` order, one event at a time (so a long trail is checked in pages).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
    events: u64,
    problem: Option<AuditProblem>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting event 1 after [`GENESIS_HASH`].
    pub fn new() -> ChainVerifier {
        ChainVerifier {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            events: 0,
            problem: None,
        }
    }

    /// Checks the next stored event. Returns false once a problem is found (later events
    /// are not checked: the first break is the one to investigate).
    pub fn push(&mut self, event: &AuditEvent) -> bool {
        if self.problem.is_some() {
            return false;
        }
        self.events += 1;
        if event.seq > self.next_seq {
            self.problem = Some(AuditProblem::Missing { seq: self.next_seq });
            return false;
        }
        if event.seq < self.next_seq
            || event.prev_hash != self.prev_hash
            || event.compute_hash() != event.hash
        {
            self.problem = Some(AuditProblem::Edited {
                seq: event.seq,
                action: event.action.clone(),
                at: event.at.clone(),
            });
            return false;
        }
        self.next_seq = event.seq + 1;
        self.prev_hash.clone_from(&event.hash);
        true
    }

    /// The report, given the last `seq` the store recorded (which catches deleted events at
    /// the end of the trail).
    pub fn finish(self, recorded_last: i64) -> AuditReport {
        let last = self.next_seq - 1;
        let problem = self.problem.or_else(|| {
            (recorded_last > last).then_some(AuditProblem::Truncated {
                last,
                recorded: recorded_last,
            })
        });
        AuditReport {
            events: self.events,
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    seq,
                    at: format!("2026-11-30T10:00:{seq:02}.000Z"),
                    actor: "cli".into(),
                    action: "case.note".into(),
                    subject: "case:1".into(),
                    before: None,
                    after: Some(format!("{{\"n\":{seq}}}")),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent], recorded: i64) -> AuditReport {
        let mut v = ChainVerifier::new();
        for e in events {
            v.push(e);
        }
        v.finish(recorded)
    }

    #[test]
    fn the_hash_is_the_documented_encoding() {
        let e = &chain(1)[0];
        let mut bytes = b"claimdesk-audit-v1\n".to_vec();
        for f in [
            Some("1"),
            Some(e.at.as_str()),
            Some("cli"),
            Some("case.note"),
            Some("case:1"),
            None,
            Some("{\"n\":1}"),
            Some(GENESIS_HASH),
        ] {
            match f {
                None => bytes.push(0),
                Some(s) => {
                    bytes.push(1);
                    bytes.extend((s.len() as u64).to_be_bytes());
                    bytes.extend(s.as_bytes());
                }
            }
        }
        assert_eq!(e.hash, hex(&Sha256::digest(&bytes)));
        assert_eq!(e.hash.len(), 64);
    }

    #[test]
    fn absent_and_empty_hash_differently() {
        let mut e = chain(1).remove(0);
        e.before = Some(String::new());
        assert_ne!(e.compute_hash(), e.hash);
    }

    #[test]
    fn an_intact_chain_verifies() {
        let r = verify(&chain(5), 5);
        assert_eq!(r.events, 5);
        assert!(r.is_intact());
        assert!(verify(&[], 0).is_intact());
    }

    #[test]
    fn an_edit_is_named() {
        let mut c = chain(5);
        c[2].after = Some("{\"n\":99}".into());
        let p = verify(&c, 5).problem.unwrap();
        assert_eq!(
            p.to_string(),
            "event 3 (case.note at 2026-11-30T10:00:03.000Z) was edited or its predecessor was \
             deleted"
        );
        // Recomputing the edited event's hash moves the break to its successor.
        c[2].hash = c[2].compute_hash();
        let p = verify(&c, 5).problem.unwrap();
        assert!(matches!(p, AuditProblem::Edited { seq: 4, .. }), "{p:?}");
    }

    #[test]
    fn deletions_are_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c, 5).problem,
            Some(AuditProblem::Missing { seq: 2 })
        );
        let c = chain(5);
        assert_eq!(
            verify(&c[..3], 5).problem,
            Some(AuditProblem::Truncated {
                last: 3,
                recorded: 5
            })
        );
        assert_eq!(
            verify(&c[1..], 5).problem,
            Some(AuditProblem::Missing { seq: 1 })
        );
    }
}
