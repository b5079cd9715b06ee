//! The guarded HTTP client: every request's host is resolved and checked here, the connection
//! goes only to the checked addresses, and redirects are followed by hand, each hop checked.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use url::{Host, Url};

use super::error::FetchError;
use super::policy::{AllowList, classify};
use super::resolver::{Resolver, SystemResolver};

/// Limits and openings of the guarded client.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Hosts and blocks opened despite the rules.
    pub allow: AllowList,
    /// Largest body read, in bytes; a longer answer is abandoned.
    pub max_body_bytes: usize,
    /// Time for the whole exchange, redirects and body included.
    pub timeout: Duration,
    /// Redirects followed at most (each one re-checked).
    pub max_redirects: usize,
    /// The `User-Agent` sent.
    pub user_agent: String,
}

impl Default for FetchConfig {
    /// 10 MiB, 30 seconds, 5 redirects, nothing allow-listed.
    fn default() -> Self {
        FetchConfig {
            allow: AllowList::new(),
            max_body_bytes: 10 << 20,
            timeout: Duration::from_secs(30),
            max_redirects: 5,
            user_agent: concat!("claimdesk/", env!("CARGO_PKG_VERSION"), " (feed reader)").into(),
        }
    }
}

/// Validators from an earlier answer, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL that answered (after redirects).
    pub url: Url,
    /// Its status: 2xx, or 304 for a conditional GET whose content did not change.
    pub status: u16,
    /// `Content-Type`, as sent.
    pub content_type: Option<String>,
    /// `ETag`, as sent.
    pub etag: Option<String>,
    /// `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// The body (empty for 304).
    pub body: Vec<u8>,
    /// The redirects followed, in order.
    pub redirects: Vec<Url>,
}

impl Fetched {
    /// True for 304 Not Modified.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
}

/// Checked addresses by host name, read by the connector: reqwest asks it (not the system)
/// what a name resolves to, so it connects only where the check looked.
#[derive(Debug, Default)]
struct Pins(Mutex<HashMap<String, Vec<IpAddr>>>);

impl Pins {
    fn set(&self, host: &str, addrs: Vec<IpAddr>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(host.to_ascii_lowercase(), addrs);
        }
    }

    fn get(&self, host: &str) -> Option<Vec<IpAddr>> {
        self.0.lock().ok()?.get(&host.to_ascii_lowercase()).cloned()
    }
}

struct PinnedResolve(Arc<Pins>);

