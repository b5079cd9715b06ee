//! The BERT encoder of multilingual-e5-small (post-LayerNorm, 12 layers) on candle tensors.
//!
//! The word-embedding table stays in its 4-bit Q4_0 blocks (54 MB instead of 384 MB as f32)
//! and only looked-up rows are dequantized; every other weight is dequantized to f32 once.

use std::collections::HashMap;

use candle_core::{D, DType, Device, Tensor};

use crate::EmbedError;
use crate::file::{Config, ModelFile, Q4_BLOCK, Q4_BLOCK_BYTES, RawTensor, dequantize_q4};

/// A dense layer `y = x·Wᵀ + b`, with `Wᵀ` stored contiguous as [in, out].
struct Linear {
    weight_t: Tensor,
    bias: Tensor,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_t)?.broadcast_add(&self.bias)
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps)
    }
}

struct Layer {
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The encoder with its weights loaded.
pub struct Bert {
    config: Config,
    word_q4: Vec<u8>,
    row_blocks: usize,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
}

impl Bert {
    /// Takes the weights out of a parsed model file.
    pub fn new(file: &mut ModelFile) -> Result<Bert, EmbedError> {
        let config = file.config;
        let h = config.hidden;
        let mut w = Weights {
            tensors: &mut file.tensors,
            device: Device::Cpu,
            eps: config.layer_norm_eps as f32,
        };
        let word_q4 = match w.take("emb.word")? {
            RawTensor::Q4(bytes) if bytes.len() == config.vocab * h / Q4_BLOCK * Q4_BLOCK_BYTES => {
                bytes
            }
            _ => {
                return Err(EmbedError::Model(
                    "tensor `emb.word` is not a Q4_0 table of vocab × hidden".into(),
                ));
            }
        };
        let position = w.vector("emb.pos", config.max_positions * h)?;
        let token_type = w.vector("emb.type", config.type_vocab * h)?;
        let embedding_norm = w.norm("emb.ln", h)?;
        let mut layers = Vec::with_capacity(config.layers);
        for i in 0..config.layers {
            layers.push(Layer {
                qkv: w.linear(i, &["q", "k", "v"], h)?,
                attention_out: w.linear(i, &["ao"], h)?,
                attention_norm: w.norm(&format!("l{i}.aln"), h)?,
                intermediate: w.linear(i, &["fi"], h)?,
                output: w.linear(i, &["fo"], config.intermediate)?,
                output_norm: w.norm(&format!("l{i}.oln"), h)?,
            });
        }
        Ok(Bert {
            config,
            row_blocks: h / Q4_BLOCK,
            word_q4,
            position,
            token_type,
            embedding_norm,
            layers,
            device: w.device,
        })
    }

