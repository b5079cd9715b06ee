//! `claimdesk user ...`, `claimdesk token ...` and `claimdesk audit ...`: desk accounts, API
//! tokens and the audit trail, from the
//! machine that holds the data. The command line acts as `cli` in the audit trail, with every
//! permission (whoever runs it can open the database file anyway).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_core::{
    Actor, ApiTokenId, CheckpointKey, CheckpointSigner, Role, User, WitnessReport, WitnessVerifier,
};
use claimdesk_engine::Config;
use claimdesk_engine::jobs::checkpoint_audit;
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{NewUser, PasswordHash, witnessed_checkpoints};
use clap::Subcommand;

use claimdesk_engine::DataDir;

/// `claimdesk user`.
#[derive(Subcommand, Debug, Clone)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        /// The login name (ASCII letters, digits, `.`, `_`, `-`).
        username: String,
        /// What the user may do: viewer, editor, reviewer or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown at the desk (default: the username).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Set a user's password, read from standard input (one line). Ends their sessions.
    Passwd {
        /// The user.
        username: String,
    },
    /// Disable a user: they cannot sign in, and their sessions and API tokens stop working.
    Disable {
        /// The user.
        username: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// The user.
        username: String,
    },
    /// Change a user's role.
    Role {
        /// The user.
        username: String,
        /// viewer, editor, reviewer or admin.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// List the users.
    List,
}

/// `claimdesk token`.
#[derive(Subcommand, Debug, Clone)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (it is shown this once; only its hash
    /// is kept).
    Create {
        /// Whose token it is.
        username: String,
        /// What it is for ("intake script").
        name: String,
    },
    /// List a user's API tokens (ids, names, dates; never the tokens).
    List {
        /// The user.
        username: String,
    },
    /// Revoke an API token by id; requests with it are refused from then on.
    Revoke {
        /// The token's id (see `claimdesk token list`).
        id: i64,
    },
}

/// `claimdesk audit`.
#[derive(Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Recompute the audit chain: exit 0 when it is intact, 1 naming the first event that
    /// was edited or deleted. With `--checkpoints`, also check a witness's copy of the
    /// signed checkpoints: every signature, and that the store still holds every witnessed
    /// event (a rewrite re-chained to look intact is named by its first event).
    Verify {
        /// A copy of `claimdesk audit checkpoints` kept elsewhere (JSON Lines).
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        /// The desk's public key (64 hex digits, as `claimdesk audit key` prints it);
        /// default: the desk's own key file.
        #[arg(long, value_name = "FILE", requires = "checkpoints")]
        key: Option<PathBuf>,
    },
    /// Sign a checkpoint of the chain's head now (a serving desk does so every
    /// `[audit] checkpoint_every` events and hourly).
    Checkpoint,
    /// Export the signed checkpoints as JSON Lines, each with the chain hashes of the events
    /// since the one before: what a witness copies.
    Checkpoints {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the public key that checkpoints are verified with.
    Key,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: claimdesk_core::UnknownName| e.to_string())
}

/// Reads one line from standard input as a new password and hashes it.
fn read_password(username: &str) -> Result<PasswordHash> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password for {username} (one line, shown as typed): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    let n = stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    if n == 0 {
        bail!(
            "no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PW\" | claimdesk user add ...`"
        );
    }
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(hash_password(password)?)
}

async fn find(store: &impl UserStore, username: &str) -> Result<User> {
    store
        .user_by_name(username)
        .await?
        .with_context(|| format!("no user `{username}` (see `claimdesk user list`)"))
}

