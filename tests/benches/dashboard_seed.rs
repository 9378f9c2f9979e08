//! Fills an embedded store's data directory for the dashboard benchmark
//! (`scripts/bench-dashboard.sh`): one user on MAX with 50 bots (smart, candle, dca and channel,
//! running, over four paper contexts in BRL and USDT), 100,000 filled orders spread over the
//! last 365 days (each with its fill and fee), and the closed positions they make (nine buys
//! and one sale each: 10,000 `position_closed` records, with wins and losses), written through
//! the repositories as the server would write them. Not a benchmark itself:
//! `cargo bench -p botfleet-tests --bench dashboard_seed -- --dir DIR --owner USER_ID
//! [--bots 50] [--orders 100000]`. Under `cargo test` (no `--dir`) it seeds a small store in a
//! temporary directory and checks the counts, as a smoke test.

use std::path::PathBuf;
use std::time::Instant;

use botfleet_tests::contract::fixtures::{subscription, user};
use domain::bots::{Bot, BotConfig, BotEvent, BotKind, BotRecord, Command, ExitReason, Position, PositionStatus};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::{ExchangeId, ExchangeOrder, ExchangeOrderStatus, Fill, OrderKind, OrderSide, OrderSize};
use domain::market::Symbol;
use domain::orders::{CreationContext, NewOrder, Order, StrategySource};
use domain::shared::ids::{PositionId, UserId};
use domain::subscriptions::Plan;
use infrastructure::repositories::{open_embedded, Repositories};
use rust_decimal::Decimal;
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// Orders per closed position: nine buys, then the sale of all of it.
const ORDERS_PER_POSITION: u64 = 10;
const KINDS: [(BotKind, StrategySource); 4] = [
    (BotKind::Smart, StrategySource::Smart),
    (BotKind::Candle, StrategySource::Candle),
    (BotKind::Dca, StrategySource::Dca),
    (BotKind::Channel, StrategySource::Channel),
];

fn config(kind: BotKind) -> BotConfig {
    let value = match kind {
        BotKind::Smart => json!({"mode": {"type": "continuous", "interval_seconds": 3600}, "purchase_amount": "50",
            "allocated_balance": "1000", "risk": {"stop_loss_hard_percent": "5"}}),
        BotKind::Candle => json!({"timeframe": "1h", "indicators": [{"indicator": "rsi", "period": 14}],
            "order_amount": "50", "allocated_balance": "1000", "min_confidence": "LOW"}),
        BotKind::Dca => json!({"purchase_amount": "50", "frequency": "1h", "allocated_balance": "1000",
            "take_profit_percent": "3"}),
        BotKind::Channel => json!({"base_price": "90", "top_price": "110", "buy_threshold_percent": "2",
            "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "10",
            "allocated_balance": "1000"}),
    };
    BotConfig::parse(kind, &value).expect("the seed's bot configs are valid")
}

/// A filled limit order of `bot` for `quantity` at `price`, created and filled at `at`.
fn filled(
    bot: &Bot,
    source: StrategySource,
    side: OrderSide,
    price: Decimal,
    quantity: Decimal,
    at: OffsetDateTime,
) -> Order {
    let new = NewOrder {
        user_id: bot.user_id,
        context_id: bot.context_id,
        exchange: bot.exchange,
        symbol: bot.symbol.clone(),
        bot_id: Some(bot.id),
        source,
        side,
        kind: OrderKind::Limit { price },
        size: OrderSize::Quantity(quantity),
        creation: CreationContext::default(),
        reason: None,
    };
    let mut order = Order::new(new, at).expect("a valid seed order");
    let quote = price * quantity;
    let fee = (quote / Decimal::ONE_THOUSAND).round_dp(8);
    let report = ExchangeOrder {
        exchange_order_id: order.id.to_string(),
        client_order_id: Some(order.client_order_id.clone()),
        symbol: order.symbol.clone(),
        side,
        kind: order.kind,
        status: ExchangeOrderStatus::Filled,
        quantity: Some(quantity),
        quote_amount: None,
        filled_quantity: quantity,
        filled_quote: quote,
        fills: vec![Fill {
            trade_id: order.id.to_string(),
            price,
            quantity,
            fee,
            fee_asset: order.symbol.quote().to_string(),
            at: Some(at),
        }],
        created_at: Some(at),
        updated_at: Some(at),
    };
    order.apply(&report, at).expect("a fill applies");
    order
}

/// The price of the n-th order: a slow wave around 100 (BRL and USDT markets alike), so some
/// positions win and some lose.
fn price(n: u64) -> Decimal {
    let wave = ((n as f64) / 97.0).sin() * 8.0 + ((n as f64) / 13.0).cos() * 2.0;
    Decimal::from_f64_retain(100.0 + wave).unwrap_or(Decimal::ONE_HUNDRED).round_dp(2)
}

struct Args {
    dir: PathBuf,
    owner: Option<UserId>,
    bots: u64,
    orders: u64,
}

