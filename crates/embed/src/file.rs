//! Reads the E5S1 model file: header, tokenizer section and a directory of f32 or Q4_0 tensors
//! (little-endian throughout; the layout is described in the module docs of [`crate::e5`]).

use std::collections::HashMap;
use std::path::Path;

use half::f16;

use crate::EmbedError;

/// Weights per Q4_0 block.
pub const Q4_BLOCK: usize = 32;
/// Bytes per Q4_0 block: an f16 scale and 16 bytes of nibbles.
pub const Q4_BLOCK_BYTES: usize = 18;

/// The model's shape, from the file header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Hidden width (384).
    pub hidden: usize,
    /// Encoder layers (12).
    pub layers: usize,
    /// Attention heads (12).
    pub heads: usize,
    /// Feed-forward width (1536).
    pub intermediate: usize,
    /// Rows of the word-embedding table.
    pub vocab: usize,
    /// Longest sequence, in tokens, including `<s>` and `</s>` (512).
    pub max_positions: usize,
    /// Rows of the token-type table.
    pub type_vocab: usize,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f64,
}

/// The tokenizer section: unigram pieces with log-probabilities and a normalization map.
#[derive(Debug, Clone)]
pub struct TokenizerSpec {
    /// Pieces by id.
    pub pieces: Vec<String>,
    /// Unigram log-probabilities by id.
    pub scores: Vec<f32>,
    /// Per-code-point replacements applied after NFC (SentencePiece's nmt_nfkc rules).
    pub normalization: HashMap<char, String>,
    /// `<s>`.
    pub bos: u32,
    /// `</s>`.
    pub eos: u32,
    /// `<pad>`.
    pub pad: u32,
    /// `<unk>`.
    pub unk: u32,
}

/// One stored tensor.
#[derive(Debug, Clone)]
pub enum RawTensor {
    /// Plain f32 values.
    F32(Vec<f32>),
    /// Q4_0 blocks, [`Q4_BLOCK_BYTES`] bytes per [`Q4_BLOCK`] values.
    Q4(Vec<u8>),
}

impl RawTensor {
    /// The values as f32 (Q4_0 blocks dequantized exactly).
    pub fn to_f32(&self) -> Vec<f32> {
        match self {
            RawTensor::F32(v) => v.clone(),
            RawTensor::Q4(bytes) => {
                let mut out = vec![0.0; bytes.len() / Q4_BLOCK_BYTES * Q4_BLOCK];
                dequantize_q4(bytes, &mut out);
                out
            }
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            RawTensor::F32(v) => v.len(),
            RawTensor::Q4(bytes) => bytes.len() / Q4_BLOCK_BYTES * Q4_BLOCK,
        }
    }

