//! Near-duplicate fingerprints and the duplicate key.
//!
//! SimHash (64 bits) over word 3-shingles of the folded, unstemmed words. Each shingle is
//! hashed with xxh3-64 (seed 0), a specified algorithm, so fingerprints stored today still
//! compare correctly after any dependency upgrade. Two texts whose fingerprints differ in few
//! bits say nearly the same thing in nearly the same words: a copy, a quote, a light edit.

use std::borrow::Cow;

use xxhash_rust::xxh3::xxh3_64;

use crate::normalize::fold_normalized;
use crate::tokenize::{Word, WordKind, words};

/// A 64-bit SimHash fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    /// Number of differing bits (0 = same shingles, 32 = unrelated on average).
    pub fn distance(self, other: Fingerprint) -> u32 {
        (self.0 ^ other.0).count_ones()
    }
}

/// Shingle width in words.
const SHINGLE: usize = 3;

/// Calls `f` with the xxh3-64 hash (seed 0) of each shingle of `folded`: each run of
/// [`SHINGLE`] words (all of them when there are fewer), joined by single spaces. The one
/// shingle definition of SimHash and MinHash: stored fingerprints and signatures depend on
/// it, so it never changes.
pub(crate) fn for_each_shingle_hash(folded: &[Cow<'_, str>], mut f: impl FnMut(u64)) {
    let width = SHINGLE.min(folded.len()).max(1);
    let mut buf = String::new();
    for shingle in folded.windows(width) {
        buf.clear();
        for (i, w) in shingle.iter().enumerate() {
            if i > 0 {
                buf.push(' ');
            }
            buf.push_str(w);
        }
        f(xxh3_64(buf.as_bytes()));
    }
}

/// The fingerprint of a text; `None` when it has no words.
///
/// ```
/// use claimdesk_text::fingerprint;
/// let a = fingerprint("Uống nước chanh nóng mỗi sáng chữa khỏi ung thư giai đoạn cuối").unwrap();
/// let b = fingerprint("uong nuoc chanh nong moi sang chua khoi ung thu giai doan cuoi!!").unwrap();
/// assert_eq!(a.distance(b), 0);
/// ```
pub fn fingerprint(text: &str) -> Option<Fingerprint> {
    fingerprint_words(&words(text))
}

/// The words fingerprints are made of: accent-folded, link domains left out (shared by
/// SimHash and MinHash so both see the same text).
pub(crate) fn folded_words(words: &[Word]) -> Vec<Cow<'_, str>> {
    words
        .iter()
        .filter(|w| w.kind != WordKind::Domain)
        .map(|w| {
            if w.text.is_ascii() {
                Cow::Borrowed(w.text.as_str())
            } else {
                Cow::Owned(fold_normalized(&w.text))
            }
        })
        .collect()
}

/// [`fingerprint`] of words already split (see [`crate::Analysis`]).
pub fn fingerprint_words(words: &[Word]) -> Option<Fingerprint> {
    let folded = folded_words(words);
    if folded.is_empty() {
        return None;
    }
    let mut counts = [0i32; 64];
    for_each_shingle_hash(&folded, |h| {
        for (bit, count) in counts.iter_mut().enumerate() {
            *count += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    });
    let mut fp = 0u64;
    for (bit, count) in counts.iter().enumerate() {
        if *count > 0 {
            fp |= 1 << bit;
        }
    }
    Some(Fingerprint(fp))
}

/// The key under which fact-checks count as the same: the exact-form words of the text
/// (diacritics kept, case, quotes and punctuation ignored), hashed with xxh3-64 as 16 hex
/// digits. Ids 2 and 867 of the CLEF claim file differ only in quote style and share a key.
///
/// ```
/// use claimdesk_text::duplicate_key;
/// assert_eq!(duplicate_key("A \"big\" claim."), duplicate_key("a 'big' claim"));
/// assert_ne!(duplicate_key("Bệnh viện"), duplicate_key("Benh vien"));
/// ```
pub fn duplicate_key(text: &str) -> String {
    let mut joined = String::new();
    for w in words(text) {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(&w.text);
    }
    format!("{:016x}", xxh3_64(joined.as_bytes()))
}
