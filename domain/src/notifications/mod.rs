//! Notifications: the [`Event`]s of what happens to a user's money, bots, orders and plan, the
//! [`Outbox`] that carries them in the same write as the change they report, the user's channel
//! [`NotificationPreferences`], and the ports of the event log. Channels (in-app, e-mail,
//! Telegram, outbound webhooks, the live stream) all read the one log.

mod channel_ports;
mod delivery;
mod event;
mod outbox;
mod payload;
mod ports;
mod preferences;
mod telegram;
mod types;

pub use channel_ports::{CursorRepository, DeliveryRepository, SpentTicketRepository};
pub use delivery::{backoff, Delivery, DeliveryStatus, MAX_ATTEMPTS};
pub use event::Event;
pub use outbox::{Outbox, OUTBOX_LIMIT};
pub use payload::{
    AnomalyData, BotRef, BotStatusData, CredentialData, EventPayload, FundsWithdrawnData, OrderData, PaymentData,
    PlanLimitData, PositionData, SoftStopData, SubscriptionData, WebhookDisabledData,
};
pub use ports::{EventFilter, EventRepository, PreferenceRepository, StoredEvent};
pub use preferences::{Channel, ChannelSet, NotificationPreferences};
pub use telegram::{
    LinkCode, TelegramBot, TelegramError, TelegramLink, TelegramRepository, TelegramUpdate, LINK_CODE_LIFETIME,
};
pub use types::{Category, EventType};

#[cfg(feature = "mocks")]
pub use channel_ports::{MockCursorRepository, MockDeliveryRepository, MockSpentTicketRepository};
#[cfg(feature = "mocks")]
pub use ports::{MockEventRepository, MockPreferenceRepository};
#[cfg(feature = "mocks")]
pub use telegram::{MockTelegramBot, MockTelegramRepository};
