//! Which IP addresses an outbound webhook may reach: only public unicast ones. Checked on every
//! address a host resolves to, at registration and again at each delivery, so a name that
//! resolves to an internal service (or is rebound to one later) is refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public, or `None` when a webhook may reach it.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

/// Whether a webhook may reach `ip`.
pub fn is_public(ip: IpAddr) -> bool {
    forbidden_reason(ip).is_none()
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let reason = if ip.is_unspecified() || a == 0 {
        "unspecified or 'this network' (0.0.0.0/8)"
    } else if ip.is_loopback() {
        "loopback (127.0.0.0/8)"
    } else if ip.is_private() {
        "private (10/8, 172.16/12, 192.168/16)"
    } else if ip.is_link_local() {
        "link-local (169.254/16, cloud metadata)"
    } else if a == 100 && (64..128).contains(&b) {
        "carrier-grade NAT (100.64/10)"
    } else if ip.is_multicast() {
        "multicast (224/4)"
    } else if ip.is_broadcast() || a >= 240 {
        "reserved (240/4, broadcast)"
    } else if a == 192 && b == 0 && c == 0 {
        "IETF protocol assignments (192.0.0/24)"
    } else if ip.is_documentation() || (a == 198 && (b == 18 || b == 19)) {
        "documentation or benchmarking (192.0.2/24, 198.51.100/24, 203.0.113/24, 198.18/15)"
    } else {
        return None;
    };
    Some(reason)
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    // An IPv4 address written as IPv6 reaches the IPv4 host: judge that address.
    if let Some(v4) = embedded_v4(ip) {
        return v4_reason(v4);
    }
    let first = ip.segments()[0];
    let reason = if ip.is_unspecified() {
        "unspecified (::)"
    } else if ip.is_loopback() {
        "loopback (::1)"
    } else if first & 0xfe00 == 0xfc00 {
        "unique local (fc00::/7)"
    } else if first & 0xffc0 == 0xfe80 {
        "link-local (fe80::/10)"
    } else if first & 0xffc0 == 0xfec0 {
        "site-local (fec0::/10)"
    } else if ip.is_multicast() {
        "multicast (ff00::/8)"
    } else if first == 0x2001 && ip.segments()[1] == 0x0db8 {
        "documentation (2001:db8::/32)"
    } else if first == 0x0100 && ip.segments()[1..4] == [0, 0, 0] {
        "discard-only (100::/64)"
    } else {
        return None;
    };
    Some(reason)
}

/// The IPv4 address an IPv6 form carries: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`, deprecated), NAT64 (`64:ff9b::/96`) and 6to4 (`2002:AABB:CCDD::/48`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if s[..5] == [0; 5] && (s[5] == 0xffff || (s[5] == 0 && !ip.is_unspecified() && !ip.is_loopback())) {
        return Some(tail());
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(ip: &str) -> bool {
        !is_public(ip.parse().unwrap())
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in ["1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700::1111"] {
            assert!(!refused(ip), "{ip}");
        }
    }

    #[test]
    fn loopback_is_refused() {
        for ip in ["127.0.0.1", "127.255.255.254", "::1"] {
            assert!(refused(ip), "{ip}");
        }
    }

    #[test]
    fn private_ranges_are_refused() {
        for ip in ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12:3456::1"] {
            assert!(refused(ip), "{ip}");
        }
    }

    #[test]
    fn link_local_and_cloud_metadata_are_refused() {
        for ip in ["169.254.169.254", "169.254.0.1", "fe80::1", "fec0::1"] {
            assert!(refused(ip), "{ip}");
        }
    }

    #[test]
    fn carrier_grade_nat_is_refused() {
        for ip in ["100.64.0.1", "100.127.255.254"] {
            assert!(refused(ip), "{ip}");
        }
    }

    #[test]
    fn multicast_unspecified_and_reserved_are_refused() {
        for ip in
            ["224.0.0.1", "239.255.255.250", "ff02::1", "0.0.0.0", "0.1.2.3", "::", "255.255.255.255", "240.0.0.1"]
        {
            assert!(refused(ip), "{ip}");
        }
    }

    #[test]
    fn ipv4_in_ipv6_forms_are_judged_by_their_ipv4_address() {
        for ip in ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1"] {
            assert!(refused(ip), "{ip}");
        }
        assert!(refused("2002:7f00:0001::1"), "6to4 of 127.0.0.1");
        assert!(!refused("::ffff:8.8.8.8"));
        assert!(!refused("64:ff9b::808:808"));
    }

    #[test]
    fn documentation_ranges_are_refused() {
        for ip in ["192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "2001:db8::1", "192.0.0.8"] {
            assert!(refused(ip), "{ip}");
        }
    }
}
