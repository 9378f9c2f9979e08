//! The bench's fleet: running bots of every kind spread over the markets, shaped like production
//! (most of them idle in any one cycle). Deterministic: bot `i` always gets the same kind,
//! market, schedule and position, so two runs measure the same work.
//!
//! - Kinds: 40 % SmartBots, 25 % DCA, 20 % channel, 15 % candle bots.
//! - Owners: one user and one paper context per 100 bots; every bot of a user trades its market.
//! - Schedules are staggered: an hourly SmartBot cycle and a daily DCA purchase fall anywhere in
//!   their period, so about 1 in 60 SmartBots and 1 in 1,440 DCA bots buy in a one-minute cycle.
//! - Half the smart, DCA and candle bots hold a position bought at the market's level; one in
//!   a hundred of those bought 10 % lower and is due to take profit. A quarter of the channel bots
//!   hold a position below their channel top.
//! - Candle bots analysed the last closed hourly candle already, so they wait for the next one
//!   (the top-of-the-hour round is when it closes). Their indicators come in ten mixes
//!   ([`candle_mixes`]), periods varied, the standard and advanced sets among them.

use domain::bots::{Bot, BotConfig, BotKind, Command, KindState, OrderIntent, OrderProgress, Purpose};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::{ClientOrderId, ExchangeId, OrderSide};
use domain::shared::ids::{PositionId, UserId};
use rust_decimal::Decimal;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::exchange::{filters, level, symbol};

/// Bots per user (and per context).
const BOTS_PER_USER: usize = 100;

/// The kind of a user's bot number `slot`: every user runs all four kinds.
pub fn kind_of(slot: usize) -> BotKind {
    match slot % 20 {
        0..8 => BotKind::Smart,
        8..13 => BotKind::Dca,
        13..17 => BotKind::Channel,
        _ => BotKind::Candle,
    }
}

/// The indicator mixes of candle bots: single oscillators, crossings with confirmations, the
/// standard set a new bot starts from, advanced sets, long warm-ups (EMA 50/200 needs 201 closed
/// candles of the engine's 300), each with its own minimum confidence.
pub fn candle_mixes() -> Vec<serde_json::Value> {
    let mut standard = vec![
        json!({"indicator": "rsi"}),
        json!({"indicator": "sma_cross"}),
        json!({"indicator": "ema_cross"}),
        json!({"indicator": "bollinger"}),
        json!({"indicator": "volume"}),
        json!({"indicator": "volatility", "max_percent": 2}),
    ];
    let advanced = [
        json!({"indicator": "vwap"}),
        json!({"indicator": "mfi"}),
        json!({"indicator": "volume_profile"}),
        json!({"indicator": "atr", "max_percent": 3}),
        json!({"indicator": "obv"}),
    ];
    let mixes = [
        (json!([{"indicator": "rsi"}]), "MEDIUM"),
        (
            json!([{"indicator": "rsi", "period": 7, "oversold": 25, "overbought": 75}, {"indicator": "bollinger"}]),
            "LOW",
        ),
        (json!([{"indicator": "sma_cross", "fast": 10, "slow": 30}, {"indicator": "volume", "period": 24}]), "LOW"),
        (
            json!([{"indicator": "ema_cross", "fast": 12, "slow": 26}, {"indicator": "rsi"},
                {"indicator": "volatility", "period": 30, "max_percent": 2.5}]),
            "MEDIUM",
        ),
        (json!(standard.clone()), "MEDIUM"),
        (
            json!([{"indicator": "mfi"}, {"indicator": "atr", "max_percent": 3}, {"indicator": "obv", "period": 30}]),
            "LOW",
        ),
        (
            json!([{"indicator": "ema_cross", "fast": 50, "slow": 200}, {"indicator": "rsi", "period": 21},
                {"indicator": "bollinger", "period": 50, "std_dev": 2.5}]),
            "MEDIUM",
        ),
        (
            json!([{"indicator": "vwap"}, {"indicator": "volume_profile", "period": 48, "bins": 16},
                {"indicator": "mfi", "period": 10}, {"indicator": "rsi", "period": 9}]),
            "MEDIUM",
        ),
        (
            {
                standard.extend(advanced);
                json!(standard)
            },
            "LOW",
        ),
        (
            json!([{"indicator": "sma_cross", "fast": 20, "slow": 100}, {"indicator": "atr", "period": 21, "stop_multiplier": 3},
                {"indicator": "bollinger", "std_dev": 1.5}]),
            "HIGH",
        ),
    ];
    mixes
        .into_iter()
        .map(|(indicators, confidence)| json!({"indicators": indicators, "min_confidence": confidence}))
        .collect()
}

fn config(kind: BotKind, market: usize, mix: &serde_json::Value) -> BotConfig {
    let risk = json!({"take_profit_percent": "5", "stop_loss_hard_percent": "10", "sanity_max_move_percent": "20"});
    let value = match kind {
        BotKind::Smart => json!({"mode": {"type": "continuous", "interval_seconds": 3600}, "purchase_amount": "50",
            "allocated_balance": "1000", "max_open_positions": 3, "risk": risk}),
        BotKind::Dca => json!({"purchase_amount": "20", "frequency": "24h", "allocated_balance": "1000",
            "take_profit_percent": "5", "stop_loss_percent": "10", "auto_restart": true}),
        BotKind::Channel => {
            let l = level(market);
            json!({"base_price": (l * Decimal::new(95, 2)).to_string(), "top_price": (l * Decimal::new(12, 1)).to_string(),
                "buy_threshold_percent": "2", "sell_threshold_percent": "2", "min_profit_percent": "1",
                "capital_percent": "20", "allocated_balance": "1000"})
        }
        BotKind::Candle => {
            json!({"timeframe": "1h", "indicators": mix["indicators"], "min_confidence": mix["min_confidence"],
            "order_amount": "50", "allocated_balance": "1000", "risk": risk})
        }
    };
    BotConfig::parse(kind, &value).expect("bench configs are valid")
}

