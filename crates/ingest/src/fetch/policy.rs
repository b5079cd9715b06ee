//! Which addresses an outgoing request may reach.
//!
//! Everything that is not a public unicast address is refused: loopback, private networks
//! (RFC 1918, CGNAT, IPv6 unique-local), link-local (where cloud metadata services live),
//! multicast, broadcast, unspecified, documentation, benchmarking and reserved ranges, and
//! IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64 of a
//! refused address). The config's allow-list opens named hosts or CIDR blocks.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockReason {
    /// 127.0.0.0/8 or ::1: this machine.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16: a private network (RFC 1918).
    Private,
    /// 100.64.0.0/10: carrier-grade NAT shared space (RFC 6598).
    SharedAddressSpace,
    /// fc00::/7: an IPv6 unique-local (private) address.
    UniqueLocal,
    /// 169.254/16 or fe80::/10 (cloud metadata services live here).
    LinkLocal,
    /// fec0::/10: deprecated IPv6 site-local.
    SiteLocal,
    /// 224/4 or ff00::/8.
    Multicast,
    /// 0.0.0.0/8 or ::.
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32.
    Documentation,
    /// 198.18/15 or 2001:2::/48.
    Benchmarking,
    /// 240/4, 192.0.0/24, 192.88.99/24, 100::/64, Teredo and other special-purpose blocks.
    Reserved,
    /// ::ffff:a.b.c.d or ::a.b.c.d: an IPv4 address in IPv6 clothing.
    Ipv4InIpv6,
    /// 64:ff9b::/96 (NAT64) or 2002::/16 (6to4) around this refused IPv4 address.
    EmbeddedIpv4(Ipv4Addr),
}

impl BlockReason {
    /// A few words for messages: "a loopback address".
    pub fn describe(&self) -> String {
        match self {
            BlockReason::Loopback => "a loopback address (this machine)".into(),
            BlockReason::Private => "a private-network address (RFC 1918)".into(),
            BlockReason::SharedAddressSpace => "a carrier-grade NAT address (100.64.0.0/10)".into(),
            BlockReason::UniqueLocal => "an IPv6 unique-local (private) address".into(),
            BlockReason::LinkLocal => {
                "a link-local address (where cloud metadata services answer)".into()
            }
            BlockReason::SiteLocal => "an IPv6 site-local address".into(),
            BlockReason::Multicast => "a multicast address".into(),
            BlockReason::Unspecified => "the unspecified address".into(),
            BlockReason::Broadcast => "the broadcast address".into(),
            BlockReason::Documentation => "a documentation-only address".into(),
            BlockReason::Benchmarking => "a benchmarking address".into(),
            BlockReason::Reserved => "a reserved, special-purpose address".into(),
            BlockReason::Ipv4InIpv6 => "an IPv4 address written as IPv6 (IPv4-mapped)".into(),
            BlockReason::EmbeddedIpv4(v4) => {
                let inner = classify_v4(*v4).map_or_else(String::new, |r| r.describe());
                format!("an IPv6 address that carries {v4}, {inner}")
            }
        }
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    (u128::from(ip) & mask) == (u128::from(net) & mask)
}

/// Why `ip` is refused, or `None` for a public unicast IPv4 address.
pub fn classify_v4(ip: Ipv4Addr) -> Option<BlockReason> {
    use BlockReason::*;
    let table: &[([u8; 4], u32, BlockReason)] = &[
        ([255, 255, 255, 255], 32, Broadcast),
        ([0, 0, 0, 0], 8, Unspecified),
        ([127, 0, 0, 0], 8, Loopback),
        ([10, 0, 0, 0], 8, Private),
        ([172, 16, 0, 0], 12, Private),
        ([192, 168, 0, 0], 16, Private),
        ([100, 64, 0, 0], 10, SharedAddressSpace),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([224, 0, 0, 0], 4, Multicast),
        ([192, 0, 2, 0], 24, Documentation),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 88, 99, 0], 24, Reserved),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    table
        .iter()
        .find(|(net, bits, _)| in_v4(ip, *net, *bits))
        .map(|(_, _, r)| *r)
}

/// Why `ip` is refused, or `None` for a public unicast IPv6 address.
pub fn classify_v6(ip: Ipv6Addr) -> Option<BlockReason> {
    use BlockReason::*;
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    let s = ip.segments();
    let embedded = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    // ::ffff:0:0/96 (mapped) and ::/96 (compatible, deprecated): never a real destination.
    if in_v6(ip, Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96)
        || in_v6(ip, Ipv6Addr::UNSPECIFIED, 96)
    {
        return Some(Ipv4InIpv6);
    }
    // NAT64 (RFC 6052): a public IPv4 behind it is a legitimate destination on v6-only hosts.
    if in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96) {
        return classify_v4(embedded).map(|_| EmbeddedIpv4(embedded));
    }
    // 6to4 carries its IPv4 address in bits 16..48.
    if in_v6(ip, Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return classify_v4(v4).map(|_| EmbeddedIpv4(v4));
    }
    let table: &[(Ipv6Addr, u32, BlockReason)] = &[
        (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, Reserved),
        (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, Reserved),
        (
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
            32,
            Documentation,
        ),
        (
            Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0),
            48,
            Benchmarking,
        ),
        // Teredo hides an IPv4 address too.
        (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, Reserved),
        (
            Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
            20,
            Documentation,
        ),
        (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, UniqueLocal),
        (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, LinkLocal),
        (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, SiteLocal),
        (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, Multicast),
    ];
    table
        .iter()
        .find(|(net, bits, _)| in_v6(ip, *net, *bits))
        .map(|(_, _, r)| *r)
}

