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

/// `true` for addresses a webhook must not reach without the operator's permission.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) // AWS metadata (IPv6)
        }
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let o = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local() // 169.254/16, where cloud metadata services live
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || o[0] >= 240
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
    if is_private(ip) {
        Err(format!(
            "the target address {ip} is private; set webhooks.allow_private_targets (DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS) to allow it"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_private() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
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
        let named = parse_target("https://example.com/hook").unwrap();
        assert!(check_literal_host(&named, false).is_ok());
    }
}
