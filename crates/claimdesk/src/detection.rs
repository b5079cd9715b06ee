//! `claimdesk detect`, `train-detector` and `eval-detector`: check-worthiness scores for
//! texts and sentences, the training of the shipped detector (`crates/match/src/detector.json`,
//! made by `bench/train-detector`) and its measurement (`bench/detect.sh`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_embed::{E5, Embedder};
use claimdesk_engine::detect::{Scorer, ScorerOptions};
use claimdesk_engine::{Config, DataDir};
use claimdesk_match::checkworthy::{
    Detector, Example, Mode, TrainOptions, embed_texts_with_progress, rank_labels,
};
use claimdesk_match::metrics::{average_precision, precision_at};
use claimdesk_text::ClaimCues;
use clap::Args;

use crate::progress::bar;

/// Where the columns of a TSV are.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// First column the id, second the text.
    IdText,
    /// The CLEF 2020 Task 1 layout, columns found by name: `tweet_id`, `tweet_text`.
    Clef,
}

/// How the model was chosen for these commands.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Score with the hand-written cues only, even when the model is present.
    #[arg(long)]
    cues_only: bool,
    /// A detector file to use instead of the built-in one.
    #[arg(long)]
    detector: Option<PathBuf>,
}

/// Arguments of `claimdesk detect`.
#[derive(Args, Debug)]
pub struct DetectArgs {
    /// A TSV with a header line: first column an id, second the text. Prints `id<TAB>score`.
    #[arg(long, conflicts_with = "text", required_unless_present = "text")]
    tsv: Option<PathBuf>,
    /// Read the `--tsv` file in the CLEF 2020 Task 1 layout (`tweet_id`, `tweet_text`).
    #[arg(long, requires = "tsv")]
    clef: bool,
    /// A text to split into sentences; prints `score<TAB>sentence` for each.
    #[arg(long)]
    text: Option<String>,
    #[command(flatten)]
    model: ModelArgs,
}

/// Arguments of `claimdesk train-detector`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training tweets in the CLEF 2020 Task 1 layout (`tweet_text` and the label column).
    /// Never the split you report.
    #[arg(long)]
    train: PathBuf,
    /// Where to write the detector (JSON).
    #[arg(long)]
    out: PathBuf,
    /// The column holding the 0/1 label.
    #[arg(long, default_value = "check_worthiness")]
    label: String,
    /// Seed of the cross-validation shuffles.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Cross-validation repeats (each with another shuffle).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Train only the cue regression (no model needed; the file then scores cues only).
    #[arg(long)]
    cues_only: bool,
}

/// Arguments of `claimdesk eval-detector`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Labelled tweets in the CLEF 2020 Task 1 layout (one topic: the whole file is ranked).
    #[arg(long)]
    tsv: PathBuf,
    /// The column holding the 0/1 label.
    #[arg(long, default_value = "check_worthiness")]
    label: String,
    #[command(flatten)]
    model: ModelArgs,
}

/// One row of a TSV.
struct Row {
    id: String,
    text: String,
    label: Option<bool>,
}

/// The scorer for these commands: `--cues-only` and the global `--lexical-only` both keep
/// the model out.
fn scorer(cli: &crate::Cli, args: &ModelArgs) -> Result<Scorer> {
    let data = DataDir::new(&cli.data);
    let config = Config::load(&cli.data)?;
    let options = ScorerOptions {
        cues_only: args.cues_only || cli.lexical_only,
        detector: args.detector.as_deref(),
        model: cli.model.as_deref(),
    };
    let scorer = Scorer::load(&data, &config, &options)?;
    eprintln!("check-worthiness: {}", scorer.describe());
    Ok(scorer)
}

/// The model file for training, unless `--lexical-only`.
fn model_file(cli: &crate::Cli) -> Result<Option<PathBuf>> {
    if cli.lexical_only {
        return Ok(None);
    }
    let data = DataDir::new(&cli.data);
    let config = Config::load(&cli.data)?;
    let explicit = cli.model.clone().or_else(|| config.model_path(&cli.data));
    Ok(claimdesk_engine::model::find(&data, explicit.as_deref())?)
}

