//! Stream tickets: how a browser opens the live stream. `EventSource` cannot send an
//! `Authorization` header, and the long-lived access token must never sit in a URL (proxies and
//! servers log URLs), so an authenticated `POST /api/events/ticket` gets a ticket that lives 30
//! seconds, names its user, is signed (HMAC-SHA256 under a key derived from the server's secret,
//! so any instance can check it) and is spent by its first use, on every instance: the spent
//! nonces are in the store ([`SpentTicketRepository`]), where spending one is atomic.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use domain::notifications::SpentTicketRepository;
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
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    /// Malformed, forged, expired or already used.
    #[error("the stream ticket is not valid (malformed, expired or used); ask for a new one")]
    Invalid,
    /// The store of spent tickets failed (the ticket is not taken).
    #[error(transparent)]
    Unexpected(crate::Unexpected),
}

crate::unexpected_from!(TicketError);

/// Issues and redeems stream tickets.
pub struct StreamTickets {
    key: [u8; 32],
    clock: Arc<dyn Clock>,
    /// The nonces of redeemed tickets, shared by every instance.
    spent: Arc<dyn SpentTicketRepository>,
}

impl std::fmt::Debug for StreamTickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamTickets").finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

impl StreamTickets {
    /// Tickets signed under a key derived from `secret` (the server's JWT secret: every instance
    /// shares it, and the derivation keeps the two uses apart), spent in `spent`.
    pub fn new(secret: &[u8], spent: Arc<dyn SpentTicketRepository>, clock: Arc<dyn Clock>) -> Self {
        let key = Sha256::new().chain_update(b"botfleet/stream-ticket/v1\0").chain_update(secret).finalize().into();
        Self { key, clock, spent }
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

    /// The user of `ticket`, spending it on every instance. Errors: [`TicketError::Invalid`] for
    /// anything but a genuine, unexpired, unused ticket; `Unexpected` when the store fails.
    pub async fn redeem(&self, ticket: &str) -> Result<UserId, TicketError> {
        let (user, expires, nonce) = self.verify(ticket).ok_or(TicketError::Invalid)?;
        let now = self.clock.now();
        if now >= expires {
            return Err(TicketError::Invalid);
        }
        match self.spent.spend(&nonce, expires, now).await? {
            true => Ok(user),
            false => Err(TicketError::Invalid),
        }
    }

    /// The user, expiry and nonce (hex) of a genuine ticket, `None` for anything else.
    fn verify(&self, ticket: &str) -> Option<(UserId, OffsetDateTime, String)> {
        let (payload, tag) = ticket.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(&payload).verify_slice(&tag).ok()?;
        let payload = String::from_utf8(payload).ok()?;
        let mut parts = payload.split('.');
        let (Some(user), Some(expires), Some(nonce), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let user = UserId::parse(user)?;
        let expires = OffsetDateTime::from_unix_timestamp(expires.parse().ok()?).ok()?;
        let nonce: [u8; 16] = hex::decode(nonce).ok()?.try_into().ok()?;
        Some((user, expires, hex::encode(nonce)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use domain::shared::clock::FixedClock;
    use time::macros::datetime;

    use super::*;

    /// Spent nonces in memory, as the store keeps them.
    #[derive(Default)]
    struct Spent(Mutex<HashSet<String>>);

    #[async_trait::async_trait]
    impl SpentTicketRepository for Spent {
        async fn spend(&self, nonce: &str, _: OffsetDateTime, _: OffsetDateTime) -> Result<bool, domain::RepoError> {
            Ok(self.0.lock().unwrap().insert(nonce.to_owned()))
        }
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn tickets() -> (StreamTickets, Arc<FixedClock>) {
        let clock = Arc::new(FixedClock::new(datetime!(2026-12-04 10:00 UTC)));
        (StreamTickets::new(SECRET, Arc::new(Spent::default()), clock.clone()), clock)
    }

    fn invalid(redeemed: Result<UserId, TicketError>) -> bool {
        matches!(redeemed, Err(TicketError::Invalid))
    }

    #[tokio::test]
    async fn a_ticket_names_its_user_once_on_every_instance() {
        let (tickets, clock) = tickets();
        let user = UserId::new();
        let ticket = tickets.issue(user);

        assert_eq!(tickets.redeem(&ticket.value).await.ok(), Some(user));
        assert!(invalid(tickets.redeem(&ticket.value).await), "single use");

        // Two instances (one secret) over one store of spent tickets.
        let spent: Arc<Spent> = Arc::default();
        let (a, b) =
            (StreamTickets::new(SECRET, spent.clone(), clock.clone()), StreamTickets::new(SECRET, spent, clock));
        let ticket = a.issue(user);
        assert_eq!(b.redeem(&ticket.value).await.ok(), Some(user), "any instance takes it");
        assert!(invalid(a.redeem(&ticket.value).await), "spent on the other instance");
    }

    #[tokio::test]
    async fn an_expired_ticket_is_refused() {
        let (tickets, clock) = tickets();
        let ticket = tickets.issue(UserId::new());
        clock.set(datetime!(2026-12-04 10:00:30 UTC));

        assert!(invalid(tickets.redeem(&ticket.value).await));
    }

    #[tokio::test]
    async fn a_forged_or_foreign_ticket_is_refused() {
        let (tickets, clock) = tickets();
        let other = StreamTickets::new(b"another secret of at least 32 bytes!", Arc::new(Spent::default()), clock);
        let ticket = other.issue(UserId::new());
        assert!(invalid(tickets.redeem(&ticket.value).await));

        let genuine = tickets.issue(UserId::new()).value;
        let (payload, tag) = genuine.split_once('.').unwrap();
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(decoded.replacen(&decoded[..26], &UserId::new().to_string(), 1));
        assert!(invalid(tickets.redeem(&format!("{forged_payload}.{tag}")).await));
        for junk in ["", ".", "abc", "a.b.c", "%%%.%%%"] {
            assert!(invalid(tickets.redeem(junk).await));
        }
    }
}
