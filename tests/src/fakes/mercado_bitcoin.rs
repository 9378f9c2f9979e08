//! A stateful fake of Mercado Bitcoin API v4 on a local wiremock server: `/authorize`,
//! `/accounts`, `/symbols` (BTC-BRL), tickers, order book and candles around a price the test
//! sets (or candles the test loads), balances, and orders that rest, fill and cancel. `/oauth2/token` is not served (404),
//! like an account of the older documentation, so the adapter's fallback is exercised too.

mod orders;
mod routes;
mod state;

use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer};

use routes::{Handler, Route};
use state::State;

/// The API key the fake accepts.
pub const API_KEY: &str = "fake-mb-key";
/// The API secret the fake accepts.
pub const API_SECRET: &str = "fake-mb-secret";
/// The one account's id.
pub const ACCOUNT_ID: &str = "a322205ace882ef800553118e5000066";
/// The one listed market.
pub const SYMBOL: &str = "BTC-BRL";
/// Smallest order quantity (`min-volume`).
pub const MIN_VOLUME: &str = "0.00001";
/// Smallest order value in BRL (`min-cost`).
pub const MIN_COST: &str = "1";

/// The running fake.
#[derive(Debug)]
pub struct FakeMercadoBitcoin {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl FakeMercadoBitcoin {
    /// Starts the fake with BTC-BRL at 250,000 and an account holding 100,000 BRL.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        {
            let mut s = state.lock().unwrap();
            s.prices.insert(SYMBOL.into(), Decimal::from(250_000));
            s.balances.insert("BRL".into(), (Decimal::from(100_000), Decimal::ZERO));
        }
        let id = r"[A-Za-z0-9]+";
        let account = format!("/api/v4/accounts/{id}");
        let routes: [(&str, String, Route); 12] = [
            ("POST", "^/api/v4/authorize$".into(), Route::Authorize),
            ("GET", "^/api/v4/accounts$".into(), Route::Accounts),
            ("GET", "^/api/v4/symbols$".into(), Route::Symbols),
            ("GET", "^/api/v4/tickers$".into(), Route::Tickers),
            ("GET", r"^/api/v4/[A-Z0-9]+-[A-Z0-9]+/orderbook$".into(), Route::OrderBook),
            ("GET", "^/api/v4/candles$".into(), Route::Candles),
            ("GET", format!("^{account}/balances$"), Route::Balances),
            ("POST", format!("^{account}/[A-Z0-9]+-[A-Z0-9]+/orders$"), Route::PlaceOrder),
            ("GET", format!("^{account}/[A-Z0-9]+-[A-Z0-9]+/orders$"), Route::ListOrders),
            ("GET", format!("^{account}/[A-Z0-9]+-[A-Z0-9]+/orders/{id}$"), Route::GetOrder),
            ("DELETE", format!("^{account}/[A-Z0-9]+-[A-Z0-9]+/orders/{id}$"), Route::CancelOrder),
            ("GET", format!("^{account}/orders$"), Route::AllOrders),
        ];
        for (verb, pattern, route) in routes {
            Mock::given(method(verb))
                .and(path_regex(pattern))
                .respond_with(Handler { route, state: state.clone() })
                .mount(&server)
                .await;
        }
        Self { server, state }
    }

    /// The API root to configure the adapter with (`http://127.0.0.1:<port>/api/v4`).
    pub fn base_url(&self) -> String {
        format!("{}/api/v4", self.server.uri())
    }

    /// Moves `symbol`'s last price (bid and ask 10 either side) and fills resting orders it crosses.
    pub fn set_price(&self, symbol: &str, price: Decimal) {
        self.state.lock().unwrap().set_price(symbol, price);
    }

    /// How many requests reached `path` with `verb` (e.g. to check a call was never sent).
    pub async fn hits(&self, verb: &str, exact_path: &str) -> usize {
        let all = self.server.received_requests().await.unwrap_or_default();
        all.iter().filter(|r| r.method.as_str() == verb && r.url.path() == exact_path).count()
    }

    /// Serves `candles` (oldest first) for `resolution` (`1m`, `15m`, `1h`, `1d`, …) from now on,
    /// instead of synthetic ones.
    pub fn load_candles(&self, resolution: &str, candles: Vec<domain::market::Candle>) {
        self.state.lock().unwrap().series.insert(resolution.to_owned(), candles);
    }

    /// The account's (available, on hold) balance of `asset`.
    pub fn balance(&self, asset: &str) -> (Decimal, Decimal) {
        self.state.lock().unwrap().balances.get(asset).copied().unwrap_or_default()
    }
}
