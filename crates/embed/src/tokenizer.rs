//! The XLM-R SentencePiece unigram tokenizer, rebuilt from the pieces, scores and normalization
//! map stored in the model file.
//!
//! Steps: Unicode NFC; the file's per-code-point map (nmt_nfkc rules); runs of spaces collapsed;
//! each space becomes `▁` and a `▁` is prepended (metaspace); a Viterbi segmentation of every
//! `▁`-word over the pieces, with the same order and ties as the Hugging Face `tokenizers`
//! `Unigram` model; adjacent unknown characters fuse into one `<unk>`. Literal `<s>` or `<mask>`
//! in a text are plain characters.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use xxhash_rust::xxh3::Xxh3DefaultBuilder;

use crate::file::TokenizerSpec;

const META: char = '\u{2581}';

/// Turns text into the model's token ids.
#[derive(Debug)]
pub struct Tokenizer {
    vocab: HashMap<String, (u32, f64), Xxh3DefaultBuilder>,
    pieces: Vec<String>,
    normalization: HashMap<char, String>,
    unk_score: f64,
    max_piece_chars: usize,
    /// `<s>`.
    pub bos: u32,
    /// `</s>`.
    pub eos: u32,
    /// `<pad>`.
    pub pad: u32,
    /// `<unk>`.
    pub unk: u32,
}

impl Tokenizer {
    /// Builds the tokenizer from the model file's tokenizer section.
    pub fn new(spec: &TokenizerSpec) -> Tokenizer {
        let control = [spec.bos, spec.eos, spec.unk, spec.pad];
        let mut vocab =
            HashMap::with_capacity_and_hasher(spec.pieces.len(), Xxh3DefaultBuilder::new());
        let mut max_piece_chars = 1;
        for (id, (piece, &score)) in spec.pieces.iter().zip(&spec.scores).enumerate() {
            let id = id as u32;
            if control.contains(&id) || piece == "<mask>" {
                continue;
            }
            max_piece_chars = max_piece_chars.max(piece.chars().count());
            vocab.insert(piece.clone(), (id, score as f64));
        }
        let min_score = spec
            .scores
            .iter()
            .fold(f64::INFINITY, |m, &s| m.min(s as f64));
        Tokenizer {
            vocab,
            pieces: spec.pieces.clone(),
            normalization: spec.normalization.clone(),
            unk_score: min_score - 10.0,
            max_piece_chars,
            bos: spec.bos,
            eos: spec.eos,
            pad: spec.pad,
            unk: spec.unk,
        }
    }

    /// The piece with this id (for explanations and tests).
    pub fn piece(&self, id: u32) -> &str {
        self.pieces.get(id as usize).map_or("", String::as_str)
    }

    /// The text after normalization and metaspace, e.g. `▁Xin▁chào`.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        let mut last_space = false;
        for c in text.nfc() {
            let mapped = self.normalization.get(&c);
            let mut push = |c: char| {
                if c == ' ' {
                    if !last_space {
                        out.push(META);
                    }
                    last_space = true;
                } else {
                    out.push(c);
                    last_space = false;
                }
            };
            match mapped {
                Some(s) => s.chars().for_each(&mut push),
                None => push(c),
            }
        }
        if !out.is_empty() && !out.starts_with(META) {
            out.insert(0, META);
        }
        out
    }

    /// Token ids for `text` without `<s>`/`</s>` and without truncation.
    pub fn pieces_of(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalize(text);
        let mut ids = Vec::with_capacity(normalized.len() / 3);
        let mut starts = normalized.match_indices(META).map(|(i, _)| i).peekable();
        while let Some(start) = starts.next() {
            let end = starts.peek().copied().unwrap_or(normalized.len());
            self.viterbi(&normalized[start..end], &mut ids);
        }
        ids
    }

    /// `<s>` + pieces + `</s>`, cut to `max_len` tokens in all.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut pieces = self.pieces_of(text);
        pieces.truncate(max_len.saturating_sub(2));
        let mut ids = Vec::with_capacity(pieces.len() + 2);
        ids.push(self.bos);
        ids.extend(pieces);
        ids.push(self.eos);
        ids
    }

    /// Appends the best-scoring segmentation of one `▁`-word; ties keep the first path found.
    fn viterbi(&self, word: &str, out: &mut Vec<u32>) {
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain([word.len()])
            .collect();
        let n = bounds.len() - 1;
        let mut best: Vec<Option<f64>> = vec![None; n + 1];
        let mut back: Vec<(usize, u32)> = vec![(0, 0); n + 1];
        best[0] = Some(0.0);
        for i in 0..n {
            let base = best[i].expect("every position is reachable through single characters");
            let mut single = false;
            for j in i + 1..=n.min(i + self.max_piece_chars) {
                if let Some(&(id, score)) = self.vocab.get(&word[bounds[i]..bounds[j]]) {
                    let s = base + score;
                    if best[j].is_none_or(|b| s > b) {
                        best[j] = Some(s);
                        back[j] = (i, id);
                    }
                    single |= j == i + 1;
                }
            }
            if !single {
                let s = base + self.unk_score;
                if best[i + 1].is_none_or(|b| s > b) {
                    best[i + 1] = Some(s);
                    back[i + 1] = (i, self.unk);
                }
            }
        }
        let start = out.len();
        let mut j = n;
        while j > 0 {
            let (i, id) = back[j];
            if !(id == self.unk && out.len() > start && out[out.len() - 1] == self.unk) {
                out.push(id);
            }
            j = i;
        }
        out[start..].reverse();
    }
}