/// Why `ip` is refused, or `None` for a public unicast address.
pub fn classify(ip: IpAddr) -> Option<BlockReason> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// A CIDR block: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    bits: u32,
}

impl Cidr {
    /// Parses `10.0.0.0/8`, `fd00::/8`, or a single address (`/32` or `/128`).
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (
                a.trim().parse::<IpAddr>().ok()?,
                Some(b.trim().parse::<u32>().ok()?),
            ),
            None => (s.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { addr, bits })
    }

    /// True when `ip` is in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => in_v4(ip, net.octets(), self.bits),
            (IpAddr::V6(net), IpAddr::V6(ip)) => in_v6(ip, net, self.bits),
            _ => false,
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.bits)
    }
}

/// Which ports of an allow-listed host or block are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// The web's own ports, 80 and 443 (an entry without a port).
    Web,
    /// This port only (`intranet.example:8080`).
    Only(u16),
    /// Every port, asked for in so many words (`10.0.0.5:*`).
    Any,
}

impl Ports {
    /// Whether `port` is open.
    pub fn contains(self, port: u16) -> bool {
        match self {
            Ports::Web => port == 80 || port == 443,
            Ports::Only(p) => p == port,
            Ports::Any => true,
        }
    }

    fn parse(entry: &str, text: &str) -> Result<Ports, String> {
        if text == "*" {
            return Ok(Ports::Any);
        }
        match text.parse::<u16>() {
            Ok(p) if p > 0 => Ok(Ports::Only(p)),
            _ => Err(format!(
                "`{entry}`: the port must be a number from 1 to 65535, or * for every port"
            )),
        }
    }
}

/// Hosts and address blocks the config opens despite the rules (`[fetch] allow`), each on
/// the web's ports 80 and 443 unless it names its own (`host:8080`, or `host:*` for all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<(String, Ports)>,
    blocks: Vec<(Cidr, Ports)>,
}

