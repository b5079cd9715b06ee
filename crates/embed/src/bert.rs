//! The BERT encoder of multilingual-e5-small (post-LayerNorm, 12 layers) on plain f32 buffers.
//!
//! The word-embedding table stays in its 4-bit Q4_0 blocks (54 MB instead of 384 MB as f32)
//! and only looked-up rows are dequantized; every other weight is dequantized to f32 once and
//! the dense layers are packed for the matrix kernel in `kernels`.
//!
//! Sequences are not padded: the dense layers, GELU and LayerNorm run over the tokens of a batch
//! stacked row after row, attention runs per sequence over its own tokens. Every row's value is
//! computed with the same operations in the same order wherever it sits in a batch, so a token
//! sequence gets bit-identical vectors whatever it is batched with. A batch is split by
//! sequences over the machine's cores (at most [`MAX_THREADS`]), each thread running the whole
//! encoder on its share.

use std::collections::HashMap;

use crate::EmbedError;
use crate::file::{Config, ModelFile, Q4_BLOCK, Q4_BLOCK_BYTES, RawTensor, dequantize_q4};

/// Most threads one forward pass uses.
pub const MAX_THREADS: usize = 8;

/// A dense layer `y = x·Wᵀ + b`, with `W` packed for [`kernels::linear`].
struct Linear {
    packed: kernels::Aligned,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

struct LayerNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
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
    eps: f32,
}

/// Scratch buffers of one thread's forward pass.
#[derive(Default)]
struct Scratch {
    x: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    inner: Vec<f32>,
    out: Vec<f32>,
    pack: kernels::Aligned,
    scores: Vec<f32>,
}

