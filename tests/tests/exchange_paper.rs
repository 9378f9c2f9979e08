//! The paper exchange: the exchange contract suite for Mercado Bitcoin BTC-BRL and Binance
//! BTC-USDT on the in-memory embedded store, then what only the paper exchange promises:
//! determinism, the injected clock, limit fills on price moves, concurrency, idempotency and
//! persistence across restarts (embedded store on disk, and MongoDB).

use std::sync::Arc;

use async_trait::async_trait;
use botfleet_tests::exchange_contract::ExchangeHarness;
use domain::exchange::{
    ApiCredentials, ClientOrderId, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrderStatus, OrderKind,
    OrderRef, OrderRequest, OrderSide, OrderSize,
};
use domain::market::{CandleRange, Symbol, Timeframe};
use domain::shared::clock::FixedClock;
use domain::Clock;
use infrastructure::exchanges::paper::{PaperConfig, PaperExchange};
use infrastructure::store::sqlite::{SqliteOptions, SqliteStore};
use infrastructure::store::DocumentStore;
use rust_decimal::Decimal;
use time::macros::datetime;
use time::OffsetDateTime;

const START: OffsetDateTime = datetime!(2025-03-10 14:23:17 UTC);

struct PaperHarness {
    exchange: PaperExchange,
    clock: Arc<FixedClock>,
    symbol: Symbol,
}

async fn paper(exchange: ExchangeId, symbol: &str, store: Arc<dyn DocumentStore>) -> PaperHarness {
    let clock = Arc::new(FixedClock::new(START));
    let exchange = PaperExchange::open(exchange, PaperConfig::default(), store, clock.clone()).await.unwrap();
    PaperHarness { exchange, clock, symbol: Symbol::parse(symbol).unwrap() }
}

fn memory() -> Arc<dyn DocumentStore> {
    Arc::new(SqliteStore::in_memory())
}

async fn mercado_bitcoin() -> PaperHarness {
    paper(ExchangeId::MercadoBitcoin, "BTC-BRL", memory()).await
}

async fn binance() -> PaperHarness {
    paper(ExchangeId::Binance, "BTC-USDT", memory()).await
}

fn creds(user: &str) -> ApiCredentials {
    ApiCredentials { api_key: format!("paper:{user}").into(), api_secret: "ignored".into(), testnet: false }
}

#[async_trait]
impl ExchangeHarness for PaperHarness {
    fn gateway(&self) -> &dyn ExchangeGateway {
        &self.exchange
    }

    fn credentials(&self) -> ApiCredentials {
        creds("contract")
    }

    fn symbol(&self) -> Symbol {
        self.symbol.clone()
    }

    async fn set_price(&self, symbol: &Symbol, price: Decimal) {
        self.exchange.set_price(symbol, price).await.unwrap();
    }
}

mod mercado_bitcoin_btc_brl {
    botfleet_tests::exchange_contract_suite!(super::mercado_bitcoin);
}

mod binance_btc_usdt {
    botfleet_tests::exchange_contract_suite!(super::binance);
}

fn order(symbol: &Symbol, side: OrderSide, kind: OrderKind, size: OrderSize) -> OrderRequest {
    OrderRequest { symbol: symbol.clone(), side, kind, size, client_order_id: ClientOrderId::generate() }
}

fn free(balances: &[domain::exchange::Balance], asset: &str) -> Decimal {
    balances.iter().find(|b| b.asset == asset).map_or(Decimal::ZERO, |b| b.free)
}

