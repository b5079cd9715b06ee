//! The sign-in rate limiter: failed sign-ins counted per client address and username, in
//! memory, with a bounded number of fixed-size keys.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Failed sign-ins allowed per (client address, username) in a 15-minute window.
pub const MAX_FAILED_LOGINS: usize = 5;

/// Failed sign-ins allowed per client address, whatever the usernames, in the same window.
pub const MAX_FAILED_LOGINS_PER_ADDRESS: usize = 20;

/// What failures are counted by: the client's address, the address with a username (both
/// limited), and the username alone (which only slows answers down, so that nobody can
/// lock an account's owner out by failing on purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginKey<'a> {
    /// Every failure from one address.
    Address(&'a str),
    /// The failures of one username from one address.
    AddressUser(&'a str, &'a str),
    /// The failures of one username from anywhere.
    User(&'a str),
}

/// Longest part of a key that is hashed: usernames are at most 64 characters, and an
/// attacker's 190 KB username costs no more than a short one.
const MAX_KEY_PART: usize = 256;

impl LoginKey<'_> {
    /// A fixed-size digest of the key (SHA-256, first 16 bytes), so the limiter's memory
    /// does not depend on what a client sends.
    fn digest(self) -> [u8; 16] {
        let cut = |s: &str| {
            let mut end = s.len().min(MAX_KEY_PART);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_lowercase()
        };
        let mut h = Sha256::new();
        match self {
            LoginKey::Address(a) => h.update(format!("ip\0{}", cut(a))),
            LoginKey::AddressUser(a, u) => h.update(format!("ipuser\0{}\0{}", cut(a), cut(u))),
            LoginKey::User(u) => h.update(format!("user\0{}", cut(u))),
        }
        let full = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// How many failures in the window refuse further tries; `None`: never refused.
    fn limit(self) -> Option<usize> {
        match self {
            LoginKey::Address(_) => Some(MAX_FAILED_LOGINS_PER_ADDRESS),
            LoginKey::AddressUser(..) => Some(MAX_FAILED_LOGINS),
            LoginKey::User(_) => None,
        }
    }
}

/// Counts failed sign-ins per key in memory, forgetting those older than the window. Keys
/// are fixed-size digests and the map holds at most [`LoginLimiter::MAX_KEYS`] of them: when
/// full, expired keys go first, then the half whose last failure is oldest.
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<[u8; 16], VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// How long a failure counts.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Most keys kept.
    pub const MAX_KEYS: usize = 50_000;
    /// Failures kept per key: enough for every limit and for the slowest delay.
    const KEEP: usize = 32;
    /// The delay before answering a failed sign-in grows per failure of the username beyond
    /// [`MAX_FAILED_LOGINS`], from this...
    const FIRST_DELAY: Duration = Duration::from_millis(250);
    /// ...to at most this.
    const MAX_DELAY: Duration = Duration::from_secs(4);

    /// Whether any of `keys` has reached its limit.
    pub fn blocked(&self, keys: &[LoginKey<'_>]) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|k| {
            let Some(limit) = k.limit() else {
                return false;
            };
            map.get_mut(&k.digest()).is_some_and(|q| {
                prune(q, now);
                q.len() >= limit
            })
        })
    }

    /// Records a failure for each of `keys` and says how long to wait before answering it:
    /// nothing for the first failures of a username, then a delay doubling per failure.
    pub fn failed(&self, keys: &[LoginKey<'_>]) -> Duration {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() + keys.len() > Self::MAX_KEYS {
            shrink(&mut map, now);
        }
        let mut delay = Duration::ZERO;
        for k in keys {
            let q = map.entry(k.digest()).or_default();
            prune(q, now);
            q.push_back(now);
            while q.len() > Self::KEEP {
                q.pop_front();
            }
            if let LoginKey::User(_) = k
                && let Some(over) = q.len().checked_sub(MAX_FAILED_LOGINS + 1)
            {
                let d = Self::FIRST_DELAY.saturating_mul(1u32 << over.min(16));
                delay = d.min(Self::MAX_DELAY);
            }
        }
        delay
    }

    /// Forgets the failures of `key` (a successful sign-in).
    pub fn forget(&self, key: LoginKey<'_>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&key.digest());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.failures.lock().unwrap().len()
    }

    /// Bytes the keys take.
    #[cfg(test)]
    fn key_bytes(&self) -> usize {
        self.failures.lock().unwrap().keys().map(|k| k.len()).sum()
    }
}

/// Makes room in a full map: drops expired keys, then, if that was not enough, the half of
/// the keys whose last failure is oldest (so a flood of new keys costs amortized O(1)).
fn shrink(map: &mut HashMap<[u8; 16], VecDeque<Instant>>, now: Instant) {
    map.retain(|_, q| {
        prune(q, now);
        !q.is_empty()
    });
    if map.len() < LoginLimiter::MAX_KEYS / 2 {
        return;
    }
    let mut last: Vec<Instant> = map.values().filter_map(|q| q.back().copied()).collect();
    let half = last.len() / 2;
    let (_, cut, _) = last.select_nth_unstable(half);
    let cut = *cut;
    map.retain(|_, q| q.back().is_some_and(|t| *t > cut));
}

fn prune(q: &mut VecDeque<Instant>, now: Instant) {
    while q
        .front()
        .is_some_and(|t| now.duration_since(*t) >= LoginLimiter::WINDOW)
    {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_is_blocked_and_other_keys_are_not() {
        let l = LoginLimiter::default();
        let keys = [
            LoginKey::Address("10.0.0.1"),
            LoginKey::AddressUser("10.0.0.1", "ana"),
            LoginKey::User("ana"),
        ];
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(!l.blocked(&keys));
            assert_eq!(l.failed(&keys), Duration::ZERO);
        }
        assert!(l.blocked(&keys));
        assert!(l.blocked(&[LoginKey::AddressUser("10.0.0.1", "ANA")]));
        assert!(!l.blocked(&[LoginKey::AddressUser("10.0.0.1", "bob")]));
        // The username alone never blocks: its owner signs in from elsewhere.
        assert!(!l.blocked(&[LoginKey::User("ana"), LoginKey::Address("10.0.0.2")]));
        // It slows failures down instead, more with each.
        let first = l.failed(&keys);
        let second = l.failed(&keys);
        assert!(
            first > Duration::ZERO && second > first,
            "{first:?} {second:?}"
        );
        l.forget(LoginKey::AddressUser("10.0.0.1", "ana"));
        assert!(!l.blocked(&[LoginKey::AddressUser("10.0.0.1", "ana")]));
        assert_eq!(l.len(), 2);
    }

    /// Issue 15, finding 7: 750 failed sign-ins with 190 KB usernames grew the server by
    /// 227 MB; the map kept every key whole and swept only expired ones.
    #[test]
    fn regression_the_limiter_keeps_a_bounded_number_of_small_keys() {
        let l = LoginLimiter::default();
        let long = "x".repeat(190 * 1024);
        l.failed(&[LoginKey::User(&long)]);
        assert!(l.key_bytes() <= 64, "{} bytes of keys", l.key_bytes());
        for i in 0..60_000 {
            let name = i.to_string();
            l.failed(&[LoginKey::AddressUser("10.0.0.1", &name)]);
        }
        assert!(l.len() <= LoginLimiter::MAX_KEYS, "{} keys", l.len());
        // The newest failures are the ones kept.
        for _ in 1..MAX_FAILED_LOGINS {
            l.failed(&[LoginKey::AddressUser("10.0.0.1", "59999")]);
        }
        assert!(l.blocked(&[LoginKey::AddressUser("10.0.0.1", "59999")]));
    }
}
