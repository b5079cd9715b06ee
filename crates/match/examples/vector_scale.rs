//! Scale benchmark of the vector indexes on synthetic claims (generated, never stored):
//! build time, peak RSS, query latency p50/p99 and recall@10 against the exact scan of an
//! HNSW graph (built once, then searched with 100 to 1,600 candidates).
//!
//! `cargo run --release -p claimdesk-match --example vector_scale -- [N] [QUERIES] [M] [EF]`
//! (default 1,000,000 vectors of 384 dimensions, 200 queries, HNSW with `M` links per node
//! and `EF` candidates while building: 16 and 100; `M` 0 leaves HNSW out). With
//! `VECTORS=FILE` (rows of 384 little-endian f32, e.g. a desk's stored embeddings) the real
//! vectors are indexed instead, and `QUERIES` of them, evenly spaced, each look for their ten
//! nearest other vectors. See bench/README.md.

use std::collections::HashSet;
use std::time::Instant;

use claimdesk_core::FactCheckId;
use claimdesk_match::metrics::quantile;
use claimdesk_match::vector::{ExactIndex, HnswIndex, VectorIndex};

const DIM: usize = 384;

/// xorshift64*: a fixed, seeded generator so every run builds the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// Claims cluster the way sentence embeddings of fact-checks do: 2,000 topics, each with
/// claims spread around it, so every claim has a few close neighbours and many far ones.
fn synthetic(n: usize, rng: &mut Rng) -> Vec<Vec<f32>> {
    let topics: Vec<Vec<f32>> = (0..2000)
        .map(|_| (0..DIM).map(|_| rng.next()).collect())
        .collect();
    (0..n)
        .map(|i| {
            let t = &topics[(i * 7919) % topics.len()];
            unit(t.iter().map(|x| x + 0.6 * rng.next()).collect())
        })
        .collect()
}

/// Posts that repeat a stored claim in other words: a stored vector moved a little, so the
/// exact top 10 is well defined (the claim itself first, then its topic's nearest claims).
fn paraphrases(of: &[Vec<f32>], nq: usize, rng: &mut Rng) -> Vec<Vec<f32>> {
    (0..nq)
        .map(|i| {
            let v = &of[(i * 104_729) % of.len()];
            unit(v.iter().map(|x| x + 0.05 * rng.next()).collect())
        })
        .collect()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Per-query latency p50/p99 and the top 10 of each query; a query never finds the stored
/// fact-check it was taken from when `leave_out` names one.
fn latencies(
    index: &dyn VectorIndex,
    queries: &[Vec<f32>],
    leave_out: &[Option<FactCheckId>],
) -> (f64, f64, Vec<Vec<FactCheckId>>) {
    let mut ms = Vec::new();
    let mut results = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let except: HashSet<FactCheckId> =
            leave_out.get(i).copied().flatten().into_iter().collect();
        let t = Instant::now();
        let hits = index.search_except(q, 10, &except);
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        results.push(hits.into_iter().map(|h| h.0).collect());
    }
    ms.sort_by(f64::total_cmp);
    (quantile(&ms, 0.5), quantile(&ms, 0.99), results)
}

/// What the indexes are measured on.
struct Workload {
    vectors: Vec<Vec<f32>>,
    queries: Vec<Vec<f32>>,
    /// The stored fact-check each query must not find (real vectors' own), when there is one.
    leave_out: Vec<Option<FactCheckId>>,
}

/// Real vectors from `path` (rows of DIM little-endian f32, as the desk stores them), and
/// `nq` of them, evenly spaced, as queries that must find their nearest other claims.
fn real(path: &str, nq: usize) -> Workload {
    let bytes = std::fs::read(path).expect("VECTORS file");
    assert!(
        bytes.len().is_multiple_of(4 * DIM),
        "VECTORS: not rows of {DIM} f32"
    );
    let vectors: Vec<Vec<f32>> = bytes
        .chunks_exact(4 * DIM)
        .map(|row| {
            row.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
        .collect();
    let picks: Vec<usize> = (0..nq).map(|i| i * vectors.len() / nq.max(1)).collect();
    let queries = picks.iter().map(|&i| vectors[i].clone()).collect();
    let leave_out = picks
        .iter()
        .map(|&i| Some(FactCheckId(i as i64 + 1)))
        .collect();
    Workload {
        vectors,
        queries,
        leave_out,
    }
}

/// Recall@10 and top-1 agreement of `found` against the exact `truth`.
fn agreement(truth: &[Vec<FactCheckId>], found: &[Vec<FactCheckId>]) -> (f64, f64) {
    let n = truth.len().max(1) as f64;
    let recall = truth
        .iter()
        .zip(found)
        .map(|(t, f)| t.iter().filter(|id| f.contains(id)).count() as f64 / t.len().max(1) as f64)
        .sum::<f64>()
        / n;
    let top1 = truth
        .iter()
        .zip(found)
        .filter(|(t, f)| !t.is_empty() && t.first() == f.first())
        .count() as f64
        / n;
    (recall, top1)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(1_000_000, |s| s.parse().expect("N"));
    let nq: usize = args.next().map_or(200, |s| s.parse().expect("QUERIES"));
    let m: usize = args.next().map_or(16, |s| s.parse().expect("M"));
    let ef_build: usize = args.next().map_or(100, |s| s.parse().expect("EF"));
    let mut rng = Rng(0x5EED_CAFE_F00D_D00D);
    let t = Instant::now();
    let Workload {
        vectors,
        queries,
        leave_out,
    } = match std::env::var("VECTORS") {
        Ok(path) => real(&path, nq),
        Err(_) => {
            let vectors = synthetic(n, &mut rng);
            let queries = paraphrases(&vectors, nq, &mut rng);
            Workload {
                vectors,
                queries,
                leave_out: Vec::new(),
            }
        }
    };
    let n = vectors.len();
    println!(
        "read or generated {n} vectors of {DIM} in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let rows = vectors
        .into_iter()
        .enumerate()
        .map(|(i, v)| (FactCheckId(i as i64 + 1), v))
        .collect();
    let exact = ExactIndex::from_vectors(DIM, rows).expect("vectors");
    println!(
        "exact: built in {:.1} s, peak RSS {:.0} MB",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    let (p50, p99, truth) = latencies(&exact, &queries, &leave_out);
    println!("exact: p50 {p50:.2} ms, p99 {p99:.2} ms per query (top 10, one thread)");

    if m == 0 {
        return;
    }

    let t = Instant::now();
    let hnsw = HnswIndex::build(exact, m, ef_build);
    println!(
        "hnsw (m {m}, ef {ef_build}): built in {:.1} s on all cores, peak RSS {:.0} MB",
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    // The same graph searched with more candidates: recall against cost.
    let mut hnsw = hnsw;
    for ef in [100, 200, 400, 800, 1600] {
        hnsw.set_ef_search(ef);
        let (p50, p99, found) = latencies(&hnsw, &queries, &leave_out);
        let (recall, top1) = agreement(&truth, &found);
        println!(
            "hnsw ef_search {ef}: p50 {p50:.2} ms, p99 {p99:.2} ms per query, recall@10 \
             {recall:.3}, top-1 agreement {top1:.3} against exact"
        );
    }
}
