//! `claimdesk stats rebuild` and `claimdesk digest`: wiring over `claimdesk_engine::briefing`.

use std::path::PathBuf;
use std::process::ExitCode;

use claimdesk_engine::Engine;
use claimdesk_engine::briefing::{self, DigestFormat, DigestOrder, PeriodKind};
use claimdesk_engine::publish::briefing::DigestLang;
use clap::{Args, Subcommand};

/// `claimdesk stats`.
#[derive(Subcommand, Debug, Clone)]
pub enum StatsCommand {
    /// Recompute the dashboard's counters from the stored records (derived state).
    Rebuild,
}

/// `claimdesk digest`.
#[derive(Args, Debug)]
pub struct DigestArgs {
    /// week or month: the last complete one before today (unless --from and --to are given).
    #[arg(long, default_value = "week")]
    period: PeriodKind,
    /// The first day, YYYY-MM-DD in the desk's time zone (with --to).
    #[arg(long, requires = "to")]
    from: Option<String>,
    /// The last day, inclusive (with --from).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// html (for a phone or a mail), md (Markdown), json (the figures) or pdf (A4, printed
    /// by `[digest] chromium`).
    #[arg(long, default_value = "html")]
    format: DigestFormat,
    /// The language: vi or en.
    #[arg(long, default_value = "vi")]
    lang: DigestLang,
    /// Write here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `claimdesk digest`.
pub async fn digest(engine: &Engine, args: &DigestArgs) -> anyhow::Result<ExitCode> {
    let order = DigestOrder {
        kind: args.period,
        days: args.from.as_deref().zip(args.to.as_deref()),
        lang: args.lang,
        format: args.format,
    };
    let now = jiff::Timestamp::now();
    let (_, bytes) = briefing::written_digest(engine.store(), engine.config(), &order, now).await?;
    match &args.out {
        Some(path) => crate::write_file(path, &bytes)?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
