//! Notifications: the [`Event`]s of what happens to a user's money, bots, orders and plan, the
//! [`Outbox`] that carries them in the same write as the change they report, the user's channel
//! [`NotificationPreferences`], and the ports of the event log. Channels (in-app, e-mail,
//! Telegram, outbound webhooks, the live stream) all read the one log.

mod event;
mod outbox;
mod payload;
mod ports;
mod preferences;
mod types;

pub use event::Event;
pub use outbox::{Outbox, OUTBOX_LIMIT};
pub use payload::{
    AnomalyData, BotRef, BotStatusData, CredentialData, EventPayload, FundsWithdrawnData, OrderData, PaymentData,
    PlanLimitData, PositionData, SoftStopData, SubscriptionData, WebhookDisabledData,
};
pub use ports::{EventFilter, EventRepository, PreferenceRepository, StoredEvent};
pub use preferences::{Channel, ChannelSet, NotificationPreferences};
pub use types::{Category, EventType};

#[cfg(feature = "mocks")]
pub use ports::{MockEventRepository, MockPreferenceRepository};
