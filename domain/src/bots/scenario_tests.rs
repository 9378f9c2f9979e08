//! Each kind driven through a scripted price path on the simulated market of `sim_tests`.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;

use super::sim_tests::Sim;
use super::*;

fn floor8(v: Decimal) -> Decimal {
    (v * dec!(100000000)).floor() / dec!(100000000)
}

#[test]
fn dca_accumulates_at_the_weighted_average_and_takes_profit() {
    let config = json!({
        "purchase_amount": "100", "frequency": "1h", "allocated_balance": "3000",
        "take_profit_percent": "10", "stop_loss_percent": "10", "auto_restart": true
    });
    let mut sim = Sim::new(BotKind::Dca, config, Decimal::ZERO);
    let prices = [dec!(200000), dec!(210000), dec!(190000)];
    for p in prices {
        sim.step(60, p);
    }
    // Computed independently: quantity floored to the step, average = sum(q*p) / sum(q).
    let qs: Vec<Decimal> = prices.iter().map(|p| floor8(dec!(100) / p)).collect();
    let cost: Decimal = qs.iter().zip(prices).map(|(q, p)| q * p).sum();
    let qty: Decimal = qs.iter().sum();
    let executions: Vec<&DcaExecution> =
        sim.events.iter().filter_map(|e| if let BotEvent::Execution(x) = e { Some(x) } else { None }).collect();
    assert_eq!(executions.len(), 3);
    assert_eq!(executions.iter().map(|e| e.cycle).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(executions[2].average_price, (cost / qty).round_dp(12));
    assert_eq!(sim.bot.positions[0].entry_price(), Some((cost / qty).round_dp(12)));
    // Not yet 10% above the average: holds. Then 220000 is: everything is sold.
    sim.step(10, dec!(215000));
    assert!(sim.closed().is_empty());
    sim.step(10, dec!(220000));
    let closed = sim.closed();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].exit_reason, Some(ExitReason::TakeProfit));
    assert_eq!(sim.bot.funds.realized_profit, qty * dec!(220000) - cost);
    assert_eq!(sim.bot.funds.holdings, floor8(dec!(100) / dec!(220000)), "only round 2's first purchase is held");
    // auto_restart: a new accumulation starts at once.
    let KindState::Dca(state) = &sim.bot.state else { panic!() };
    assert_eq!(state.rounds_completed, 1);
    assert_eq!(sim.bot.status, BotStatus::Running);
    assert_eq!(sim.bot.positions.len(), 1, "round 2 bought at once");
}

#[test]
fn dca_without_auto_restart_stops_after_its_stop_loss() {
    let config = json!({
        "purchase_amount": "100", "frequency": "24h", "allocated_balance": "1000",
        "take_profit_percent": "10", "stop_loss_percent": "5", "max_cycles": 2
    });
    let mut sim = Sim::new(BotKind::Dca, config, dec!(0.001));
    sim.step(1, dec!(100000));
    sim.step(60, dec!(99000)); // not due yet (24 h): one execution only
    sim.step(24 * 60, dec!(98000));
    sim.step(24 * 60, dec!(97000)); // max_cycles reached: no third purchase
    assert_eq!(sim.bot.positions[0].buys, 2);
    sim.step(1, dec!(90000));
    assert_eq!(sim.closed()[0].exit_reason, Some(ExitReason::StopLoss));
    assert_eq!(sim.bot.status, BotStatus::Stopped);
    assert!(sim.events.iter().any(|e| matches!(e, BotEvent::Finished { .. })));
}

fn smart(extra: serde_json::Value) -> serde_json::Value {
    let mut base = json!({
        "mode": {"type": "continuous", "interval_seconds": 60},
        "purchase_amount": "100", "allocated_balance": "10000", "max_open_positions": 1
    });
    base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    base
}

