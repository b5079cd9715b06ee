//! Prints token ids and the first 8 dimensions for each argument (as the reference's `vectors`).
use claimdesk_embed::{E5, Embedder, TextKind};
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("model path");
    let t = std::time::Instant::now();
    let m = E5::load(path.as_ref()).unwrap();
    eprintln!("load {:?}", t.elapsed());
    let texts: Vec<String> = args.collect();
    for t in &texts {
        let ids = m.tokenizer().encode(t, 512);
        println!("text: {t:?}\nids: {ids:?}");
    }
    let _ = TextKind::Query;
    let vs: Vec<Vec<f32>> = texts.iter().map(|t| embed_raw(&m, t)).collect();
    for v in &vs {
        println!(
            "vec[:8]: {}",
            v[..8]
                .iter()
                .map(|x| format!("{x:+.6}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    for i in 0..vs.len() {
        for j in i + 1..vs.len() {
            println!(
                "cos({i},{j}) = {:.4}",
                claimdesk_embed::cosine(&vs[i], &vs[j])
            );
        }
    }
    let _ = m.dimension();
}
fn embed_raw(m: &E5, t: &str) -> Vec<f32> {
    let ids = m.tokenizer().encode(t, 512);
    m.embed_token_ids(&[&ids]).unwrap().remove(0)
}
