//! `claimdesk demo`: the bundled sample (fictional fact-checks and posts in Vietnamese and
//! English, see `sample/README.md`) loaded into a fresh, temporary data directory with two
//! demo accounts, then the desk served on it until Ctrl-C; `--no-serve` prints the matches
//! of every post instead and exits.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::{ItemId, Role};
use claimdesk_ingest::{FactCheckFormat, ItemFormat};
use claimdesk_store::prelude::*;
use clap::Args;

use crate::load;
use crate::ranking::render_matches;
use crate::serve;

/// Arguments of `claimdesk demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The address to serve the desk on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Print every post's matches and exit instead of serving the desk.
    #[arg(long)]
    no_serve: bool,
}

impl DemoArgs {
    /// Whether the demo serves the desk (and so wants a multi-thread runtime).
    pub fn serves(&self) -> bool {
        !self.no_serve
    }
}

/// The demo accounts: (username, role).
const ACCOUNTS: [(&str, Role); 2] = [("editor", Role::Editor), ("reviewer", Role::Reviewer)];

/// The sample fact-checks (ClaimReview JSON Lines).
pub const SAMPLE_FACTCHECKS: &str = include_str!("../sample/factchecks.jsonl");
/// The sample posts (JSON Lines).
pub const SAMPLE_POSTS: &str = include_str!("../sample/posts.jsonl");

pub async fn run(cli: &crate::Cli, args: &DemoArgs) -> Result<ExitCode> {
    // Bind first: a taken port is said before anything is loaded.
    let listener = match args.serves() {
        true => Some(serve::listen(args.addr).await?),
        false => None,
    };
    let dir = tempfile::Builder::new()
        .prefix("claimdesk-demo-")
        .tempdir()
        .context("cannot create a temporary data directory")?;
    let fc_path = dir.path().join("sample-factchecks.jsonl");
    let posts_path = dir.path().join("sample-posts.jsonl");
    std::fs::write(&fc_path, SAMPLE_FACTCHECKS)?;
    std::fs::write(&posts_path, SAMPLE_POSTS)?;
    println!("claimdesk demo: fictional sample data (see crates/claimdesk/sample/README.md)\n");
    let data = dir.path().join("data");
    let engine = crate::open_at(cli, &data).await?;
    load::import(&engine, &fc_path, FactCheckFormat::ClaimReview).await?;
    load::ingest(&engine, &posts_path, ItemFormat::Jsonl).await?;
    if let Some(listener) = listener {
        let accounts = engine
            .add_demo_accounts(&ACCOUNTS)
            .await
            .context("cannot add the demo accounts")?;
        let config = serve::server_config(&engine, args.addr)?;
        serve::serve_desk(&engine, listener, config, |addr| {
            println!("\nclaimdesk demo desk: http://{addr}/");
            println!("  published verdicts (public): http://{addr}/verdicts");
            println!("  API: http://{addr}/api/openapi.json");
            println!("demo accounts (passwords are new each run):");
            for (name, role, password) in &accounts {
                println!("  {name:<9} role {:<9} password {password}", role.as_str());
            }
            println!("data: {} (deleted on exit)", data.display());
            println!("Ctrl-C to stop");
        })
        .await?;
        return Ok(ExitCode::SUCCESS);
    }
    let catalog = engine.catalog().await?;
    let ranker = crate::ranker(&engine).await?.current();
    let matcher = ranker.matcher();
    println!("\nretrievers: {}", matcher.retrievers().join(", "));
    for stored in engine.store().items(ItemId(0), u32::MAX).await? {
        let item = &stored.item;
        println!(
            "\n── post {} [{}]",
            item.external_id.as_deref().unwrap_or("?"),
            item.language.as_deref().unwrap_or("?")
        );
        println!("{}", item.text);
        let matches = matcher.rank(&item.text, 3, true)?;
        for line in render_matches(&matches, &catalog).lines() {
            println!("  {line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
