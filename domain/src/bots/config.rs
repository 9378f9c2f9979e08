//! Bot configuration: the settings every kind shares (allocated capital, risk rules, circuit
//! breaker) and each kind's own, parsed from JSON with every bad field named and validated as a
//! whole so a client sees all its mistakes at once. Unknown fields are refused: a typo in a trading
//! setting must never be silently ignored.

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::candle::CandleConfig;
use super::channel::ChannelConfig;
use super::config_tagged::{tag_first_json, Tagged};
use super::dca::DcaConfig;
use super::smart::{SmartConfig, SmartMode};
use super::{BotKind, BreakerLimits, BreakerPreset, RiskConfig};
use crate::shared::bounds::{AMOUNT, GAIN_PERCENT, LOSSES, LOSS_PERCENT};
use crate::shared::field::{FieldIssue, Issues};
use crate::signals::IndicatorSpec;

/// A bot's whole configuration, one variant per kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "config", rename_all = "snake_case")]
pub enum BotConfig {
    /// SmartBot.
    Smart(SmartConfig),
    /// Candle bot.
    Candle(CandleConfig),
    /// DCA bot.
    Dca(DcaConfig),
    /// Channel bot.
    Channel(ChannelConfig),
}

/// The tags of every internally tagged enum a configuration holds (see [`super::config_tagged`]):
/// they are read before the other fields so that a bad field inside names its whole path.
const TAGS: &[&str] = &[SmartMode::TAG, BreakerPreset::TAG, IndicatorSpec::TAG];

fn parse<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, Vec<FieldIssue>> {
    if !value.is_object() {
        return Err(vec![FieldIssue::new("config", "must be an object")]);
    }
    let text = tag_first_json(value, TAGS);
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text)).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let missing = message.starts_with("missing field");
        let field = match (path.as_str(), message.split('`').nth(1)) {
            // A missing field is reported at its parent; name the field itself.
            (".", Some(name)) if missing => format!("config.{name}"),
            (p, Some(name)) if missing => format!("config.{p}.{name}"),
            (".", _) => "config".to_owned(),
            (p, _) => format!("config.{p}"),
        };
        let message = message.split(" at line").next().unwrap_or_default().to_owned();
        vec![FieldIssue::new(field, message)]
    })
}

impl BotConfig {
    /// Parses and validates `value` as the configuration of a `kind` bot.
    pub fn parse(kind: BotKind, value: &serde_json::Value) -> Result<Self, Vec<FieldIssue>> {
        let config = match kind {
            BotKind::Smart => BotConfig::Smart(parse(value)?),
            BotKind::Candle => BotConfig::Candle(parse(value)?),
            BotKind::Dca => BotConfig::Dca(parse(value)?),
            BotKind::Channel => BotConfig::Channel(parse(value)?),
        };
        config.validate()?;
        Ok(config)
    }

    /// The kind.
    pub fn kind(&self) -> BotKind {
        match self {
            BotConfig::Smart(_) => BotKind::Smart,
            BotConfig::Candle(_) => BotKind::Candle,
            BotConfig::Dca(_) => BotKind::Dca,
            BotConfig::Channel(_) => BotKind::Channel,
        }
    }

    /// The quote capital given to the bot.
    pub fn allocated_balance(&self) -> Decimal {
        match self {
            BotConfig::Smart(c) => c.allocated_balance,
            BotConfig::Candle(c) => c.allocated_balance,
            BotConfig::Dca(c) => c.allocated_balance,
            BotConfig::Channel(c) => c.allocated_balance,
        }
    }

    /// The risk rules in force (a DCA bot's take profit and stop loss are its own fields).
    pub fn risk(&self) -> RiskConfig {
        match self {
            BotConfig::Smart(c) => c.risk.clone(),
            BotConfig::Candle(c) => c.risk.clone(),
            BotConfig::Dca(c) => c.effective_risk(),
            BotConfig::Channel(c) => c.risk.clone(),
        }
    }

    /// The circuit breaker's preset.
    pub fn breaker(&self) -> BreakerPreset {
        match self {
            BotConfig::Smart(c) => c.circuit_breaker,
            BotConfig::Candle(c) => c.circuit_breaker,
            BotConfig::Dca(c) => c.circuit_breaker,
            BotConfig::Channel(c) => c.circuit_breaker,
        }
    }

