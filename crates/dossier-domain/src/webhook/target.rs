//! Where webhooks may be sent. Targets that resolve to loopback, private, link-local (cloud metadata),
//! shared or otherwise non-public addresses are refused unless the operator allows them, so a workspace
//! cannot use Dossier to reach the operator's internal network. The delivery worker's resolver applies
//! [`is_private`] to the addresses it connects to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::Url;

/// Checks a subscriber URL's shape: absolute http(s), a host, no credentials, at most 2048 characters.
pub fn parse_target(raw: &str) -> Result<Url, String> {
    if raw.len() > 2048 {
        return Err("must be at most 2048 characters".into());
    }
    let url = Url::parse(raw).map_err(|e| format!("is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http:// or https:// URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; authenticate with the signature instead".into());
    }
    Ok(url)
}

/// A range of the IANA special-purpose address registries (or of the address architecture) that a
/// webhook may not reach: its name and the RFC that defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Special {
    pub name: &'static str,
    pub rfc: &'static str,
}

const fn special(name: &'static str, rfc: &'static str) -> Special {
    Special { name, rfc }
}

/// IPv4 ranges that are not globally reachable (IANA IPv4 Special-Purpose Address Registry), with
/// multicast and the deprecated 6to4 relay anycast. Its globally reachable entries (192.31.196.0/24
/// AS112, 192.52.193.0/24 AMT, 192.175.48.0/24 AS112 direct delegation) are not here: they are public.
const V4: &[(Ipv4Addr, u8, Special)] = &[
    (
        Ipv4Addr::new(0, 0, 0, 0),
        8,
        special("\"this network\"", "RFC 791"),
    ),
    (
        Ipv4Addr::new(10, 0, 0, 0),
        8,
        special("private use", "RFC 1918"),
    ),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        special("shared address space", "RFC 6598"),
    ),
    (
        Ipv4Addr::new(127, 0, 0, 0),
        8,
        special("loopback", "RFC 1122"),
    ),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        special("link-local (cloud metadata)", "RFC 3927"),
    ),
    (
        Ipv4Addr::new(172, 16, 0, 0),
        12,
        special("private use", "RFC 1918"),
    ),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        special("IETF protocol assignments", "RFC 6890"),
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        special("documentation (TEST-NET-1)", "RFC 5737"),
    ),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        special("6to4 relay anycast (deprecated)", "RFC 7526"),
    ),
    (
        Ipv4Addr::new(192, 168, 0, 0),
        16,
        special("private use", "RFC 1918"),
    ),
    (
        Ipv4Addr::new(198, 18, 0, 0),
        15,
        special("benchmarking", "RFC 2544"),
    ),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        special("documentation (TEST-NET-2)", "RFC 5737"),
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        special("documentation (TEST-NET-3)", "RFC 5737"),
    ),
    (
        Ipv4Addr::new(224, 0, 0, 0),
        4,
        special("multicast", "RFC 5771"),
    ),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        special("reserved (and limited broadcast)", "RFC 1112, RFC 919"),
    ),
];

/// Globally reachable entries of the IANA IPv6 registry inside ranges refused below (2001::/23).
const V6_GLOBAL: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0x2001, 1, 0, 0, 0, 0, 0, 1), 128), // PCP anycast, RFC 7723
    (Ipv6Addr::new(0x2001, 1, 0, 0, 0, 0, 0, 2), 128), // TURN anycast, RFC 8155
    (Ipv6Addr::new(0x2001, 1, 0, 0, 0, 0, 0, 3), 128), // DNS-SD SRP anycast, RFC 9665
    (Ipv6Addr::new(0x2001, 3, 0, 0, 0, 0, 0, 0), 32),  // AMT, RFC 7450
    (Ipv6Addr::new(0x2001, 4, 0x112, 0, 0, 0, 0, 0), 48), // AS112-v6, RFC 7535
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28), // ORCHIDv2, RFC 7343
    (Ipv6Addr::new(0x2001, 0x30, 0, 0, 0, 0, 0, 0), 28), // Drone remote ID, RFC 9374
];

