//! How the server behaves ([`ServerConfig`]): limits, the time zone, the public address,
//! the rating scale and the publisher.

use std::time::Duration;

use claimdesk_publish::{Publisher, RatingScale};

use crate::time::{self, UnknownTimeZone};

/// The desk's time zone when the config names none.
pub const DEFAULT_TIME_ZONE: &str = claimdesk_engine::config::DEFAULT_TIME_ZONE;

/// The base of absolute links (JSON-LD, feeds) when neither `public_url` nor the listening
/// address is known.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// How the server behaves: limits, the time zone dates are shown in, the public address and
/// the rating scale.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Absolute links in JSON-LD and feeds start with this when `public_url` is not set
    /// (the binary sets it to `http://` + the listening address). A trailing `/` is ignored.
    pub link_base: String,
    /// The desk's verdicts, for showing a stored verdict in the reader's language.
    pub rating_scale: RatingScale,
    /// Dates and times are shown, and date filters read, in this time zone.
    pub time_zone: jiff::tz::TimeZone,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest body of a route that takes images (an item with images, the privacy
    /// check), in bytes (`[server] upload_limit_mb`).
    pub upload_limit: usize,
    /// A request taking longer is answered with `request_timeout`.
    pub request_timeout: Duration,
    /// The address the desk is reached at (`[server] public_url`), e.g.
    /// `https://desk.example`: browser requests that change something must come from its
    /// origin, and cookies are `Secure` when it is `https`. `None`: the request's `Host`.
    pub public_url: Option<String>,
    /// How long a session lasts after signing in.
    pub session_ttl: Duration,
    /// Who publishes the desk's verdicts (`[publisher]`): their ClaimReview's author.
    pub publisher: Publisher,
}

impl ServerConfig {
    /// Whether cookies carry `Secure`: the desk is served over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| {
            u.get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        })
    }

    /// The default config with the named IANA time zone (e.g. `Europe/Paris`).
    pub fn with_time_zone(name: &str) -> Result<ServerConfig, UnknownTimeZone> {
        Ok(ServerConfig {
            time_zone: time::zone(name)?,
            ..ServerConfig::default()
        })
    }

    /// The server's part of the engine's config (`[server]` and `[rating_scale]`), links
    /// defaulting to `link_base` (e.g. `http://` + the listening address).
    pub fn from_config(
        config: &claimdesk_engine::Config,
        link_base: String,
    ) -> Result<ServerConfig, UnknownTimeZone> {
        Ok(ServerConfig {
            link_base,
            public_url: config.server.public_url.clone(),
            rating_scale: config.rating_scale().clone(),
            publisher: config.publisher.clone(),
            upload_limit: config.server.upload_limit_mb << 20,
            ..ServerConfig::with_time_zone(&config.server.time_zone)?
        })
    }

    /// Where the public reaches the desk, without a trailing `/`, ready for a path:
    /// [`ServerConfig::public_url`] when set, else [`ServerConfig::link_base`].
    pub fn public_base(&self) -> &str {
        self.public_url
            .as_deref()
            .unwrap_or(&self.link_base)
            .trim_end_matches('/')
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            link_base: DEFAULT_PUBLIC_URL.to_string(),
            rating_scale: RatingScale::default(),
            time_zone: time::zone(DEFAULT_TIME_ZONE).unwrap_or_else(|_| time::fallback_zone()),
            body_limit: 1024 * 1024,
            upload_limit: claimdesk_engine::config::DEFAULT_UPLOAD_LIMIT_MB << 20,
            request_timeout: Duration::from_secs(30),
            public_url: None,
            session_ttl: Duration::from_secs(12 * 3600),
            publisher: Publisher::default(),
        }
    }
}
