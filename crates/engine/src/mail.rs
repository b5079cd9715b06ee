//! Scheduled digests by e-mail (`[digest]`): which digests are due, the message (the
//! digest's HTML as the body, its PDF attached), sending it over SMTP with STARTTLS or TLS
//! (lettre; plain text only to a server on this machine), and retries with exponential
//! backoff, each attempt in the store's delivery log. [`deliver_due_digests`] never sleeps:
//! a serving desk calls it every [`DIGEST_POLL`] (`jobs`).
//!
//! The SMTP password is a secret: it goes to the server and nowhere else (errors are the
//! server's answers or the connection's failure, which never carry it).

use std::time::Duration;

use claimdesk_store::{CaseStore, DigestAttempt, DigestStore, SourceStore, StatsStore};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::briefing::{BriefingRequest, PeriodKind, digest, previous_period, print_pdf};
use crate::config::{Config, DigestSection};
use crate::error::{Error, Result};
use claimdesk_publish::briefing::DigestLang;

/// How often a serving desk looks whether a digest is due.
pub const DIGEST_POLL: Duration = Duration::from_secs(60);
/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// A digest the schedule calls for: its kind and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDigest {
    /// Weekly or monthly.
    pub kind: PeriodKind,
    /// The first day of its period.
    pub from: Date,
    /// The last day (inclusive).
    pub to: Date,
}

impl DueDigest {
    /// `weekly` or `monthly`, as logged.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            PeriodKind::Month => "monthly",
            _ => "weekly",
        }
    }
}

/// The zone of the digests' periods and send time.
fn zone(config: &Config) -> Result<TimeZone> {
    let name = config
        .digest
        .time_zone
        .as_deref()
        .unwrap_or(&config.server.time_zone);
    TimeZone::get(name).map_err(|_| Error::Usage(format!("unknown time zone `{name}`")))
}

/// The digests of the schedule whose send time has passed at `now`: for each kind, the last
/// complete period, once the day after it has reached `send_at`.
pub fn due_digests(config: &Config, now: Timestamp) -> Result<Vec<DueDigest>> {
    let tz = zone(config)?;
    let local = now.to_zoned_datetime(tz.clone());
    let send_at = Time::strptime("%H:%M", &config.digest.send_at)
        .map_err(|e| Error::Usage(format!("[digest] send_at: {e}")))?;
    let mut out = Vec::new();
    for name in &config.digest.schedule {
        let kind = match name.as_str() {
            "monthly" => PeriodKind::Month,
            _ => PeriodKind::Week,
        };
        let (from, to) = previous_period(kind, local.date());
        let Ok(day_after) = to.tomorrow() else {
            continue;
        };
        let Ok(send) = day_after.to_datetime(send_at).to_zoned_datetime(tz.clone()) else {
            continue;
        };
        if now >= send.timestamp() {
            out.push(DueDigest { kind, from, to });
        }
    }
    Ok(out)
}

/// The message of a digest: `html` as the body, `pdf` attached, to every recipient.
pub fn message(
    settings: &DigestSection,
    subject: &str,
    html: String,
    pdf: Option<(String, Vec<u8>)>,
) -> Result<Message> {
    let mailbox = |key: &str, value: &str| -> Result<Mailbox> {
        value
            .parse()
            .map_err(|e| Error::Usage(format!("[digest] {key}: `{value}` is not an address: {e}")))
    };
    let mut builder = Message::builder()
        .from(mailbox("from", &settings.from)?)
        .subject(subject);
    for r in &settings.recipients {
        builder = builder.to(mailbox("recipients", r)?);
    }
    let mut body = MultiPart::mixed().singlepart(SinglePart::html(html));
    if let Some((name, bytes)) = pdf {
        let pdf_type = ContentType::parse("application/pdf")
            .map_err(|e| Error::Internal(format!("content type: {e}")))?;
        body = body.singlepart(Attachment::new(name).body(bytes, pdf_type));
    }
    builder
        .multipart(body)
        .map_err(|e| Error::Usage(format!("the digest's message: {e}")))
}

