//! The contract every [`ExchangeGateway`] adapter must pass: the paper exchange directly, the
//! Binance and Mercado Bitcoin adapters over a stateful mock of their HTTP APIs. Each adapter's
//! test binary implements [`ExchangeHarness`] and expands [`exchange_contract_suite!`].

use async_trait::async_trait;
use domain::exchange::{
    ApiCredentials, ClientOrderId, ExchangeError, ExchangeGateway, ExchangeOrderStatus, OrderKind, OrderRef,
    OrderRequest, OrderSide, OrderSize,
};
use domain::market::{CandleRange, Market, Symbol, Timeframe};
use rust_decimal::Decimal;

/// One exchange under test, with an account funded in the market's quote asset.
#[async_trait]
pub trait ExchangeHarness: Send + Sync {
    /// The adapter under test.
    fn gateway(&self) -> &dyn ExchangeGateway;
    /// Credentials of an account holding enough quote asset for the suite's orders.
    fn credentials(&self) -> ApiCredentials;
    /// A market the exchange lists.
    fn symbol(&self) -> Symbol;
    /// Moves the market's last price to `price` (bid and ask around it), as the exchange would.
    async fn set_price(&self, symbol: &Symbol, price: Decimal);
}

/// Generates one `#[tokio::test]` per contract function. `$harness` is the path, from where the
/// macro is invoked, of an `async fn() -> impl ExchangeHarness` giving each test a fresh exchange.
#[macro_export]
macro_rules! exchange_contract_suite {
    ($harness:path) => {
        $crate::exchange_contract_suite!(@tests $harness;
            markets_list_the_symbol_with_filters, unknown_symbol_is_reported, ticker_follows_the_price,
            order_book_is_sorted_and_bounded, candles_are_oldest_first_and_limited, unsupported_timeframe_is_reported,
            limit_order_rests_and_cancels, market_buy_fills_and_moves_balances, unknown_order_is_not_found,
            order_breaking_filters_is_refused_before_sending,
        );
    };
    (@tests $harness:path; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                let harness = $harness().await;
                $crate::exchange_contract::$test(&harness).await;
            }
        )*
    };
}

const PRICE: Decimal = Decimal::from_parts(250_000, 0, 0, false, 0);

async fn market(h: &dyn ExchangeHarness) -> Market {
    h.gateway().market(&h.symbol()).await.expect("the harness symbol is listed")
}

/// A quantity worth about `quote` at `price`, on the step and above the minimums.
fn quantity_for(market: &Market, quote: Decimal, price: Decimal) -> Decimal {
    let f = &market.filters;
    let wanted = (quote / price).max(f.min_quantity).max(f.min_notional * Decimal::TWO / price);
    let stepped = f.floor_quantity(wanted);
    if stepped < wanted {
        stepped + f.step_size
    } else {
        stepped
    }
}

/// `markets` lists the symbol and `market` returns it with usable filters.
pub async fn markets_list_the_symbol_with_filters(h: &dyn ExchangeHarness) {
    let all = h.gateway().markets().await.unwrap();
    assert!(all.iter().any(|m| m.symbol == h.symbol()), "markets() lacks {}", h.symbol());
    let one = market(h).await;
    assert_eq!(one.symbol, h.symbol());
    assert!(one.trading);
    assert!(one.filters.tick_size > Decimal::ZERO && one.filters.step_size > Decimal::ZERO);
}

/// A pair the exchange does not list is `UnknownSymbol` for markets and tickers.
pub async fn unknown_symbol_is_reported(h: &dyn ExchangeHarness) {
    let nope = Symbol::parse("NOPE-ZZZ").unwrap();
    assert!(matches!(h.gateway().market(&nope).await, Err(ExchangeError::UnknownSymbol(_))));
    assert!(matches!(h.gateway().ticker(&nope).await, Err(ExchangeError::UnknownSymbol(_))));
}