impl Bert {
    /// Takes the weights out of a parsed model file.
    pub fn new(file: &mut ModelFile) -> Result<Bert, EmbedError> {
        let config = file.config;
        let h = config.hidden;
        let mut w = Weights {
            tensors: &mut file.tensors,
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
        if h != config.heads * kernels::HEAD {
            return Err(EmbedError::Model(format!(
                "{} heads of width {} do not make hidden width {h}",
                config.heads,
                kernels::HEAD
            )));
        }
        if !h.is_multiple_of(kernels::NR) || !config.intermediate.is_multiple_of(kernels::NR) {
            return Err(EmbedError::Model(format!(
                "widths {h} and {} must be multiples of {}",
                config.intermediate,
                kernels::NR
            )));
        }
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
            eps: config.layer_norm_eps as f32,
        })
    }

    /// The model's shape.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Embeds a batch of token sequences (each ≤ `max_positions` long): mean-pooled over the
    /// tokens and L2-normalized, one row of `hidden` values per sequence (zeros for an empty
    /// sequence).
    pub fn forward(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        for seq in batch {
            if seq.len() > self.config.max_positions {
                return Err(EmbedError::Model(format!(
                    "a sequence of {} tokens exceeds {}",
                    seq.len(),
                    self.config.max_positions
                )));
            }
            if let Some(&id) = seq.iter().find(|&&id| id as usize >= self.config.vocab) {
                return Err(EmbedError::Model(format!(
                    "token id {id} is outside the vocabulary"
                )));
            }
        }
        static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        let cores = *CORES.get_or_init(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, MAX_THREADS))
        });
        let threads = cores.min(batch.len().max(1));
        if threads <= 1 {
            // One sequence (a query): its dense layers split their rows over the cores instead.
            return Ok(self.forward_part(batch, cores));
        }
        // Contiguous shares with about equal token counts.
        let total: usize = batch.iter().map(|s| s.len()).sum();
        let mut bounds = vec![0];
        let mut seen = 0;
        for (i, seq) in batch.iter().enumerate() {
            seen += seq.len();
            if bounds.len() < threads
                && seen * threads >= total * bounds.len()
                && i + 1 < batch.len()
            {
                bounds.push(i + 1);
            }
        }
        bounds.push(batch.len());
        let parts: Vec<&[&[u32]]> = bounds.windows(2).map(|w| &batch[w[0]..w[1]]).collect();
        let mut out = Vec::with_capacity(batch.len());
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts[1..]
                .iter()
                .map(|part| scope.spawn(move || self.forward_part(part, 1)))
                .collect();
            out.extend(self.forward_part(parts[0], 1));
            for handle in handles {
                out.extend(handle.join().expect("an encoder thread panicked"));
            }
        });
        Ok(out)
    }

    /// The whole encoder for `batch` (ids already checked), its dense layers on `threads`
    /// threads (each output row is computed the same way whatever the split).
    fn forward_part(&self, batch: &[&[u32]], threads: usize) -> Vec<Vec<f32>> {
        let h = self.config.hidden;
        let t: usize = batch.iter().map(|s| s.len()).sum();
        if t == 0 {
            return vec![vec![0.0; h]; batch.len()];
        }
        let ff = self.config.intermediate;
        let mut s = Scratch::default();
        s.x.resize(t * h, 0.0);
        s.qkv.resize(t * 3 * h, 0.0);
        s.context.resize(t * h, 0.0);
        s.inner.resize(t * ff, 0.0);
        s.out.resize(t * h, 0.0);

        let bytes = self.row_blocks * Q4_BLOCK_BYTES;
        let mut rows = s.x.chunks_exact_mut(h);
        for seq in batch {
            for (p, &id) in seq.iter().enumerate() {
                let row = rows.next().expect("one row per token");
                let id = id as usize;
                dequantize_q4(&self.word_q4[id * bytes..(id + 1) * bytes], row);
                let pos = &self.position[p * h..(p + 1) * h];
                for ((v, a), b) in row.iter_mut().zip(pos).zip(&self.token_type[..h]) {
                    *v += a + b;
                }
            }
        }
        let norm = &self.embedding_norm;
        kernels::add_layer_norm(&mut s.x, None, &norm.weight, &norm.bias, h, self.eps);

        for layer in &self.layers {
            kernels::linear_split(&s.x, t, &layer.qkv, &mut s.qkv, &mut s.pack, threads);
            let mut start = 0;
            for seq in batch {
                let len = seq.len();
                kernels::attention(
                    &s.qkv[start * 3 * h..(start + len) * 3 * h],
                    &mut s.context[start * h..(start + len) * h],
                    len,
                    h,
                    &mut s.scores,
                );
                start += len;
            }
            kernels::linear_split(
                &s.context,
                t,
                &layer.attention_out,
                &mut s.out,
                &mut s.pack,
                threads,
            );
            let n = &layer.attention_norm;
            kernels::add_layer_norm(&mut s.x, Some(&s.out), &n.weight, &n.bias, h, self.eps);
            kernels::linear_split(
                &s.x,
                t,
                &layer.intermediate,
                &mut s.inner,
                &mut s.pack,
                threads,
            );
            kernels::gelu(&mut s.inner);
            kernels::linear_split(&s.inner, t, &layer.output, &mut s.out, &mut s.pack, threads);
            let n = &layer.output_norm;
            kernels::add_layer_norm(&mut s.x, Some(&s.out), &n.weight, &n.bias, h, self.eps);
        }

        let mut out = Vec::with_capacity(batch.len());
        let mut start = 0;
        for seq in batch {
            let len = seq.len();
            let mut mean = vec![0f32; h];
            if len > 0 {
                for row in s.x[start * h..(start + len) * h].chunks_exact(h) {
                    mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
                }
                let count = len as f32;
                mean.iter_mut().for_each(|m| *m /= count);
                let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
                mean.iter_mut().for_each(|m| *m /= norm);
            }
            out.push(mean);
            start += len;
        }
        out
    }
}

/// Takes named tensors out of the parsed file, checking their sizes.
struct Weights<'a> {
    tensors: &'a mut HashMap<String, RawTensor>,
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
        Ok(LayerNorm {
            weight: self.vector(&format!("{prefix}.w"), h)?,
            bias: self.vector(&format!("{prefix}.b"), h)?,
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
            packed: kernels::pack_weights(&rows, outputs, inputs),
            bias,
            inputs,
            outputs,
        })
    }
}

/// The numeric kernels, each with an AVX2+FMA version chosen at run time on x86-64 and a
/// portable version elsewhere (or with `CLAIMDESK_EMBED_PORTABLE=1`). Either version computes
/// every value of a row with the same operations in the same order wherever the row sits in a
/// batch, so results never depend on batch composition; the two versions differ from each other
/// only by rounding (FMA against multiply-then-add).
mod kernels {
    use super::Linear;

    /// Output columns per packed weight panel and per microkernel tile.
    pub const NR: usize = 16;
    /// Rows per microkernel tile.
    const MR: usize = 6;
    /// Inputs per cache block.
    const KC: usize = 256;
    /// Rows per cache block (a multiple of `MR`).
    const MC: usize = 144;

    /// Eight floats on a 32-byte boundary.
    #[derive(Clone, Copy, Default)]
    #[repr(C, align(32))]
    struct Lane([f32; 8]);

