//! Embeds `passage: claim title` for every row of a CLEF claims TSV (columns id, vclaim, title;
//! header skipped) and prints load time, sentences/s and tokens/s.
//!
//! Usage: `throughput MODEL.bin CLAIMS.tsv [LIMIT] [--out VECTORS.npy]`. With `--out` the
//! vectors are saved as a float32 `.npy` array [N, 384], in row order, to compare with the
//! numpy reference's `embed --out`.
use std::io::Write;

use claimdesk_embed::{E5, Embedder, TextKind};

fn main() {
    let mut positional = Vec::new();
    let mut out_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--out" {
            out_path = Some(args.next().expect("--out needs a path"));
        } else {
            positional.push(arg);
        }
    }
    let [model, tsv, rest @ ..] = positional.as_slice() else {
        eprintln!("usage: throughput MODEL.bin CLAIMS.tsv [LIMIT] [--out VECTORS.npy]");
        std::process::exit(2);
    };
    let limit: usize = rest
        .first()
        .map_or(usize::MAX, |s| s.parse().expect("LIMIT"));
    let t = std::time::Instant::now();
    let m = E5::load(model.as_ref()).expect("model");
    println!("load: {:.2} s", t.elapsed().as_secs_f64());
    // Parsed as Python's csv module does (the reference's reader): tab-delimited, `"`-quoted
    // fields with `""` escapes that may hold tabs and newlines.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .from_path(tsv)
        .expect("claims tsv");
    let rows: Vec<String> = reader
        .records()
        .map(|r| r.expect("claims tsv row"))
        .filter(|r| !r.is_empty())
        .map(|r| format!("{} {}", &r[1], &r[2]))
        .take(limit)
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let t = std::time::Instant::now();
    let v = m.embed(&refs, TextKind::Passage).expect("embed");
    let dt = t.elapsed().as_secs_f64();
    let tokens: usize = refs
        .iter()
        .map(|r| {
            let ids = m
                .tokenizer()
                .encode(&E5::prefixed(r, TextKind::Passage), 512);
            ids.len()
        })
        .sum();
    println!(
        "embed: {} sentences ({tokens} tokens) in {dt:.1} s = {:.1} sentences/s, {:.0} tokens/s",
        v.len(),
        v.len() as f64 / dt,
        tokens as f64 / dt,
    );
    if let Some(path) = out_path {
        let dim = m.dimension();
        let header = format!(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {dim}), }}",
            v.len()
        );
        // Header padded with spaces and a newline to a multiple of 64 bytes (npy format 1.0).
        let pad = (64 - (10 + header.len() + 1) % 64) % 64;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("--out file"));
        f.write_all(b"\x93NUMPY\x01\x00").unwrap();
        f.write_all(&((header.len() + pad + 1) as u16).to_le_bytes())
            .unwrap();
        f.write_all(header.as_bytes()).unwrap();
        f.write_all(&vec![b' '; pad]).unwrap();
        f.write_all(b"\n").unwrap();
        for row in &v {
            for x in row {
                f.write_all(&x.to_le_bytes()).unwrap();
            }
        }
        f.flush().unwrap();
    }
}
