//! A user's outbound webhook endpoint: where to POST, which events, the signing secret
//! (encrypted), and whether it is on. An endpoint that fails for [`FAILING_LIMIT`] without one
//! success is switched off.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::credentials::EncryptedValue;
use crate::notifications::EventType;
use crate::shared::ids::UserId;

crate::ulid_id!(
    /// Identifies a user's outbound webhook endpoint.
    WebhookEndpointId
);

/// How long an endpoint may fail, without one successful delivery, before it is disabled.
pub const FAILING_LIMIT: time::Duration = time::Duration::hours(24);

/// The longest accepted URL, in characters.
const MAX_URL_CHARS: usize = 2048;

/// Why a URL cannot be an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not `https://host...` (or `http://` where the operator allows it), too long, with spaces,
    /// credentials or without a host.
    #[error("must be an absolute https:// URL with a host, no credentials and at most 2048 characters")]
    Malformed,
    /// `http://` where only `https://` is allowed.
    #[error("must use https://")]
    NotHttps,
}

/// An endpoint URL: absolute, `https` (or `http` when allowed), with a host and no userinfo.
/// Where it may point after DNS resolution is the transport's check, not this type's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// Parses `raw`; `allow_http` admits `http://` (tests, on-premise receivers).
    pub fn parse(raw: &str, allow_http: bool) -> Result<Self, UrlError> {
        let rest = if let Some(rest) = raw.strip_prefix("https://") {
            rest
        } else if let Some(rest) = raw.strip_prefix("http://") {
            if !allow_http {
                return Err(UrlError::NotHttps);
            }
            rest
        } else {
            return Err(UrlError::Malformed);
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let bad_char = raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if raw.chars().count() > MAX_URL_CHARS || bad_char || authority.is_empty() || authority.contains('@') {
            return Err(UrlError::Malformed);
        }
        let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') {
                h
            } else {
                authority
            }
        });
        if host.is_empty() || host == "[]" {
            return Err(UrlError::Malformed);
        }
        Ok(Self(raw.to_owned()))
    }

    /// A stored URL, as stored.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which events an endpoint receives: every type, or the listed ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSelection {
    /// Every event type, present and future.
    All,
    /// Only these types (never empty).
    Only(BTreeSet<EventType>),
}

impl EventSelection {
    /// Whether an event of `event_type` goes to the endpoint.
    pub fn wants(&self, event_type: EventType) -> bool {
        match self {
            EventSelection::All => true,
            EventSelection::Only(types) => types.contains(&event_type),
        }
    }
}

/// A user's outbound webhook endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Id.
    pub id: WebhookEndpointId,
    /// Owner.
    pub user_id: UserId,
    /// Where deliveries are POSTed.
    pub url: EndpointUrl,
    /// Which events it receives.
    pub events: EventSelection,
    /// The owner's note.
    pub description: Option<String>,
    /// The signing secret (`whsec_...`), encrypted: shown once, at creation and rotation.
    pub secret: EncryptedValue,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why it was switched off by botfleet (not by its owner).
    pub disabled_reason: Option<String>,
    /// Since when every attempt failed; `None` after a success.
    pub failing_since: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl WebhookEndpoint {
    /// Whether an event of `event_type` is to be delivered to it now.
    pub fn wants(&self, event_type: EventType) -> bool {
        self.enabled && self.events.wants(event_type)
    }

    /// Records a successful delivery: the endpoint is healthy again.
    pub fn record_success(&mut self) -> bool {
        self.failing_since.take().is_some()
    }

    /// Records a failed attempt at `now`; `true` when it has now failed for [`FAILING_LIMIT`]
    /// and was disabled (then its owner is to be told).
    pub fn record_failure(&mut self, now: OffsetDateTime) -> bool {
        let since = *self.failing_since.get_or_insert(now);
        if self.enabled && now - since >= FAILING_LIMIT {
            self.enabled = false;
            self.disabled_reason = Some(format!("every delivery failed for 24 hours (since {since})"));
            self.updated_at = now;
            return true;
        }
        false
    }

    /// Switches it on or off by its owner's choice; switching on forgets past failures.
    pub fn set_enabled(&mut self, enabled: bool, now: OffsetDateTime) {
        if enabled && !self.enabled {
            self.failing_since = None;
            self.disabled_reason = None;
        }
        self.enabled = enabled;
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn endpoint() -> WebhookEndpoint {
        let secret = EncryptedValue { key_id: "k".into(), nonce: "n".into(), ciphertext: "c".into() };
        let at = datetime!(2026-12-04 10:00 UTC);
        WebhookEndpoint {
            id: WebhookEndpointId::new(),
            user_id: UserId::new(),
            url: EndpointUrl::parse("https://example.com/hook", false).unwrap(),
            events: EventSelection::Only([EventType::OrderFilled].into()),
            description: None,
            secret,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn urls_must_be_https_with_a_host() {
        assert!(EndpointUrl::parse("https://example.com/a?b=c", false).is_ok());
        assert!(EndpointUrl::parse("https://example.com:8443", false).is_ok());
        assert!(EndpointUrl::parse("https://[2606:4700::1]:443/x", false).is_ok());
        assert_eq!(EndpointUrl::parse("http://example.com", false), Err(UrlError::NotHttps));
        assert!(EndpointUrl::parse("http://127.0.0.1:8080/x", true).is_ok());
        for bad in
            ["ftp://x", "https://", "https:///path", "https://user:pw@example.com", "https://a b.com", "example.com"]
        {
            assert_eq!(EndpointUrl::parse(bad, true), Err(UrlError::Malformed), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert_eq!(EndpointUrl::parse(&long, false), Err(UrlError::Malformed));
    }

    #[test]
    fn the_selection_filters_and_a_disabled_endpoint_wants_nothing() {
        let mut e = endpoint();
        assert!(e.wants(EventType::OrderFilled));
        assert!(!e.wants(EventType::BotTripped));
        assert!(EventSelection::All.wants(EventType::BotTripped));
        e.set_enabled(false, e.created_at);
        assert!(!e.wants(EventType::OrderFilled));
    }

    #[test]
    fn failing_for_24_hours_disables_once_and_a_success_resets() {
        let mut e = endpoint();
        let t0 = e.created_at;
        assert!(!e.record_failure(t0));
        assert!(!e.record_failure(t0 + time::Duration::hours(23)));
        assert!(e.record_success());
        assert!(!e.record_failure(t0 + time::Duration::hours(25)), "the clock restarts after a success");
        assert!(e.record_failure(t0 + time::Duration::hours(49)));
        assert!(!e.enabled && e.disabled_reason.is_some());
        assert!(!e.record_failure(t0 + time::Duration::hours(50)), "disabled once only");
        e.set_enabled(true, t0 + time::Duration::hours(51));
        assert!(e.enabled && e.failing_since.is_none() && e.disabled_reason.is_none());
    }
}