/// `claimdesk detect`.
pub fn detect(cli: &crate::Cli, args: &DetectArgs) -> Result<ExitCode> {
    let scorer = scorer(cli, &args.model)?;
    if let Some(text) = &args.text {
        let found = claimdesk_text::sentences(text);
        let texts: Vec<&str> = found.iter().map(|s| s.text).collect();
        let scores = scorer.score(&texts)?;
        for (s, p) in found.iter().zip(scores) {
            println!("{p:.4}\t{}", s.text);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let path = args.tsv.as_ref().expect("clap requires --tsv or --text");
    let layout = if args.clef {
        Layout::Clef
    } else {
        Layout::IdText
    };
    let rows = read_rows(path, layout, None)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let scores = scorer.score(&texts)?;
    let mut out = String::new();
    for (r, p) in rows.iter().zip(scores) {
        out.push_str(&format!("{}\t{p:.6}\n", r.id));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `claimdesk train-detector`.
pub fn train(cli: &crate::Cli, args: &TrainArgs) -> Result<ExitCode> {
    let rows = read_rows(&args.train, Layout::Clef, Some(&args.label))?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let (embeddings, model_id) = if args.cues_only {
        (None, String::new())
    } else {
        let Some(path) = model_file(cli)? else {
            bail!(
                "training with the embedding needs the model: run scripts/fetch-model, pass --model (without --lexical-only), or train --cues-only"
            );
        };
        let e5 = E5::load(&path).with_context(|| format!("cannot load {}", path.display()))?;
        let pb = bar(texts.len() as u64, "embedding training texts");
        let v = embed_texts_with_progress(&e5, &texts, &mut |n| pb.inc(n as u64))?;
        pb.finish_and_clear();
        (Some(v), e5.model_id().to_owned())
    };
    let examples: Vec<Example> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| Example {
            cues: *ClaimCues::of(&r.text).values(),
            embedding: embeddings.as_ref().map(|v| v[i].clone()),
            label: r.label.expect("labelled rows"),
        })
        .collect();
    let options = TrainOptions {
        seed: args.seed,
        folds: args.folds,
        repeats: args.repeats,
        ..TrainOptions::default()
    };
    let mut detector = Detector::train(&examples, &model_id, &options)?;
    let positives = examples.iter().filter(|e| e.label).count();
    detector.trained_on = format!(
        "{} ({} texts, {positives} with {} = 1); settings chosen by stratified {}-fold cross-validation repeated {} times (seed {})",
        file_name(&args.train),
        examples.len(),
        args.label,
        args.folds,
        args.repeats,
        args.seed
    );
    detector.command = std::iter::once("claimdesk".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let json = serde_json::to_string_pretty(&detector)? + "\n";
    std::fs::write(&args.out, json)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "{:<16} {:>6} {:>6} {:>8} {:>8}",
        "inputs", "boost", "l2", "cv MAP", "cv P@30"
    );
    for r in &detector.cross_validation {
        println!(
            "{:<16} {:>6} {:>6} {:>8.4} {:>8.4}",
            r.inputs.name(),
            r.cue_boost,
            r.l2,
            r.map,
            r.p_at_30
        );
    }
    for (name, m) in [
        ("with the model", &detector.with_model),
        ("without it", &detector.without_model),
    ] {
        println!(
            "chosen {name}: {} L2 {} cue boost {} (cv MAP {:.4}, P@30 {:.4}); match threshold {:.4} (keeps {:.0}% of the check-worthy training texts, out of fold)",
            m.inputs.name(),
            m.l2,
            m.cue_boost,
            m.cv_map,
            m.cv_p_at_30,
            m.match_threshold,
            claimdesk_match::checkworthy::MATCH_RECALL * 100.0
        );
    }
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// `claimdesk eval-detector`: MAP and P@30 of the file ranked as one list, with the model
/// (when present and not `--cues-only`) and with the cues only.
pub fn eval(cli: &crate::Cli, args: &EvalArgs) -> Result<ExitCode> {
    let rows = read_rows(&args.tsv, Layout::Clef, Some(&args.label))?;
    let scorer = scorer(cli, &args.model)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let labels: Vec<bool> = rows.iter().map(|r| r.label == Some(true)).collect();
    let positives = labels.iter().filter(|&&l| l).count();
    println!("detector: {}", scorer.detector.trained_on);
    println!(
        "evaluated on {} ({} texts, {positives} with {} = 1)",
        file_name(&args.tsv),
        rows.len(),
        args.label
    );
    let mut runs: Vec<(&str, Vec<f32>)> = Vec::new();
    if scorer.detector.mode(scorer.embedder()) == Mode::WithModel {
        runs.push(("with the model", scorer.score(&texts)?));
    }
    runs.push(("cues only", scorer.detector.score_cues(&texts)));
    for (name, scores) in runs {
        let m = match name {
            "cues only" => &scorer.detector.without_model,
            _ => &scorer.detector.with_model,
        };
        let ranked = rank_labels(&scores, &labels);
        println!(
            "{name:<15} {:<15} L2 {:<6} train CV: MAP {:.4} P@30 {:.4}   {}: MAP {:.4} P@30 {:.4}",
            m.inputs.name(),
            m.l2,
            m.cv_map,
            m.cv_p_at_30,
            file_name(&args.tsv),
            average_precision(&ranked),
            precision_at(&ranked, 30)
        );
        // What the desk's match threshold (chosen on train) does on this file.
        let t = m.match_threshold;
        let kept = scores.iter().filter(|&&s| s >= t).count();
        let kept_worthy = scores
            .iter()
            .zip(&labels)
            .filter(|(s, l)| **l && **s >= t)
            .count();
        println!(
            "{:<15} match threshold {t:.4}: keeps {kept_worthy} of {positives} check-worthy ({:.1}% recall), matches {kept} of {} texts ({:.1}% skipped)",
            "",
            100.0 * kept_worthy as f64 / positives.max(1) as f64,
            rows.len(),
            100.0 * (rows.len() - kept) as f64 / rows.len().max(1) as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads a TSV with a header line. Every malformed row is an error naming the file and line.
fn read_rows(path: &Path, layout: Layout, label: Option<&str>) -> Result<Vec<Row>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.is_empty() {
        bail!("{}: empty file, expected a header line", path.display());
    }
    let mut lines = bytes.split(|&b| b == b'\n').enumerate().map(|(i, l)| {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        std::str::from_utf8(l)
            .map(|s| (i + 1, s))
            .map_err(|e| anyhow::anyhow!("{}:{}: not valid UTF-8 ({e})", path.display(), i + 1))
    });
    let (_, header) = lines.next().expect("split yields at least one line")?;
    if header.trim().is_empty() {
        bail!(
            "{}:1: expected a header line (id<TAB>text), found an empty line",
            path.display()
        );
    }
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let column = |name: &str| {
        names.iter().position(|n| *n == name).with_context(|| {
            format!(
                "{}:1: no `{name}` column in the header ({})",
                path.display(),
                names.join(", ")
            )
        })
    };
    let (id_col, text_col) = match layout {
        Layout::IdText => (0, 1),
        Layout::Clef => (column("tweet_id")?, column("tweet_text")?),
    };
    let label_col = label.map(column).transpose()?;
    let needed = id_col.max(text_col).max(label_col.unwrap_or(0)) + 1;
    let mut rows = Vec::new();
    for line in lines {
        let (n, line) = line?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < needed {
            bail!(
                "{}:{n}: expected at least {needed} tab-separated columns, found {}",
                path.display(),
                fields.len()
            );
        }
        let id = fields[id_col].trim();
        if id.is_empty() {
            bail!("{}:{n}: empty id", path.display());
        }
        let label = match label_col {
            None => None,
            Some(c) => Some(match fields[c].trim() {
                "1" => true,
                "0" => false,
                other => bail!(
                    "{}:{n}: `{}` must be 0 or 1, found `{other}`",
                    path.display(),
                    names[c]
                ),
            }),
        };
        rows.push(Row {
            id: id.to_owned(),
            text: fields[text_col].to_owned(),
            label,
        });
    }
    Ok(rows)
}
