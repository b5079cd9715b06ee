//! Users and API tokens.

use std::fmt::Write as _;

use claimdesk_engine::core::{AuditReport, User, WitnessReport, WitnessedCheckpoint};
use claimdesk_engine::store::ApiToken;

/// One line per user: name, role, state, display name.
pub fn users(users: &[User]) -> String {
    if users.is_empty() {
        return "no users yet: add one with `claimdesk user add NAME --role admin`\n".into();
    }
    let mut out = String::new();
    for u in users {
        let state = if u.disabled { "disabled" } else { "active" };
        let _ = writeln!(
            out,
            "{:<20} {:<9} {state:<9} {}",
            u.username, u.role, u.display_name
        );
    }
    out
}

/// What `claimdesk user` did to one account, for [`user_changed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserChange {
    /// `user add`.
    Added,
    /// `user passwd`: a new password, the account's sessions ended.
    Password,
    /// `user disable`.
    Disabled,
    /// `user enable`.
    Enabled,
    /// `user role`.
    Role,
}

/// The line `claimdesk user` prints after changing `user`.
pub fn user_changed(user: &User, change: UserChange) -> String {
    let name = &user.username;
    match change {
        UserChange::Added => format!("added {name} ({}) as {}\n", user.display_name, user.role),
        UserChange::Password => format!("password of {name} changed; their sessions were ended\n"),
        UserChange::Disabled => format!("disabled {name}\n"),
        UserChange::Enabled => format!("enabled {name}\n"),
        UserChange::Role => format!("{name} is now {}\n", user.role),
    }
}

/// The line (for standard error) above a new API token `id` of `username`, which is shown once.
pub fn token_created(id: i64, username: &str) -> String {
    format!("token {id} for {username} (shown once; send it as `Authorization: Bearer TOKEN`):\n")
}

/// The line `init` prints: the directory `data`, `created` or found already set up.
pub fn initialized(created: bool, data: &std::path::Path) -> String {
    let what = if created {
        "created"
    } else {
        "already set up:"
    };
    format!("{what} {}\n", data.display())
}

/// What `migrate` copied into the database at `url` (its password left out), table by
/// table, and how to serve the desk from there.
pub fn migrated(report: &claimdesk_engine::store::CopyReport, data: &std::path::Path) -> String {
    let mut out = String::from("copied into PostgreSQL, in one transaction:\n");
    for (table, rows) in &report.tables {
        if *rows > 0 {
            out.push_str(&format!("  {table:<24} {rows:>10}\n"));
        }
    }
    let empty: Vec<&str> = (report.tables.iter())
        .filter(|(_, n)| *n == 0)
        .map(|(t, _)| t.as_str())
        .collect();
    if !empty.is_empty() {
        out.push_str(&format!("  (empty: {})\n", empty.join(", ")));
    }
    let data = crate::shell_word(&data.display().to_string());
    out.push_str(&format!(
        "the move is audit event {}; check the chain there, then serve from the database \
         (set `[store] url` in the config to keep it):\n  \
         claimdesk --data {data} --database-url URL audit verify\n  \
         claimdesk --data {data} --database-url URL serve\n",
        report.audit_seq
    ));
    out
}

/// What to do after `init` on data directory `data`: add a user who can sign in, serve.
pub fn next_steps(data: &std::path::Path) -> String {
    let data = crate::shell_word(&data.display().to_string());
    format!(
        "next: add a user who can sign in (the password is read from standard input), then \
         serve the desk:\n  claimdesk --data {data} user add NAME --role admin\n  \
         claimdesk --data {data} serve\n"
    )
}

/// The note `serve` prints when nobody can sign in to the desk at `data` (none of its
/// `users` is enabled); nothing when someone can.
pub fn sign_in_note(data: &std::path::Path, users: &[User]) -> String {
    if users.iter().any(|u| !u.disabled) {
        return String::new();
    }
    let data = crate::shell_word(&data.display().to_string());
    let enabled = if users.is_empty() { "" } else { "enabled " };
    format!(
        "note: nobody can sign in: this desk has no {enabled}users. Add one (the password is \
         read from standard input):\n  claimdesk --data {data} user add NAME --role admin\n"
    )
}

/// One line per token of `username`: id, name, created, active or revoked.
pub fn tokens(username: &str, tokens: &[ApiToken]) -> String {
    if tokens.is_empty() {
        return format!("{username} has no API tokens\n");
    }
    let mut out = String::new();
    for t in tokens {
        let state = t
            .revoked_at
            .as_ref()
            .map_or_else(|| "active".to_string(), |at| format!("revoked {at}"));
        let _ = writeln!(out, "{:<6} {:<24} {} {state}", t.id.0, t.name, t.created_at);
    }
    out
}

/// Whether the audit chain's hashes hold, and how many events it has.
pub fn audit_chain(report: &AuditReport) -> String {
    match &report.problem {
        None => format!("audit chain intact: {} events\n", report.events),
        Some(problem) => format!("audit chain broken: {problem}\n"),
    }
}

/// The exported checkpoints as JSON Lines, one line each, as witnesses copy them.
pub fn checkpoint_lines(lines: &[WitnessedCheckpoint]) -> String {
    lines
        .iter()
        .filter_map(|l| serde_json::to_string(l).ok())
        .map(|l| l + "\n")
        .collect()
}

/// What checking the chain against a witness's checkpoints found, naming the first bad
/// sequence number.
pub fn witness(report: &WitnessReport) -> String {
    let mut out = format!(
        "witnessed checkpoints: {} verified, covering events 1 to {}\n",
        report.checkpoints, report.witnessed_to
    );
    for problem in &report.problems {
        let _ = writeln!(out, "witness check failed: {problem}");
    }
    if let Some(seq) = report.first_bad_seq() {
        let _ = writeln!(out, "first bad sequence number: {seq}");
    }
    out
}
