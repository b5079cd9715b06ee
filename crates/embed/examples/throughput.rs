//! Embeds `passage: claim title` for every row of a CLEF claims TSV and prints sentences/s.
use claimdesk_embed::{E5, Embedder, TextKind};
fn main() {
    let mut args = std::env::args().skip(1);
    let model = args.next().expect("model path");
    let tsv = args.next().expect("claims tsv");
    let limit: usize = args.next().map_or(usize::MAX, |s| s.parse().unwrap());
    let m = E5::load(model.as_ref()).unwrap();
    let text = std::fs::read_to_string(tsv).unwrap();
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 3).then(|| format!("{} {}", f[1], f[2]))
        })
        .take(limit)
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let t = std::time::Instant::now();
    let v = m.embed(&refs, TextKind::Passage).unwrap();
    let dt = t.elapsed().as_secs_f64();
    println!(
        "{} sentences in {dt:.1} s = {:.1}/s (dim {})",
        v.len(),
        v.len() as f64 / dt,
        v[0].len()
    );
}
