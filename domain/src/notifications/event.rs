//! What happened to a user's money, bots, account or plan: one [`Event`] type for every channel
//! (in-app, e-mail, Telegram, outbound webhooks, the live stream). Each event has a stable id (its
//! deliveries' idempotency key), its owner, the time it happened and a typed payload; its wire form
//! is `{"id", "type", "at", "data"}` with `type` one of [`EventType`]'s dotted names.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::payload::EventPayload;
use super::types::EventType;
use crate::shared::ids::{EventId, UserId};

/// One thing that happened to a user's account, bots, orders or plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique and sortable by time; the idempotency key of every delivery of the event.
    pub id: EventId,
    /// The user it concerns.
    pub user_id: UserId,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What happened: `type` and `data` on the wire.
    #[serde(flatten)]
    pub payload: EventPayload,
}

impl Event {
    /// A new event of `user`'s that happened `at`.
    pub fn new(user_id: UserId, payload: EventPayload, at: OffsetDateTime) -> Self {
        Self { id: EventId::new(), user_id, at, payload }
    }

    /// Its type.
    pub fn event_type(&self) -> EventType {
        self.payload.event_type()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    use super::*;
    use crate::notifications::payload::{PaymentData, SubscriptionData};

    fn payment() -> Event {
        let data = PaymentData {
            provider: "stripe".into(),
            plan: "pro".into(),
            amount: Some(dec!(49.90)),
            currency: Some("BRL".into()),
            reason: None,
        };
        Event::new(UserId::new(), EventPayload::PaymentSucceeded(data), datetime!(2026-12-04 10:00 UTC))
    }

    #[test]
    fn wire_form_is_type_and_data() {
        let event = payment();
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "payment.succeeded");
        assert_eq!(json["at"], "2026-12-04T10:00:00Z");
        assert_eq!(json["data"]["amount"], "49.90");
        assert_eq!(json["id"], event.id.to_string());
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn the_type_follows_the_payload() {
        let data = SubscriptionData { plan: "max".into(), status: "past_due".into(), provider: None, period_end: None };
        let event = Event::new(UserId::new(), EventPayload::SubscriptionPastDue(data), datetime!(2026-12-04 10:00 UTC));
        assert_eq!(event.event_type(), EventType::SubscriptionPastDue);
        assert_eq!(event.event_type().as_str(), "subscription.past_due");
    }
}
