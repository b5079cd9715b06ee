//! MinHash signatures of a text's word 3-shingles, for finding near-identical texts when
//! a few words were added, cut or changed (a copy with a prefix or a hashtag).
//!
//! The shingles are those of [`crate::fingerprint`] (folded words, domains left out). Each
//! shingle is hashed once with xxh3-64 (seed 0); the `i`-th of the [`MINHASH_SIZE`] hash
//! functions is splitmix64 of that hash plus `i` times the golden ratio constant, and the
//! signature keeps the minimum of each, truncated to 32 bits. A specified algorithm:
//! signatures stored today compare correctly after any dependency upgrade. The share of
//! equal positions in two signatures estimates the Jaccard similarity of their shingle sets.

use crate::tokenize::words;

/// Hash functions (positions) in a signature.
pub const MINHASH_SIZE: usize = 64;

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// A MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MinHash(pub [u32; MINHASH_SIZE]);

impl MinHash {
    /// The estimated Jaccard similarity of the two texts' shingle sets, in [0, 1].
    pub fn similarity(&self, other: &MinHash) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / MINHASH_SIZE as f32
    }

    /// The signature as bytes (little-endian u32s), for storing.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A signature from [`MinHash::to_bytes`]; `None` when the length is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Option<MinHash> {
        if bytes.len() != MINHASH_SIZE * 4 {
            return None;
        }
        let mut out = [0u32; MINHASH_SIZE];
        for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
            *o = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        Some(MinHash(out))
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The MinHash signature of a text; `None` when it has no words.
///
/// ```
/// use claimdesk_text::minhash;
/// let claim = "uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư trong ba tuần";
/// let a = minhash(claim).unwrap();
/// let b = minhash(&format!("CHIA SẺ GẤP!! {claim}")).unwrap();
/// assert!(a.similarity(&b) > 0.6);
/// let c = minhash("the city council approved a new budget for public transport").unwrap();
/// assert!(a.similarity(&c) < 0.1);
/// ```
pub fn minhash(text: &str) -> Option<MinHash> {
    let all = words(text);
    let folded = crate::fingerprint::folded_words(&all);
    if folded.is_empty() {
        return None;
    }
    let mut sig = [u32::MAX; MINHASH_SIZE];
    crate::fingerprint::for_each_shingle_hash(&folded, |h| {
        for (i, slot) in sig.iter_mut().enumerate() {
            let v = splitmix64(h.wrapping_add((i as u64).wrapping_mul(GOLDEN))) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    });
    Some(MinHash(sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_give_the_same_signature() {
        assert_eq!(minhash("Nước chanh!"), minhash("nuoc chanh"));
        assert_eq!(minhash("  "), None);
    }

    #[test]
    fn bytes_round_trip() {
        let m = minhash("một hai ba bốn năm").unwrap();
        assert_eq!(MinHash::from_bytes(&m.to_bytes()), Some(m));
        assert_eq!(MinHash::from_bytes(&[1, 2, 3]), None);
    }
}
