//! An order's life-cycle state and the strategy that placed it.

use serde::{Deserialize, Serialize};

use crate::exchange::ExchangeOrderStatus;

/// Where an order is in its life cycle. `Pending`, `New` and `PartiallyFilled` are open; the rest
/// are final and never change again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Stored, not (yet) acknowledged by the exchange.
    Pending,
    /// Acknowledged, nothing filled.
    New,
    /// Partly filled, still open.
    PartiallyFilled,
    /// Completely filled.
    Filled,
    /// Cancelled (possibly after a partial fill).
    Canceled,
    /// Refused by the exchange.
    Rejected,
    /// Expired on the exchange.
    Expired,
}

/// The name is not an order status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown order status `{0}`; expected one of: pending, new, partially_filled, filled, canceled, rejected, expired"
)]
pub struct UnknownOrderStatus(pub String);

impl OrderStatus {
    /// Every status.
    pub const ALL: [OrderStatus; 7] =
        [Self::Pending, Self::New, Self::PartiallyFilled, Self::Filled, Self::Canceled, Self::Rejected, Self::Expired];
    /// The statuses of orders the exchange may still fill: what sync reads.
    pub const OPEN: [OrderStatus; 3] = [Self::Pending, Self::New, Self::PartiallyFilled];

    /// Whether the order may still change.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// How it ended, when it did.
    pub fn final_status(self) -> Option<FinalStatus> {
        match self {
            Self::Pending | Self::New | Self::PartiallyFilled => None,
            Self::Filled => Some(FinalStatus::Filled),
            Self::Canceled => Some(FinalStatus::Canceled),
            Self::Rejected => Some(FinalStatus::Rejected),
            Self::Expired => Some(FinalStatus::Expired),
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::New => "new",
            Self::PartiallyFilled => "partially_filled",
            Self::Filled => "filled",
            Self::Canceled => "canceled",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }
}

impl From<ExchangeOrderStatus> for OrderStatus {
    fn from(status: ExchangeOrderStatus) -> Self {
        match status {
            ExchangeOrderStatus::New => Self::New,
            ExchangeOrderStatus::PartiallyFilled => Self::PartiallyFilled,
            ExchangeOrderStatus::Filled => Self::Filled,
            ExchangeOrderStatus::Canceled => Self::Canceled,
            ExchangeOrderStatus::Rejected => Self::Rejected,
            ExchangeOrderStatus::Expired => Self::Expired,
        }
    }
}

impl std::str::FromStr for OrderStatus {
    type Err = UnknownOrderStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownOrderStatus(s.to_owned()))
    }
}

/// How an order ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalStatus {
    /// Completely filled.
    Filled,
    /// Cancelled; what filled before stays filled.
    Canceled,
    /// Refused by the exchange.
    Rejected,
    /// Expired; what filled before stays filled.
    Expired,
}

impl From<FinalStatus> for OrderStatus {
    fn from(status: FinalStatus) -> Self {
        match status {
            FinalStatus::Filled => Self::Filled,
            FinalStatus::Canceled => Self::Canceled,
            FinalStatus::Rejected => Self::Rejected,
            FinalStatus::Expired => Self::Expired,
        }
    }
}

/// Which strategy placed an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategySource {
    /// A user, by hand (or an order adopted from the exchange).
    Manual,
    /// A smart bot.
    Smart,
    /// A candle bot.
    Candle,
    /// A DCA bot.
    Dca,
    /// A channel bot.
    Channel,
}

/// The name is not a strategy source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown strategy source `{0}`; expected one of: manual, smart, candle, dca, channel")]
pub struct UnknownStrategySource(pub String);

impl StrategySource {
    /// Every source.
    pub const ALL: [StrategySource; 5] = [Self::Manual, Self::Smart, Self::Candle, Self::Dca, Self::Channel];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Smart => "smart",
            Self::Candle => "candle",
            Self::Dca => "dca",
            Self::Channel => "channel",
        }
    }
}

impl From<crate::bots::BotKind> for StrategySource {
    fn from(kind: crate::bots::BotKind) -> Self {
        use crate::bots::BotKind;
        match kind {
            BotKind::Smart => Self::Smart,
            BotKind::Candle => Self::Candle,
            BotKind::Dca => Self::Dca,
            BotKind::Channel => Self::Channel,
        }
    }
}

impl std::str::FromStr for StrategySource {
    type Err = UnknownStrategySource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownStrategySource(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_parse_back_and_match_serde() {
        for status in OrderStatus::ALL {
            assert_eq!(status.as_str().parse::<OrderStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for source in StrategySource::ALL {
            assert_eq!(source.as_str().parse::<StrategySource>(), Ok(source));
            assert_eq!(serde_json::to_value(source).unwrap(), source.as_str());
        }
        assert!("open".parse::<OrderStatus>().is_err());
        assert!("grid".parse::<StrategySource>().is_err());
    }

    #[test]
    fn open_and_final_are_complementary() {
        for status in OrderStatus::ALL {
            assert_eq!(status.is_open(), status.final_status().is_none(), "{status:?}");
            if let Some(end) = status.final_status() {
                assert_eq!(OrderStatus::from(end), status);
            }
        }
    }
}
