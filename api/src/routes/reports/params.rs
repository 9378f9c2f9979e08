//! The reports' query parameters, as the client sends them; the use cases validate each and
//! name a bad one.

use serde::Deserialize;
use utoipa::IntoParams;

/// `GET /api/reports/profit`'s parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfitParams {
    /// Only this bot.
    #[param(value_type = Option<crate::routes::wire::Id>)]
    pub bot_id: Option<String>,
}

/// `GET /api/reports/positions`'s parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionsParams {
    /// Closed positions of the last this many days, 1 to 36,500 (default: the whole window).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 36500)]
    pub days: Option<String>,
    /// `open`, `closed` or `all` (default).
    #[param(pattern = "^(open|closed|all)$")]
    pub status: Option<String>,
    /// Items to skip, 0 to 100,000,000 (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// `GET /api/reports/trades`'s (and the trades export's) filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TradesParams {
    /// Only this market, `BASE-QUOTE` (as a context's `symbol`: `-`, `/` or `_` between the assets).
    #[param(max_length = 32, example = "BTC-BRL", pattern = r"^\s*[A-Za-z0-9]{2,12}\s*[-/_]\s*[A-Za-z0-9]{2,12}\s*$")]
    pub symbol: Option<String>,
    /// Closed at or after this RFC 3339 instant (moved up to the window's start).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Closed before this RFC 3339 instant.
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Items to skip, 0 to 100,000,000 (default 0; the export ignores it).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<u64>,
    /// Page size, 1 to 200 (default 50; the export ignores it).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

impl TradesParams {
    /// The use case's query.
    pub fn query(&self) -> application::reports::TradesQuery {
        application::reports::TradesQuery { symbol: self.symbol.clone(), from: self.from.clone(), to: self.to.clone() }
    }
}
