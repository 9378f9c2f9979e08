//! Unit tests of the risk rules.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;

fn rules() -> RiskConfig {
    RiskConfig {
        take_profit_percent: Some(dec!(5)),
        stop_loss_soft_percent: Some(dec!(3)),
        stop_loss_hard_percent: Some(dec!(8)),
        trailing_stop: Some(TrailingStop { activation_percent: dec!(3), distance_percent: dec!(2) }),
        ..RiskConfig::default()
    }
}

fn at(price: Decimal, trailing: &mut TrailingState) -> RiskAction {
    rules().evaluate(dec!(100), price, None, trailing)
}

#[test]
fn soft_then_hard_stop_loss() {
    let mut t = TrailingState::default();
    assert_eq!(at(dec!(98), &mut t), RiskAction::Hold);
    assert_eq!(at(dec!(97), &mut t), RiskAction::StopBuying);
    assert_eq!(at(dec!(92.5), &mut t), RiskAction::StopBuying);
    assert_eq!(at(dec!(92), &mut t), RiskAction::StopLoss);
    assert!(RiskAction::StopLoss.sells() && RiskAction::StopLoss.is_protective());
    assert!(!RiskAction::StopBuying.sells());
}

#[test]
fn the_trailing_stop_arms_then_follows_the_peak() {
    let mut t = TrailingState::default();
    assert_eq!(at(dec!(102), &mut t), RiskAction::Hold);
    assert_eq!(t.peak, None, "not armed below the activation");
    assert_eq!(at(dec!(103), &mut t), RiskAction::Hold);
    assert_eq!(t.peak, Some(dec!(103)));
    assert_eq!(at(dec!(104.5), &mut t), RiskAction::Hold, "below the 5% take profit, raising the peak");
    assert_eq!(t.peak, Some(dec!(104.5)));
    assert_eq!(at(dec!(102.5), &mut t), RiskAction::Hold, "1.9% off the peak");
    assert_eq!(at(dec!(102.41), &mut t), RiskAction::TrailingStop, "2% off the peak");
}

#[test]
fn take_profit_and_its_adaptive_target() {
    let mut t = TrailingState::default();
    let mut config = RiskConfig { take_profit_percent: Some(dec!(5)), ..RiskConfig::default() };
    assert_eq!(config.evaluate(dec!(100), dec!(105), None, &mut t), RiskAction::TakeProfit);
    config.adaptive_sell = Some(AdaptiveSell {
        reference_volatility_percent: dec!(2),
        min_target_percent: dec!(2),
        max_target_percent: dec!(8),
    });
    assert_eq!(config.take_profit_target(Some(dec!(4))), Some(dec!(8)), "twice the volatility, capped at 8");
    assert_eq!(config.take_profit_target(Some(dec!(1))), Some(dec!(2.5)));
    assert_eq!(config.take_profit_target(Some(dec!(0.1))), Some(dec!(2)), "floored at 2");
    assert_eq!(config.evaluate(dec!(100), dec!(105), Some(dec!(4)), &mut t), RiskAction::Hold);
    assert_eq!(config.evaluate(dec!(100), dec!(103), Some(dec!(1)), &mut t), RiskAction::TakeProfit);
}

#[test]
fn the_sanity_check_and_auto_cancel() {
    let config = RiskConfig {
        sanity_max_move_percent: Some(dec!(10)),
        auto_cancel_distance_percent: Some(dec!(5)),
        ..RiskConfig::default()
    };
    assert!(config.is_sane_tick(Some(dec!(100)), dec!(109)));
    assert!(!config.is_sane_tick(Some(dec!(100)), dec!(111)));
    assert!(!config.is_sane_tick(Some(dec!(100)), dec!(89)));
    assert!(config.is_sane_tick(None, dec!(1)));
    assert!(!config.should_auto_cancel(dec!(96), dec!(100)));
    assert!(config.should_auto_cancel(dec!(94), dec!(100)));
    assert!(!RiskConfig::default().should_auto_cancel(dec!(1), dec!(100)), "off unless configured");
}

#[test]
fn nothing_happens_without_rules_or_prices() {
    let mut t = TrailingState::default();
    assert_eq!(RiskConfig::default().evaluate(dec!(100), dec!(1), None, &mut t), RiskAction::Hold);
    assert_eq!(rules().evaluate(Decimal::ZERO, dec!(1), None, &mut t), RiskAction::Hold);
}