/// IPv6 ranges that are not globally reachable (IANA IPv6 Special-Purpose Address Registry and the
/// address architecture), once the forms embedding an IPv4 address have been unwrapped. Anything
/// outside global unicast 2000::/3 is refused as well.
const V6: &[(Ipv6Addr, u8, Special)] = &[
    (
        Ipv6Addr::UNSPECIFIED,
        128,
        special("unspecified", "RFC 4291"),
    ),
    (Ipv6Addr::LOCALHOST, 128, special("loopback", "RFC 4291")),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        special("local-use IPv4/IPv6 translation", "RFC 8215"),
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        special("discard-only", "RFC 6666"),
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0),
        64,
        special("dummy prefix", "RFC 9780"),
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        special("IETF protocol assignments", "RFC 2928"),
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        special("documentation", "RFC 3849"),
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        special("documentation", "RFC 9637"),
    ),
    (
        Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),
        16,
        special("segment routing SIDs", "RFC 9602"),
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        special("unique local", "RFC 4193"),
    ),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        special("link-local", "RFC 4291"),
    ),
    (
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        special("site-local (deprecated)", "RFC 3879"),
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        special("multicast", "RFC 4291"),
    ),
];

const NOT_GLOBAL_UNICAST: Special = special("outside global unicast 2000::/3", "RFC 4291");

fn in_v4(ip: Ipv4Addr, net: Ipv4Addr, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(ip) & mask == u32::from(net) & mask
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    u128::from(ip) & mask == u128::from(net) & mask
}

/// The IPv4 address an IPv6 address stands for, when it embeds one the packet ends up going to:
/// IPv4-mapped `::ffff:0:0/96` and IPv4-compatible `::/96` (RFC 4291), SIIT IPv4-translated
/// `::ffff:0:0:0/96` (RFC 2765), NAT64 `64:ff9b::/96` (RFC 6052), 6to4 `2002::/16` (RFC 3056) and
/// Teredo `2001::/32` (RFC 4380; the client's address, stored inverted).
pub fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let low = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => Some(low(hi, lo)),
        [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(low(hi, lo)),
        // `::` and `::1` are themselves (unspecified and loopback).
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        [0x2001, 0, _, _, _, _, hi, lo] => Some(low(!hi, !lo)),
        _ => None,
    }
}

/// The special-purpose range `ip` falls in (after unwrapping an embedded IPv4 address), if any.
pub fn special_purpose(ip: IpAddr) -> Option<Special> {
    match ip {
        IpAddr::V4(v4) => V4
            .iter()
            .find(|(net, len, _)| in_v4(v4, *net, *len))
            .map(|(_, _, s)| *s),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_ipv4(v6) {
                return special_purpose(IpAddr::V4(v4));
            }
            if V6_GLOBAL.iter().any(|(net, len)| in_v6(v6, *net, *len)) {
                return None;
            }
            if let Some((_, _, s)) = V6.iter().find(|(net, len, _)| in_v6(v6, *net, *len)) {
                return Some(*s);
            }
            (!in_v6(v6, Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3))
                .then_some(NOT_GLOBAL_UNICAST)
        }
    }
}

/// `true` for addresses a webhook must not reach without the operator's permission: every address
/// that is not globally reachable.
pub fn is_private(ip: IpAddr) -> bool {
    special_purpose(ip).is_some()
}

