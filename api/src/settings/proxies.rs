//! `TrustedProxies`: the reverse proxies whose forwarding headers are believed.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// A set of IP networks (`10.0.0.0/8`, `2001:db8::/32`) or single addresses (`127.0.0.1`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// No trusted proxies: forwarding headers are ignored.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses one IP or CIDR; the error is the expected form.
    pub fn parse_item(item: &str) -> Result<IpNet, String> {
        IpNet::from_str(item)
            .or_else(|_| IpAddr::from_str(item).map(IpNet::from))
            .map_err(|_| "an IP address (`10.0.0.1`) or a CIDR network (`10.0.0.0/8`, `fd00::/8`)".to_owned())
    }

    /// The set of these networks.
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// Whether `addr` belongs to a trusted proxy. IPv4-mapped IPv6 addresses count as IPv4.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `::ffff:1.2.3.4` -> `1.2.3.4`, so dual-stack listeners match IPv4 rules.
pub(crate) fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(items: &[&str]) -> TrustedProxies {
        TrustedProxies::new(items.iter().map(|i| TrustedProxies::parse_item(i).unwrap()).collect())
    }

    #[test]
    fn single_addresses_and_networks_match() {
        let trusted = proxies(&["10.0.0.0/8", "192.168.1.7", "fd00::/8"]);

        assert!(trusted.contains("10.1.2.3".parse().unwrap()));
        assert!(trusted.contains("192.168.1.7".parse().unwrap()));
        assert!(!trusted.contains("192.168.1.8".parse().unwrap()));
        assert!(trusted.contains("fd12::1".parse().unwrap()));
        assert!(!trusted.contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn ipv4_mapped_ipv6_peers_match_ipv4_rules() {
        let trusted = proxies(&["127.0.0.1"]);

        assert!(trusted.contains("::ffff:127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn garbage_is_rejected_with_the_expected_form() {
        let err = TrustedProxies::parse_item("10.0.0.0/99").unwrap_err();

        assert!(err.contains("CIDR"), "{err}");
        assert!(TrustedProxies::parse_item("proxy.local").is_err());
    }
}
