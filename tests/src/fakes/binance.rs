//! A stateful fake of Binance's spot REST API on a local wiremock server: exchangeInfo with
//! BTCBRL and BTCUSDT, prices moved by [`FakeBinance::set_price`], one funded account whose
//! orders rest, fill and cancel, and klines. Signed calls are checked (key, HMAC, timestamp).

mod book;
mod market;
mod routes;

use std::sync::{Arc, Mutex};

use domain::exchange::ApiCredentials;
use domain::market::Symbol;
use rust_decimal::Decimal;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use book::Account;
use market::FakeMarket;
use routes::{Endpoint, Route};

/// The account's API key (Binance's documented example key).
pub const API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
/// The account's API secret (Binance's documented example secret).
pub const API_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/// Everything the fake remembers.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) markets: Vec<FakeMarket>,
    pub(crate) account: Account,
    pub(crate) next_order: i64,
    pub(crate) used_weight: u64,
    pub(crate) can_withdraw: bool,
    /// Every call answers 503 while set ([`FakeBinance::set_down`]).
    pub(crate) down: bool,
}

pub(crate) type Shared = Arc<Mutex<State>>;

/// Milliseconds since the epoch: the fake's server time.
pub(crate) fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A running fake Binance.
#[derive(Debug)]
pub struct FakeBinance {
    server: MockServer,
    state: Shared,
}

impl FakeBinance {
    /// Starts a fake whose account holds 1 BTC, 1,000,000 BRL and 1,000,000 USDT.
    pub async fn start() -> Self {
        let mut account = Account::default();
        for (asset, free) in [("BTC", 1), ("BRL", 1_000_000), ("USDT", 1_000_000)] {
            account.balances.insert(asset.to_owned(), (Decimal::from(free), Decimal::ZERO));
        }
        let state = Arc::new(Mutex::new(State {
            markets: FakeMarket::listed(),
            account,
            next_order: 1000,
            used_weight: 0,
            can_withdraw: false,
            down: false,
        }));
        let server = MockServer::start().await;
        let routes = [
            ("GET", "/api/v3/time", Route::Time),
            ("GET", "/api/v3/exchangeInfo", Route::ExchangeInfo),
            ("GET", "/api/v3/ticker/24hr", Route::Ticker24h),
            ("GET", "/api/v3/ticker/price", Route::TickerPrice),
            ("GET", "/api/v3/depth", Route::Depth),
            ("GET", "/api/v3/klines", Route::Klines),
            ("POST", "/api/v3/order", Route::NewOrder),
            ("GET", "/api/v3/order", Route::GetOrder),
            ("DELETE", "/api/v3/order", Route::CancelOrder),
            ("GET", "/api/v3/openOrders", Route::OpenOrders),
            ("GET", "/api/v3/account", Route::Account),
        ];
        for (verb, route_path, route) in routes {
            Mock::given(method(verb))
                .and(path(route_path))
                .respond_with(Endpoint { state: state.clone(), route })
                .mount(&server)
                .await;
        }
        Self { server, state }
    }

    /// The base URL to point an adapter at.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Credentials of the fake's account.
    pub fn credentials(&self) -> ApiCredentials {
        ApiCredentials { api_key: API_KEY.into(), api_secret: API_SECRET.into(), testnet: false }
    }

    /// Moves a market's last price (bid and ask follow, a tenth of a percent either side) and
    /// fills the resting orders the new price crosses. Panics on a symbol the fake does not list.
    pub fn set_price(&self, symbol: &Symbol, price: Decimal) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let name = symbol.concatenated();
        let market =
            state.markets.iter_mut().find(|m| m.name == name).unwrap_or_else(|| panic!("{name} is not listed"));
        market.price = price;
        let market = market.clone();
        state.account.cross(&market, now_ms());
    }

    /// Sets an asset's free balance.
    pub fn set_balance(&self, asset: &str, free: Decimal) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.account.balances.entry(asset.to_owned()).or_default().0 = free;
    }

    /// Makes the account report withdrawal rights (`canWithdraw`).
    pub fn allow_withdrawals(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).can_withdraw = true;
    }

    /// Takes the fake down (every call answers 503) or brings it back up.
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).down = down;
    }

    /// How many orders the fake has accepted.
    pub fn orders_placed(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).account.orders.len()
    }
}
