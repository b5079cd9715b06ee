//! Check-worthiness from the command line: `detect --tsv`, `detect --text`, training and its
//! bad inputs.

use crate::util::Desk;

/// Parses `id<TAB>score` lines.
fn scores(stdout: &str) -> Vec<(String, f64)> {
    stdout
        .lines()
        .map(|l| {
            let (id, score) = l.split_once('\t').expect("id<TAB>score");
            let score: f64 = score.parse().expect("a number");
            assert!((0.0..=1.0).contains(&score), "{l}");
            (id.to_string(), score)
        })
        .collect()
}

const POSTS: &str = "id\ttext\textra\n\
    p1\tThe WHO says 3,000 people died of the virus in March, up 40% from February.\tx\n\
    p2\tgood morning everyone\tx\n\
    p3\tTheo Bộ Y tế, số ca nhiễm tăng 35% trong tháng 3, cao nhất từ trước đến nay.\tx\n\
    p4\tChúc cả nhà buổi sáng vui vẻ!\tx\n";

#[test]
fn detect_tsv_prints_one_id_and_score_per_row_in_order() {
    let desk = Desk::new();
    let file = desk.file("posts.tsv", POSTS);
    let run = desk.run(&["detect", "--tsv", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = scores(&run.stdout);
    let ids: Vec<&str> = s.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4"]);
    assert!(s[0].1 > s[1].1, "{s:?}");
    assert!(s[2].1 > s[3].1, "{s:?}");
    // No model file where the test runs: the cue-only fallback says so and how to add it.
    assert!(
        run.stderr.contains("hand-written cues only"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("scripts/fetch-model"), "{}", run.stderr);
}

#[test]
fn detect_reads_the_clef_layout_by_column_name() {
    let desk = Desk::new();
    let file = desk.file(
        "clef.tsv",
        "topic_id\ttweet_id\ttweet_url\ttweet_text\tclaim\tcheck_worthiness\n\
         covid-19\t101\thttp://x\tCDC reports 1,200 new cases in New York today.\t1\t1\n\
         covid-19\t102\thttp://y\tlove you all, stay safe\t0\t0\n",
    );
    let run = desk.run(&["detect", "--cues-only", "--clef", "--tsv", &file]);
    let s = scores(&run.ok());
    assert_eq!(s.len(), 2);
    assert_eq!((s[0].0.as_str(), s[1].0.as_str()), ("101", "102"));
    assert!(s[0].1 > s[1].1, "{s:?}");
}

#[test]
fn detect_text_scores_each_sentence() {
    let desk = Desk::new();
    let run = desk.run(&[
        "detect",
        "--cues-only",
        "--text",
        "Chào buổi sáng cả nhà! Theo TS. Nguyễn Văn A, Bộ Y tế xác nhận 3.5 triệu liều vắc xin gây ra 20% ca sốt.",
    ]);
    let out = run.ok();
    let lines: Vec<(f64, &str)> = out
        .lines()
        .map(|l| {
            let (score, sentence) = l.split_once('\t').expect("score<TAB>sentence");
            (score.parse().expect("a number"), sentence)
        })
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0].1, "Chào buổi sáng cả nhà!");
    assert!(lines[1].1.starts_with("Theo TS. Nguyễn Văn A"));
    assert!(lines[1].0 > lines[0].0, "{out}");
}

#[test]
fn with_the_model_a_statistic_outscores_a_greeting() {
    let desk = Desk::new();
    let file = desk.file("posts.tsv", POSTS);
    let model = crate::semantic::model();
    let run = desk.run(&["--model", &model, "detect", "--tsv", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("multilingual-e5-small"),
        "{}",
        run.stderr
    );
    let s = scores(&run.stdout);
    assert!(s[0].1 > s[1].1, "{s:?}");
    assert!(s[2].1 > s[3].1, "{s:?}");
}

#[test]
fn lexical_only_keeps_the_model_out_of_detect_even_when_it_is_given() {
    let desk = Desk::new();
    let file = desk.file("posts.tsv", POSTS);
    let model = crate::semantic::model();
    let run = desk.run(&[
        "--model",
        &model,
        "--lexical-only",
        "detect",
        "--tsv",
        &file,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("check-worthiness: hand-written cues only"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("multilingual-e5-small"),
        "{}",
        run.stderr
    );
    // Scores are still given, one per row, from the cues.
    assert_eq!(
        scores(&run.stdout).len(),
        POSTS.lines().count() - 1,
        "{}",
        run.stdout
    );
}

#[test]
fn malformed_rows_are_errors_with_file_and_line() {
    let desk = Desk::new();
    let cases = [
        (
            "short.tsv",
            &b"id\ttext\na\tfine\nb-without-text\n"[..],
            "short.tsv:3: expected at least 2 tab-separated columns, found 1",
        ),
        ("empty.tsv", &b""[..], "empty.tsv: empty file"),
        (
            "noid.tsv",
            &b"id\ttext\n\tno id here\n"[..],
            "noid.tsv:2: field `id`: empty id",
        ),
        (
            "latin1.tsv",
            &b"id\ttext\na\tok\nb\tcaf\xe9\n"[..],
            "latin1.tsv:3: not valid UTF-8",
        ),
    ];
    for (name, contents, message) in cases {
        let file = desk.file(name, contents);
        let run = desk.run(&["detect", "--cues-only", "--tsv", &file]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
    }
    let file = desk.file("plain.tsv", "id\ttext\na\tb\n");
    let run = desk.run(&["detect", "--clef", "--tsv", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("plain.tsv:1: field `tweet_id`: no such column"),
        "{}",
        run.stderr
    );
}

/// A small training file in the CLEF layout: claims with numbers and institutions are
/// check-worthy, chatter is not.
fn training_file() -> String {
    let mut out =
        String::from("topic_id\ttweet_id\ttweet_url\ttweet_text\tclaim\tcheck_worthiness\n");
    for i in 0..40 {
        let (text, label) = if i % 2 == 0 {
            (
                format!(
                    "The ministry reported {} new cases, up {}% since Monday.",
                    100 + i,
                    i
                ),
                1,
            )
        } else {
            (
                format!("good morning friends, have a lovely day number {i}!"),
                0,
            )
        };
        out.push_str(&format!(
            "covid-19\t{i}\thttp://t/{i}\t{text}\t{label}\t{label}\n"
        ));
    }
    out
}

#[test]
fn training_is_deterministic_and_its_file_scores() {
    let desk = Desk::new();
    let train = desk.file("train.tsv", training_file());
    let out = |n: &str| desk.dir.path().join(n).display().to_string();
    let (a, b) = (out("a.json"), out("b.json"));
    for path in [&a, &b] {
        let run = desk.run(&[
            "train-detector",
            "--cues-only",
            "--train",
            &train,
            "--out",
            path,
        ]);
        let stdout = run.ok();
        assert!(stdout.contains("chosen without it: cues"), "{stdout}");
    }
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let (mut ja, mut jb) = (read(&a), read(&b));
    // Only the recorded command (its --out) differs.
    assert!(
        ja["command"]
            .as_str()
            .unwrap()
            .contains("train-detector --cues-only")
    );
    assert!(jb["command"].as_str().unwrap().ends_with("b.json"));
    ja["command"] = serde_json::Value::Null;
    jb["command"] = serde_json::Value::Null;
    assert_eq!(ja, jb, "two trainings on the same data differ");
    let json = ja;
    assert!(
        json["trained_on"]
            .as_str()
            .unwrap()
            .contains("train.tsv (40 texts, 20 with check_worthiness = 1)")
    );
    let eval = desk
        .run(&["eval-detector", "--detector", &a, "--tsv", &train])
        .ok();
    assert!(eval.contains("MAP") && eval.contains("P@30"), "{eval}");
    let run = desk.run(&[
        "detect",
        "--detector",
        &a,
        "--text",
        "The ministry reported 5 new cases. good morning friends!",
    ]);
    let stdout = run.ok();
    let first: f64 = stdout
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let second: f64 = stdout
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(first > second, "{stdout}");
}

#[test]
fn training_refuses_labels_that_are_not_0_or_1() {
    let desk = Desk::new();
    let train = desk.file(
        "bad.tsv",
        "topic_id\ttweet_id\ttweet_url\ttweet_text\tclaim\tcheck_worthiness\n\
         covid-19\t1\thttp://t\tsome text\t1\tyes\n",
    );
    let out = desk.dir.path().join("d.json").display().to_string();
    let run = desk.run(&[
        "train-detector",
        "--cues-only",
        "--train",
        &train,
        "--out",
        &out,
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bad.tsv:2: field `check_worthiness`: must be 0 or 1, found `yes`"),
        "{}",
        run.stderr
    );
}