impl reqwest::dns::Resolve for PinnedResolve {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let pinned = self.0.get(name.as_str());
        Box::pin(async move {
            let addrs = pinned.ok_or_else(|| -> Box<dyn std::error::Error + Send + Sync> {
                "the host was not checked before connecting".into()
            })?;
            let addrs: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// An HTTP client that refuses private, loopback and other internal addresses (see
/// [`super::policy`]), unless the allow-list opens them.
#[derive(Clone)]
pub struct GuardedClient {
    http: reqwest::Client,
    resolver: Arc<dyn Resolver>,
    pins: Arc<Pins>,
    config: FetchConfig,
}

impl std::fmt::Debug for GuardedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl GuardedClient {
    /// A client resolving names with the operating system.
    pub fn new(config: FetchConfig) -> Result<GuardedClient, FetchError> {
        GuardedClient::with_resolver(config, Arc::new(SystemResolver))
    }

    /// A client resolving names with `resolver`.
    pub fn with_resolver(
        config: FetchConfig,
        resolver: Arc<dyn Resolver>,
    ) -> Result<GuardedClient, FetchError> {
        // One crypto backend for the process; a second install attempt is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let pins = Arc::new(Pins::default());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(PinnedResolve(pins.clone())))
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .timeout(config.timeout)
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(GuardedClient {
            http,
            resolver,
            pins,
            config,
        })
    }

    /// The limits in force.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Parses `url` and checks that it may be fetched: http(s), and a host that is, spells
    /// and resolves only to allowed addresses. Returns the normalized URL.
    pub async fn check_url(&self, url: &str) -> Result<Url, FetchError> {
        let parsed = Url::parse(url.trim()).map_err(|e| FetchError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        self.check(&parsed).await?;
        Ok(parsed)
    }

    /// The checked addresses of `url`'s host.
    async fn check(&self, url: &Url) -> Result<Vec<IpAddr>, FetchError> {
        let shown = url.as_str().to_string();
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme {
                url: shown,
                scheme: url.scheme().to_string(),
            });
        }
        // The WHATWG host parser has already turned `2130706433`, `0177.0.0.1` and `0x7f.1`
        // into 127.0.0.1, so spellings of an address are checked as the address.
        let host = url
            .host()
            .ok_or_else(|| FetchError::NoHost { url: shown.clone() })?;
        let allow = &self.config.allow;
        let (name, addrs) = match host {
            Host::Ipv4(ip) => (ip.to_string(), vec![IpAddr::V4(ip)]),
            Host::Ipv6(ip) => (format!("[{ip}]"), vec![IpAddr::V6(ip)]),
            Host::Domain(d) => {
                let addrs = self
                    .resolver
                    .resolve(d)
                    .await
                    .map_err(|e| FetchError::Resolve {
                        url: shown.clone(),
                        host: d.to_string(),
                        error: e.to_string(),
                    })?;
                if addrs.is_empty() {
                    return Err(FetchError::Resolve {
                        url: shown,
                        host: d.to_string(),
                        error: "no addresses".into(),
                    });
                }
                (d.to_string(), addrs)
            }
        };
        let port = url.port_or_known_default().unwrap_or(0);
        if !allow.allows_host(&name, port) {
            // Every address must pass: a name with one internal record is refused whole.
            for addr in &addrs {
                if let Some(reason) = classify(*addr)
                    && !allow.allows_ip(*addr, port)
                {
                    return Err(FetchError::Blocked {
                        url: shown,
                        host: name,
                        addr: *addr,
                        port,
                        reason,
                    });
                }
            }
        }
        if let Host::Domain(d) = host {
            self.pins.set(d, addrs.clone());
        }
        Ok(addrs)
    }

    /// GET `url`, conditionally when `conditional` has validators. A 2xx or 304 is an
    /// answer; any other status is [`FetchError::Status`].
    pub async fn get(&self, url: &str, conditional: &Conditional) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        if let Some(etag) = &conditional.etag
            && let Ok(v) = HeaderValue::from_str(etag)
        {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(lm) = &conditional.last_modified
            && let Ok(v) = HeaderValue::from_str(lm)
        {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        self.exchange(Method::GET, url, headers, None).await
    }

    /// POSTs `body`, JSON already serialized (a webhook delivery signs these exact bytes),
    /// with extra `headers`. Redirects are not followed for a POST: a 3xx is
    /// [`FetchError::Status`], as is any non-2xx.
    pub async fn post_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Fetched, FetchError> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| FetchError::Client(format!("header name `{k}`: {e}")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|e| FetchError::Client(format!("header `{k}`: {e}")))?;
            map.insert(name, value);
        }
        map.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.exchange(Method::POST, url, map, Some(body)).await
    }

    async fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<Fetched, FetchError> {
        // Parsed here, checked in `follow` (once per hop: one lookup, the one connected to).
        let start = Url::parse(url.trim()).map_err(|e| FetchError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let after = self.config.timeout;
        let shown = start.to_string();
        match tokio::time::timeout(after, self.follow(method, start, headers, body)).await {
            Ok(r) => r,
            Err(_) => Err(FetchError::Timeout { url: shown, after }),
        }
    }

    async fn follow(
        &self,
        method: Method,
        start: Url,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<Fetched, FetchError> {
        let mut url = start.clone();
        let mut redirects = Vec::new();
        loop {
            self.check(&url).await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(b) = &body {
                request = request.body(b.clone());
            }
            let response = request.send().await.map_err(|e| self.transport(&url, &e))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                if method != Method::GET {
                    return Err(status_error(&url, status));
                }
                let next = redirect_target(&url, status, response.headers())?;
                if redirects.len() >= self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: start.to_string(),
                        max: self.config.max_redirects,
                        last: next.to_string(),
                    });
                }
                redirects.push(next.clone());
                url = next;
                continue;
            }
            if !status.is_success() && status != StatusCode::NOT_MODIFIED {
                return Err(status_error(&url, status));
            }
            let text = |name: header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = text(header::CONTENT_TYPE);
            let etag = text(header::ETAG);
            let last_modified = text(header::LAST_MODIFIED);
            let body = if status == StatusCode::NOT_MODIFIED {
                Vec::new()
            } else {
                self.read_body(&url, response).await?
            };
            return Ok(Fetched {
                url,
                status: status.as_u16(),
                content_type,
                etag,
                last_modified,
                body,
                redirects,
            });
        }
    }

    /// Reads the body chunk by chunk, giving up as soon as it passes the limit.
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.config.max_body_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport(url, &e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn status_error(url: &Url, status: StatusCode) -> FetchError {
    FetchError::Status {
        url: url.to_string(),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
    }
}

fn redirect_target(url: &Url, status: StatusCode, headers: &HeaderMap) -> Result<Url, FetchError> {
    let bad = |reason: &str| FetchError::BadRedirect {
        url: url.to_string(),
        status: status.as_u16(),
        reason: reason.to_string(),
    };
    let location = headers
        .get(header::LOCATION)
        .ok_or_else(|| bad("no Location header"))?
        .to_str()
        .map_err(|_| bad("the Location header is not text"))?;
    url.join(location)
        .map_err(|e| bad(&format!("`{location}`: {e}")))
}

impl GuardedClient {
    /// A reqwest failure as ours: its time cap is ours, and its cause hides in `source()`.
    fn transport(&self, url: &Url, e: &reqwest::Error) -> FetchError {
        if e.is_timeout() {
            return FetchError::Timeout {
                url: url.to_string(),
                after: self.config.timeout,
            };
        }
        transport_error(url, e)
    }
}

fn transport_error(url: &Url, e: &reqwest::Error) -> FetchError {
    let mut error = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        error.push_str(": ");
        error.push_str(&c.to_string());
        cause = c.source();
    }
    FetchError::Transport {
        url: url.to_string(),
        error,
    }
}