/// Refuses a URL whose host is a literal private address (names are checked at resolution).
pub fn check_literal_host(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    match special_purpose(ip) {
        Some(s) => Err(format!(
            "the target address {ip} is private ({}, {}); set webhooks.allow_private_targets (DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS) to allow it",
            s.name, s.rfc
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refused range, by an address at each end, and the allowed addresses around it.
    #[test]
    fn every_special_purpose_range_is_refused_and_its_neighbours_allowed() {
        let refused = [
            // IPv4
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.0",
            "10.255.255.255",
            "100.64.0.0",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.0.0",
            "169.254.169.254",
            "169.254.255.255",
            "172.16.0.0",
            "172.31.255.255",
            "192.0.0.0",
            "192.0.0.255",
            "192.0.2.0",
            "192.0.2.255",
            "192.88.99.0",
            "192.88.99.255",
            "192.168.0.0",
            "192.168.255.255",
            "198.18.0.0",
            "198.19.255.255",
            "198.51.100.0",
            "198.51.100.255",
            "203.0.113.0",
            "203.0.113.255",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.0",
            "255.255.255.255",
            // IPv6
            "::",
            "::1",
            "64:ff9b:1::",
            "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
            "100::",
            "100::ffff:ffff:ffff:ffff",
            "100:0:0:1::",
            "100:0:0:1:ffff:ffff:ffff:ffff",
            "2001::",
            "2001:1::4",
            "2001:2::",
            "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:10::1",
            "2001:db8::",
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
            "3fff::",
            "3fff:fff:ffff::",
            "5f00::",
            "5f00:ffff::",
            "fc00::",
            "fdff:ffff::",
            "fd00:ec2::254",
            "fe80::",
            "febf:ffff::",
            "fec0::",
            "feff:ffff::",
            "ff00::",
            "ff02::1",
            "1::",
            "4000::",
            "e000::",
            "64:ff9b:2::1",
            // IPv6 forms embedding a private IPv4 address
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::10.0.0.1",
            "::0.0.0.2",
            "::ffff:0:7f00:1",
            "::ffff:0:a9fe:a9fe",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b::c612:1",
            "2002:7f00:1::",
            "2002:a00:1:1234::1",
            "2002:c000:0201::",
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1
            "2001:0:4136:e378:8000:63bf:3f57:fefe", // Teredo, client 192.168.1.1
        ];
        for ip in refused {
            let addr: IpAddr = ip.parse().unwrap();
            assert!(is_private(addr), "{ip} should be refused");
        }
        let allowed = [
            // IPv4 neighbours, and the globally reachable special-purpose ranges
            "1.0.0.0",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "191.255.255.255",
            "192.0.1.0",
            "192.0.3.0",
            "192.31.196.1",
            "192.52.193.1",
            "192.88.98.255",
            "192.88.100.0",
            "192.167.255.255",
            "192.169.0.0",
            "192.175.48.1",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "198.51.101.0",
            "203.0.112.255",
            "203.0.114.0",
            "223.255.255.255",
            "8.8.8.8",
            "93.184.216.34",
            // IPv6 neighbours and the globally reachable entries of 2001::/23
            "2000::",
            "2001:200::",
            "2001:1::1",
            "2001:1::2",
            "2001:1::3",
            "2001:3::1",
            "2001:4:112::1",
            "2001:20::1",
            "2001:30::1",
            "2001:db7:ffff::",
            "2001:db9::",
            "2606:4700::1111",
            "2620:4f:8000::1",
            "3ffe:ffff::",
            "3fff:1000::",
            "64:ff9b::808:808",
            "64:ff9b::5db8:d822",
            // embedded public IPv4 addresses
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "::ffff:0:808:808",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo, client 8.8.8.8
        ];
        for ip in allowed {
            let addr: IpAddr = ip.parse().unwrap();
            assert!(
                !is_private(addr),
                "{ip} should be allowed: {:?}",
                special_purpose(addr)
            );
        }
    }

    #[test]
    fn embedded_ipv4_addresses_are_unwrapped() {
        let v6 = |s: &str| s.parse::<Ipv6Addr>().unwrap();
        let v4 = |s: &str| Some(s.parse::<Ipv4Addr>().unwrap());
        assert_eq!(embedded_ipv4(v6("::ffff:127.0.0.1")), v4("127.0.0.1"));
        assert_eq!(embedded_ipv4(v6("::127.0.0.1")), v4("127.0.0.1"));
        assert_eq!(embedded_ipv4(v6("::ffff:0:7f00:1")), v4("127.0.0.1"));
        assert_eq!(
            embedded_ipv4(v6("64:ff9b::a9fe:a9fe")),
            v4("169.254.169.254")
        );
        assert_eq!(embedded_ipv4(v6("2002:7f00:1::")), v4("127.0.0.1"));
        assert_eq!(
            embedded_ipv4(v6("2001:0:4136:e378:8000:63bf:3f57:fefe")),
            v4("192.168.1.1")
        );
        assert_eq!(embedded_ipv4(v6("::1")), None);
        assert_eq!(embedded_ipv4(v6("2606:4700::1111")), None);
        assert_eq!(
            special_purpose("64:ff9b::c612:1".parse().unwrap()).map(|s| s.rfc),
            Some("RFC 2544")
        );
    }

    #[test]
    fn target_urls_are_checked() {
        assert!(parse_target("https://hooks.example.com/dossier").is_ok());
        assert!(parse_target("ftp://example.com").is_err());
        assert!(parse_target("https://user:pw@example.com").is_err());
        assert!(parse_target("not a url").is_err());
        let local = parse_target("http://127.0.0.1:9000/hook").unwrap();
        assert!(check_literal_host(&local, false).is_err());
        assert!(check_literal_host(&local, true).is_ok());
        let nat64 = parse_target("http://[64:ff9b::a9fe:a9fe]/latest/meta-data").unwrap();
        let err = check_literal_host(&nat64, false).unwrap_err();
        assert!(err.contains("private") && err.contains("RFC 3927"), "{err}");
        let named = parse_target("https://example.com/hook").unwrap();
        assert!(check_literal_host(&named, false).is_ok());
    }
}
