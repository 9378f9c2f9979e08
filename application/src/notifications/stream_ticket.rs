//! Stream tickets: how a browser opens the live stream. `EventSource` cannot send an
//! `Authorization` header, and the long-lived access token must never sit in a URL (proxies and
//! servers log URLs), so an authenticated `POST /api/events/ticket` gets a ticket that lives 30
//! seconds, names its user, is signed (HMAC-SHA256 under a key derived from the server's secret,
//! so any instance can check it) and is spent by its first use on the instance that takes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use domain::shared::ids::UserId;
use domain::Clock;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a ticket can be redeemed after it is issued.
pub const TICKET_LIFETIME: Duration = Duration::seconds(30);

/// An issued ticket.
#[derive(Clone, PartialEq, Eq)]
pub struct StreamTicket {
    /// The opaque value to pass as `?ticket=`.
    pub value: String,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for StreamTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamTicket").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// Why a ticket is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// Malformed, forged, expired or already used.
    #[error("the stream ticket is not valid (malformed, expired or used); ask for a new one")]
    Invalid,
}

/// Issues and redeems stream tickets.
pub struct StreamTickets {
    key: [u8; 32],
    clock: Arc<dyn Clock>,
    /// Nonces of redeemed tickets with their expiry, pruned as they expire.
    spent: Mutex<HashMap<[u8; 16], i64>>,
}

impl std::fmt::Debug for StreamTickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamTickets").finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl StreamTickets {
    /// Tickets signed under a key derived from `secret` (the server's JWT secret: every instance
    /// shares it, and the derivation keeps the two uses apart).
    pub fn new(secret: &[u8], clock: Arc<dyn Clock>) -> Self {
        let key = Sha256::new().chain_update(b"botfleet/stream-ticket/v1\0").chain_update(secret).finalize().into();
        Self { key, clock, spent: Mutex::new(HashMap::new()) }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload);
        mac
    }

    /// A new ticket for `user`.
    pub fn issue(&self, user: UserId) -> StreamTicket {
        let expires_at = self.clock.now() + TICKET_LIFETIME;
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = format!("{user}.{}.{}", expires_at.unix_timestamp(), hex::encode(nonce));
        let tag = self.mac(payload.as_bytes()).finalize().into_bytes();
        let value = format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag));
        StreamTicket { value, expires_at }
    }

    /// The user of `ticket`, spending it. Errors: [`TicketError::Invalid`] for anything but a
    /// genuine, unexpired, unused ticket.
    pub fn redeem(&self, ticket: &str) -> Result<UserId, TicketError> {
        let (payload, tag) = ticket.split_once('.').ok_or(TicketError::Invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TicketError::Invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| TicketError::Invalid)?;
        self.mac(&payload).verify_slice(&tag).map_err(|_| TicketError::Invalid)?;
        let payload = String::from_utf8(payload).map_err(|_| TicketError::Invalid)?;
        let mut parts = payload.split('.');
        let (Some(user), Some(expires), Some(nonce), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TicketError::Invalid);
        };
        let user = UserId::parse(user).ok_or(TicketError::Invalid)?;
        let expires: i64 = expires.parse().map_err(|_| TicketError::Invalid)?;
        let nonce: [u8; 16] = hex::decode(nonce).ok().and_then(|n| n.try_into().ok()).ok_or(TicketError::Invalid)?;
        let now = self.clock.now().unix_timestamp();
        if now >= expires {
            return Err(TicketError::Invalid);
        }
        let mut spent = self.spent.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        spent.retain(|_, exp| *exp > now);
        if spent.insert(nonce, expires).is_some() {
            return Err(TicketError::Invalid);
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use domain::shared::clock::FixedClock;
    use time::macros::datetime;

    use super::*;

    fn tickets() -> (StreamTickets, Arc<FixedClock>) {
        let clock = Arc::new(FixedClock::new(datetime!(2026-12-04 10:00 UTC)));
        (StreamTickets::new(b"0123456789abcdef0123456789abcdef", clock.clone()), clock)
    }

    #[test]
    fn a_ticket_names_its_user_once() {
        let (tickets, _) = tickets();
        let user = UserId::new();
        let ticket = tickets.issue(user);

        assert_eq!(tickets.redeem(&ticket.value), Ok(user));
        assert_eq!(tickets.redeem(&ticket.value), Err(TicketError::Invalid), "single use");
    }

    #[test]
    fn an_expired_ticket_is_refused() {
        let (tickets, clock) = tickets();
        let ticket = tickets.issue(UserId::new());
        clock.set(datetime!(2026-12-04 10:00:30 UTC));

        assert_eq!(tickets.redeem(&ticket.value), Err(TicketError::Invalid));
    }

    #[test]
    fn a_forged_or_foreign_ticket_is_refused() {
        let (tickets, clock) = tickets();
        let other = StreamTickets::new(b"another secret of at least 32 bytes!", clock);
        let ticket = other.issue(UserId::new());
        assert_eq!(tickets.redeem(&ticket.value), Err(TicketError::Invalid));

        let genuine = tickets.issue(UserId::new()).value;
        let (payload, tag) = genuine.split_once('.').unwrap();
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(decoded.replacen(&decoded[..26], &UserId::new().to_string(), 1));
        assert_eq!(tickets.redeem(&format!("{forged_payload}.{tag}")), Err(TicketError::Invalid));
        for junk in ["", ".", "abc", "a.b.c", "%%%.%%%"] {
            assert_eq!(tickets.redeem(junk), Err(TicketError::Invalid));
        }
    }
}