#[test]
fn smart_bot_soft_stop_hard_stop_and_trailing_stop() {
    let risk = json!({"risk": {
        "stop_loss_soft_percent": "3", "stop_loss_hard_percent": "6",
        "trailing_stop": {"activation_percent": "2", "distance_percent": "1"}
    }});
    let mut sim = Sim::new(BotKind::Smart, smart(risk), dec!(0.001));
    sim.step(1, dec!(100000));
    assert_eq!(sim.bot.positions.len(), 1);
    sim.step(1, dec!(96500));
    assert!(sim.bot.buying_halted);
    assert!(sim.events.iter().any(|e| matches!(e, BotEvent::SoftStop { .. })));
    sim.step(1, dec!(93000));
    sim.step(1, dec!(95000));
    sim.step(1, dec!(96000));
    sim.step(1, dec!(95000));
    let reasons: Vec<_> = sim.closed().iter().map(|p| p.exit_reason.unwrap()).collect();
    assert_eq!(reasons, vec![ExitReason::StopLoss, ExitReason::TrailingStop]);
    let closed = sim.closed();
    assert!(closed[0].realized_profit < Decimal::ZERO);
    assert!(closed[1].realized_profit > Decimal::ZERO);
    assert_eq!(sim.bot.funds.realized_profit, closed[0].realized_profit + closed[1].realized_profit);
}

#[test]
fn a_paused_bot_still_stops_its_losses_but_takes_no_profit() {
    let risk = json!({"risk": {"take_profit_percent": "5", "stop_loss_hard_percent": "5"}});
    let mut sim = Sim::new(BotKind::Smart, smart(risk.clone()), dec!(0.001));
    sim.step(1, dec!(100000));
    sim.bot.command(Command::Pause, "test", sim.now).unwrap();
    sim.step(1, dec!(110000));
    assert!(sim.closed().is_empty(), "take profit waits while paused");
    sim.step(1, dec!(90000));
    assert_eq!(sim.closed()[0].exit_reason, Some(ExitReason::StopLoss));
    assert_eq!(sim.bot.positions.len(), 0, "and a paused bot buys nothing");
}

#[test]
fn circuit_breaker_trips_on_the_catalogue_sequence_and_only_a_reset_resumes() {
    let risk = json!({"risk": {"take_profit_percent": "1", "stop_loss_hard_percent": "1"}});
    let mut sim = Sim::new(BotKind::Smart, smart(risk), dec!(0.001));
    let mut price = dec!(100000);
    sim.step(1, price);
    // Trades 1-8 of the catalogue: loss, loss, profit, then five losses.
    for (n, win) in [false, false, true, false, false, false, false, false].into_iter().enumerate() {
        price = if win { price * dec!(1.02) } else { price * dec!(0.98) };
        sim.step(1, price);
        let expected = if n == 7 { BotStatus::Tripped } else { BotStatus::Running };
        assert_eq!(sim.bot.status, expected, "after trade {}", n + 1);
    }
    assert_eq!(sim.closed().len(), 8);
    assert_eq!((sim.bot.trades, sim.bot.winning_trades), (8, Some(1)), "one of the eight trades won");
    assert_eq!(sim.bot.breaker.consecutive_losses, 5);
    sim.step(5, price);
    assert!(sim.bot.positions.is_empty(), "a tripped bot opens nothing");
    assert!(sim.bot.command(Command::Resume, "test", sim.now).is_err());
    sim.bot.reset_breaker(sim.now);
    assert_eq!(sim.bot.status, BotStatus::Running);
    sim.step(1, price);
    assert_eq!(sim.bot.positions.len(), 1);
}

fn channel() -> serde_json::Value {
    json!({
        "base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "2000", "sell_fee_percent": "0.1"
    })
}

#[test]
fn channel_buys_the_breakout_and_sells_after_the_top_turns() {
    let mut sim = Sim::new(BotKind::Channel, channel(), dec!(0.001));
    sim.step(1, dec!(101000));
    sim.step(1, dec!(102500));
    assert_eq!(sim.bot.positions.len(), 1);
    let spent = sim.bot.positions[0].cost;
    assert!((spent - dec!(400)).abs() <= dec!(0.4), "20% of 2000 within 0.1%: {spent}");
    sim.step(1, dec!(108000));
    sim.step(1, dec!(111000));
    assert!(sim.closed().is_empty());
    sim.step(1, dec!(108700));
    let closed = sim.closed();
    assert_eq!(closed.len(), 1);
    assert!(closed[0].realized_profit > Decimal::ZERO);
    let profit = sim.bot.funds.realized_profit;
    assert_eq!(sim.bot.spendable(), sim.bot.funds.available - profit, "profits are kept apart");
}