fn locked(balances: &[domain::exchange::Balance], asset: &str) -> Decimal {
    balances.iter().find(|b| b.asset == asset).map_or(Decimal::ZERO, |b| b.locked)
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn prices_depend_only_on_seed_symbol_and_instant() {
    let (a, b) = (binance().await, binance().await);
    let range = CandleRange::latest(50);
    let candles = a.exchange.candles(&a.symbol, Timeframe::M5, range).await.unwrap();
    assert_eq!(candles, b.exchange.candles(&b.symbol, Timeframe::M5, range).await.unwrap());
    assert_eq!(a.exchange.ticker(&a.symbol).await.unwrap(), b.exchange.ticker(&b.symbol).await.unwrap());

    let config = PaperConfig { seed: 1_234, ..PaperConfig::default() };
    let other = PaperExchange::open(ExchangeId::Binance, config, memory(), a.clock.clone()).await.unwrap();
    assert_ne!(candles, other.candles(&a.symbol, Timeframe::M5, range).await.unwrap());
}

#[tokio::test]
async fn the_injected_clock_drives_prices_and_no_candle_is_from_the_future() {
    let h = binance().await;
    let first = h.exchange.ticker(&h.symbol).await.unwrap();
    assert_eq!(first.at, START);
    h.clock.advance(time::Duration::hours(6));
    let later = h.exchange.ticker(&h.symbol).await.unwrap();
    assert_ne!(first.last, later.last, "six replayed hours later the price moved");
    for tf in h.exchange.timeframes() {
        let candles = h.exchange.candles(&h.symbol, tf, CandleRange::latest(3)).await.unwrap();
        assert!(!candles.is_empty(), "{tf}");
        assert!(candles.iter().all(|c| c.open_time <= h.clock.now()), "{tf} candle from the future");
        assert_eq!(candles.last().unwrap().close, later.last, "{tf} last candle closes at the current price");
    }
}

#[tokio::test]
async fn mercado_bitcoin_built_timeframes_end_with_the_last_complete_bucket_like_the_live_adapter() {
    let h = mercado_bitcoin().await;
    h.clock.advance(time::Duration::minutes(47));
    let now = h.clock.now();
    for (built, source) in [(Timeframe::M5, Timeframe::M1), (Timeframe::M30, Timeframe::M15)] {
        let candles = h.exchange.candles(&h.symbol, built, CandleRange::latest(4)).await.unwrap();
        assert_eq!(candles.len(), 4, "{built}");
        let last = candles.last().unwrap();
        assert!(
            built.close_of(last.open_time) <= now && now < built.close_of(built.close_of(last.open_time)),
            "{built}"
        );
        // Each equals the fold of the finer candles the exchange serves.
        let fine = h.exchange.candles(&h.symbol, source, CandleRange::latest(200)).await.unwrap();
        let members: Vec<_> =
            fine.iter().filter(|c| domain::market::bucket_start(built, c.open_time) == last.open_time).collect();
        assert_eq!((last.open, last.close), (members[0].open, members[members.len() - 1].close), "{built}");
        assert_eq!(last.high, members.iter().map(|c| c.high).max().unwrap(), "{built}");
        assert_eq!(last.low, members.iter().map(|c| c.low).min().unwrap(), "{built}");
    }
    let served = h.exchange.candles(&h.symbol, Timeframe::M15, CandleRange::latest(1)).await.unwrap();
    assert!(Timeframe::M15.close_of(served[0].open_time) > now, "a served timeframe keeps its forming candle");
}

#[tokio::test]
async fn a_resting_limit_fills_when_the_price_reaches_it() {
    let h = mercado_bitcoin().await;
    let c = creds("limit");
    h.exchange.set_price(&h.symbol, dec("300000")).await.unwrap();
    let buy =
        order(&h.symbol, OrderSide::Buy, OrderKind::Limit { price: dec("290000") }, OrderSize::Quantity(dec("0.1")));
    let placed = h.exchange.place_order(&c, &buy).await.unwrap();
    assert_eq!(placed.status, ExchangeOrderStatus::New);
    assert_eq!(locked(&h.exchange.balances(&c).await.unwrap(), "BRL"), dec("29000"));

    h.clock.advance(time::Duration::minutes(1));
    h.exchange.set_price(&h.symbol, dec("289000")).await.unwrap();
    let filled = h.exchange.order(&c, &h.symbol, &OrderRef::Client(buy.client_order_id.clone())).await.unwrap();
    assert_eq!(filled.status, ExchangeOrderStatus::Filled);
    assert_eq!(filled.fills.len(), 1);
    assert_eq!(filled.fills[0].price, dec("290000"));
    assert_eq!(filled.fills[0].fee_asset, "BTC");
    let balances = h.exchange.balances(&c).await.unwrap();
    assert_eq!((free(&balances, "BRL"), locked(&balances, "BRL")), (dec("71000"), Decimal::ZERO));
    assert_eq!(free(&balances, "BTC"), dec("0.1") - filled.fills[0].fee);
    assert!(h.exchange.open_orders(&c, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_orders_spend_exactly_what_they_report() {
    let h = Arc::new(binance().await);
    h.exchange.set_price(&h.symbol, dec("50000")).await.unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move {
                let req = order(&h.symbol, OrderSide::Buy, OrderKind::Market, OrderSize::QuoteAmount(dec("1000")));
                h.exchange.place_order(&creds("busy"), &req).await
            })
        })
        .collect();
    let mut spent = Decimal::ZERO;
    let mut bought = Decimal::ZERO;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(o) => {
                spent += o.filled_quote;
                bought += o.filled_quantity - o.fills.iter().map(|f| f.fee).sum::<Decimal>();
            }
            Err(ExchangeError::InsufficientBalance) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(refused >= 2, "10000 USDT cannot pay for twelve 1000 USDT buys");
    let balances = h.exchange.balances(&creds("busy")).await.unwrap();
    assert_eq!(free(&balances, "USDT"), dec("10000") - spent);
    assert_eq!(free(&balances, "BTC"), bought);
}

#[tokio::test]
async fn a_repeated_client_order_id_returns_the_first_order_even_once_archived() {
    let h = binance().await;
    let c = creds("retry");
    let req = order(&h.symbol, OrderSide::Buy, OrderKind::Market, OrderSize::Quantity(dec("0.01")));
    let first = h.exchange.place_order(&c, &req).await.unwrap();
    let before = h.exchange.balances(&c).await.unwrap();
    h.exchange.set_price(&h.symbol, dec("1000")).await.unwrap();
    let again = h.exchange.place_order(&c, &req).await.unwrap();
    assert_eq!(again.exchange_order_id, first.exchange_order_id);
    assert_eq!(again.fills, first.fills);
    assert_eq!(h.exchange.balances(&c).await.unwrap(), before);
    let other_user = h.exchange.order(&creds("someone-else"), &h.symbol, &OrderRef::Client(req.client_order_id)).await;
    assert!(matches!(other_user, Err(ExchangeError::OrderNotFound)));
}

#[tokio::test]
async fn an_empty_api_key_is_unauthorized_and_accounts_start_funded() {
    let h = mercado_bitcoin().await;
    let none = ApiCredentials { api_key: "".into(), api_secret: "".into(), testnet: false };
    assert!(matches!(h.exchange.balances(&none).await, Err(ExchangeError::Unauthorized(_))));
    let balances = h.exchange.balances(&creds("new")).await.unwrap();
    assert_eq!((free(&balances, "BRL"), free(&balances, "USDT")), (dec("100000"), dec("10000")));
    let info = h.exchange.account_info(&creds("new")).await.unwrap();
    assert!(info.can_trade && info.can_withdraw == Some(false));
}

/// Places a filled market buy and a resting limit sell; returns their client ids.
async fn trade_before_restart(h: &PaperHarness) -> (ClientOrderId, ClientOrderId) {
    let c = creds("restart");
    h.exchange.set_price(&h.symbol, dec("60000")).await.unwrap();
    let buy = order(&h.symbol, OrderSide::Buy, OrderKind::Market, OrderSize::Quantity(dec("0.05")));
    h.exchange.place_order(&c, &buy).await.unwrap();
    let sell =
        order(&h.symbol, OrderSide::Sell, OrderKind::Limit { price: dec("70000") }, OrderSize::Quantity(dec("0.02")));
    assert_eq!(h.exchange.place_order(&c, &sell).await.unwrap().status, ExchangeOrderStatus::New);
    (buy.client_order_id, sell.client_order_id)
}

/// Checks that the reopened exchange knows both orders and the balances, then cancels the sell.
async fn check_after_restart(
    h: &PaperHarness,
    before: &[domain::exchange::Balance],
    ids: (ClientOrderId, ClientOrderId),
) {
    let c = creds("restart");
    assert_eq!(h.exchange.balances(&c).await.unwrap(), before);
    let buy = h.exchange.order(&c, &h.symbol, &OrderRef::Client(ids.0)).await.unwrap();
    assert_eq!((buy.status, buy.filled_quantity), (ExchangeOrderStatus::Filled, dec("0.05")));
    let open = h.exchange.open_orders(&c, Some(h.symbol.clone())).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].client_order_id.as_ref(), Some(&ids.1));
    let cancelled = h.exchange.cancel_order(&c, &h.symbol, &OrderRef::Client(ids.1)).await.unwrap();
    assert_eq!(cancelled.status, ExchangeOrderStatus::Canceled);
    let after = h.exchange.balances(&c).await.unwrap();
    assert_eq!(locked(&after, "BTC"), Decimal::ZERO);
    assert_eq!(free(&after, "BTC"), free(before, "BTC") + locked(before, "BTC"));
}