/// One paper context per user, started a day before `now`.
pub fn contexts(bots: usize, markets: usize, now: OffsetDateTime) -> Vec<TradingContext> {
    let users = bots.div_ceil(BOTS_PER_USER).max(markets);
    let started = now - Duration::days(1);
    (0..users)
        .map(|u| {
            TradingContext::new(UserId::new(), ExchangeId::Binance, &symbol(u % markets), ContextMode::Paper, started)
        })
        .collect()
}

/// The fleet's `count` bots, one at a time, in `contexts` (from [`contexts`] with the same
/// counts), started before `now` and evaluated from `now`.
pub fn bots(
    contexts: &[TradingContext],
    count: usize,
    markets: usize,
    now: OffsetDateTime,
) -> impl Iterator<Item = Bot> + '_ {
    let users = contexts.len();
    let started = now - Duration::days(1);
    // Configurations are parsed once per (kind, market) and per candle mix, and cloned, as a
    // server holds them.
    let kinds = [BotKind::Smart, BotKind::Dca, BotKind::Channel];
    let none = serde_json::Value::Null;
    let configs: Vec<Vec<BotConfig>> =
        kinds.iter().map(|k| (0..markets).map(|m| config(*k, m, &none)).collect()).collect();
    let candles: Vec<BotConfig> = candle_mixes().iter().map(|mix| config(BotKind::Candle, 0, mix)).collect();
    (0..count).map(move |i| {
        let (user, slot) = (i % users, i / users);
        let (context, market) = (&contexts[user], user % markets);
        let config = match kinds.iter().position(|k| *k == kind_of(slot)) {
            Some(k) => configs[k][market].clone(),
            // The 15 candle slots of each user (3 in every 20), shifted by the user so every
            // market sees every mix.
            None => candles[(slot / 20 * 3 + slot % 20 - 17 + user) % candles.len()].clone(),
        };
        // As the engine holds a bot it read from a store (stores shrink what they read).
        let mut bot = bot(i, context, market, config, started, now);
        bot.shrink_to_fit();
        bot
    })
}

/// A fleet of `count` bots over `markets` markets, started before `now` and evaluated from `now`.
pub fn build(count: usize, markets: usize, now: OffsetDateTime) -> Vec<Bot> {
    let contexts = contexts(count, markets, now);
    bots(&contexts, count, markets, now).collect()
}

fn bot(
    i: usize,
    context: &TradingContext,
    market: usize,
    config: BotConfig,
    started: OffsetDateTime,
    now: OffsetDateTime,
) -> Bot {
    let mut bot = Bot::new(context, format!("bench bot {i}"), config, started);
    bot.command(Command::Start, "bench", started).expect("a created bot starts");
    // Staggered over the period, never due at `now` itself.
    let stagger = |period: i64| now + Duration::seconds(1 + (i as i64 * 7_919) % period);
    match &mut bot.state {
        KindState::Smart(s) => s.next_cycle_at = Some(stagger(3_600)),
        KindState::Dca(s) => s.next_purchase_at = Some(stagger(86_400)),
        KindState::Candle(s) => {
            let hour = now.unix_timestamp() - now.unix_timestamp().rem_euclid(3_600);
            s.last_candle_at = OffsetDateTime::from_unix_timestamp(hour - 3_600).ok();
        }
        KindState::Channel(_) => {}
    }
    let holds = match bot.kind() {
        BotKind::Channel => i.is_multiple_of(4),
        _ => i.is_multiple_of(2),
    };
    if holds {
        let discount = if i % 200 == 2 { Decimal::new(9, 1) } else { Decimal::ONE };
        hold(&mut bot, level(market) * discount, started);
    }
    bot
}

/// Gives `bot` a position of 50 quote bought at `price`, through the books' own methods.
fn hold(bot: &mut Bot, price: Decimal, at: OffsetDateTime) {
    let position = PositionId::new();
    if let KindState::Dca(s) = &mut bot.state {
        s.position = Some(position);
    }
    let amount = Decimal::from(50);
    let intent = OrderIntent {
        side: OrderSide::Buy,
        limit_price: None,
        quantity: None,
        quote_amount: Some(amount),
        block: amount,
        purpose: Purpose::Open { position },
        reason: "bench position".to_owned(),
        indicators: Default::default(),
    };
    let id = ClientOrderId::generate();
    bot.accept(&intent, id.clone(), at).expect("the bot can afford its position");
    let quantity = filters().floor_quantity(amount / price);
    let filled = OrderProgress {
        filled_quantity: quantity,
        filled_quote: quantity * price,
        fee: Decimal::ZERO,
        fee_asset: None,
        done: true,
    };
    bot.on_progress(&id, filled, &filters(), price, at).expect("the fill applies");
}
