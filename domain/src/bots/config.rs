//! Bot configuration: the settings every kind shares (allocated capital, risk rules, circuit
//! breaker) and each kind's own, parsed from JSON with every bad field named and validated as a
//! whole so a client sees all its mistakes at once. Unknown fields are refused: a typo in a trading
//! setting must never be silently ignored.

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::candle::CandleConfig;
use super::channel::ChannelConfig;
use super::dca::DcaConfig;
use super::smart::SmartConfig;
use super::{BotKind, BreakerLimits, BreakerPreset, RiskConfig};
use crate::shared::field::{FieldIssue, Issues};

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

fn parse<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, Vec<FieldIssue>> {
    if !value.is_object() {
        return Err(vec![FieldIssue::new("config", "must be an object")]);
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
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
        self.breaker()
            .limits()
            .unwrap_or_else(|_| BreakerPreset::Moderate.limits().expect("the moderate preset is valid"))
    }

    /// Every rule of the configuration; the issues name the fields under `config.`.
    pub fn validate(&self) -> Result<(), Vec<FieldIssue>> {
        let mut issues = Issues::new();
        issues.check(self.allocated_balance() > Decimal::ZERO, "allocated_balance", "must be above 0");
        if let Err(e) = self.breaker().limits() {
            issues.push(FieldIssue::new("circuit_breaker", e.to_string()));
        }
        issues.extend_under("risk", validate_risk(&self.risk()));
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
        issues.finish().map_err(|all| all.into_iter().map(|i| i.under("config")).collect())
    }
}

fn percent_ok(value: Option<Decimal>) -> bool {
    value.is_none_or(|v| v > Decimal::ZERO && v <= Decimal::ONE_HUNDRED)
}

fn above_zero(value: Option<Decimal>) -> bool {
    value.is_none_or(|v| v > Decimal::ZERO)
}

/// The risk rules' ranges: percentages in (0, 100] (take profit and the sanity check may exceed 100).
pub fn validate_risk(risk: &RiskConfig) -> Vec<FieldIssue> {
    let mut issues = Issues::new();
    let range = "must be above 0 and at most 100";
    issues.check(above_zero(risk.take_profit_percent), "take_profit_percent", "must be above 0");
    issues.check(percent_ok(risk.stop_loss_soft_percent), "stop_loss_soft_percent", range);
    issues.check(percent_ok(risk.stop_loss_hard_percent), "stop_loss_hard_percent", range);
    if let (Some(soft), Some(hard)) = (risk.stop_loss_soft_percent, risk.stop_loss_hard_percent) {
        issues.check(soft < hard, "stop_loss_soft_percent", "must be below stop_loss_hard_percent");
    }
    if let Some(t) = risk.trailing_stop {
        issues.check(t.activation_percent > Decimal::ZERO, "trailing_stop.activation_percent", "must be above 0");
        issues.check(percent_ok(Some(t.distance_percent)), "trailing_stop.distance_percent", range);
    }
    if let Some(a) = risk.adaptive_sell {
        issues.check(
            a.reference_volatility_percent > Decimal::ZERO,
            "adaptive_sell.reference_volatility_percent",
            "must be above 0",
        );
        issues.check(a.min_target_percent > Decimal::ZERO, "adaptive_sell.min_target_percent", "must be above 0");
        issues.check(
            a.max_target_percent >= a.min_target_percent,
            "adaptive_sell.max_target_percent",
            "must be at least min_target_percent",
        );
        issues.check(risk.take_profit_percent.is_some(), "adaptive_sell", "needs take_profit_percent");
    }
    issues.check(above_zero(risk.sanity_max_move_percent), "sanity_max_move_percent", "must be above 0");
    issues.check(above_zero(risk.auto_cancel_distance_percent), "auto_cancel_distance_percent", "must be above 0");
    issues.finish().err().unwrap_or_default()
}