#[test]
fn channel_schedules_below_its_minimum_and_waits() {
    let mut sim = Sim::new(BotKind::Channel, channel(), dec!(0.001));
    sim.step(1, dec!(101000));
    sim.step(1, dec!(102100));
    let id = sim.bot.positions[0].id;
    sim.bot.schedule_sale(id, Some(dec!(3)), sim.now).unwrap();
    sim.step(1, dec!(101000));
    sim.step(1, dec!(104000));
    assert!(sim.closed().is_empty(), "the floor (entry + fees + 3%) is not reached");
    sim.step(1, dec!(105500));
    assert_eq!(sim.closed().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn channel_never_sells_below_its_minimum(moves in proptest::collection::vec(-300i64..300, 20..120)) {
        let mut sim = Sim::new(BotKind::Channel, channel(), dec!(0.001));
        let mut price = dec!(101000);
        for m in moves {
            price = (price + Decimal::from(m * 10)).clamp(dec!(95000), dec!(120000));
            sim.step(1, price);
        }
        for p in sim.closed() {
            prop_assert!(p.realized_profit > Decimal::ZERO, "a channel sale lost money: {:?}", p);
        }
        for (price, purpose) in &sim.sells {
            let Purpose::Close { position: Some(id), .. } = purpose else { continue };
            let min = sim.events.iter().rev().find_map(|e| match e {
                BotEvent::SaleScheduled { position, min_price } if position == id => Some(*min_price),
                _ => None,
            });
            prop_assert!(min.is_some_and(|m| *price >= m));
        }
    }

    #[test]
    fn smart_books_balance_on_any_path(moves in proptest::collection::vec(-2000i64..2000, 10..80)) {
        let risk = json!({"risk": {"take_profit_percent": "2", "stop_loss_hard_percent": "3",
            "trailing_stop": {"activation_percent": "1", "distance_percent": "0.5"}}});
        let mut config = smart(risk);
        config["max_open_positions"] = json!(5);
        let mut sim = Sim::new(BotKind::Smart, config, dec!(0.001));
        let mut price = dec!(100000);
        for m in moves {
            price = (price + Decimal::from(m)).max(dec!(50000));
            sim.step(1, price);
        }
        let realized: Decimal = sim.closed().iter().map(|p| p.realized_profit).sum::<Decimal>()
            + sim.bot.positions.iter().map(|p| p.realized_profit).sum::<Decimal>();
        prop_assert!((realized - sim.bot.funds.realized_profit).abs() < dec!(0.000001));
        let won = sim.closed().iter().filter(|p| p.realized_profit > Decimal::ZERO).count() as u64;
        prop_assert_eq!((sim.bot.trades, sim.bot.wins()), (sim.closed().len() as u64, Some(won)));
    }
}

#[test]
fn a_bot_stored_before_wins_were_counted_reads_them_as_unknown_unless_it_never_traded() {
    let risk = json!({"risk": {"take_profit_percent": "1", "stop_loss_hard_percent": "1"}});
    let mut sim = Sim::new(BotKind::Smart, smart(risk), dec!(0.001));
    let mut stored = serde_json::to_value(&sim.bot).unwrap();
    stored.as_object_mut().unwrap().remove("winning_trades");
    let fresh: Bot = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!((fresh.winning_trades, fresh.wins()), (None, Some(0)), "no trade yet: nothing to count");
    stored["trades"] = json!(3);
    let old: Bot = serde_json::from_value(stored).unwrap();
    assert_eq!(old.wins(), None, "three trades of unknown outcome");
    sim.bot = old;
    sim.step(1, dec!(100000));
    sim.step(1, dec!(98000));
    assert_eq!((sim.bot.trades, sim.bot.wins()), (4, None), "a later trade does not make the count whole");
}

#[test]
fn reports_are_cumulative_so_a_repeated_or_partial_report_applies_once() {
    let mut sim = Sim::new(BotKind::Smart, smart(json!({})), dec!(0.001));
    let filters = sim.filters;
    let intent = OrderIntent {
        side: crate::exchange::OrderSide::Buy,
        limit_price: Some(dec!(100000)),
        quantity: Some(dec!(0.001)),
        quote_amount: None,
        block: dec!(100),
        purpose: Purpose::Open { position: crate::shared::ids::PositionId::new() },
        reason: "test".into(),
        indicators: Default::default(),
    };
    let id = crate::exchange::ClientOrderId::generate();
    sim.bot.accept(&intent, id.clone(), sim.now).unwrap();
    let half = OrderProgress {
        filled_quantity: dec!(0.0004),
        filled_quote: dec!(40),
        fee: dec!(0.0000004),
        fee_asset: Some(FeeAsset::Base),
        done: false,
    };
    for _ in 0..3 {
        sim.bot.on_progress(&id, half, &filters, dec!(100000), sim.now).unwrap();
    }
    assert_eq!(sim.bot.funds.holdings, dec!(0.0003996));
    assert_eq!(sim.bot.funds.blocked, dec!(60));
    let rest = OrderProgress {
        filled_quantity: dec!(0.0007),
        filled_quote: dec!(70),
        fee: dec!(0.0000007),
        done: true,
        ..half
    };
    sim.bot.on_progress(&id, rest, &filters, dec!(100000), sim.now).unwrap();
    assert_eq!(sim.bot.funds.holdings, dec!(0.0006993));
    assert_eq!((sim.bot.funds.blocked, sim.bot.funds.available), (dec!(0), dec!(9930)), "the unfilled 30 is released");
    assert!(sim.bot.funds.is_consistent());
    assert!(sim.bot.pending.is_empty());
}

#[test]
fn candle_bot_buys_on_an_oversold_signal_and_sells_on_overbought() {
    let config = json!({"timeframe": "1h", "indicators": [{"indicator": "rsi", "period": 5}],
        "order_amount": "100", "allocated_balance": "1000", "min_confidence": "HIGH"});
    let mut sim = Sim::new(BotKind::Candle, config, dec!(0.001));
    let mut price = dec!(100000);
    for _ in 0..8 {
        price -= dec!(1000);
        sim.candle(price);
    }
    let signals: Vec<&SignalRecord> =
        sim.events.iter().filter_map(|e| if let BotEvent::Signal(s) = e { Some(s) } else { None }).collect();
    assert!(!signals.is_empty(), "an analysis per closed candle once warmed up");
    let buy = signals.iter().find(|s| s.action == "buy").expect("a BUY was acted on");
    assert_eq!(buy.analysis.signal, crate::signals::Signal::Buy);
    assert!(buy.analysis.values["rsi"] < dec!(30));
    assert_eq!(sim.bot.positions.len(), 1, "one position, not one per signal");
    for _ in 0..8 {
        price += dec!(2000);
        sim.candle(price);
    }
    let closed = sim.closed();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].exit_reason, Some(ExitReason::Signal));
    assert!(closed[0].realized_profit > Decimal::ZERO);
}

#[test]
fn a_candle_bot_reading_the_markets_shared_columns_decides_as_one_converting_its_own() {
    let config = json!({"timeframe": "1h", "order_amount": "100", "allocated_balance": "1000",
        "min_confidence": "MEDIUM", "indicators": [{"indicator": "rsi", "period": 5},
        {"indicator": "ema_cross", "fast": 3, "slow": 6}, {"indicator": "bollinger", "period": 5, "std_dev": "2"}]});
    let run = |share_columns: bool| {
        let mut sim = Sim::new(BotKind::Candle, config.clone(), dec!(0.001));
        sim.share_columns = share_columns;
        let mut price = dec!(100000);
        for step in 0..40_i64 {
            price += Decimal::from((step % 7 - 3) * 700 - 150);
            sim.candle(price);
        }
        let signals: Vec<SignalRecord> = sim
            .events
            .iter()
            .filter_map(|e| if let BotEvent::Signal(s) = e { Some(s.clone()) } else { None })
            .collect();
        (signals, sim.bot.positions.len())
    };
    let (own, shared) = (run(false), run(true));
    assert!(own.0.len() > 20, "the bot analysed every closed candle once warmed up");
    assert_eq!(own, shared);
}