#[tokio::test]
async fn accounts_and_orders_survive_a_restart_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, before) = {
        let store: Arc<dyn DocumentStore> =
            Arc::new(SqliteStore::open(Some(dir.path()), SqliteOptions::default()).unwrap());
        let h = paper(ExchangeId::Binance, "BTC-USDT", store).await;
        let ids = trade_before_restart(&h).await;
        (ids, h.exchange.balances(&creds("restart")).await.unwrap())
    };
    let store: Arc<dyn DocumentStore> =
        Arc::new(SqliteStore::open(Some(dir.path()), SqliteOptions::default()).unwrap());
    let h = paper(ExchangeId::Binance, "BTC-USDT", store).await;
    check_after_restart(&h, &before, ids).await;
}

#[tokio::test]
async fn accounts_and_orders_survive_a_restart_on_mongodb() {
    let (uri, database) = (botfleet_tests::mongo::mongo_uri(), botfleet_tests::mongo::fresh_database_name());
    let connect = || async {
        Arc::new(infrastructure::store::mongo::MongoStore::connect(&uri, &database).await.expect("valid MongoDB URI"))
    };
    let first = connect().await;
    let h = paper(ExchangeId::Binance, "BTC-USDT", first.clone()).await;
    let ids = trade_before_restart(&h).await;
    let before = h.exchange.balances(&creds("restart")).await.unwrap();
    drop(h);
    let second = connect().await;
    let h = paper(ExchangeId::Binance, "BTC-USDT", second.clone()).await;
    check_after_restart(&h, &before, ids).await;
    second.drop_database().await.unwrap();
}
