//! Why a fetch did not happen or did not finish.

use std::net::IpAddr;
use std::time::Duration;

use super::policy::BlockReason;

/// The config setting that opens hosts and address blocks, named in refusals.
pub const ALLOW_SETTING: &str = "[fetch] allow in claimdesk.toml";

/// What went wrong with an outgoing request. Refusals name the host, the address and the
/// rule, and say how to allow-list it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The text is not a URL.
    #[error("`{url}` is not a valid URL: {reason}")]
    InvalidUrl {
        /// What was given.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// Only http and https are fetched.
    #[error("refused {url}: only http:// and https:// URLs are fetched, not {scheme}://")]
    Scheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// The URL has no host to connect to.
    #[error("refused {url}: it names no host")]
    NoHost {
        /// The URL.
        url: String,
    },
    /// The host is, spells or resolves to an address the rules refuse.
    #[error(
        "refused {url}: host `{host}` {how} {addr}, {reason}; to fetch it anyway add {entries} \
         to {ALLOW_SETTING}",
        how = if host_is_addr(host, addr) { "is" } else { "resolves to" },
        entries = allow_entries(host, addr, *port)
    )]
    Blocked {
        /// The URL (a redirect target when a redirect led there).
        url: String,
        /// The host as the URL names it, normalized (`2130706433` becomes `127.0.0.1`).
        host: String,
        /// The refused address.
        addr: IpAddr,
        /// The port asked for (an allow-list entry opens 80 and 443 unless it names one).
        port: u16,
        /// The rule it falls under.
        reason: BlockReason,
    },
    /// The name did not resolve.
    #[error("cannot resolve `{host}` (in {url}): {error}")]
    Resolve {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
        /// The resolver's answer.
        error: String,
    },
    /// More redirects than allowed.
    #[error("gave up on {url}: more than {max} redirects (last to {last})")]
    TooManyRedirects {
        /// The URL first asked for.
        url: String,
        /// The most followed.
        max: usize,
        /// The redirect not followed.
        last: String,
    },
    /// A redirect without a usable `Location`.
    #[error("{url} redirected ({status}) without a usable Location: {reason}")]
    BadRedirect {
        /// The URL that answered.
        url: String,
        /// Its status.
        status: u16,
        /// What was wrong.
        reason: String,
    },
    /// The whole exchange took longer than allowed.
    #[error("gave up on {url}: no complete answer within {}s", after.as_secs_f32())]
    Timeout {
        /// The URL.
        url: String,
        /// The time allowed.
        after: Duration,
    },
    /// The body is larger than allowed.
    #[error("gave up on {url}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The most accepted.
        limit: usize,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}{}", if reason.is_empty() { String::new() } else { format!(" {reason}") })]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// Connecting, TLS, or reading failed.
    #[error("cannot fetch {url}: {error}")]
    Transport {
        /// The URL.
        url: String,
        /// What failed.
        error: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// The allow-list entries that would open `host` (or `addr`) on `port`, quoted.
fn allow_entries(host: &str, addr: &IpAddr, port: u16) -> String {
    let with_port = |target: String| match port {
        80 | 443 => format!("\"{target}\""),
        p => format!("\"{target}:{p}\""),
    };
    let bracketed = match addr {
        IpAddr::V6(a) => format!("[{a}]"),
        IpAddr::V4(a) => a.to_string(),
    };
    if host_is_addr(host, addr) {
        with_port(bracketed)
    } else {
        format!(
            "{} (or {})",
            with_port(host.to_string()),
            with_port(bracketed)
        )
    }
}

fn host_is_addr(host: &str, addr: &IpAddr) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|h| h == *addr)
}

impl FetchError {
    /// The URL the error is about: the one asked for, or the redirect target that failed
    /// ([`FetchError::TooManyRedirects`]: the one first asked for); none for a client that
    /// could not be set up.
    pub fn url(&self) -> Option<&str> {
        match self {
            FetchError::InvalidUrl { url, .. }
            | FetchError::Scheme { url, .. }
            | FetchError::NoHost { url }
            | FetchError::Blocked { url, .. }
            | FetchError::Resolve { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::BadRedirect { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::Transport { url, .. } => Some(url),
            FetchError::Client(_) => None,
        }
    }

    /// True for refusals by the address rules (the allow-list can change the answer).
    pub fn is_blocked(&self) -> bool {
        matches!(self, FetchError::Blocked { .. } | FetchError::Scheme { .. })
    }
}