    /// True when the tensor holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Dequantizes Q4_0 blocks into `out` (`out.len()` = 32 × blocks): the low nibble of byte j is
/// weight j, the high nibble weight j + 16; value = (q − 8) · scale.
pub fn dequantize_q4(blocks: &[u8], out: &mut [f32]) {
    for (block, out) in blocks
        .chunks_exact(Q4_BLOCK_BYTES)
        .zip(out.chunks_exact_mut(Q4_BLOCK))
    {
        let scale = f16::from_le_bytes([block[0], block[1]]).to_f32();
        for (j, &byte) in block[2..].iter().enumerate() {
            out[j] = ((byte & 15) as f32 - 8.0) * scale;
            out[j + 16] = ((byte >> 4) as f32 - 8.0) * scale;
        }
    }
}

/// Everything an E5S1 file holds.
#[derive(Debug)]
pub struct ModelFile {
    /// The header.
    pub config: Config,
    /// The tokenizer section.
    pub tokenizer: TokenizerSpec,
    /// Tensors by name (`emb.word`, `l0.q.w`, ...).
    pub tensors: HashMap<String, RawTensor>,
}

impl ModelFile {
    /// Reads and checks an E5S1 file.
    pub fn read(path: &Path) -> Result<ModelFile, EmbedError> {
        let bytes = std::fs::read(path).map_err(|source| EmbedError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&bytes).map_err(|message| EmbedError::Format {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses the bytes of an E5S1 file; the error says what is wrong and at which byte.
    pub fn parse(bytes: &[u8]) -> Result<ModelFile, String> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4)? != b"E5S1" {
            return Err("not an E5S1 file (the first 4 bytes are not `E5S1`)".into());
        }
        let version = r.u32()?;
        if version != 1 {
            return Err(format!(
                "E5S1 version {version} is not supported (expected 1)"
            ));
        }
        let mut dims = [0usize; 7];
        for d in &mut dims {
            *d = r.count("a header dimension")?;
        }
        let eps = r.f32()? as f64;
        let block = r.i32()?;
        if block != Q4_BLOCK as i32 {
            return Err(format!(
                "quantization block {block} is not supported (expected 32)"
            ));
        }
        let config = Config {
            hidden: dims[0],
            layers: dims[1],
            heads: dims[2],
            intermediate: dims[3],
            vocab: dims[4],
            max_positions: dims[5],
            type_vocab: dims[6],
            layer_norm_eps: eps,
        };
        if config.heads == 0 || !config.hidden.is_multiple_of(config.heads) {
            return Err(format!(
                "{} heads do not divide hidden width {}",
                config.heads, config.hidden
            ));
        }

        let n = r.count("the number of tokenizer pieces")?;
        let (bos, eos, pad, unk) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?);
        let blob_len = r.u64()? as usize;
        let offsets: Vec<usize> = (0..=n)
            .map(|_| r.u32().map(|v| v as usize))
            .collect::<Result<_, _>>()?;
        let scores: Vec<f32> = (0..n).map(|_| r.f32()).collect::<Result<_, _>>()?;
        let blob_at = r.pos;
        let blob = r.take(blob_len)?;
        // Capacities never exceed what the file could hold: a corrupt count is an error
        // at its end, not an allocation of its size.
        let mut pieces = Vec::with_capacity(n.min(blob.len()));
        for w in offsets.windows(2) {
            let piece = blob.get(w[0]..w[1]).ok_or_else(|| {
                format!(
                    "piece {} lies outside the piece blob at byte {blob_at}",
                    pieces.len()
                )
            })?;
            let piece = std::str::from_utf8(piece).map_err(|_| {
                format!(
                    "piece {} is not UTF-8 (blob at byte {blob_at})",
                    pieces.len()
                )
            })?;
            pieces.push(piece.to_owned());
        }
        let n_norm = r.count("the number of normalization rules")?;
        let _norm_bytes = r.u32()?;
        let mut normalization = HashMap::with_capacity(n_norm.min(bytes.len() / 5));
        for _ in 0..n_norm {
            let at = r.pos;
            let from = char::from_u32(r.u32()?).ok_or(format!("bad code point at byte {at}"))?;
            let k = r.take(1)?[0] as usize;
            let mut to = String::new();
            for _ in 0..k {
                to.push(char::from_u32(r.u32()?).ok_or(format!("bad code point near byte {at}"))?);
            }
            normalization.insert(from, to);
        }

        let n_tensors = r.count("the number of tensors")?;
        let mut tensors = HashMap::with_capacity(n_tensors.min(bytes.len() / 23));
        for _ in 0..n_tensors {
            let len = r.u16()? as usize;
            let name = std::str::from_utf8(r.take(len)?)
                .map_err(|_| format!("tensor name at byte {} is not UTF-8", r.pos - len))?
                .to_owned();
            let dtype = r.take(1)?[0];
            let count = r.u32()? as usize;
            let offset = r.u64()? as usize;
            let nbytes = r.u64()? as usize;
            let data = bytes
                .get(offset..offset.saturating_add(nbytes))
                .ok_or_else(|| format!("tensor `{name}` lies beyond the end of the file"))?;
            let tensor = match dtype {
                0 => {
                    if count.checked_mul(4) != Some(nbytes) {
                        return Err(format!(
                            "tensor `{name}`: {nbytes} bytes for {count} f32 values"
                        ));
                    }
                    RawTensor::F32(
                        data.chunks_exact(4)
                            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                            .collect(),
                    )
                }
                1 => {
                    if count.div_ceil(Q4_BLOCK).checked_mul(Q4_BLOCK_BYTES) != Some(nbytes) {
                        return Err(format!(
                            "tensor `{name}`: {nbytes} bytes for {count} Q4_0 values"
                        ));
                    }
                    RawTensor::Q4(data.to_vec())
                }
                other => return Err(format!("tensor `{name}` has unknown dtype {other}")),
            };
            tensors.insert(name, tensor);
        }
        Ok(ModelFile {
            config,
            tokenizer: TokenizerSpec {
                pieces,
                scores,
                normalization,
                bos,
                eos,
                pad,
                unk,
            },
            tensors,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| {
            format!(
                "file ends at byte {} while {n} more bytes were expected",
                self.bytes.len()
            )
        })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().unwrap())
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    /// A count or size stored as i32: negative is an error naming `what`.
    fn count(&mut self, what: &str) -> Result<usize, String> {
        let at = self.pos;
        let v = self.i32()?;
        usize::try_from(v).map_err(|_| format!("{what} at byte {at} is negative ({v})"))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.array()?))
    }
}
