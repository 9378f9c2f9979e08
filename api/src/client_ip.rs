//! `ClientIp` and `UserAgent` extractors, for audit logs and rate limits.
//!
//! The client address is the TCP peer, unless the peer is a trusted proxy
//! (`BOTFLEET_TRUSTED_PROXIES`): then `CF-Connecting-IP`, else the right-most address in
//! `X-Forwarded-For` that is not itself a trusted proxy. Headers from untrusted peers are ignored,
//! so a client cannot spoof its address.

use std::net::{IpAddr, SocketAddr};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderMap;
use actix_web::{web, FromRequest, HttpRequest};

use crate::settings::proxies::canonical;
use crate::settings::TrustedProxies;
use crate::state::AppState;

/// The longest `User-Agent` kept; longer ones are cut (they end up in audit records).
pub const MAX_USER_AGENT_CHARS: usize = 256;

/// The client's IP address, `None` only when the connection has no peer address (tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// The client's `User-Agent`, at most [`MAX_USER_AGENT_CHARS`] characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAgent(pub Option<String>);

impl FromRequest for ClientIp {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let none = TrustedProxies::none();
        let state = req.app_data::<web::Data<AppState>>();
        let trusted = state.map_or(&none, |s| &s.settings.http.trusted_proxies);
        std::future::ready(Ok(ClientIp(client_ip(req, trusted))))
    }
}

impl FromRequest for UserAgent {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(MAX_USER_AGENT_CHARS).collect::<String>())
            .filter(|v| !v.trim().is_empty());
        std::future::ready(Ok(UserAgent(agent)))
    }
}

/// The client address of `req` (what the [`ClientIp`] extractor yields), for code holding the
/// request and the settings rather than using the extractor.
pub fn client_ip(req: &HttpRequest, trusted: &TrustedProxies) -> Option<IpAddr> {
    resolve(req.peer_addr().map(|a| a.ip()), req.headers(), trusted)
}

/// The client address for a request from `peer` with `headers`.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = peer.map(canonical)?;
    if !trusted.contains(peer) {
        return Some(peer);
    }
    if let Some(ip) = headers.get("cf-connecting-ip").and_then(|v| v.to_str().ok()).and_then(parse_addr) {
        return Some(ip);
    }
    // Each proxy appends the address it received from; walk back from the nearest hop.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match parse_addr(hop) {
            Some(ip) if trusted.contains(ip) => continue,
            Some(ip) => return Some(ip),
            // Garbage where an address should be: nothing left of it can be trusted.
            None => break,
        }
    }
    Some(peer)
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_addr(value: &str) -> Option<IpAddr> {
    let value = value.trim();
    value.parse::<IpAddr>().or_else(|_| value.parse::<SocketAddr>().map(|s| s.ip())).ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn trusted() -> TrustedProxies {
        TrustedProxies::new(vec![
            TrustedProxies::parse_item("10.0.0.0/8").unwrap(),
            TrustedProxies::parse_item("127.0.0.1").unwrap(),
        ])
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        map
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn untrusted_peers_headers_are_ignored() {
        let spoofed = headers(&[("x-forwarded-for", "1.1.1.1"), ("cf-connecting-ip", "2.2.2.2")]);

        assert_eq!(resolve(ip("203.0.113.9"), &spoofed, &trusted()), ip("203.0.113.9"));
        assert_eq!(resolve(ip("10.0.0.1"), &spoofed, &TrustedProxies::none()), ip("10.0.0.1"));
    }

    #[test]
    fn trusted_peer_prefers_cf_connecting_ip() {
        let h = headers(&[("x-forwarded-for", "1.1.1.1"), ("cf-connecting-ip", "2001:db8::7")]);

        assert_eq!(resolve(ip("10.0.0.1"), &h, &trusted()), ip("2001:db8::7"));
    }

    #[test]
    fn trusted_peer_takes_the_rightmost_untrusted_forwarded_address() {
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.4"), ("x-forwarded-for", "10.1.1.1")]);

        assert_eq!(resolve(ip("127.0.0.1"), &h, &trusted()), ip("198.51.100.4"));
    }

    #[test]
    fn ports_and_brackets_are_understood() {
        let h = headers(&[("x-forwarded-for", "[2001:db8::1]:443, 198.51.100.4:5000")]);

        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted()), ip("198.51.100.4"));
    }

    #[test]
    fn garbage_or_all_trusted_falls_back_to_the_peer() {
        let garbage = headers(&[("x-forwarded-for", "1.1.1.1, not-an-ip")]);
        let all_trusted = headers(&[("x-forwarded-for", "10.9.9.9")]);

        assert_eq!(resolve(ip("10.0.0.1"), &garbage, &trusted()), ip("10.0.0.1"));
        assert_eq!(resolve(ip("10.0.0.1"), &all_trusted, &trusted()), ip("10.0.0.1"));
        assert_eq!(resolve(ip("10.0.0.1"), &HeaderMap::new(), &trusted()), ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_are_canonicalised() {
        assert_eq!(resolve(ip("::ffff:203.0.113.9"), &HeaderMap::new(), &trusted()), ip("203.0.113.9"));
    }

    #[actix_web::test]
    async fn user_agent_is_trimmed_to_the_limit() {
        let long = "a".repeat(MAX_USER_AGENT_CHARS + 10);
        let req = actix_web::test::TestRequest::default().insert_header(("user-agent", long)).to_http_request();

        let UserAgent(agent) = UserAgent::extract(&req).await.unwrap();

        assert_eq!(agent.unwrap().len(), MAX_USER_AGENT_CHARS);
    }
}