fn args() -> Args {
    let mut parsed = Args { dir: PathBuf::new(), owner: None, bots: 8, orders: 200 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--dir" => parsed.dir = value().into(),
            "--owner" => parsed.owner = Some(value().parse().expect("a user id")),
            "--bots" => parsed.bots = value().parse().expect("a number of bots"),
            "--orders" => parsed.orders = value().parse().expect("a number of orders"),
            _ => {} // cargo bench adds `--bench`
        }
    }
    parsed
}

/// Four paper contexts, two markets in BRL and two in USDT, and `count` running bots over them.
async fn bots(repos: &Repositories, owner: UserId, count: u64, now: OffsetDateTime) -> Vec<(Bot, StrategySource)> {
    let markets = [
        (ExchangeId::MercadoBitcoin, "BTC-BRL"),
        (ExchangeId::MercadoBitcoin, "ETH-BRL"),
        (ExchangeId::Binance, "BTC-USDT"),
        (ExchangeId::Binance, "ETH-USDT"),
    ];
    let mut contexts = Vec::new();
    for (exchange, symbol) in markets {
        let context = TradingContext::new(
            owner,
            exchange,
            &Symbol::parse(symbol).unwrap(),
            ContextMode::Paper,
            now - Duration::days(400),
        );
        contexts.push(repos.contexts.create(&context).await.expect("a context"));
    }
    let mut out = Vec::new();
    for i in 0..count as usize {
        let (kind, source) = KINDS[i % KINDS.len()];
        let created = now - Duration::days(366);
        let mut bot =
            Bot::new(&contexts[(i / 4) % contexts.len()], format!("{kind} {:02}", i + 1), config(kind), created);
        bot.command(Command::Start, "seeded", created).expect("a new bot starts");
        out.push((repos.bots.create(&bot).await.expect("a bot"), source));
    }
    out
}

#[tokio::main]
async fn main() {
    let mut args = args();
    let smoke = args.dir.as_os_str().is_empty().then(|| tempfile::tempdir().expect("a temporary directory"));
    if let Some(dir) = &smoke {
        args.dir = dir.path().to_path_buf();
    }
    let repos = open_embedded(Some(&args.dir)).await.expect("the data directory opens");
    let now = OffsetDateTime::now_utc();
    let owner = match args.owner {
        Some(owner) => owner,
        None => repos.users.create(&user("dashboard@example.com", 0)).await.expect("a user").id,
    };
    match repos.subscriptions.get_for_user(owner).await {
        Ok(mut sub) => {
            sub.plan = Plan::Max;
            repos.subscriptions.update(&sub).await.expect("the plan changes");
        }
        Err(_) => drop(repos.subscriptions.create(&subscription(owner, Plan::Max, 0)).await.expect("a subscription")),
    }
    let started = Instant::now();
    let bots = bots(&repos, owner, args.bots, now).await;
    let positions = args.orders / ORDERS_PER_POSITION;
    let step = Duration::seconds(365 * 86_400 / args.orders.max(1) as i64);
    let mut at = now - Duration::days(365);
    let mut records = Vec::new();
    for p in 0..positions {
        let (bot, source) = &bots[(p % bots.len() as u64) as usize];
        let mut position = Position::new(PositionId::new(), at);
        for b in 0..ORDERS_PER_POSITION - 1 {
            let (price, quantity) = (price(p * ORDERS_PER_POSITION + b), Decimal::new(5, 1));
            let order = repos
                .orders
                .create(&filled(bot, *source, OrderSide::Buy, price, quantity, at))
                .await
                .expect("an order");
            let fill = &order.fills[0];
            position.quantity += fill.quantity;
            position.cost += fill.price * fill.quantity + fill.fee;
            position.buys += 1;
            at += step;
        }
        let sale = filled(bot, *source, OrderSide::Sell, price(p * ORDERS_PER_POSITION + 9), position.quantity, at);
        let fill = &repos.orders.create(&sale).await.expect("an order").fills[0];
        position.sold_quantity = fill.quantity;
        position.proceeds = fill.price * fill.quantity - fill.fee;
        position.realized_profit = position.proceeds - position.cost;
        position.exit_reason =
            Some(if position.realized_profit > Decimal::ZERO { ExitReason::TakeProfit } else { ExitReason::StopLoss });
        position.status = PositionStatus::Closed;
        position.closed_at = Some(at);
        records.push(BotRecord::new(bot, BotEvent::PositionClosed(position), at));
        at += step;
        if records.len() == 500 {
            repos.bot_records.append(&std::mem::take(&mut records)).await.expect("records");
        }
    }
    repos.bot_records.append(&records).await.expect("records");
    eprintln!(
        "dashboard_seed: {} bots, {} orders, {positions} closed positions in {:.1} s",
        bots.len(),
        positions * ORDERS_PER_POSITION,
        started.elapsed().as_secs_f64()
    );
    if smoke.is_some() {
        use infrastructure::store::Query;
        assert_eq!(repos.store.count("bots", &Query::all()).await.unwrap(), args.bots);
        assert_eq!(repos.store.count("orders", &Query::all()).await.unwrap(), positions * ORDERS_PER_POSITION);
        println!("dashboard_seed: 1 passed, 0 failed");
    }
}
