//! Signed checkpoints of the audit chain, and their check against a stored trail.
//!
//! The hash chain ([`crate::audit`]) shows an edit only to someone who kept an earlier head:
//! whoever can write the database can delete the tail, or edit an event and recompute every
//! later hash. A [`Checkpoint`] states the head at some moment (the last event's `seq` and
//! hash), signed with the desk's Ed25519 key, which lives outside the database. Copies of the
//! checkpoints kept elsewhere (a partner, a cron job: *witnesses*) then pin the history up to
//! the last one copied, as Certificate Transparency's signed tree heads do.
//!
//! # Signed bytes
//!
//! The signature covers `claimdesk-audit-checkpoint-v1\n` followed by `seq` (decimal ASCII),
//! `hash`, `at` and `key_id`, each as a big-endian `u64` length and its UTF-8 bytes. `key_id`
//! is the first 16 hex digits of the SHA-256 of the 32-byte public key. Keys are written as
//! 64 lowercase hex digits (the secret key's 32-byte seed, or the public key).
//!
//! # Witness lines
//!
//! A [`WitnessedCheckpoint`] is one line of `claimdesk audit checkpoints`: the checkpoint plus
//! `since` (the `seq` of the checkpoint before it, 0 for the first) and `hashes`, the chain
//! hashes of events `since + 1 ..= seq` in order. Hashes reveal nothing of the events, and
//! let [`WitnessVerifier`] name the first stored event that differs from what was witnessed.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::hex;

const DOMAIN: &[u8] = b"claimdesk-audit-checkpoint-v1\n";

/// A key was not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an Ed25519 key: {0}")]
pub struct KeyError(String);

fn parse_32(text: &str) -> Result<[u8; 32], KeyError> {
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError("expected 64 hex digits".into()));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte =
            u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|e| KeyError(e.to_string()))?;
    }
    Ok(out)
}

/// The desk's secret signing key.
#[derive(Clone)]
pub struct CheckpointSigner(SigningKey);

impl fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CheckpointSigner({})", self.public().key_id())
    }
}

impl CheckpointSigner {
    /// The key with this 32-byte seed (from the operating system's randomness).
    pub fn from_seed(seed: [u8; 32]) -> CheckpointSigner {
        CheckpointSigner(SigningKey::from_bytes(&seed))
    }

    /// Reads a key file's text: the seed as 64 hex digits.
    pub fn from_hex(text: &str) -> Result<CheckpointSigner, KeyError> {
        parse_32(text).map(CheckpointSigner::from_seed)
    }

    /// The seed as 64 hex digits, as the key file holds it.
    pub fn to_hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    /// The public half.
    pub fn public(&self) -> CheckpointKey {
        CheckpointKey(self.0.verifying_key())
    }

    /// Signs the head `(seq, hash)` as of `at`.
    pub fn sign(&self, seq: i64, hash: &str, at: &str) -> Checkpoint {
        let key_id = self.public().key_id();
        let signature = self.0.sign(&signed_bytes(seq, hash, at, &key_id));
        Checkpoint {
            seq,
            hash: hash.to_string(),
            at: at.to_string(),
            key_id,
            signature: hex(&signature.to_bytes()),
        }
    }
}

/// The desk's public key: what a witness checks checkpoints with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointKey(VerifyingKey);

impl CheckpointKey {
    /// Reads a public key: 64 hex digits.
    pub fn from_hex(text: &str) -> Result<CheckpointKey, KeyError> {
        VerifyingKey::from_bytes(&parse_32(text)?)
            .map(CheckpointKey)
            .map_err(|e| KeyError(e.to_string()))
    }

