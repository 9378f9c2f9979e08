//! The paper exchange's settings, with defaults and the `BOTFLEET_PAPER_*` variables that
//! override them (see docs/exchanges/paper.md).

use std::collections::BTreeMap;
use std::str::FromStr;

use domain::market::Asset;
use rust_decimal::Decimal;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::OffsetDateTime;

/// How the paper exchange simulates prices, fills and new accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperConfig {
    /// Seed of every synthetic detail (intra-hour paths, ETH ratio, book sizes). `BOTFLEET_PAPER_SEED`, default 42.
    pub seed: u64,
    /// BRL per USD, converting the USD replay into BRL markets. `BOTFLEET_PAPER_BRL_PER_USD`, default 5.0.
    pub brl_per_usd: Decimal,
    /// The wall-clock instant (a whole UTC hour) that plays the replay's first hour.
    /// `BOTFLEET_PAPER_REPLAY_ANCHOR` (RFC 3339), default 2024-01-01T00:00:00Z.
    pub replay_anchor: OffsetDateTime,
    /// Bid-ask spread around the last price, in basis points (at least one tick a side).
    /// `BOTFLEET_PAPER_SPREAD_BPS`, default 2.
    pub spread_bps: Decimal,
    /// Market orders fill this far beyond the best bid/ask, in basis points. `BOTFLEET_PAPER_SLIPPAGE_BPS`, default 5.
    pub slippage_bps: Decimal,
    /// Fee of orders that take liquidity (market orders, marketable limits), in basis points of the
    /// asset received. `BOTFLEET_PAPER_TAKER_FEE_BPS`, default 10.
    pub taker_fee_bps: Decimal,
    /// Fee of resting limit orders when they fill, in basis points of the asset received.
    /// `BOTFLEET_PAPER_MAKER_FEE_BPS`, default 10.
    pub maker_fee_bps: Decimal,
    /// A new account's balances. `BOTFLEET_PAPER_INITIAL_BALANCES` as `ASSET=amount,...`, default
    /// `BRL=100000,USDT=10000`.
    pub initial_balances: BTreeMap<Asset, Decimal>,
    /// A price set by `POST /api/paper/prices` holds still until the next one, instead of
    /// following the replay's moves from that level (scripted demos and tests that must read back
    /// exactly the price they set). `BOTFLEET_PAPER_HOLD_SET_PRICES`, default `false`.
    pub hold_set_prices: bool,
}

impl Default for PaperConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            brl_per_usd: Decimal::new(50, 1),
            replay_anchor: datetime!(2024-01-01 00:00 UTC),
            spread_bps: Decimal::from(2),
            slippage_bps: Decimal::from(5),
            taker_fee_bps: Decimal::from(10),
            maker_fee_bps: Decimal::from(10),
            initial_balances: [("BRL", 100_000), ("USDT", 10_000)]
                .into_iter()
                .map(|(a, v)| (Asset::new(a).expect("valid asset"), Decimal::from(v)))
                .collect(),
            hold_set_prices: false,
        }
    }
}

/// A `BOTFLEET_PAPER_*` variable holds an unusable value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct PaperConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl PaperConfig {
    /// The defaults overridden by the variables `lookup` finds (`std::env::var(..).ok()` in
    /// production). Errors name the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PaperConfigError> {
        let mut config = Self::default();
        let get = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v));
        if let Some((name, v)) = get("BOTFLEET_PAPER_SEED") {
            config.seed = v.trim().parse().map_err(|_| bad(name, "expected an unsigned integer"))?;
        }
        if let Some((name, v)) = get("BOTFLEET_PAPER_BRL_PER_USD") {
            config.brl_per_usd = decimal(name, &v)?;
        }
        if let Some((name, v)) = get("BOTFLEET_PAPER_REPLAY_ANCHOR") {
            config.replay_anchor =
                OffsetDateTime::parse(v.trim(), &Rfc3339).map_err(|_| bad(name, "expected an RFC 3339 instant"))?;
        }
        for (name, field) in [
            ("BOTFLEET_PAPER_SPREAD_BPS", &mut config.spread_bps),
            ("BOTFLEET_PAPER_SLIPPAGE_BPS", &mut config.slippage_bps),
            ("BOTFLEET_PAPER_TAKER_FEE_BPS", &mut config.taker_fee_bps),
            ("BOTFLEET_PAPER_MAKER_FEE_BPS", &mut config.maker_fee_bps),
        ] {
            if let Some(v) = lookup(name).filter(|v| !v.trim().is_empty()) {
                *field = decimal(name, &v)?;
            }
        }
        if let Some((name, v)) = get("BOTFLEET_PAPER_INITIAL_BALANCES") {
            config.initial_balances = balances(name, &v)?;
        }
        if let Some((name, v)) = get("BOTFLEET_PAPER_HOLD_SET_PRICES") {
            // The same spellings as every other switch of the server's settings.
            config.hold_set_prices = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                _ => return Err(bad(name, "expected true or false")),
            };
        }
        config.validate()?;
        Ok(config)
    }

    /// The defaults overridden by the process's `BOTFLEET_PAPER_*` environment variables.
    pub fn from_env() -> Result<Self, PaperConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Checks ranges: positive FX, basis points in `0..1000`, a whole-hour anchor.
    pub fn validate(&self) -> Result<(), PaperConfigError> {
        if self.brl_per_usd <= Decimal::ZERO {
            return Err(bad("BOTFLEET_PAPER_BRL_PER_USD", "must be positive"));
        }
        if self.replay_anchor.unix_timestamp() % 3_600 != 0 || self.replay_anchor.nanosecond() != 0 {
            return Err(bad("BOTFLEET_PAPER_REPLAY_ANCHOR", "must be a whole UTC hour"));
        }
        for (name, bps) in [
            ("BOTFLEET_PAPER_SPREAD_BPS", self.spread_bps),
            ("BOTFLEET_PAPER_SLIPPAGE_BPS", self.slippage_bps),
            ("BOTFLEET_PAPER_TAKER_FEE_BPS", self.taker_fee_bps),
            ("BOTFLEET_PAPER_MAKER_FEE_BPS", self.maker_fee_bps),
        ] {
            if bps < Decimal::ZERO || bps >= Decimal::from(1_000) {
                return Err(bad(name, "basis points must be in 0..1000"));
            }
        }
        Ok(())
    }
}

