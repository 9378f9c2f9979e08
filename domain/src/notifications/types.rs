//! The event types: their dotted wire names, their category and the channels that carry them by
//! default ("money-moving and safety events on, every fill off").

use serde::{Deserialize, Serialize};

use super::preferences::{Channel, ChannelSet};

macro_rules! event_types {
    ($( $(#[$meta:meta])* $variant:ident = $name:literal, $category:ident; )*) => {
        /// The type of an [`super::Event`]; its wire name is dotted (`order.filled`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum EventType {
            $( $(#[$meta])* #[serde(rename = $name)] $variant, )*
        }

        impl EventType {
            /// Every type, in the order of the documentation.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),*];

            /// The wire name (`order.filled`).
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$variant => $name,)* }
            }

            /// Its category.
            pub fn category(self) -> Category {
                match self { $(EventType::$variant => Category::$category,)* }
            }
        }

        // By hand: the derive does not see the `rename` of a macro's literal, so it would list the
        // Rust names (`BotStarted`) instead of the wire names the API reads and writes.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for EventType {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(
                        "The type of an event; its wire name is dotted (`order.filled`).",
                    ))
                    .enum_values(Some(EventType::ALL.iter().map(|t| t.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for EventType {}
    };
}

event_types! {
    /// A bot was started.
    BotStarted = "bot.started", Trading;
    /// A paused or tripped bot runs again.
    BotResumed = "bot.resumed", Trading;
    /// A bot was paused (by its owner, a plan change, funds withdrawn outside botfleet).
    BotPaused = "bot.paused", Safety;
    /// A bot was stopped (by its owner, a plan downgrade, a completed plan, an emergency sell).
    BotStopped = "bot.stopped", Safety;
    /// A bot's circuit breaker tripped: it opens nothing until reset.
    BotTripped = "bot.tripped", Safety;
    /// A bot's soft stop loss halted its buying.
    SoftStopHit = "bot.soft_stop_hit", Safety;
    /// A position was sold at its take profit.
    TakeProfitExecuted = "take_profit.executed", Money;
    /// A position was sold at its stop loss.
    StopLossExecuted = "stop_loss.executed", Safety;
    /// A position was sold at its trailing stop.
    TrailingStopExecuted = "trailing_stop.executed", Safety;
    /// An order was sent to the exchange.
    OrderPlaced = "order.placed", Fill;
    /// An order filled completely.
    OrderFilled = "order.filled", Fill;
    /// An order filled in part and is still open.
    OrderPartiallyFilled = "order.partially_filled", Fill;
    /// An order was cancelled (or expired).
    OrderCanceled = "order.canceled", Trading;
    /// The exchange refused an order.
    OrderRejected = "order.rejected", Safety;
    /// A position was closed, with its realized profit or loss.
    PositionClosed = "position.closed", Money;
    /// Funds a bot counted on were withdrawn outside botfleet.
    FundsWithdrawn = "funds.withdrawn", Safety;
    /// An action was refused because the plan's limit was reached.
    PlanLimitReached = "plan.limit_reached", Account;
    /// A paid subscription started.
    SubscriptionActivated = "subscription.activated", Money;
    /// A subscription was renewed for another period.
    SubscriptionRenewed = "subscription.renewed", Money;
    /// A renewal payment failed; the plan stays until the grace period ends.
    SubscriptionPastDue = "subscription.past_due", Money;
    /// A subscription ended.
    SubscriptionCanceled = "subscription.canceled", Money;
    /// A period paid once (PIX, boleto) ends soon: pay the next one to keep the plan.
    SubscriptionPeriodEnding = "subscription.period_ending", Money;
    /// A payment went through.
    PaymentSucceeded = "payment.succeeded", Money;
    /// A payment failed.
    PaymentFailed = "payment.failed", Money;
    /// Money paid went back to the user: a refund (in full or in part) or a chargeback.
    PaymentRefunded = "payment.refunded", Money;
    /// A stored exchange credential stopped validating.
    CredentialInvalid = "credential.invalid", Safety;
    /// An anomaly (a gap, a spike, a stale feed) on a market the user trades.
    MarketAnomaly = "market.anomaly", Safety;
    /// One of the user's outbound webhook endpoints failed for 24 hours and was disabled.
    WebhookEndpointDisabled = "webhook.endpoint_disabled", Safety;
}

/// What an event is about, which sets its default channels.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Something that protects or threatens the user's money: every channel by default.
    Safety,
    /// Money moved (a profit taken, a payment): every channel by default.
    Money,
    /// A bot's or an order's ordinary life: in-app only by default.
    Trading,
    /// An order placed or filled: a burst of them is normal, so off by default.
    Fill,
    /// The account and its plan: in-app and e-mail by default.
    Account,
}

impl EventType {
    /// The channels that carry this type for a user who has not chosen.
    pub fn default_channels(self) -> ChannelSet {
        match self.category() {
            Category::Safety | Category::Money => ChannelSet::of(&[Channel::InApp, Channel::Email, Channel::Telegram]),
            Category::Trading => ChannelSet::of(&[Channel::InApp]),
            Category::Fill => ChannelSet::empty(),
            Category::Account => ChannelSet::of(&[Channel::InApp, Channel::Email]),
        }
    }

    /// The type with that wire name.
    pub fn parse(name: &str) -> Option<EventType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_unique_and_parse_back() {
        let mut names: Vec<_> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
    }

    #[test]
    fn fills_are_off_and_safety_is_everywhere_by_default() {
        assert!(EventType::OrderFilled.default_channels().is_empty());
        assert!(EventType::OrderPlaced.default_channels().is_empty());
        let tripped = EventType::BotTripped.default_channels();
        assert!(
            tripped.contains(Channel::InApp) && tripped.contains(Channel::Email) && tripped.contains(Channel::Telegram)
        );
        assert!(EventType::PaymentFailed.default_channels().contains(Channel::Email));
    }
}
