//! The exchange contract suite against the real Mercado Bitcoin adapter, pointed at a stateful
//! fake of the v4 API, plus the fake-backed checks the suite cannot express.

use std::sync::Arc;

use async_trait::async_trait;
use botfleet_tests::exchange_contract::ExchangeHarness;
use botfleet_tests::exchange_contract_suite;
use botfleet_tests::fakes::mercado_bitcoin::{FakeMercadoBitcoin, ACCOUNT_ID, API_KEY, API_SECRET};
use domain::exchange::{ApiCredentials, ClientOrderId, ExchangeGateway, OrderKind, OrderRequest, OrderSide, OrderSize};
use domain::market::Symbol;
use infrastructure::clock::SystemClock;
use infrastructure::exchanges::mercado_bitcoin::{MercadoBitcoin, MercadoBitcoinConfig, RateLimiter};
use rust_decimal::Decimal;

struct Harness {
    fake: FakeMercadoBitcoin,
    gateway: MercadoBitcoin,
}

async fn harness() -> Harness {
    let fake = FakeMercadoBitcoin::start().await;
    // The documented limits, in a limiter of this test's own so parallel tests do not queue
    // behind each other; production uses `RateLimiter::shared()`.
    let gateway = MercadoBitcoin::with_parts(
        MercadoBitcoinConfig::with_base_url(fake.base_url()),
        Arc::new(SystemClock),
        Arc::new(RateLimiter::new()),
    );
    Harness { fake, gateway }
}

#[async_trait]
impl ExchangeHarness for Harness {
    fn gateway(&self) -> &dyn ExchangeGateway {
        &self.gateway
    }

    fn credentials(&self) -> ApiCredentials {
        ApiCredentials { api_key: API_KEY.into(), api_secret: API_SECRET.into(), testnet: false }
    }

    fn symbol(&self) -> Symbol {
        Symbol::parse("BTC-BRL").unwrap()
    }

    async fn set_price(&self, symbol: &Symbol, price: Decimal) {
        self.fake.set_price(&symbol.to_string(), price);
    }
}

exchange_contract_suite!(harness);

#[tokio::test]
async fn one_authorization_serves_every_call_and_the_order_path_names_the_account() {
    let h = harness().await;
    let creds = h.credentials();
    let order = OrderRequest {
        symbol: h.symbol(),
        side: OrderSide::Buy,
        kind: OrderKind::Limit { price: Decimal::from(100_000) },
        size: OrderSize::Quantity(Decimal::new(1, 3)),
        client_order_id: ClientOrderId::generate(),
    };
    h.gateway.balances(&creds).await.unwrap();
    let placed = h.gateway.place_order(&creds, &order).await.unwrap();
    h.gateway.open_orders(&creds, None).await.unwrap();
    assert_eq!(placed.client_order_id.as_ref(), Some(&order.client_order_id));
    assert_eq!(h.fake.hits("POST", "/api/v4/authorize").await, 1);
    assert_eq!(h.fake.hits("GET", "/api/v4/accounts").await, 1);
    assert_eq!(h.fake.hits("POST", &format!("/api/v4/accounts/{ACCOUNT_ID}/BTC-BRL/orders")).await, 1);
    // 0.001 BTC at 100,000 BRL is held while the order rests.
    assert_eq!(h.fake.balance("BRL").1, Decimal::from(100));
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized() {
    let h = harness().await;
    let wrong = ApiCredentials { api_secret: "nope".into(), ..h.credentials() };
    let got = h.gateway.balances(&wrong).await;
    assert!(matches!(got, Err(domain::exchange::ExchangeError::Unauthorized(_))), "{got:?}");
}