/// Splits an allow-list entry into its host or block and its ports: `host`, `host:8080`,
/// `10.0.0.0/8:*`, `[::1]:8080`, `[fd00::/8]`; a bare IPv6 address or block (more than one
/// `:`) names no port.
fn split_ports(entry: &str) -> Result<(&str, Ports), String> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (inner, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{entry}`: a `[` without its `]`"))?;
        let ports = match after {
            "" => Ports::Web,
            a => match a.strip_prefix(':') {
                Some(p) => Ports::parse(entry, p)?,
                None => return Err(format!("`{entry}`: expected `:PORT` after `]`")),
            },
        };
        return Ok((inner, ports));
    }
    match entry.split_once(':') {
        Some((target, port))
            if port == "*" || (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Ok((target, Ports::parse(entry, port)?))
        }
        _ => Ok((entry, Ports::Web)),
    }
}

impl AllowList {
    /// An empty allow-list: every rule applies.
    pub fn new() -> AllowList {
        AllowList::default()
    }

    /// Parses entries: host names (`intranet.example`, compared without case), addresses
    /// (`127.0.0.1`, `[::1]`) and CIDR blocks (`10.1.0.0/16`), each optionally with a port
    /// (`:8080`) or every port (`:*`); without one, ports 80 and 443. Returns the first
    /// entry that is none of these.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<AllowList, String> {
        let mut list = AllowList::new();
        for e in entries {
            let e = e.as_ref().trim();
            let (target, ports) = split_ports(e)?;
            if let Some(c) = Cidr::parse(target) {
                list.blocks.push((c, ports));
            } else if !target.is_empty()
                && !target.contains('/')
                && target
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
            {
                list.hosts
                    .push((target.trim_end_matches('.').to_ascii_lowercase(), ports));
            } else {
                return Err(format!(
                    "`{e}` is not a host name, an IP address or a CIDR block (like 10.0.0.0/8), \
                     with an optional port (like intranet.example:8080, or :* for every port)"
                ));
            }
        }
        Ok(list)
    }

    /// True when `host` (as the URL names it) is listed by name with `port` open.
    pub fn allows_host(&self, host: &str, port: u16) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.hosts
            .iter()
            .any(|(h, ports)| h == host && ports.contains(port))
    }

    /// True when `ip` is in a listed block with `port` open.
    pub fn allows_ip(&self, ip: IpAddr, port: u16) -> bool {
        self.blocks
            .iter()
            .any(|(b, ports)| b.contains(ip) && ports.contains(port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<BlockReason> {
        classify(s.parse().unwrap())
    }

    #[test]
    fn refuses_special_ipv4_ranges() {
        assert_eq!(reason("127.0.0.1"), Some(BlockReason::Loopback));
        assert_eq!(reason("127.255.1.2"), Some(BlockReason::Loopback));
        assert_eq!(reason("10.1.2.3"), Some(BlockReason::Private));
        assert_eq!(reason("172.16.0.1"), Some(BlockReason::Private));
        assert_eq!(reason("172.31.255.255"), Some(BlockReason::Private));
        assert_eq!(reason("192.168.1.1"), Some(BlockReason::Private));
        assert_eq!(reason("100.64.0.1"), Some(BlockReason::SharedAddressSpace));
        assert_eq!(reason("169.254.169.254"), Some(BlockReason::LinkLocal));
        assert_eq!(reason("224.0.0.251"), Some(BlockReason::Multicast));
        assert_eq!(reason("0.0.0.0"), Some(BlockReason::Unspecified));
        assert_eq!(reason("255.255.255.255"), Some(BlockReason::Broadcast));
        assert_eq!(reason("192.0.2.7"), Some(BlockReason::Documentation));
        assert_eq!(reason("198.18.0.1"), Some(BlockReason::Benchmarking));
        assert_eq!(reason("240.0.0.1"), Some(BlockReason::Reserved));
    }

    #[test]
    fn admits_public_addresses() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "93.184.216.34",
        ] {
            assert_eq!(reason(ip), None, "{ip}");
        }
        for ip in [
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "64:ff9b::808:808",
        ] {
            assert_eq!(reason(ip), None, "{ip}");
        }
    }

    #[test]
    fn refuses_special_ipv6_ranges() {
        assert_eq!(reason("::1"), Some(BlockReason::Loopback));
        assert_eq!(reason("::"), Some(BlockReason::Unspecified));
        assert_eq!(reason("::ffff:127.0.0.1"), Some(BlockReason::Ipv4InIpv6));
        assert_eq!(reason("::ffff:8.8.8.8"), Some(BlockReason::Ipv4InIpv6));
        assert_eq!(reason("::127.0.0.1"), Some(BlockReason::Ipv4InIpv6));
        assert_eq!(reason("fd12:3456::1"), Some(BlockReason::UniqueLocal));
        assert_eq!(reason("fc00::1"), Some(BlockReason::UniqueLocal));
        assert_eq!(reason("fe80::1"), Some(BlockReason::LinkLocal));
        assert_eq!(reason("ff02::1"), Some(BlockReason::Multicast));
        assert_eq!(reason("2001:db8::1"), Some(BlockReason::Documentation));
        assert_eq!(
            reason("64:ff9b::7f00:1"),
            Some(BlockReason::EmbeddedIpv4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(
            reason("2002:a9fe:a9fe::1"),
            Some(BlockReason::EmbeddedIpv4(Ipv4Addr::new(169, 254, 169, 254)))
        );
    }

    #[test]
    fn allow_list_opens_hosts_and_blocks_on_the_web_ports() {
        let list = AllowList::parse(&["Intranet.Example", "10.1.0.0/16", "[::1]"]).unwrap();
        for port in [80, 443] {
            assert!(list.allows_host("intranet.example", port));
            assert!(list.allows_host("INTRANET.example.", port));
            assert!(list.allows_ip("10.1.200.3".parse().unwrap(), port));
            assert!(list.allows_ip("::1".parse().unwrap(), port));
        }
        assert!(!list.allows_host("example", 80));
        assert!(!list.allows_ip("10.2.0.1".parse().unwrap(), 80));
        assert!(AllowList::parse(&["http://x/"]).is_err());
        assert!(AllowList::parse(&["10.0.0.0/33"]).is_err());
    }

    #[test]
    fn an_allowed_host_opens_only_the_ports_it_names() {
        let list = AllowList::parse(&[
            "intranet.example",
            "feeds.example:8080",
            "10.0.0.5:*",
            "[::1]:9000",
            "fd00::/8",
        ])
        .unwrap();
        // Without a port: 80 and 443, not the database or the admin console.
        assert!(!list.allows_host("intranet.example", 5432));
        assert!(!list.allows_host("intranet.example", 8080));
        assert!(list.allows_host("feeds.example", 8080));
        assert!(!list.allows_host("feeds.example", 80));
        assert!(list.allows_ip("10.0.0.5".parse().unwrap(), 6379));
        assert!(list.allows_ip("::1".parse().unwrap(), 9000));
        assert!(!list.allows_ip("::1".parse().unwrap(), 443));
        assert!(list.allows_ip("fd00::1".parse().unwrap(), 443));
        assert!(!list.allows_ip("fd00::1".parse().unwrap(), 22));
        for bad in [
            "host:0",
            "host:99999",
            "host:http",
            "[::1",
            "[::1]8080",
            "a:b:c/x",
        ] {
            assert!(AllowList::parse(&[bad]).is_err(), "{bad}");
        }
    }
}