    /// The key as 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    /// The first 16 hex digits of the key's SHA-256.
    pub fn key_id(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))[..16].to_string()
    }

    /// True when `checkpoint` was signed by this key.
    pub fn verifies(&self, checkpoint: &Checkpoint) -> bool {
        if checkpoint.key_id != self.key_id() || checkpoint.signature.len() != 128 {
            return false;
        }
        let (Ok(a), Ok(b)) = (
            parse_32(&checkpoint.signature[..64]),
            parse_32(&checkpoint.signature[64..]),
        ) else {
            return false;
        };
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&a);
        bytes[32..].copy_from_slice(&b);
        let bytes_signed = signed_bytes(
            checkpoint.seq,
            &checkpoint.hash,
            &checkpoint.at,
            &checkpoint.key_id,
        );
        self.0
            .verify(&bytes_signed, &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

fn signed_bytes(seq: i64, hash: &str, at: &str, key_id: &str) -> Vec<u8> {
    let mut out = DOMAIN.to_vec();
    for field in [seq.to_string().as_str(), hash, at, key_id] {
        out.extend((field.len() as u64).to_be_bytes());
        out.extend(field.as_bytes());
    }
    out
}

/// A signed statement of the audit chain's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last event covered.
    pub seq: i64,
    /// That event's chain hash.
    pub hash: String,
    /// When it was signed (RFC 3339, UTC).
    pub at: String,
    /// Which key signed it (see [`CheckpointKey::key_id`]).
    pub key_id: String,
    /// The Ed25519 signature of the signed bytes, 128 hex digits.
    pub signature: String,
}

/// One exported line: a checkpoint and the chain hashes since the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessedCheckpoint {
    /// The checkpoint.
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
    /// The `seq` of the checkpoint before (0 for the first).
    pub since: i64,
    /// The chain hashes of events `since + 1 ..= checkpoint.seq`, in order.
    pub hashes: Vec<String>,
}

/// What a witness's copy shows wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WitnessProblem {
    /// A line that is not a witnessed checkpoint.
    Unreadable {
        /// Line number, from 1.
        line: usize,
        /// Why.
        reason: String,
    },
    /// A line whose signature does not verify with the desk's key: forged or altered.
    BadSignature {
        /// Line number, from 1.
        line: usize,
        /// The `seq` it claims.
        seq: i64,
    },
    /// A line whose hashes do not end at its checkpoint or do not fill `since ..= seq`.
    Inconsistent {
        /// Line number, from 1.
        line: usize,
        /// The `seq` it claims.
        seq: i64,
    },
    /// The stored event's hash differs from the witnessed one: this event and everything
    /// after it was rewritten (edited, or an earlier one deleted and the rest renumbered).
    Rewritten {
        /// The first event that differs.
        seq: i64,
    },
    /// A witnessed event is not in the store (deleted, with the counter lowered or not).
    Missing {
        /// The first witnessed event missing.
        seq: i64,
    },
}

impl WitnessProblem {
    /// The event sequence number the problem is about.
    pub fn seq(&self) -> Option<i64> {
        match self {
            WitnessProblem::Unreadable { .. } => None,
            WitnessProblem::BadSignature { seq, .. }
            | WitnessProblem::Inconsistent { seq, .. }
            | WitnessProblem::Rewritten { seq }
            | WitnessProblem::Missing { seq } => Some(*seq),
        }
    }
}

impl fmt::Display for WitnessProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WitnessProblem::Unreadable { line, reason } => {
                write!(f, "line {line}: not a checkpoint ({reason})")
            }
            WitnessProblem::BadSignature { line, seq } => write!(
                f,
                "line {line}: the checkpoint of event {seq} is not signed by the desk's key \
                 (forged or altered)"
            ),
            WitnessProblem::Inconsistent { line, seq } => write!(
                f,
                "line {line}: the hashes listed with the checkpoint of event {seq} do not end \
                 at it"
            ),
            WitnessProblem::Rewritten { seq } => write!(
                f,
                "event {seq} differs from the witnessed one: it and the events after it were \
                 rewritten"
            ),
            WitnessProblem::Missing { seq } => write!(
                f,
                "event {seq} was witnessed but is not stored: it was deleted"
            ),
        }
    }
}

/// The result of checking a stored trail against a witness's copy of the checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessReport {
    /// Checkpoints whose signature verified.
    pub checkpoints: usize,
    /// The last event a verified checkpoint covers (0 when none).
    pub witnessed_to: i64,
    /// Every line problem, then the first stored event that does not match (if any).
    pub problems: Vec<WitnessProblem>,
}

impl WitnessReport {
    /// True when every line verified and the store holds every witnessed event.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// The first event of the store that does not match the witness.
    pub fn first_bad_seq(&self) -> Option<i64> {
        self.problems.iter().find_map(|p| match p {
            WitnessProblem::Rewritten { seq } | WitnessProblem::Missing { seq } => Some(*seq),
            _ => None,
        })
    }
}

