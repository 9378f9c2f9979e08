//! The exchange-port contract suite against the real Binance adapter, pointed at a stateful
//! fake of Binance's HTTP API, plus checks of what the adapter did on that fake.

use async_trait::async_trait;
use botfleet_tests::exchange_contract::ExchangeHarness;
use botfleet_tests::fakes::binance::FakeBinance;
use domain::exchange::{
    ApiCredentials, ClientOrderId, ExchangeError, ExchangeGateway, OrderKind, OrderRequest, OrderSide, OrderSize,
};
use domain::market::Symbol;
use infrastructure::exchanges::binance::BinanceExchange;
use rust_decimal::Decimal;

/// The adapter and the fake it talks to.
struct BinanceHarness {
    fake: FakeBinance,
    adapter: BinanceExchange,
}

#[async_trait]
impl ExchangeHarness for BinanceHarness {
    fn gateway(&self) -> &dyn ExchangeGateway {
        &self.adapter
    }

    fn credentials(&self) -> ApiCredentials {
        self.fake.credentials()
    }

    fn symbol(&self) -> Symbol {
        Symbol::parse("BTC-BRL").unwrap()
    }

    async fn set_price(&self, symbol: &Symbol, price: Decimal) {
        self.fake.set_price(symbol, price);
    }
}

async fn harness() -> BinanceHarness {
    let fake = FakeBinance::start().await;
    let adapter = BinanceExchange::local(&fake.uri());
    BinanceHarness { fake, adapter }
}

botfleet_tests::exchange_contract_suite!(harness);

#[tokio::test]
async fn both_listed_markets_are_served() {
    let h = harness().await;
    let usdt = Symbol::parse("BTC-USDT").unwrap();
    h.fake.set_price(&usdt, Decimal::from(61_000));

    let markets = h.adapter.markets().await.unwrap();
    let ticker = h.adapter.ticker(&usdt).await.unwrap();

    assert_eq!(markets.len(), 2);
    assert_eq!(ticker.last, Decimal::from(61_000));
}

#[tokio::test]
async fn a_resting_buy_fills_when_the_price_falls_to_it() {
    let h = harness().await;
    let creds = h.fake.credentials();
    h.fake.set_price(&h.symbol(), Decimal::from(300_000));
    let request = OrderRequest {
        symbol: h.symbol(),
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: Decimal::from(290_000) },
        size: OrderSize::Quantity(Decimal::new(1, 3)),
        client_order_id: ClientOrderId::generate(),
    };
    let placed = h.adapter.place_order(&creds, &request).await.unwrap();
    assert!(placed.status.is_open());

    h.fake.set_price(&h.symbol(), Decimal::from(280_000));
    let by_client = domain::exchange::OrderRef::Client(request.client_order_id.clone());
    let order = h.adapter.order(&creds, &h.symbol(), &by_client).await.unwrap();

    assert_eq!(order.status, domain::exchange::ExchangeOrderStatus::Filled);
    assert_eq!(order.average_price(), Some(Decimal::from(290_000)));
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized_and_balance_shortfalls_are_reported() {
    let h = harness().await;
    let wrong = ApiCredentials { api_secret: "not-the-secret".into(), ..h.fake.credentials() };
    h.fake.set_balance("BRL", Decimal::from(100));
    let request = OrderRequest {
        symbol: h.symbol(),
        side: OrderSide::Buy,
        kind: OrderKind::Market,
        size: OrderSize::QuoteAmount(Decimal::from(500)),
        client_order_id: ClientOrderId::generate(),
    };

    let unauthorized = h.adapter.account_info(&wrong).await;
    let broke = h.adapter.place_order(&h.fake.credentials(), &request).await;

    assert!(matches!(unauthorized, Err(ExchangeError::Unauthorized(_))), "{unauthorized:?}");
    assert!(matches!(broke, Err(ExchangeError::InsufficientBalance)), "{broke:?}");
    assert_eq!(h.fake.orders_placed(), 0);
}
