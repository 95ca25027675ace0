//! Refuses outbound requests to private, loopback and link-local addresses (SSRF),
//! checking the addresses a name resolves to, not just the name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use actix_web::http::Uri;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("the URL must be an absolute http:// or https:// URL")]
    InvalidUrl,
    #[error("the URL's host could not be resolved")]
    Unresolvable,
    #[error("the URL points at a private, loopback or link-local address, which is not allowed")]
    Private,
}

/// True for addresses anyone on the internet could reach.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, third, ..] = ip.segments();
    if let Some(v4) = translated_v4(ip) {
        return is_public_v4(v4);
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside sites)
        || first == 0x0064 && second == 0xff9b && third == 0x0001 // local-use NAT64
        || first == 0x2001 && second == 0x0db8 // documentation
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)))
}

/// The IPv4 address an IPv6 one reaches through a translator or tunnel: the
/// well-known NAT64 prefix `64:ff9b::/96` carries it in its last 32 bits and
/// 6to4 `2002::/16` in the 32 after the prefix. A gateway forwards to that
/// address, so `64:ff9b::7f00:1` is 127.0.0.1 seen from the gateway: such an
/// address is exactly as public as the IPv4 one it stands for.
fn translated_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    let [.., a, b, c, d] = ip.octets();
    if segments[..6] == [0x0064, 0xff9b, 0, 0, 0, 0] {
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    let [_, _, a, b, c, d, ..] = ip.octets();
    (segments[0] == 0x2002).then_some(Ipv4Addr::new(a, b, c, d))
}

/// Parses an http(s) URL; its host and port.
pub fn http_target(url: &str) -> Result<(Uri, String, u16), TargetError> {
    let uri: Uri = url.trim().parse().map_err(|_| TargetError::InvalidUrl)?;
    let default_port = match uri.scheme_str() {
        Some("http") => 80,
        Some("https") => 443,
        _ => return Err(TargetError::InvalidUrl),
    };
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or(TargetError::InvalidUrl)?;
    // A bracketed host is an IPv6 address, as the standard library parses it
    // (the Uri parser takes `[:::]`).
    let host = match host.strip_prefix('[') {
        Some(inside) => inside
            .strip_suffix(']')
            .filter(|inside| inside.parse::<Ipv6Addr>().is_ok())
            .ok_or(TargetError::InvalidUrl)?,
        None => host,
    }
    .to_owned();
    let port = uri.port_u16().unwrap_or(default_port);
    Ok((uri, host, port))
}

/// Resolves the host and returns an address to connect to; with `allow_private`
/// off, every address it resolves to must be public.
pub async fn resolve(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<SocketAddr, TargetError> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| TargetError::Unresolvable)?
        .collect();
    let first = *addresses.first().ok_or(TargetError::Unresolvable)?;
    if !allow_private && addresses.iter().any(|a| !is_public(a.ip())) {
        return Err(TargetError::Private);
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn private_loopback_and_link_local_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
    }

    #[test]
    fn nat64_6to4_and_site_local_reach_no_private_address() {
        for private in [
            "64:ff9b::7f00:1",    // NAT64 of 127.0.0.1
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::808:808", // local-use NAT64, whatever it embeds
            "64:ff9b:1:ffff::1",
            "2002:7f00:1::1", // 6to4 of 127.0.0.1
            "2002:c0a8:101::",
            "fec0::1",
            "feff:ffff::1",
        ] {
            assert!(!is_public(ip(private)), "{private}");
        }
        // A NAT64 gateway on an IPv6-only network reaches public IPv4 this way.
        for public in ["64:ff9b::808:808", "2002:808:808::1"] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(public)), "{public}");
        }
    }

    #[test]
    fn only_http_and_https_urls_with_a_host_are_targets() {
        assert!(
            matches!(http_target("https://example.com/a.jpg"), Ok((_, h, 443)) if h == "example.com")
        );
        assert!(matches!(http_target("http://[::1]:8080/"), Ok((_, h, 8080)) if h == "::1"));
        for bad in [
            "ftp://example.com/a",
            "file:///etc/passwd",
            "example.com",
            "http://",
            "http://[:::]/",
            "http://[1:2:]/",
        ] {
            assert!(http_target(bad).is_err(), "{bad}");
        }
    }

    #[actix_web::test]
    async fn resolving_refuses_loopback_unless_allowed() {
        assert!(matches!(
            resolve("127.0.0.1", 80, false).await,
            Err(TargetError::Private)
        ));
        assert!(resolve("127.0.0.1", 80, true).await.is_ok());
        assert!(matches!(
            resolve("localhost", 80, false).await,
            Err(TargetError::Private)
        ));
    }
}
