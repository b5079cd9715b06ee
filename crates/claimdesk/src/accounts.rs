//! `claimdesk user ...`, `claimdesk token ...` and `claimdesk audit ...`: desk accounts, API
//! tokens and the audit trail, from the
//! machine that holds the data. The command line acts as `cli` in the audit trail, with every
//! permission (whoever runs it can open the database file anyway).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_core::{Actor, ApiTokenId, CheckpointKey, Role, User};
use claimdesk_engine::Config;
use claimdesk_engine::jobs::{checkpoint_audit, verify_witness};
use claimdesk_printer::accounts::{self as printer, UserChange};
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
        #[arg(long)]
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
        #[arg(long, value_name = "FILE", requires = "checkpoints", value_parser = read_key)]
        key: Option<CheckpointKey>,
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

/// Reads one line from standard input as a new password and hashes it.
fn read_password(username: &str) -> Result<PasswordHash> {
    let prompt = format!("password for {username} (one line, shown as typed)");
    Ok(hash_password(&crate::read_line(&prompt, "password")?)?)
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
    let (user, change) = match command {
        UserCommand::Add {
            username,
            role,
            display_name,
        } => {
            let password = read_password(&username)?;
            let new = NewUser {
                username,
                display_name,
                role,
                password,
            };
            (store.add_user(&new, Actor::Cli).await?, UserChange::Added)
        }
        UserCommand::Passwd { username } => {
            let user = find(&store, &username).await?;
            let password = read_password(&user.username)?;
            store.set_password(user.id, &password, Actor::Cli).await?;
            (user, UserChange::Password)
        }
        UserCommand::Disable { ref username } | UserCommand::Enable { ref username } => {
            let disable = matches!(command, UserCommand::Disable { .. });
            let user = find(&store, username).await?;
            store.set_disabled(user.id, disable, Actor::Cli).await?;
            let change = [UserChange::Enabled, UserChange::Disabled][usize::from(disable)];
            (user, change)
        }
        UserCommand::Role { username, role } => {
            let user = find(&store, &username).await?;
            let user = store.set_role(user.id, role, Actor::Cli).await?;
            (user, UserChange::Role)
        }
        UserCommand::List => {
            print!("{}", printer::users(&store.users().await?));
            return Ok(ExitCode::SUCCESS);
        }
    };
    print!("{}", printer::user_changed(&user, change));
    Ok(ExitCode::SUCCESS)
}

/// Runs a `token` command.
pub async fn token(data: &Path, command: TokenCommand) -> Result<ExitCode> {
    let store = DataDir::new(data).open_store().await?;
    match command {
        TokenCommand::Create { username, name } => {
            let user = find(&store, &username).await?;
            let token = store.create_api_token(user.id, &name, Actor::Cli).await?;
            eprint!("{}", printer::token_created(token.id.0, &user.username));
            println!("{}", token.token.expose());
        }
        TokenCommand::List { username } => {
            let user = find(&store, &username).await?;
            let tokens = store.api_tokens(user.id).await?;
            print!("{}", printer::tokens(&user.username, &tokens));
        }
        TokenCommand::Revoke { id } => {
            store.revoke_api_token(ApiTokenId(id), Actor::Cli).await?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn audit(data: &Path, command: AuditCommand) -> Result<ExitCode> {
    let dir = DataDir::new(data);
    let config = Config::load(data)?;
    let store = dir.open_store().await?;
    match command {
        AuditCommand::Verify { checkpoints, key } => {
            let chain = store.verify_audit().await?;
            let mut broken = chain.problem.is_some();
            let mut text = printer::audit_chain(&chain);
            if let Some(file) = checkpoints {
                let key = match key {
                    Some(key) => key,
                    None => dir.existing_audit_signer(&config)?.public(),
                };
                let witnessed = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let report = verify_witness(&store, key, &witnessed).await?;
                text += &printer::witness(&report);
                broken |= !report.is_intact();
            }
            print!("{text}");
            Ok(ExitCode::from(u8::from(broken)))
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
            let lines = witnessed_checkpoints(&store).await?;
            let text = printer::checkpoint_lines(&lines);
            match out {
                Some(path) => crate::write_file(&path, &text)?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Key => {
            println!("{}", dir.audit_signer(&config)?.public().to_hex());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--key FILE`: the desk's public key, as `claimdesk audit key` prints it.
fn read_key(path: &str) -> Result<CheckpointKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    CheckpointKey::from_hex(&text).with_context(|| path.to_string())
}
