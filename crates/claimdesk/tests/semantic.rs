//! Semantic matching end to end, with the model file and without it.

use crate::util::Desk;

/// The model fetched by scripts/fetch-model (CI fetches it before the tests).
pub fn model() -> String {
    let path = std::env::var("CLAIMDESK_MODEL").unwrap_or_else(|_| {
        format!(
            "{}/../../models/e5-small-q4.bin",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    assert!(
        std::path::Path::new(&path).is_file(),
        "model file {path} missing: run scripts/fetch-model"
    );
    path
}

fn sample_desk() -> Desk {
    let desk = Desk::new();
    let fcs = desk.file("fc.jsonl", crate::formats::claimdesk_sample_factchecks());
    desk.run(&["--lexical-only", "import", &fcs]).ok();
    desk
}

#[test]
fn without_the_model_matching_is_lexical_and_says_how_to_add_it() {
    let desk = sample_desk();
    let run = desk.run(&["match", "--text", "Uống nước chanh nóng chữa ung thư"]);
    assert!(
        run.stderr.contains("semantic matching is off"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("scripts/fetch-model"), "{}", run.stderr);
    assert!(run.stdout.contains("nước chanh"), "{}", run.stdout);
    // A model path that does not exist is an error, not a silent fallback.
    let run = desk.run(&["--model", "/nonexistent/e5.bin", "match", "--text", "x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/nonexistent/e5.bin"), "{}", run.stderr);
}

#[test]
fn a_vietnamese_post_finds_an_english_fact_check_by_meaning() {
    let desk = sample_desk();
    let model = model();
    let english = desk.file(
        "en.jsonl",
        r#"{"@type":"ClaimReview","url":"https://factcheck.example/en/towers","claimReviewed":"5G phone masts spread the coronavirus.","headline":"No, 5G does not spread COVID-19","inLanguage":"en"}"#,
    );
    desk.run(&["--model", &model, "import", &english]).ok();
    let post = "mn oi cot song 5G lam lay lan virus corona do, share gap!!";
    let lexical = desk
        .run(&["--lexical-only", "match", "--json", "--text", post])
        .ok();
    let run = desk.run(&["--model", &model, "match", "--json", "--text", post]);
    assert!(
        run.stderr.contains("embedded 25 fact-check texts"),
        "{}",
        run.stderr
    );
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.ok()).unwrap();
    assert_eq!(
        hits[0]["url"], "https://factcheck.example/en/towers",
        "{hits:#?}\nlexical: {lexical}"
    );
    let why = &hits[0]["explanation"];
    assert!(why["cosine"].as_f64().unwrap() > 0.8, "{why}");
    assert!(
        why["retrievers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "dense"),
        "{why}"
    );
    assert!(!why["features"].as_array().unwrap().is_empty(), "{why}");
    // The vectors are stored: the next run reuses them and ranks the same.
    let again = desk.run(&["--model", &model, "match", "--json", "--text", post]);
    assert!(!again.stderr.contains("embedded"), "{}", again.stderr);
    let hits2: Vec<serde_json::Value> = serde_json::from_str(&again.ok()).unwrap();
    assert_eq!(hits, hits2);
    // Reindexing keeps them too.
    desk.run(&["--model", &model, "reindex"]).ok();
    let after = desk.run(&["--model", &model, "match", "--json", "--text", post]);
    assert!(!after.stderr.contains("embedded"), "{}", after.stderr);
}

#[test]
fn eval_reports_which_retrievers_ran() {
    let desk = sample_desk();
    let model = model();
    let queries = desk.file(
        "q.tsv",
        "id\ttext\nq1\tNước chanh nóng giết tế bào ung thư phải không\n",
    );
    let qrels = desk.file(
        "qrels",
        "q1 0 https://factcheck.example/vi/nuoc-chanh-nong-khong-chua-duoc-ung-thu 1\n",
    );
    let lexical = desk
        .run(&[
            "--lexical-only",
            "eval",
            "--queries",
            &queries,
            "--qrels",
            &qrels,
        ])
        .ok();
    assert!(
        lexical.contains("retrievers   lexical, near-duplicate\n"),
        "{lexical}"
    );
    let hybrid = desk
        .run(&[
            "--model",
            &model,
            "eval",
            "--queries",
            &queries,
            "--qrels",
            &qrels,
        ])
        .ok();
    assert!(hybrid.contains("dense (multilingual-e5-small"), "{hybrid}");
    assert!(hybrid.contains("learned reranker"), "{hybrid}");
    assert!(hybrid.contains("MAP@5        1.0000"), "{hybrid}");
    let rrf = desk
        .run(&[
            "--model",
            &model,
            "eval",
            "--ranking",
            "rrf",
            "--queries",
            &queries,
            "--qrels",
            &qrels,
        ])
        .ok();
    assert!(rrf.contains("reciprocal-rank fusion"), "{rrf}");
    let bad = desk.run(&[
        "--lexical-only",
        "eval",
        "--ranking",
        "rrf",
        "--queries",
        &queries,
        "--qrels",
        &qrels,
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// The sample's README table: each post and the fact-check URL it repeats, `None` for posts
/// that repeat nothing checked.
fn sample_expectations() -> Vec<(String, Option<String>)> {
    include_str!("../sample/README.md")
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            match cells.as_slice() {
                [post, target] if post.len() == 3 && post.starts_with('p') => Some((
                    post.to_string(),
                    (*target != "none").then(|| target.to_string()),
                )),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn the_sample_desk_says_no_match_for_unrelated_posts_and_ranks_every_repeat_first() {
    let desk = sample_desk();
    let model = model();
    let posts = desk.file("posts.jsonl", include_str!("../sample/posts.jsonl"));
    let out = desk
        .run(&[
            "--model",
            &model,
            "match",
            "--json",
            "--top",
            "5",
            "--queries",
            &posts,
        ])
        .ok();
    let ranked: std::collections::HashMap<String, serde_json::Value> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v["matches"].clone())
        })
        .collect();
    let expected = sample_expectations();
    assert_eq!(expected.len(), 24, "the README's table: {expected:?}");
    // The posts that repeat a fact-check written in the other language (the README's
    // cross-language pairs). multilingual-e5-small ranks their target lower (#5 and #2 on
    // 2026-12-04; bench/README.md, "Known weakness (cross-lingual)"): they must be found
    // among the first five and never be confidently matched to anything else.
    let cross_language = ["p14", "p18"];
    let (mut unrelated, mut repeats) = (0, 0);
    for (post, target) in &expected {
        let hits = ranked[post].as_array().unwrap();
        let top = &hits[0];
        let why = &top["explanation"];
        match target {
            None => {
                unrelated += 1;
                assert_ne!(why["confident"], true, "{post} repeats nothing: {top:#}");
                assert_eq!(
                    why["strength"], "nearest",
                    "{post} repeats nothing: {top:#}"
                );
            }
            Some(url) if cross_language.contains(&post.as_str()) => {
                repeats += 1;
                assert!(
                    hits.iter().any(|h| h["url"] == url.as_str()),
                    "{post}: {hits:#?}"
                );
                if top["url"] != url.as_str() {
                    assert_ne!(why["confident"], true, "{post}: {top:#}");
                }
            }
            Some(url) => {
                repeats += 1;
                assert_eq!(top["url"], url.as_str(), "{post}: {hits:#?}");
            }
        }
    }
    assert_eq!((unrelated, repeats), (6, 18));
    // Unrelated posts are said to match nothing in the text output too.
    let rain = desk
        .run(&[
            "--model",
            &model,
            "match",
            "--text",
            "Hôm nay trời Sài Gòn mưa to, kẹt xe khắp nơi.",
        ])
        .ok();
    assert!(rain.starts_with("no fact-check matches this"), "{rain}");
}