    /// A growable f32 buffer aligned for 256-bit loads.
    #[derive(Default)]
    pub struct Aligned(Vec<Lane>);

    impl Aligned {
        /// `len` zeros (rounded up to a multiple of 8).
        pub fn zeros(len: usize) -> Aligned {
            Aligned(vec![Lane::default(); len.div_ceil(8)])
        }
        /// Grows to hold at least `len` values.
        pub fn reserve_len(&mut self, len: usize) {
            if self.0.len() * 8 < len {
                self.0.resize(len.div_ceil(8), Lane::default());
            }
        }
        /// The values.
        pub fn as_slice(&self) -> &[f32] {
            // SAFETY: `Lane` is 8 f32 with no padding (size 32, align 32).
            unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast(), self.0.len() * 8) }
        }
        /// The values, mutable.
        pub fn as_mut_slice(&mut self) -> &mut [f32] {
            // SAFETY: as in `as_slice`.
            unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast(), self.0.len() * 8) }
        }
    }

    /// True when the AVX2 + FMA kernels can run (and `CLAIMDESK_EMBED_PORTABLE=1` does not ask
    /// for the portable ones, which is how tests exercise them).
    #[inline]
    fn avx2() -> bool {
        static WIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *WIDE.get_or_init(|| {
            let portable = std::env::var("CLAIMDESK_EMBED_PORTABLE").is_ok_and(|v| v == "1");
            #[cfg(target_arch = "x86_64")]
            {
                !portable
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                let _ = portable;
                false
            }
        })
    }

    /// Calls the `#[inline(always)]` function `$body` through a copy compiled with AVX2 and FMA
    /// when the CPU has them, else directly.
    macro_rules! dispatch {
        ($body:ident($($arg:ident: $ty:ty),*)) => {{
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn wide($($arg: $ty),*) {
                    $body($($arg),*)
                }
                if avx2() {
                    // SAFETY: the CPU has AVX2 and FMA (checked just above).
                    return unsafe { wide($($arg),*) };
                }
            }
            $body($($arg),*)
        }};
    }

    /// `W` given as `[outputs][inputs]` → panels of [`NR`] outputs, `[outputs/NR][inputs][NR]`.
    pub fn pack_weights(w: &[f32], outputs: usize, inputs: usize) -> Aligned {
        let mut buf = Aligned::zeros(outputs * inputs);
        let packed = buf.as_mut_slice();
        for panel in 0..outputs / NR {
            for k in 0..inputs {
                for j in 0..NR {
                    packed[(panel * inputs + k) * NR + j] = w[(panel * NR + j) * inputs + k];
                }
            }
        }
        buf
    }

    /// [`linear`] with the rows split into `threads` contiguous shares (multiples of the tile
    /// height), one thread each; short inputs stay on one thread.
    pub fn linear_split(
        a: &[f32],
        rows: usize,
        lin: &Linear,
        c: &mut [f32],
        pack: &mut Aligned,
        threads: usize,
    ) {
        let share = rows.div_ceil(threads.max(1)).div_ceil(MR) * MR;
        if threads <= 1 || rows < 2 * MR || share >= rows {
            return linear(a, rows, lin, c, pack);
        }
        let (k, n) = (lin.inputs, lin.outputs);
        std::thread::scope(|scope| {
            let mut rest_a = &a[..rows * k];
            let mut rest_c = &mut c[..rows * n];
            let mut first = None;
            while !rest_a.is_empty() {
                let take = share.min(rest_a.len() / k);
                let (a_part, a_next) = rest_a.split_at(take * k);
                let (c_part, c_next) = std::mem::take(&mut rest_c).split_at_mut(take * n);
                rest_a = a_next;
                rest_c = c_next;
                if first.is_none() {
                    first = Some((a_part, c_part, take));
                } else {
                    scope.spawn(move || linear(a_part, take, lin, c_part, &mut Aligned::default()));
                }
            }
            if let Some((a_part, c_part, take)) = first {
                linear(a_part, take, lin, c_part, pack);
            }
        });
    }

    /// `c[rows × outputs] = a[rows × inputs] · Wᵀ + bias`; `pack` is scratch.
    pub fn linear(a: &[f32], rows: usize, lin: &Linear, c: &mut [f32], pack: &mut Aligned) {
        let (k_all, n_all) = (lin.inputs, lin.outputs);
        assert!(a.len() >= rows * k_all && c.len() >= rows * n_all);
        pack.reserve_len(MC * KC);
        let pack = pack.as_mut_slice();
        let packed = lin.packed.as_slice();
        let use_avx2 = avx2();
        for m0 in (0..rows).step_by(MC) {
            let mc = MC.min(rows - m0);
            let tiles = mc.div_ceil(MR);
            for k0 in (0..k_all).step_by(KC) {
                let kc = KC.min(k_all - k0);
                // A block → tiles of MR rows, `[tile][k][MR]`, missing rows zero.
                for tile in 0..tiles {
                    let dst = &mut pack[tile * kc * MR..(tile + 1) * kc * MR];
                    for r in 0..MR {
                        let row = m0 + tile * MR + r;
                        if row < m0 + mc {
                            let src = &a[row * k_all + k0..row * k_all + k0 + kc];
                            for (k, &v) in src.iter().enumerate() {
                                dst[k * MR + r] = v;
                            }
                        } else {
                            for k in 0..kc {
                                dst[k * MR + r] = 0.0;
                            }
                        }
                    }
                }
                for panel in 0..n_all / NR {
                    let b = &packed[(panel * k_all + k0) * NR..(panel * k_all + k0 + kc) * NR];
                    let bias = (k0 == 0).then(|| &lin.bias[panel * NR..(panel + 1) * NR]);
                    for tile in 0..tiles {
                        let first = m0 + tile * MR;
                        let valid = MR.min(m0 + mc - first);
                        let a_tile = &pack[tile * kc * MR..(tile + 1) * kc * MR];
                        let c_tile = &mut c[first * n_all + panel * NR..];
                        #[cfg(target_arch = "x86_64")]
                        if use_avx2 {
                            // SAFETY: AVX2 and FMA are present; slice bounds are checked inside.
                            unsafe { tile_avx2(kc, a_tile, b, c_tile, n_all, valid, bias) };
                            continue;
                        }
                        let _ = use_avx2;
                        tile_portable(kc, a_tile, b, c_tile, n_all, valid, bias);
                    }
                }
            }
        }
    }

    /// One `MR × NR` tile: `c = a·b + bias` when `bias` is given (first input block), else
    /// `c += a·b`; only the first `valid` rows are written.
    fn tile_portable(
        kc: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        ldc: usize,
        valid: usize,
        bias: Option<&[f32]>,
    ) {
        // Eight columns at a time, so the accumulators fit in sixteen SSE registers.
        for half in 0..NR / 8 {
            let acc = half_tile_portable(kc, a, b, half * 8);
            for (r, row) in acc.iter().enumerate().take(valid) {
                let out = &mut c[r * ldc + half * 8..r * ldc + half * 8 + 8];
                match bias {
                    Some(bias) => {
                        for ((o, s), b) in out.iter_mut().zip(row).zip(&bias[half * 8..]) {
                            *o = s + b;
                        }
                    }
                    None => out.iter_mut().zip(row).for_each(|(o, s)| *o += s),
                }
            }
        }
    }

    /// `a·b` for columns `col..col + 8` of a tile.
    #[inline(never)]
    fn half_tile_portable(kc: usize, a: &[f32], b: &[f32], col: usize) -> [[f32; 8]; MR] {
        let mut acc = [[0f32; 8]; MR];
        for k in 0..kc {
            let ak: &[f32; MR] = a[k * MR..k * MR + MR].try_into().unwrap();
            let bk: &[f32; 8] = b[k * NR + col..k * NR + col + 8].try_into().unwrap();
            for r in 0..MR {
                for j in 0..8 {
                    acc[r][j] += ak[r] * bk[j];
                }
            }
        }
        acc
    }

    /// [`tile_portable`] with AVX2 FMA instructions.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile_avx2(
        kc: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        ldc: usize,
        valid: usize,
        bias: Option<&[f32]>,
    ) {
        use std::arch::x86_64::*;
        assert!(a.len() >= kc * MR && b.len() >= kc * NR && b.as_ptr().addr().is_multiple_of(32));
        assert!(valid <= MR && c.len() >= (valid.max(1) - 1) * ldc + NR);
        let (ap, bp) = (a.as_ptr(), b.as_ptr());
        let mut lo = [_mm256_setzero_ps(); MR];
        let mut hi = [_mm256_setzero_ps(); MR];
        // SAFETY: every read is within the bounds asserted above.
        unsafe {
            for k in 0..kc {
                let b0 = _mm256_load_ps(bp.add(k * NR));
                let b1 = _mm256_load_ps(bp.add(k * NR + 8));
                for r in 0..MR {
                    let av = _mm256_broadcast_ss(&*ap.add(k * MR + r));
                    lo[r] = _mm256_fmadd_ps(av, b0, lo[r]);
                    hi[r] = _mm256_fmadd_ps(av, b1, hi[r]);
                }
            }
            let cp = c.as_mut_ptr();
            for r in 0..valid {
                let out = cp.add(r * ldc);
                let (x0, x1) = match bias {
                    Some(bias) => (
                        _mm256_loadu_ps(bias.as_ptr()),
                        _mm256_loadu_ps(bias.as_ptr().add(8)),
                    ),
                    None => (_mm256_loadu_ps(out), _mm256_loadu_ps(out.add(8))),
                };
                _mm256_storeu_ps(out, _mm256_add_ps(lo[r], x0));
                _mm256_storeu_ps(out.add(8), _mm256_add_ps(hi[r], x1));
            }
        }
    }

    /// `e^x` for `x ≤ 88`, to about 2 ulp (Cephes `expf`); branch-free so it vectorizes.
    #[inline(always)]
    fn exp(x: f32) -> f32 {
        let x = x.clamp(-87.0, 88.0);
        let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
        let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
        let mut p = 1.987_569_1e-4;
        p = p * r + 1.398_199_9e-3;
        p = p * r + 8.333_452e-3;
        p = p * r + 4.166_579_6e-2;
        p = p * r + 1.666_666_5e-1;
        p = p * r + 0.5;
        let e = p * r * r + r + 1.0;
        // Total for every input: the clamp keeps n in [-126, 127] for numbers, and a NaN
        // (which the clamp lets through) converts to 0 instead of undefined behaviour; `e`
        // is then NaN, so NaN in gives NaN out.
        let n = n as i32;
        e * f32::from_bits(((n + 127) as u32) << 23)
    }

    /// Exact (erf) GELU in place; erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), as the
    /// numpy reference computes it.
    pub fn gelu(x: &mut [f32]) {
        dispatch!(gelu_body(x: &mut [f32]))
    }

    #[inline(always)]
    fn gelu_body(x: &mut [f32]) {
        for v in x.iter_mut() {
            let h = *v;
            let z = h.abs() * std::f32::consts::FRAC_1_SQRT_2;
            let t = 1.0 / (1.0 + 0.327_591_1 * z);
            let mut p = 1.061_405_4 * t - 1.453_152;
            p = p * t + 1.421_413_7;
            p = p * t - 0.284_496_74;
            p = p * t + 0.254_829_6;
            p *= t;
            let half_erfc = 0.5 * p * exp(-z * z);
            let phi = if h >= 0.0 { 1.0 - half_erfc } else { half_erfc };
            *v = h * phi;
        }
    }

    /// Sum of `x`, in eight interleaved partial sums (vectorizable; order fixed).
    #[inline(always)]
    fn sum8(x: &[f32]) -> f32 {
        let mut acc = [0f32; 8];
        let chunks = x.chunks_exact(8);
        let tail: f32 = chunks.remainder().iter().sum();
        for c in chunks {
            for (a, v) in acc.iter_mut().zip(c) {
                *a += v;
            }
        }
        (acc[0] + acc[4]) + (acc[1] + acc[5]) + (acc[2] + acc[6]) + (acc[3] + acc[7]) + tail
    }

    /// Dot product of two equally long slices, in eight interleaved partial sums.
    #[inline(always)]
    fn dot8(x: &[f32], y: &[f32]) -> f32 {
        let mut acc = [0f32; 8];
        let xc = x.chunks_exact(8);
        let yc = y.chunks_exact(8);
        let tail: f32 = xc
            .remainder()
            .iter()
            .zip(yc.remainder())
            .map(|(a, b)| a * b)
            .sum();
        for (a8, b8) in xc.zip(yc) {
            for ((s, a), b) in acc.iter_mut().zip(a8).zip(b8) {
                *s += a * b;
            }
        }
        (acc[0] + acc[4]) + (acc[1] + acc[5]) + (acc[2] + acc[6]) + (acc[3] + acc[7]) + tail
    }

    /// Row by row over `width`-wide rows: `x = LayerNorm(x + y)` (or of `x` alone).
    pub fn add_layer_norm(
        x: &mut [f32],
        y: Option<&[f32]>,
        weight: &[f32],
        bias: &[f32],
        width: usize,
        eps: f32,
    ) {
        dispatch!(add_layer_norm_body(
            x: &mut [f32],
            y: Option<&[f32]>,
            weight: &[f32],
            bias: &[f32],
            width: usize,
            eps: f32
        ))
    }

    #[inline(always)]
    fn add_layer_norm_body(
        x: &mut [f32],
        y: Option<&[f32]>,
        weight: &[f32],
        bias: &[f32],
        width: usize,
        eps: f32,
    ) {
        for (i, row) in x.chunks_exact_mut(width).enumerate() {
            if let Some(y) = y {
                let add = &y[i * width..(i + 1) * width];
                row.iter_mut().zip(add).for_each(|(v, a)| *v += a);
            }
            let mean = sum8(row) / width as f32;
            row.iter_mut().for_each(|v| *v -= mean);
            let var = dot8(row, row) / width as f32;
            let inv = 1.0 / (var + eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(weight).zip(bias) {
                *v = *v * inv * w + b;
            }
        }
    }

    /// Width of one attention head (multilingual-e5-small: 384 / 12).
    pub const HEAD: usize = 32;

    /// Multi-head self-attention of one sequence of `len` tokens with heads [`HEAD`] wide:
    /// `qkv` holds rows of `[q | k | v]` (3 × `hidden`), `context` receives `len` rows of
    /// `hidden`.
    pub fn attention(
        qkv: &[f32],
        context: &mut [f32],
        len: usize,
        hidden: usize,
        scratch: &mut Vec<f32>,
    ) {
        scratch.resize(len.div_ceil(8) * 8 * (HEAD + 1), 0.0);
        dispatch!(attention_body(
            qkv: &[f32],
            context: &mut [f32],
            len: usize,
            hidden: usize,
            scratch: &mut [f32]
        ))
    }

    #[inline(always)]
    fn attention_body(
        qkv: &[f32],
        context: &mut [f32],
        len: usize,
        hidden: usize,
        scratch: &mut [f32],
    ) {
        let scale = 1.0 / (HEAD as f32).sqrt();
        let stride = 3 * hidden;
        let padded = len.div_ceil(8) * 8;
        let (scores, keys) = scratch.split_at_mut(padded);
        for head in 0..hidden / HEAD {
            let (qo, ko, vo) = (head * HEAD, hidden + head * HEAD, 2 * hidden + head * HEAD);
            // Keys transposed, `[dimension][token]` (zero-padded to 8 tokens), so scores are
            // computed eight tokens at a time.
            for j in 0..padded {
                for d in 0..HEAD {
                    keys[d * padded + j] = if j < len {
                        qkv[j * stride + ko + d]
                    } else {
                        0.0
                    };
                }
            }
            for i in 0..len {
                let mut q = [0f32; HEAD];
                for (q, &v) in q
                    .iter_mut()
                    .zip(&qkv[i * stride + qo..i * stride + qo + HEAD])
                {
                    *q = v * scale;
                }
                for (j0, out) in scores.chunks_exact_mut(8).enumerate() {
                    let mut acc = [0f32; 8];
                    for (d, &qd) in q.iter().enumerate() {
                        let k = &keys[d * padded + j0 * 8..d * padded + j0 * 8 + 8];
                        for (a, &k) in acc.iter_mut().zip(k) {
                            *a += qd * k;
                        }
                    }
                    out.copy_from_slice(&acc);
                }
                let scores = &mut scores[..len];
                let max = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
                scores.iter_mut().for_each(|s| *s = exp(*s - max));
                let inv = 1.0 / sum8(scores);
                let mut acc = [0f32; HEAD];
                for (j, &p) in scores.iter().enumerate() {
                    let p = p * inv;
                    let v = &qkv[j * stride + vo..j * stride + vo + HEAD];
                    for (a, &v) in acc.iter_mut().zip(v) {
                        *a += p * v;
                    }
                }
                context[i * hidden + qo..i * hidden + qo + HEAD].copy_from_slice(&acc);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::{exp, gelu};

        #[test]
        fn exp_is_total_on_nan_and_infinities() {
            assert!(exp(f32::NAN).is_nan());
            assert_eq!(exp(f32::NEG_INFINITY), exp(-87.0));
            assert!(exp(f32::INFINITY).is_finite());
            assert!((exp(1.0) - std::f32::consts::E).abs() < 1e-5);
        }

        #[test]
        fn gelu_passes_a_nan_activation_through() {
            let mut x = [f32::NAN, 0.0, 1.0];
            gelu(&mut x);
            assert!(x[0].is_nan());
            assert_eq!(x[1], 0.0);
            assert!((x[2] - 0.841_344_7).abs() < 1e-5);
        }
    }
}