/// The ticker reports the market's price with bid <= last <= ask.
pub async fn ticker_follows_the_price(h: &dyn ExchangeHarness) {
    h.set_price(&h.symbol(), PRICE).await;
    let t = h.gateway().ticker(&h.symbol()).await.unwrap();
    assert_eq!(t.symbol, h.symbol());
    assert_eq!(t.last, PRICE);
    assert!(t.bid <= t.last && t.last <= t.ask, "bid {} last {} ask {}", t.bid, t.last, t.ask);
}

/// Bids descend, asks ascend, the best bid is below the best ask, at most `depth` a side.
pub async fn order_book_is_sorted_and_bounded(h: &dyn ExchangeHarness) {
    h.set_price(&h.symbol(), PRICE).await;
    let book = h.gateway().order_book(&h.symbol(), 5).await.unwrap();
    assert!(!book.bids.is_empty() && !book.asks.is_empty());
    assert!(book.bids.len() <= 5 && book.asks.len() <= 5);
    assert!(book.bids.windows(2).all(|w| w[0].price > w[1].price));
    assert!(book.asks.windows(2).all(|w| w[0].price < w[1].price));
    assert!(book.bids[0].price < book.asks[0].price);
}

/// Candles come oldest first, one timeframe apart, at most `limit` of them.
pub async fn candles_are_oldest_first_and_limited(h: &dyn ExchangeHarness) {
    let tf = Timeframe::H1;
    assert!(h.gateway().timeframes().contains(&tf));
    let candles = h.gateway().candles(&h.symbol(), tf, CandleRange::latest(5)).await.unwrap();
    assert!(!candles.is_empty() && candles.len() <= 5, "got {} candles", candles.len());
    for pair in candles.windows(2) {
        assert_eq!((pair[1].open_time - pair[0].open_time).whole_seconds(), tf.seconds());
    }
    for c in &candles {
        assert!(c.low <= c.open.min(c.close) && c.high >= c.open.max(c.close));
    }
}

/// A timeframe the exchange lacks is `UnsupportedTimeframe`, never an adapter error.
pub async fn unsupported_timeframe_is_reported(h: &dyn ExchangeHarness) {
    let supported = h.gateway().timeframes();
    match Timeframe::ALL.into_iter().find(|tf| !supported.contains(tf)) {
        Some(tf) => {
            let got = h.gateway().candles(&h.symbol(), tf, CandleRange::latest(5)).await;
            assert!(matches!(got, Err(ExchangeError::UnsupportedTimeframe(t)) if t == tf), "got {got:?}");
        }
        None => assert_eq!(supported.len(), Timeframe::ALL.len()),
    }
}

/// A limit buy far below the price rests, is found by both ids and in open orders, then cancels.
pub async fn limit_order_rests_and_cancels(h: &dyn ExchangeHarness) {
    h.set_price(&h.symbol(), PRICE).await;
    let m = market(h).await;
    let price = m.filters.round_buy_price(PRICE / Decimal::TWO);
    let quantity = quantity_for(&m, Decimal::from(50), price);
    let client = ClientOrderId::generate();
    let request = OrderRequest {
        symbol: h.symbol(),
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price },
        size: OrderSize::Quantity(quantity),
        client_order_id: client.clone(),
    };
    let creds = h.credentials();
    let placed = h.gateway().place_order(&creds, &request).await.unwrap();
    assert_eq!(placed.status, ExchangeOrderStatus::New);
    assert_eq!(placed.client_order_id.as_ref(), Some(&client));
    assert_eq!(placed.filled_quantity, Decimal::ZERO);

    let by_client = h.gateway().order(&creds, &h.symbol(), &OrderRef::Client(client.clone())).await.unwrap();
    assert_eq!(by_client.exchange_order_id, placed.exchange_order_id);
    let open = h.gateway().open_orders(&creds, Some(h.symbol())).await.unwrap();
    assert!(open.iter().any(|o| o.exchange_order_id == placed.exchange_order_id));

    let by_exchange = OrderRef::Exchange(placed.exchange_order_id.clone());
    h.gateway().cancel_order(&creds, &h.symbol(), &by_exchange).await.unwrap();
    let after = h.gateway().order(&creds, &h.symbol(), &by_exchange).await.unwrap();
    assert_eq!(after.status, ExchangeOrderStatus::Canceled);
    let open = h.gateway().open_orders(&creds, Some(h.symbol())).await.unwrap();
    assert!(open.iter().all(|o| o.exchange_order_id != placed.exchange_order_id));
}

