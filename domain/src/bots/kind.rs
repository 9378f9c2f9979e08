//! The kinds of bot botfleet runs.

use serde::{Deserialize, Serialize};

/// A bot's strategy family.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotKind {
    /// Buys a fixed amount per cycle and sells each lot by its risk rules.
    Smart,
    /// Acts on technical-indicator signals from candles.
    Candle,
    /// Dollar-cost averaging with take profit and stop loss on the average price.
    Dca,
    /// Buys breakouts above a base price and sells on a fall from the top, never at a loss.
    Channel,
}

/// The name is not a bot kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown bot kind `{0}`; expected one of: smart, candle, dca, channel")]
pub struct UnknownBotKind(pub String);

impl BotKind {
    /// Every kind.
    pub const ALL: [BotKind; 4] = [BotKind::Smart, BotKind::Candle, BotKind::Dca, BotKind::Channel];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            BotKind::Smart => "smart",
            BotKind::Candle => "candle",
            BotKind::Dca => "dca",
            BotKind::Channel => "channel",
        }
    }
}

impl std::str::FromStr for BotKind {
    type Err = UnknownBotKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownBotKind(s.to_owned()))
    }
}

impl std::fmt::Display for BotKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
