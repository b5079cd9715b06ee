//! The guarded client refuses internal addresses however they are named, before it
//! connects, and connects only to the address it checked.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use claimdesk_ingest::fetch::{
    AllowList, BlockReason, Conditional, FetchConfig, FetchError, GuardedClient, Resolver,
    Resolving, StaticResolver,
};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn client(resolver: StaticResolver, allow: AllowList) -> GuardedClient {
    let config = FetchConfig {
        allow,
        ..FetchConfig::default()
    };
    GuardedClient::with_resolver(config, Arc::new(resolver)).unwrap()
}

fn blocked(r: Result<url::Url, FetchError>) -> (String, IpAddr, BlockReason, String) {
    match r {
        Err(e @ FetchError::Blocked { .. }) => {
            let message = e.to_string();
            let FetchError::Blocked {
                host, addr, reason, ..
            } = e
            else {
                unreachable!()
            };
            (host, addr, reason, message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn names_resolving_to_internal_addresses_are_refused() {
    let cases = [
        ("loop.test", "127.0.0.1", BlockReason::Loopback),
        ("ten.test", "10.20.30.40", BlockReason::Private),
        ("oneseventwo.test", "172.16.5.4", BlockReason::Private),
        ("home.test", "192.168.1.10", BlockReason::Private),
        ("metadata.test", "169.254.169.254", BlockReason::LinkLocal),
        ("v6loop.test", "::1", BlockReason::Loopback),
        ("mapped.test", "::ffff:127.0.0.1", BlockReason::Ipv4InIpv6),
        ("cgnat.test", "100.64.1.1", BlockReason::SharedAddressSpace),
        ("ula.test", "fd00::5", BlockReason::UniqueLocal),
        (
            "nat64.test",
            "64:ff9b::a9fe:a9fe",
            BlockReason::EmbeddedIpv4("169.254.169.254".parse().unwrap()),
        ),
    ];
    let mut resolver = StaticResolver::new();
    for (name, addr, _) in cases {
        resolver = resolver.with(name, &[ip(addr)]);
    }
    let c = client(resolver, AllowList::new());
    for (name, addr, reason) in cases {
        let (host, got_addr, got_reason, message) =
            blocked(c.check_url(&format!("http://{name}/feed.xml")).await);
        assert_eq!(
            (host.as_str(), got_addr, got_reason),
            (name, ip(addr), reason),
            "{name}"
        );
        assert!(
            message.contains(&format!("host `{name}` resolves to {}", ip(addr))),
            "{message}"
        );
        assert!(
            message.contains("[fetch] allow in claimdesk.toml"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn spellings_of_loopback_are_refused_as_loopback() {
    let c = client(StaticResolver::new(), AllowList::new());
    for url in [
        "http://127.0.0.1/feed",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://017700000001/",
        "http://127.0.0.1.:8080/",
        "HTTP://0X7F.0.0.1/",
    ] {
        let (host, addr, reason, message) = blocked(c.check_url(url).await);
        assert_eq!(
            (host.as_str(), addr, reason),
            ("127.0.0.1", ip("127.0.0.1"), BlockReason::Loopback),
            "{url}"
        );
        assert!(
            message.contains("host `127.0.0.1` is 127.0.0.1, a loopback address"),
            "{message}"
        );
    }
    for (url, addr, reason) in [
        ("http://[::1]/", "::1", BlockReason::Loopback),
        (
            "http://[::ffff:127.0.0.1]/",
            "::ffff:127.0.0.1",
            BlockReason::Ipv4InIpv6,
        ),
        (
            "http://[::ffff:7f00:1]/",
            "::ffff:127.0.0.1",
            BlockReason::Ipv4InIpv6,
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
            BlockReason::LinkLocal,
        ),
        (
            "http://0xa9fea9fe/",
            "169.254.169.254",
            BlockReason::LinkLocal,
        ),
        ("http://10.1/", "10.0.0.1", BlockReason::Private),
        ("http://0300.0250.1.1/", "192.168.1.1", BlockReason::Private),
        ("http://[fe80::1]/", "fe80::1", BlockReason::LinkLocal),
        ("http://0.0.0.0/", "0.0.0.0", BlockReason::Unspecified),
        ("http://224.0.0.1/", "224.0.0.1", BlockReason::Multicast),
        (
            "http://255.255.255.255/",
            "255.255.255.255",
            BlockReason::Broadcast,
        ),
    ] {
        let (_, got, got_reason, _) = blocked(c.check_url(url).await);
        assert_eq!((got, got_reason), (ip(addr), reason), "{url}");
    }
}

#[tokio::test]
async fn one_internal_record_refuses_the_whole_name() {
    let resolver = StaticResolver::new().with("mixed.test", &[ip("93.184.216.34"), ip("10.0.0.7")]);
    let c = client(resolver, AllowList::new());
    let (_, addr, reason, _) = blocked(c.check_url("https://mixed.test/").await);
    assert_eq!((addr, reason), (ip("10.0.0.7"), BlockReason::Private));
}

#[tokio::test]
async fn only_http_and_https() {
    let c = client(StaticResolver::new(), AllowList::new());
    for url in [
        "file:///etc/passwd",
        "ftp://example.org/feed",
        "gopher://example.org/",
        "data:text/plain,hi",
    ] {
        match c.check_url(url).await {
            Err(FetchError::Scheme { .. }) => {}
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(matches!(
        c.check_url("not a url").await,
        Err(FetchError::InvalidUrl { .. })
    ));
}

#[tokio::test]
async fn public_addresses_pass_and_the_allow_list_opens_internal_ones() {
    let resolver = StaticResolver::new()
        .with(
            "public.test",
            &[ip("93.184.216.34"), ip("2606:2800:220:1::1")],
        )
        .with("intranet.test", &[ip("10.1.2.3")])
        .with("lab.test", &[ip("192.168.7.7")]);
    let c = client(resolver.clone(), AllowList::new());
    c.check_url("https://public.test/feed").await.unwrap();
    assert!(c.check_url("http://intranet.test/").await.is_err());
    let open = client(
        resolver,
        AllowList::parse(&["intranet.test", "192.168.7.0/24"]).unwrap(),
    );
    open.check_url("http://intranet.test/").await.unwrap();
    open.check_url("http://lab.test/").await.unwrap();
    open.check_url("http://192.168.7.200/").await.unwrap();
    assert!(open.check_url("http://192.168.8.1/").await.is_err());
    assert!(open.check_url("http://127.0.0.1/").await.is_err());
    // An allowed host opens the web's ports, not every service on it: the refusal names
    // the entry that would open this one.
    let e = open
        .check_url("http://intranet.test:5432/")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("\"intranet.test:5432\""), "{e}");
    assert!(open.check_url("https://lab.test:8443/").await.is_err());
    let ported = client(
        StaticResolver::new().with("intranet.test", &[ip("10.1.2.3")]),
        AllowList::parse(&["intranet.test:5432"]).unwrap(),
    );
    ported
        .check_url("http://intranet.test:5432/")
        .await
        .unwrap();
    assert!(ported.check_url("http://intranet.test/").await.is_err());
}

/// Answers 127.0.0.1 the first time and a private address afterwards, like a DNS-rebinding
/// attacker's name server.
struct Rebinding(AtomicUsize);

impl Resolver for Rebinding {
    fn resolve<'a>(&'a self, _host: &'a str) -> Resolving<'a> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            Ok::<_, io::Error>(vec![if n == 0 {
                ip("127.0.0.1")
            } else {
                ip("10.9.9.9")
            }])
        })
    }
}

#[tokio::test]
async fn connects_to_the_checked_address_without_a_second_lookup() {
    let addr = super::feed_server::start("http://127.0.0.1/").await;
    let resolver = Arc::new(Rebinding(AtomicUsize::new(0)));
    let config = FetchConfig {
        allow: AllowList::parse(&["127.0.0.1/32:*"]).unwrap(),
        ..FetchConfig::default()
    };
    let c = GuardedClient::with_resolver(config, resolver.clone()).unwrap();
    let url = format!("http://rebind.test:{}/rss", addr.port());
    let fetched = c.get(&url, &Conditional::default()).await.unwrap();
    assert_eq!(fetched.status, 200);
    // One lookup, made by the check; the connection used its answer ("rebind.test" exists
    // in no other resolver).
    assert_eq!(resolver.0.load(Ordering::SeqCst), 1);
    // The next request looks again, gets the private address, and is refused.
    match c.get(&url, &Conditional::default()).await {
        Err(FetchError::Blocked {
            addr,
            reason: BlockReason::Private,
            ..
        }) => {
            assert_eq!(addr, ip("10.9.9.9"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_public_host_redirecting_to_loopback_is_refused() {
    // The server's /away redirects to its own loopback address; the client may reach
    // "news.test" (allow-listed by name) but not 127.0.0.1.
    let probe = super::feed_server::start("http://127.0.0.1/").await;
    let target = format!("http://127.0.0.1:{}/rss", probe.port());
    let addr = super::feed_server::start(&target).await;
    let resolver = StaticResolver::new().with("news.test", &[ip("127.0.0.1")]);
    let c = client(resolver, AllowList::parse(&["news.test:*"]).unwrap());
    let url = format!("http://news.test:{}/away", addr.port());
    match c.get(&url, &Conditional::default()).await {
        Err(e @ FetchError::Blocked { .. }) => {
            let FetchError::Blocked {
                url, host, reason, ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(url, &target);
            assert_eq!(host, "127.0.0.1");
            assert_eq!(*reason, BlockReason::Loopback);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn post_json_sends_headers_and_does_not_follow_redirects() {
    use axum::http::HeaderMap;
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/hook",
            post(|headers: HeaderMap, body: String| async move {
                let sig = headers
                    .get("x-claimdesk-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let ct = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                format!("{sig}|{ct}|{body}")
            }),
        )
        .route(
            "/moved",
            post(|| async {
                (
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    [("location", "/hook")],
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let c = client(
        StaticResolver::new(),
        AllowList::parse(&["127.0.0.1:*"]).unwrap(),
    );
    let headers = [(
        "X-Claimdesk-Signature".to_string(),
        "sha256=abc".to_string(),
    )];
    let body = serde_json::to_vec(&serde_json::json!({"alert": "burst"})).unwrap();
    let answer = c
        .post_json(
            &format!("http://127.0.0.1:{port}/hook"),
            &headers,
            body.clone(),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(
        String::from_utf8(answer.body).unwrap(),
        "sha256=abc|application/json|{\"alert\":\"burst\"}"
    );
    match c
        .post_json(
            &format!("http://127.0.0.1:{port}/moved"),
            &headers,
            body.clone(),
        )
        .await
    {
        Err(FetchError::Status { status: 307, .. }) => {}
        other => panic!("{other:?}"),
    }
    // The same rules as GET: an internal address is refused before anything is sent.
    let closed = client(StaticResolver::new(), AllowList::new());
    assert!(matches!(
        closed
            .post_json(
                &format!("http://127.0.0.1:{port}/hook"),
                &headers,
                body.clone()
            )
            .await,
        Err(FetchError::Blocked { .. })
    ));
}