/// Sends `message` over the SMTP server of `settings`; the error is what failed, in words
/// (the server's answer or the connection's failure).
pub async fn send(settings: &DigestSection, message: Message) -> std::result::Result<(), String> {
    let host = settings.smtp_host.as_str();
    let builder = match settings.smtp_security.as_str() {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?,
        "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        _ => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| e.to_string())?
        }
    };
    let mut builder = builder.port(settings.smtp_port).timeout(Some(SMTP_TIMEOUT));
    if let (Some(user), Some(password)) = (&settings.smtp_user, &settings.smtp_password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder
        .build()
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// When the next attempt at a digest may be made, after `failed` failed attempts, the last
/// at `last`: `retry_secs`, then twice that, and so on.
fn next_attempt(settings: &DigestSection, failed: u32, last: Timestamp) -> Timestamp {
    let wait = settings
        .retry_secs
        .saturating_mul(1u64 << failed.saturating_sub(1).min(20));
    last.checked_add(jiff::SignedDuration::from_secs(
        i64::try_from(wait).unwrap_or(i64::MAX),
    ))
    .unwrap_or(Timestamp::MAX)
}

/// Mails every due digest that was not sent yet and whose next attempt has come, logging
/// each attempt in the store; returns the attempts made. A failure is logged and retried
/// on a later call (after the backoff), until `[digest] attempts`.
pub async fn deliver_due_digests<S>(
    store: &S,
    config: &Config,
    now: Timestamp,
) -> Result<Vec<DigestAttempt>>
where
    S: StatsStore + CaseStore + SourceStore + DigestStore,
{
    let settings = &config.digest;
    let mut made = Vec::new();
    for due in due_digests(config, now)? {
        let from = due.from.to_string();
        let past = store.digest_attempts(due.kind_name(), &from).await?;
        if past.iter().any(|a| a.sent) {
            continue;
        }
        let failed = u32::try_from(past.len()).unwrap_or(u32::MAX);
        if failed >= settings.attempts {
            continue;
        }
        if let Some(last) = past.last().and_then(|a| a.at.parse::<Timestamp>().ok())
            && now < next_attempt(settings, failed, last)
        {
            continue;
        }
        let lang = DigestLang::parse(&settings.language).unwrap_or(DigestLang::Vi);
        let tz = zone(config)?;
        let req = BriefingRequest {
            from: due.from,
            to: due.to,
            time_zone_name: tz.iana_name().unwrap_or("UTC").to_string(),
            time_zone: tz,
            with_editors: false,
            now,
        };
        let period = if due.kind == PeriodKind::Month {
            "month"
        } else {
            "week"
        };
        let desk = config.publisher.name.as_deref().unwrap_or("claimdesk");
        let base = config.server.public_url.as_deref().unwrap_or("");
        let d = digest(store, &req, lang, period, desk, base).await?;
        let html = d.html();
        let outcome = async {
            let pdf = match settings.attach_pdf {
                true => {
                    let bytes = print_pdf(html.clone(), settings.chromium.clone())
                        .await
                        .map_err(|e| e.to_string())?;
                    Some((format!("digest-{}-{from}.pdf", due.kind_name()), bytes))
                }
                false => None,
            };
            let message = message(settings, &d.subject(), html, pdf).map_err(|e| e.to_string())?;
            send(settings, message).await
        }
        .await;
        let attempt = DigestAttempt {
            kind: due.kind_name().to_string(),
            period_from: from.clone(),
            period_to: due.to.to_string(),
            language: settings.language.clone(),
            recipients: u32::try_from(settings.recipients.len()).unwrap_or(u32::MAX),
            attempt: failed + 1,
            sent: outcome.is_ok(),
            error: outcome.err(),
            at: format!("{:.3}", now),
        };
        match &attempt.error {
            None => tracing::info!(
                target: "publish::digest",
                kind = attempt.kind, from = %from, attempt = attempt.attempt,
                recipients = attempt.recipients, "digest mailed"
            ),
            Some(error) => tracing::warn!(
                target: "publish::digest",
                kind = attempt.kind, from = %from, attempt = attempt.attempt, error = %error,
                retry = attempt.attempt < settings.attempts, "digest not mailed"
            ),
        }
        store.record_digest_attempt(&attempt).await?;
        made.push(attempt);
    }
    Ok(made)
}