/// Checks a stored trail against witnessed checkpoints: feed it the lines
/// ([`WitnessVerifier::add_line`]), then the stored `(seq, hash)` pairs in `seq` order
/// ([`WitnessVerifier::push_stored`]), then [`WitnessVerifier::finish`].
#[derive(Debug)]
pub struct WitnessVerifier {
    key: CheckpointKey,
    lines: usize,
    checkpoints: usize,
    witnessed_to: i64,
    /// Witnessed hash by seq, from verified lines only.
    expected: BTreeMap<i64, String>,
    /// The next expected seq not yet matched against the store.
    cursor: i64,
    problems: Vec<WitnessProblem>,
    chain_problem: Option<WitnessProblem>,
}

impl WitnessVerifier {
    /// A verifier for checkpoints signed with `key`.
    pub fn new(key: CheckpointKey) -> WitnessVerifier {
        WitnessVerifier {
            key,
            lines: 0,
            checkpoints: 0,
            witnessed_to: 0,
            expected: BTreeMap::new(),
            cursor: 0,
            problems: Vec::new(),
            chain_problem: None,
        }
    }

    /// Reads the next line of a witness's copy (blank lines are skipped).
    pub fn add_line(&mut self, text: &str) {
        self.lines += 1;
        let line = self.lines;
        if text.trim().is_empty() {
            return;
        }
        let w: WitnessedCheckpoint = match serde_json::from_str(text) {
            Ok(w) => w,
            Err(e) => {
                self.problems.push(WitnessProblem::Unreadable {
                    line,
                    reason: e.to_string(),
                });
                return;
            }
        };
        let seq = w.checkpoint.seq;
        if !self.key.verifies(&w.checkpoint) {
            self.problems
                .push(WitnessProblem::BadSignature { line, seq });
            return;
        }
        self.checkpoints += 1;
        self.witnessed_to = self.witnessed_to.max(seq);
        let consistent = w.since >= 0
            && w.hashes.len() as i64 == seq - w.since
            && w.hashes.last().is_none_or(|h| *h == w.checkpoint.hash);
        if !consistent {
            self.problems
                .push(WitnessProblem::Inconsistent { line, seq });
            // The signed head alone is still a witness.
            self.expected.insert(seq, w.checkpoint.hash);
            return;
        }
        for (i, hash) in w.hashes.into_iter().enumerate() {
            self.expected.insert(w.since + 1 + i as i64, hash);
        }
    }

    /// Checks the next stored event (in `seq` order). Returns false once a difference is
    /// found: the first one is the one to name.
    pub fn push_stored(&mut self, seq: i64, hash: &str) -> bool {
        if self.chain_problem.is_some() {
            return false;
        }
        // The first witnessed event not matched yet: before this one means it is missing.
        if let Some((&want_seq, want_hash)) = self.expected.range(self.cursor..).next() {
            if want_seq < seq {
                self.chain_problem = Some(WitnessProblem::Missing { seq: want_seq });
                return false;
            }
            if want_seq == seq && *want_hash != hash {
                self.chain_problem = Some(WitnessProblem::Rewritten { seq });
                return false;
            }
        }
        self.cursor = seq + 1;
        true
    }