fn bad(variable: &'static str, reason: &str) -> PaperConfigError {
    PaperConfigError { variable, reason: reason.to_owned() }
}

fn decimal(variable: &'static str, raw: &str) -> Result<Decimal, PaperConfigError> {
    Decimal::from_str(raw.trim()).map_err(|_| bad(variable, "expected a decimal number"))
}

fn balances(variable: &'static str, raw: &str) -> Result<BTreeMap<Asset, Decimal>, PaperConfigError> {
    let mut out = BTreeMap::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (asset, amount) = part.split_once('=').ok_or_else(|| bad(variable, "expected ASSET=amount pairs"))?;
        let asset = Asset::new(asset).map_err(|e| bad(variable, &e.to_string()))?;
        let amount = decimal(variable, amount)?;
        if amount < Decimal::ZERO {
            return Err(bad(variable, "amounts must not be negative"));
        }
        out.insert(asset, amount.normalize());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<PaperConfig, PaperConfigError> {
        PaperConfig::from_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn no_variables_give_the_documented_defaults() {
        let config = from(&[]).unwrap();
        assert_eq!(config, PaperConfig::default());
        assert_eq!(config.initial_balances[&Asset::new("BRL").unwrap()], Decimal::from(100_000));
        assert_eq!(config.brl_per_usd.to_string(), "5.0");
    }

    #[test]
    fn variables_override_the_defaults() {
        let config = from(&[
            ("BOTFLEET_PAPER_SEED", "7"),
            ("BOTFLEET_PAPER_BRL_PER_USD", "5.5"),
            ("BOTFLEET_PAPER_REPLAY_ANCHOR", "2020-05-01T10:00:00Z"),
            ("BOTFLEET_PAPER_TAKER_FEE_BPS", "7.5"),
            ("BOTFLEET_PAPER_INITIAL_BALANCES", "usdt=50, BTC=0.5"),
            ("BOTFLEET_PAPER_HOLD_SET_PRICES", "true"),
        ])
        .unwrap();
        assert!(config.hold_set_prices);
        assert_eq!(config.seed, 7);
        assert_eq!(config.brl_per_usd, Decimal::new(55, 1));
        assert_eq!(config.replay_anchor, datetime!(2020-05-01 10:00 UTC));
        assert_eq!(config.taker_fee_bps, Decimal::new(75, 1));
        assert_eq!(config.initial_balances.len(), 2);
        assert_eq!(config.initial_balances[&Asset::new("BTC").unwrap()], Decimal::new(5, 1));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("BOTFLEET_PAPER_SEED", "-1"),
            ("BOTFLEET_PAPER_BRL_PER_USD", "0"),
            ("BOTFLEET_PAPER_REPLAY_ANCHOR", "2020-05-01T10:30:00Z"),
            ("BOTFLEET_PAPER_SLIPPAGE_BPS", "1000"),
            ("BOTFLEET_PAPER_INITIAL_BALANCES", "BRL=-1"),
            ("BOTFLEET_PAPER_INITIAL_BALANCES", "BRL"),
            ("BOTFLEET_PAPER_HOLD_SET_PRICES", "maybe"),
        ];
        for (name, value) in cases {
            let err = from(&[(name, value)]).unwrap_err();
            assert_eq!(err.variable, name, "{value}");
        }
    }
}