fn free(balances: &[domain::exchange::Balance], asset: &str) -> Decimal {
    balances.iter().find(|b| b.asset == asset).map_or(Decimal::ZERO, |b| b.free)
}

/// A market buy fills, reports its fills, and moves base in and quote out.
pub async fn market_buy_fills_and_moves_balances(h: &dyn ExchangeHarness) {
    h.set_price(&h.symbol(), PRICE).await;
    let m = market(h).await;
    let creds = h.credentials();
    let (base, quote) = (h.symbol().base().as_str().to_owned(), h.symbol().quote().as_str().to_owned());
    let before = h.gateway().balances(&creds).await.unwrap();
    let quantity = quantity_for(&m, Decimal::from(100), PRICE);
    let request = OrderRequest {
        symbol: h.symbol(),
        side: OrderSide::Buy,
        kind: OrderKind::Market,
        size: OrderSize::Quantity(quantity),
        client_order_id: ClientOrderId::generate(),
    };
    let placed = h.gateway().place_order(&creds, &request).await.unwrap();
    let order = if placed.status == ExchangeOrderStatus::Filled {
        placed
    } else {
        let by_id = OrderRef::Exchange(placed.exchange_order_id.clone());
        h.gateway().order(&creds, &h.symbol(), &by_id).await.unwrap()
    };
    assert_eq!(order.status, ExchangeOrderStatus::Filled);
    assert_eq!(order.filled_quantity, quantity);
    assert!(order.average_price().is_some_and(|p| p > Decimal::ZERO));
    let after = h.gateway().balances(&creds).await.unwrap();
    assert!(free(&after, &base) > free(&before, &base), "base did not grow");
    assert!(free(&after, &quote) < free(&before, &quote), "quote did not shrink");
}

/// Looking up an order nobody placed is `OrderNotFound`, by either id.
pub async fn unknown_order_is_not_found(h: &dyn ExchangeHarness) {
    let creds = h.credentials();
    let by_client = OrderRef::Client(ClientOrderId::generate());
    assert!(matches!(h.gateway().order(&creds, &h.symbol(), &by_client).await, Err(ExchangeError::OrderNotFound)));
    let by_exchange = OrderRef::Exchange("987654321".into());
    assert!(matches!(h.gateway().order(&creds, &h.symbol(), &by_exchange).await, Err(ExchangeError::OrderNotFound)));
}

/// An order below the market's minimums is refused with `Filter` and leaves no open order.
pub async fn order_breaking_filters_is_refused_before_sending(h: &dyn ExchangeHarness) {
    h.set_price(&h.symbol(), PRICE).await;
    let m = market(h).await;
    let creds = h.credentials();
    let tiny = m.filters.step_size;
    let price = m.filters.round_buy_price(PRICE / Decimal::TWO);
    let request = OrderRequest {
        symbol: h.symbol(),
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price },
        size: OrderSize::Quantity(tiny),
        client_order_id: ClientOrderId::generate(),
    };
    let got = h.gateway().place_order(&creds, &request).await;
    assert!(matches!(got, Err(ExchangeError::Filter(_))), "got {got:?}");
    assert!(h.gateway().open_orders(&creds, Some(h.symbol())).await.unwrap().is_empty());
}