    /// The report: line problems, then the first stored event that does not match (a
    /// witnessed event past the stored trail's end counts as missing).
    pub fn finish(mut self) -> WitnessReport {
        let missing = self
            .expected
            .range(self.cursor..)
            .next()
            .map(|(&seq, _)| WitnessProblem::Missing { seq });
        if let Some(p) = self.chain_problem.or(missing) {
            self.problems.push(p);
        }
        WitnessReport {
            checkpoints: self.checkpoints,
            witnessed_to: self.witnessed_to,
            problems: self.problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> CheckpointSigner {
        CheckpointSigner::from_seed([7; 32])
    }

    fn hashes(n: i64, tag: &str) -> Vec<String> {
        (1..=n)
            .map(|i| hex(&Sha256::digest(format!("{tag}{i}"))))
            .collect()
    }

    fn line(s: &CheckpointSigner, all: &[String], since: i64, seq: i64) -> String {
        let cp = s.sign(seq, &all[seq as usize - 1], "2026-12-05T03:00:00.000Z");
        serde_json::to_string(&WitnessedCheckpoint {
            checkpoint: cp,
            since,
            hashes: all[since as usize..seq as usize].to_vec(),
        })
        .unwrap()
    }

    fn check(lines: &[String], stored: &[(i64, String)]) -> WitnessReport {
        let mut v = WitnessVerifier::new(signer().public());
        for l in lines {
            v.add_line(l);
        }
        for (seq, h) in stored {
            if !v.push_stored(*seq, h) {
                break;
            }
        }
        v.finish()
    }

    fn numbered(h: &[String]) -> Vec<(i64, String)> {
        h.iter()
            .enumerate()
            .map(|(i, h)| (i as i64 + 1, h.clone()))
            .collect()
    }

    #[test]
    fn keys_round_trip_and_sign() {
        let s = signer();
        let again = CheckpointSigner::from_hex(&s.to_hex()).unwrap();
        assert_eq!(again.public(), s.public());
        let public = CheckpointKey::from_hex(&s.public().to_hex()).unwrap();
        let cp = s.sign(3, "ab", "2026-12-05T03:00:00.000Z");
        assert!(public.verifies(&cp));
        assert_eq!(cp.key_id.len(), 16);
        let mut forged = cp.clone();
        forged.seq = 2;
        assert!(!public.verifies(&forged));
        let other = CheckpointSigner::from_seed([8; 32]).public();
        assert!(!other.verifies(&cp));
        assert!(CheckpointKey::from_hex("zz").is_err());
    }

    #[test]
    fn an_unchanged_store_and_a_longer_one_pass() {
        let h = hashes(10, "a");
        let lines = [line(&signer(), &h, 0, 4), line(&signer(), &h, 4, 8)];
        let r = check(&lines, &numbered(&h));
        assert!(r.is_intact(), "{r:?}");
        assert_eq!((r.checkpoints, r.witnessed_to), (2, 8));
    }

    #[test]
    fn the_four_rewrites_name_their_first_event() {
        let h = hashes(10, "a");
        let lines = [line(&signer(), &h, 0, 4), line(&signer(), &h, 4, 8)];
        // (a) the tail deleted from 6 on.
        assert_eq!(check(&lines, &numbered(&h[..5])).first_bad_seq(), Some(6));
        // (b) event 3 edited and the rest re-chained: every hash from 3 on differs.
        let mut b = h.clone();
        for (i, x) in hashes(10, "b").into_iter().enumerate().skip(2) {
            b[i] = x;
        }
        assert_eq!(check(&lines, &numbered(&b)).first_bad_seq(), Some(3));
        // (c) event 2 deleted, the rest renumbered and re-chained: one fewer event.
        let c = numbered(&hashes(9, "c"));
        let mut c2 = numbered(&h[..1]);
        c2.extend(c.into_iter().skip(1));
        assert_eq!(check(&lines, &c2).first_bad_seq(), Some(2));
        // An event deleted without renumbering.
        let mut gap = numbered(&h);
        gap.remove(4);
        assert_eq!(check(&lines, &gap).first_bad_seq(), Some(5));
        // (d) everything deleted.
        let r = check(&lines, &[]);
        assert_eq!(r.first_bad_seq(), Some(1));
        assert_eq!(
            r.problems[0].to_string(),
            "event 1 was witnessed but is not stored: it was deleted"
        );
    }

    #[test]
    fn a_forged_line_is_named_and_ignored() {
        let h = hashes(6, "a");
        let mut forged: WitnessedCheckpoint =
            serde_json::from_str(&line(&signer(), &h, 0, 6)).unwrap();
        forged.checkpoint.hash = "00".repeat(32);
        forged.hashes[5] = forged.checkpoint.hash.clone();
        let lines = [
            serde_json::to_string(&forged).unwrap(),
            "not json".to_string(),
            line(&CheckpointSigner::from_seed([9; 32]), &h, 0, 3),
        ];
        let r = check(&lines, &numbered(&h));
        assert_eq!(r.checkpoints, 0);
        assert!(matches!(
            r.problems[0],
            WitnessProblem::BadSignature { line: 1, seq: 6 }
        ));
        assert!(matches!(
            r.problems[1],
            WitnessProblem::Unreadable { line: 2, .. }
        ));
        assert!(matches!(
            r.problems[2],
            WitnessProblem::BadSignature { line: 3, seq: 3 }
        ));
        assert_eq!(r.first_bad_seq(), None);
    }
}