/// Runs a `user` command.
pub async fn user(data: &Path, command: UserCommand) -> Result<ExitCode> {
    let store = DataDir::new(data).open_store().await?;
    match command {
        UserCommand::Add {
            username,
            role,
            display_name,
        } => {
            let password = read_password(&username)?;
            let user = store
                .add_user(
                    &NewUser {
                        username,
                        display_name,
                        role,
                        password,
                    },
                    Actor::Cli,
                )
                .await?;
            println!(
                "added {} ({}) as {}",
                user.username, user.display_name, user.role
            );
        }
        UserCommand::Passwd { username } => {
            let user = find(&store, &username).await?;
            let password = read_password(&user.username)?;
            store.set_password(user.id, &password, Actor::Cli).await?;
            println!(
                "password of {} changed; their sessions were ended",
                user.username
            );
        }
        UserCommand::Disable { username } => {
            let user = find(&store, &username).await?;
            store.set_disabled(user.id, true, Actor::Cli).await?;
            println!("disabled {}", user.username);
        }
        UserCommand::Enable { username } => {
            let user = find(&store, &username).await?;
            store.set_disabled(user.id, false, Actor::Cli).await?;
            println!("enabled {}", user.username);
        }
        UserCommand::Role { username, role } => {
            let user = find(&store, &username).await?;
            let user = store.set_role(user.id, role, Actor::Cli).await?;
            println!("{} is now {}", user.username, user.role);
        }
        UserCommand::List => {
            let users = store.users().await?;
            if users.is_empty() {
                println!("no users yet: add one with `claimdesk user add NAME --role admin`");
            }
            for u in users {
                println!(
                    "{:<20} {:<9} {:<9} {}",
                    u.username,
                    u.role,
                    if u.disabled { "disabled" } else { "active" },
                    u.display_name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `token` command.
pub async fn token(data: &Path, command: TokenCommand) -> Result<ExitCode> {
    let store = DataDir::new(data).open_store().await?;
    match command {
        TokenCommand::Create { username, name } => {
            let user = find(&store, &username).await?;
            let token = store.create_api_token(user.id, &name, Actor::Cli).await?;
            eprintln!(
                "token {} for {} (shown once; send it as `Authorization: Bearer TOKEN`):",
                token.id.0, user.username
            );
            println!("{}", token.token.expose());
        }
        TokenCommand::List { username } => {
            let user = find(&store, &username).await?;
            let tokens = store.api_tokens(user.id).await?;
            if tokens.is_empty() {
                println!("{} has no API tokens", user.username);
            }
            for t in tokens {
                let state = t
                    .revoked_at
                    .map_or_else(|| "active".to_string(), |at| format!("revoked {at}"));
                println!("{:<6} {:<24} {} {}", t.id.0, t.name, t.created_at, state);
            }
        }
        TokenCommand::Revoke { id } => {
            store.revoke_api_token(ApiTokenId(id), Actor::Cli).await?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs an `audit` command.
pub async fn audit(data: &Path, command: AuditCommand) -> Result<ExitCode> {
    let dir = DataDir::new(data);
    let config = Config::load(data)?;
    let store = dir.open_store().await?;
    match command {
        AuditCommand::Verify { checkpoints, key } => {
            let report = store.verify_audit().await?;
            let mut broken = false;
            match report.problem {
                None => println!("audit chain intact: {} events", report.events),
                Some(problem) => {
                    println!("audit chain broken: {problem}");
                    broken = true;
                }
            }
            if let Some(file) = checkpoints {
                let key = match key {
                    Some(path) => {
                        let text = std::fs::read_to_string(&path)
                            .with_context(|| format!("cannot read {}", path.display()))?;
                        CheckpointKey::from_hex(&text)
                            .with_context(|| format!("{}", path.display()))?
                    }
                    None => desk_key(&dir, &config)?.public(),
                };
                let report = verify_witness(&store, key, &file).await?;
                println!(
                    "witnessed checkpoints: {} verified, covering events 1 to {}",
                    report.checkpoints, report.witnessed_to
                );
                for problem in &report.problems {
                    println!("witness check failed: {problem}");
                }
                if let Some(seq) = report.first_bad_seq() {
                    println!("first bad sequence number: {seq}");
                }
                broken |= !report.is_intact();
            }
            Ok(if broken {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        AuditCommand::Checkpoint => {
            let signer = dir.audit_signer(&config)?;
            match checkpoint_audit(&store, &signer, 1).await? {
                Some(c) => println!("signed a checkpoint of event {} ({})", c.seq, c.hash),
                None => println!("no event since the last checkpoint"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Checkpoints { out } => {
            let mut text = String::new();
            for line in witnessed_checkpoints(&store).await? {
                text.push_str(&serde_json::to_string(&line)?);
                text.push('\n');
            }
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().write_all(text.as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Key => {
            println!("{}", dir.audit_signer(&config)?.public().to_hex());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The desk's own key, which must exist already: a new one would verify nothing.
fn desk_key(dir: &DataDir, config: &Config) -> Result<CheckpointSigner> {
    let path = dir.audit_key_file(config);
    if !path.exists() {
        bail!(
            "{}: no audit key here; give the desk's public key with --key FILE",
            path.display()
        );
    }
    Ok(dir.audit_signer(config)?)
}

/// Checks the store against a witness's copy of the checkpoints.
async fn verify_witness(
    store: &impl AuditStore,
    key: CheckpointKey,
    file: &Path,
) -> Result<WitnessReport> {
    /// Events read per query.
    const PAGE: i64 = 10_000;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut verifier = WitnessVerifier::new(key);
    for line in text.lines() {
        verifier.add_line(line);
    }
    let head = store.audit_head().await?.map_or(0, |(seq, _)| seq);
    let mut after = 0;
    'pages: while after < head {
        for (seq, hash) in store.audit_hashes(after, after + PAGE).await? {
            if !verifier.push_stored(seq, &hash) {
                break 'pages;
            }
        }
        after += PAGE;
    }
    Ok(verifier.finish())
}
