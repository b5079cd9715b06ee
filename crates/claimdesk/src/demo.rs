//! `claimdesk demo`: the bundled sample (fictional fact-checks and posts in Vietnamese and
//! English, see `sample/README.md`) loaded into a fresh, temporary data directory, with the
//! matches of every post.

use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::ItemId;
use claimdesk_ingest::{FactCheckFormat, ItemFormat};
use claimdesk_store::Store;

use crate::desk::Desk;
use crate::load;
use crate::ranking::render_matches;

/// The sample fact-checks (ClaimReview JSON Lines).
pub const SAMPLE_FACTCHECKS: &str = include_str!("../sample/factchecks.jsonl");
/// The sample posts (JSON Lines).
pub const SAMPLE_POSTS: &str = include_str!("../sample/posts.jsonl");

pub async fn run(semantic: crate::semantic::SemanticOptions) -> Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("claimdesk-demo-")
        .tempdir()
        .context("cannot create a temporary data directory")?;
    let fc_path = dir.path().join("sample-factchecks.jsonl");
    let posts_path = dir.path().join("sample-posts.jsonl");
    std::fs::write(&fc_path, SAMPLE_FACTCHECKS)?;
    std::fs::write(&posts_path, SAMPLE_POSTS)?;
    println!("claimdesk demo: fictional sample data (see crates/claimdesk/sample/README.md)\n");
    let mut desk = Desk::open(&dir.path().join("data"), &[]).await?;
    desk.semantic = semantic;
    load::import(&mut desk, &fc_path, FactCheckFormat::ClaimReview).await?;
    load::ingest(&mut desk, &posts_path, ItemFormat::Jsonl).await?;
    let catalog = desk.catalog().await?;
    let mut matcher = desk.ranker(&catalog).await?;
    println!("\nretrievers: {}", matcher.retrievers().join(", "));
    for stored in desk.store.items(ItemId(0), u32::MAX).await? {
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
