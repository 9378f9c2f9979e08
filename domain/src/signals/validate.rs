//! Checks of indicator settings, each problem named by its field path (`indicators[1].period`).

use rust_decimal::Decimal;

use super::params::{
    AtrSpec, BollingerSpec, CrossSpec, MfiSpec, RsiSpec, VolatilitySpec, VolumeProfileSpec, VolumeSpec,
};
use super::spec::{IndicatorSpec, Role, MAX_PERIOD};
use crate::shared::bounds::FACTOR;
use crate::shared::field::FieldIssue;

/// The most bins a volume profile may have.
pub const MAX_BINS: usize = 200;

/// Collects the problems of one spec.
#[derive(Debug, Default)]
struct Checker {
    errors: Vec<FieldIssue>,
}

impl Checker {
    fn fail(&mut self, field: &str, message: String) {
        self.errors.push(FieldIssue::new(field, message));
    }

    fn period(&mut self, field: &str, value: usize, min: usize, max: usize) {
        if !(min..=max).contains(&value) {
            self.fail(field, format!("must be between {min} and {max}, got {value}"));
        }
    }

    /// A multiplier or percentage of an indicator: above 0, at most 1000 (see
    /// [`crate::shared::bounds::FACTOR`]).
    fn positive(&mut self, field: &str, value: Decimal) {
        if let Err(message) = FACTOR.check(value) {
            self.fail(field, message);
        }
    }

    /// Oscillator bounds: both within 0..=100 and `low < high`.
    fn bounds(&mut self, low: Decimal, high: Decimal) {
        let range = Decimal::ZERO..=Decimal::ONE_HUNDRED;
        for (field, value) in [("oversold", low), ("overbought", high)] {
            if !range.contains(&value) {
                self.fail(field, format!("must be between 0 and 100, got {value}"));
            }
        }
        if range.contains(&low) && range.contains(&high) && low >= high {
            self.fail("overbought", format!("must be greater than oversold ({low}), got {high}"));
        }
    }
}

impl IndicatorSpec {
    /// Every problem with this spec's parameters, each naming its field (`period`, `slow` ...);
    /// [`validate_specs`] puts them under `indicators[i]`. Empty when valid.
    pub fn validate(&self) -> Vec<FieldIssue> {
        let mut c = Checker::default();
        match *self {
            Self::Rsi(RsiSpec { period, oversold, overbought })
            | Self::Mfi(MfiSpec { period, oversold, overbought }) => {
                c.period("period", period, 1, MAX_PERIOD);
                c.bounds(oversold, overbought);
            }
            Self::SmaCross(CrossSpec { fast, slow }) | Self::EmaCross(CrossSpec { fast, slow }) => {
                c.period("fast", fast, 1, MAX_PERIOD);
                c.period("slow", slow, 1, MAX_PERIOD);
                if fast >= slow {
                    c.fail("slow", format!("must be greater than fast ({fast}), got {slow}"));
                }
            }
            Self::Bollinger(BollingerSpec { period, std_dev }) => {
                c.period("period", period, 1, MAX_PERIOD);
                c.positive("std_dev", std_dev);
            }
            Self::Volume(VolumeSpec { period, spike_ratio }) => {
                c.period("period", period, 1, MAX_PERIOD);
                if spike_ratio < Decimal::ONE {
                    c.fail("spike_ratio", format!("must be at least 1, got {spike_ratio}"));
                }
            }
            Self::Volatility(VolatilitySpec { period, max_percent }) => {
                c.period("period", period, 2, MAX_PERIOD);
                c.positive("max_percent", max_percent);
            }
            Self::Vwap(s) => c.period("period", s.period, 1, MAX_PERIOD),
            Self::Obv(s) => c.period("period", s.period, 1, MAX_PERIOD),
            Self::VolumeProfile(VolumeProfileSpec { period, bins }) => {
                c.period("period", period, 1, MAX_PERIOD);
                c.period("bins", bins, 2, MAX_BINS);
            }
            Self::Atr(AtrSpec { period, stop_multiplier, max_percent }) => {
                c.period("period", period, 1, MAX_PERIOD);
                c.positive("stop_multiplier", stop_multiplier);
                if let Some(max) = max_percent {
                    c.positive("max_percent", max);
                }
            }
        }
        c.errors
    }
}

/// Checks a candle bot's whole indicator list, fields named `indicators[i].<field>` (put them
/// under a config with [`FieldIssue::under`]): each spec valid, at least one indicator, at least
/// one that votes a direction, and no indicator twice (their values would share names).
pub fn validate_specs(specs: &[IndicatorSpec]) -> Result<(), Vec<FieldIssue>> {
    let mut errors = Vec::new();
    if specs.is_empty() {
        errors.push(FieldIssue::new("indicators", "at least one indicator is required"));
    } else if specs.iter().all(|s| s.role() == Role::Filter) {
        errors.push(FieldIssue::new(
            "indicators",
            "at least one indicator must vote a direction (volatility and atr only filter)",
        ));
    }
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("indicators[{i}]");
        if let Some(first) = specs[..i].iter().position(|s| s.name() == spec.name()) {
            let message = format!("`{}` is already configured at indicators[{first}]", spec.name());
            errors.push(FieldIssue::new("indicator", message).under(&path));
        }
        errors.extend(spec.validate().into_iter().map(|e| e.under(&path)));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
