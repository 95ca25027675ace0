//! Who is calling, at the IP level: the peer, or the client a trusted proxy names.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;
use serde::{Deserialize, Deserializer};

/// An address or a CIDR range, as written in config (`10.0.0.0/8`, `127.0.0.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRange(pub IpNet);

impl IpRange {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        raw.parse::<IpNet>()
            .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
            .map(Self)
            .map_err(|_| format!("{raw:?} is not an IP address or CIDR range"))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&canonical(ip))
    }
}

impl serde::Serialize for IpRange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for IpRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) compare as the IPv4 they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy, in
/// which case the right-most `X-Forwarded-For` entry that is not a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted_proxies: &[IpRange]) -> Option<IpAddr> {
    let peer = canonical(req.peer_addr()?.ip());
    let trusted = |ip: IpAddr| trusted_proxies.iter().any(|range| range.contains(ip));
    if !trusted(peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted(*ip))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn ranges(list: &[&str]) -> Vec<IpRange> {
        list.iter().filter_map(|r| IpRange::parse(r).ok()).collect()
    }

    #[test]
    fn ranges_accept_addresses_and_cidrs() {
        let range = IpRange::parse("10.0.0.0/8").ok();
        assert!(
            range.is_some_and(
                |r| r.contains("10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])))
            )
        );
        assert!(IpRange::parse("127.0.0.1").is_ok());
        assert!(IpRange::parse("::1").is_ok());
        assert!(IpRange::parse("localhost").is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let request = |peer: &str| {
            TestRequest::default()
                .peer_addr(
                    format!("{peer}:5000")
                        .parse()
                        .unwrap_or(([0, 0, 0, 0], 0).into()),
                )
                .insert_header(("x-forwarded-for", "203.0.113.9, 10.0.0.2"))
                .to_http_request()
        };
        let trusted = ranges(&["10.0.0.0/8"]);
        let via_proxy = client_ip(&request("10.0.0.1"), &trusted).map(|ip| ip.to_string());
        assert_eq!(via_proxy.as_deref(), Some("203.0.113.9"));
        let direct = client_ip(&request("198.51.100.7"), &trusted).map(|ip| ip.to_string());
        assert_eq!(direct.as_deref(), Some("198.51.100.7"));
    }
}