    /// The breaker's limits (presets are always valid; custom ones are checked by `validate`).
    pub fn breaker_limits(&self) -> BreakerLimits {
        self.breaker().limits().unwrap_or(BreakerLimits::MODERATE)
    }

    /// Every rule of the configuration; the issues name the fields under `config.`.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        issues.bounded("allocated_balance", self.allocated_balance(), AMOUNT);
        if let BreakerPreset::Custom(limits) = self.breaker() {
            issues.counted("circuit_breaker.max_consecutive_losses", Some(limits.max_consecutive_losses), LOSSES);
            issues.bounded("circuit_breaker.max_daily_loss_percent", limits.max_daily_loss_percent, LOSS_PERCENT);
        }
        // The catalogue makes the breaker optional for SmartBots only; a channel bot's loss rule
        // and the other kinds' breakers always stay armed.
        issues.check(
            !self.breaker().is_off() || self.kind() == BotKind::Smart,
            "circuit_breaker.preset",
            "can be off only on a smart bot; use conservative, moderate, aggressive or custom",
        );
        for issue in validate_risk(&self.risk()) {
            // A DCA bot's take profit and stop loss are its own fields: name them as sent.
            issues.push(match (self, issue.field.as_str()) {
                (BotConfig::Dca(_), "take_profit_percent") => issue,
                (BotConfig::Dca(_), "stop_loss_hard_percent") => FieldIssue::new("stop_loss_percent", issue.message),
                _ => issue.under("risk"),
            });
        }
        let own = match self {
            BotConfig::Smart(c) => c.validate(),
            BotConfig::Candle(c) => c.validate(),
            BotConfig::Dca(c) => c.validate(),
            BotConfig::Channel(c) => c.validate(),
        };
        if let Err(found) = own {
            for issue in found {
                issues.push(issue);
            }
        }
        issues.finish().map_err(|all| {
            // A rule checked twice (a DCA bound, by its own fields and by the effective risk) is said once.
            let mut once: Vec<FieldIssue> = Vec::with_capacity(all.len());
            for issue in all.into_iter().map(|i| i.under("config")) {
                if !once.contains(&issue) {
                    once.push(issue);
                }
            }
            once
        })
    }
}

/// The risk rules' ranges (see [`crate::shared::bounds`]): losses in (0, 100], gains and moves in
/// (0, 10 000].
pub fn validate_risk(risk: &RiskConfig) -> Vec<FieldIssue> {
    let mut issues = Issues::new();
    issues.bounded_opt("take_profit_percent", risk.take_profit_percent, GAIN_PERCENT);
    issues.bounded_opt("stop_loss_soft_percent", risk.stop_loss_soft_percent, LOSS_PERCENT);
    issues.bounded_opt("stop_loss_hard_percent", risk.stop_loss_hard_percent, LOSS_PERCENT);
    if let (Some(soft), Some(hard)) = (risk.stop_loss_soft_percent, risk.stop_loss_hard_percent) {
        issues.check(soft < hard, "stop_loss_soft_percent", "must be below stop_loss_hard_percent");
    }
    if let Some(t) = risk.trailing_stop {
        issues.bounded("trailing_stop.activation_percent", t.activation_percent, GAIN_PERCENT);
        issues.bounded("trailing_stop.distance_percent", t.distance_percent, LOSS_PERCENT);
    }
    if let Some(a) = risk.adaptive_sell {
        issues.bounded("adaptive_sell.reference_volatility_percent", a.reference_volatility_percent, GAIN_PERCENT);
        issues.bounded("adaptive_sell.min_target_percent", a.min_target_percent, GAIN_PERCENT);
        issues.bounded("adaptive_sell.max_target_percent", a.max_target_percent, GAIN_PERCENT);
        issues.check(
            a.max_target_percent >= a.min_target_percent,
            "adaptive_sell.max_target_percent",
            "must be at least min_target_percent",
        );
        issues.check(risk.take_profit_percent.is_some(), "adaptive_sell", "needs take_profit_percent");
    }
    issues.bounded_opt("sanity_max_move_percent", risk.sanity_max_move_percent, GAIN_PERCENT);
    issues.bounded_opt("auto_cancel_distance_percent", risk.auto_cancel_distance_percent, GAIN_PERCENT);
    issues.finish().err().unwrap_or_default()
}
