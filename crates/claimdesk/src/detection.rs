//! `claimdesk detect`, `train-detector` and `eval-detector`: check-worthiness scores for
//! texts and sentences, the training of the shipped detector (`crates/match/src/detector.json`,
//! made by `bench/train-detector`) and its measurement (`bench/detect.sh`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use claimdesk_engine::detect::{self, Scorer, ScorerOptions};
use claimdesk_engine::ingest::labelled::Layout;
use claimdesk_engine::matching::checkworthy::TrainOptions;
use claimdesk_engine::{Config, DataDir};
use claimdesk_printer as printer;
use clap::Args;

use crate::progress::Bars;

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
    let rows = detect::read_labelled(path, layout, None)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let scores = scorer.score(&texts)?;
    let scored = rows.iter().zip(scores);
    print!(
        "{}",
        scored
            .map(|(r, p)| format!("{}\t{p:.6}\n", r.id))
            .collect::<String>()
    );
    Ok(ExitCode::SUCCESS)
}

/// `claimdesk train-detector`.
pub fn train(cli: &crate::Cli, args: &TrainArgs) -> Result<ExitCode> {
    let rows = detect::read_labelled(&args.train, Layout::Clef, Some(&args.label))?;
    let model = if args.cues_only {
        None
    } else {
        let Some(path) = model_file(cli)? else {
            bail!(
                "training with the embedding needs the model: run scripts/fetch-model, pass --model (without --lexical-only), or train --cues-only"
            );
        };
        Some(claimdesk_engine::model::load(&path)?)
    };
    let options = TrainOptions {
        seed: args.seed,
        folds: args.folds,
        repeats: args.repeats,
        ..TrainOptions::default()
    };
    let (file, progress) = (printer::file_name(&args.train), Bars::default());
    let source = (file.as_str(), args.label.as_str());
    let mut detector = detect::train(&rows, source, model.as_deref(), &options, &progress)?;
    detector.command = crate::command_line();
    crate::write_file(
        &args.out,
        &(serde_json::to_string_pretty(&detector)? + "\n"),
    )?;
    print!("{}", printer::training::detector_trained(&detector));
    println!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// `claimdesk eval-detector`: MAP and P@30 of the file ranked as one list, with the model
/// (when present and not `--cues-only`) and with the cues only.
pub fn eval(cli: &crate::Cli, args: &EvalArgs) -> Result<ExitCode> {
    let rows = detect::read_labelled(&args.tsv, Layout::Clef, Some(&args.label))?;
    let scorer = scorer(cli, &args.model)?;
    let positives = rows.iter().filter(|r| r.label == Some(true)).count();
    let file = printer::file_name(&args.tsv);
    println!("detector: {}", scorer.detector.trained_on);
    println!(
        "evaluated on {file} ({} texts, {positives} with {} = 1)",
        rows.len(),
        args.label
    );
    let evaluations = detect::evaluate(&scorer, &rows)?;
    print!(
        "{}",
        printer::training::detector_evaluated(&evaluations, &file, rows.len(), positives)
    );
    Ok(ExitCode::SUCCESS)
}
