//! claimdesk's text pipeline: Unicode and Vietnamese normalization, tokenization into index
//! terms, language identification and near-duplicate fingerprints (SimHash and MinHash);
//! sentence splitting and the hand-written cues of check-worthy claims.
//!
//! No I/O, and no input makes it panic (property-tested). The order is fixed: [`clean`] (NFC),
//! [`normalize`] (lowercase, canonical Vietnamese tones), then either the exact or the
//! [`fold`]ed form, then [`terms`] and [`bigrams`].

#![warn(missing_docs)]

mod claim_cues;
mod fingerprint;
mod lang;
pub mod links;
mod minhash;
mod normalize;
mod sentences;
mod tokenize;

pub use claim_cues::{CUE_NAMES, CUE_SIGNS, ClaimCues, NUM_CUES};
pub use fingerprint::{Fingerprint, duplicate_key, fingerprint, fingerprint_words};
pub use lang::{Language, detect_language};
pub use minhash::{MINHASH_SIZE, MinHash, minhash};
pub use normalize::{clean, fold, fold_normalized, normalize};
pub use sentences::{Sentence, sentences};
pub use tokenize::{
    Analysis, Form, Word, WordKind, bigrams, for_each_word, is_stopword, term, terms, words,
};