    /// The model's shape.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Embeds a batch of token sequences (each ≤ `max_positions` long): mean-pooled over real
    /// tokens and L2-normalized, one row of `hidden` values per sequence.
    pub fn forward(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let h = self.config.hidden;
        let b = batch.len();
        let l = batch.iter().map(|s| s.len()).max().unwrap_or(0);
        if b == 0 || l == 0 {
            return Ok(vec![vec![0.0; h]; b]);
        }
        if l > self.config.max_positions {
            return Err(EmbedError::Model(format!(
                "a sequence of {l} tokens exceeds {}",
                self.config.max_positions
            )));
        }
        let mut x = vec![0f32; b * l * h];
        let mut mask_bias = vec![0f32; b * l];
        for (s, seq) in batch.iter().enumerate() {
            for p in 0..l {
                let row = &mut x[(s * l + p) * h..(s * l + p + 1) * h];
                match seq.get(p) {
                    Some(&id) => {
                        let id = id as usize;
                        if id >= self.config.vocab {
                            return Err(EmbedError::Model(format!(
                                "token id {id} is outside the vocabulary"
                            )));
                        }
                        let bytes = self.row_blocks * Q4_BLOCK_BYTES;
                        dequantize_q4(&self.word_q4[id * bytes..(id + 1) * bytes], row);
                    }
                    None => mask_bias[s * l + p] = f32::NEG_INFINITY,
                }
                let pos = &self.position[p * h..(p + 1) * h];
                for ((v, a), t) in row.iter_mut().zip(pos).zip(&self.token_type[..h]) {
                    *v += a + t;
                }
            }
        }
        let nh = self.config.heads;
        let hd = h / nh;
        let mut x = self
            .embedding_norm
            .forward(&Tensor::from_vec(x, (b * l, h), &self.device)?)?;
        let mask = Tensor::from_vec(mask_bias.clone(), (b, 1, 1, l), &self.device)?;
        let scale = 1.0 / (hd as f64).sqrt();
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x)?.reshape((b, l, 3, nh, hd))?;
            let part = |i: usize| -> candle_core::Result<Tensor> {
                qkv.narrow(2, i, 1)?
                    .squeeze(2)?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let (q, k, v) = (part(0)?, part(1)?, part(2)?);
            let scores = ((q * scale)?.matmul(&k.t()?)?).broadcast_add(&mask)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probs.matmul(&v)?.transpose(1, 2)?.reshape((b * l, h))?;
            let a = (layer.attention_out.forward(&context)? + &x)?;
            x = layer.attention_norm.forward(&a)?;
            let inner = layer.intermediate.forward(&x)?.gelu_erf()?;
            let o = (layer.output.forward(&inner)? + &x)?;
            x = layer.output_norm.forward(&o)?;
        }
        let keep: Vec<f32> = mask_bias
            .iter()
            .map(|&m| if m == 0.0 { 1.0 } else { 0.0 })
            .collect();
        let keep = Tensor::from_vec(keep, (b, l, 1), &self.device)?;
        let summed = x.reshape((b, l, h))?.broadcast_mul(&keep)?.sum(1)?;
        let counts = keep.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norm = mean.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?;
        let out = mean.broadcast_div(&norm)?.to_dtype(DType::F32)?;
        Ok(out.to_vec2()?)
    }
}

/// Takes named tensors out of the parsed file, checking their sizes.
struct Weights<'a> {
    tensors: &'a mut HashMap<String, RawTensor>,
    device: Device,
    eps: f32,
}

impl Weights<'_> {
    fn take(&mut self, name: &str) -> Result<RawTensor, EmbedError> {
        self.tensors
            .remove(name)
            .ok_or_else(|| EmbedError::Model(format!("the model file has no tensor `{name}`")))
    }

    fn vector(&mut self, name: &str, len: usize) -> Result<Vec<f32>, EmbedError> {
        let v = self.take(name)?.to_f32();
        if v.len() != len {
            return Err(EmbedError::Model(format!(
                "tensor `{name}` has {} values, expected {len}",
                v.len()
            )));
        }
        Ok(v)
    }

    fn norm(&mut self, prefix: &str, h: usize) -> Result<LayerNorm, EmbedError> {
        let weight = self.vector(&format!("{prefix}.w"), h)?;
        let bias = self.vector(&format!("{prefix}.b"), h)?;
        Ok(LayerNorm {
            weight: Tensor::from_vec(weight, h, &self.device)?,
            bias: Tensor::from_vec(bias, h, &self.device)?,
            eps: self.eps,
        })
    }

    /// Stacks the named linear layers of layer `i` along their outputs (q, k, v → one matmul).
    fn linear(&mut self, i: usize, names: &[&str], inputs: usize) -> Result<Linear, EmbedError> {
        let mut rows = Vec::new();
        let mut bias = Vec::new();
        for name in names {
            let b = self.take(&format!("l{i}.{name}.b"))?.to_f32();
            let w = self.take(&format!("l{i}.{name}.w"))?.to_f32();
            if w.len() != b.len() * inputs {
                return Err(EmbedError::Model(format!(
                    "tensor `l{i}.{name}.w` has the wrong size"
                )));
            }
            rows.extend(w);
            bias.extend(b);
        }
        let outputs = bias.len();
        Ok(Linear {
            weight_t: Tensor::from_vec(rows, (outputs, inputs), &self.device)?
                .t()?
                .contiguous()?,
            bias: Tensor::from_vec(bias, outputs, &self.device)?,
        })
    }
}
