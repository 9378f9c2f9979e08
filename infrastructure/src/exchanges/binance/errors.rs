//! Binance's failures, translated at the seam: `{"code":-N,"msg":…}` bodies and HTTP statuses
//! become [`ExchangeError`]s, keeping "sent but fate unknown" apart until the caller decides.

use domain::exchange::ExchangeError;
use domain::market::{FilterViolation, Symbol};

/// Timestamp outside `recvWindow` or ahead of the server: resync the clock and retry once.
pub(crate) const INVALID_TIMESTAMP: i64 = -1021;
/// "Timeout waiting for response from backend server. Send status unknown."
pub(crate) const BACKEND_TIMEOUT: i64 = -1007;
/// The order does not exist.
pub(crate) const NO_SUCH_ORDER: i64 = -2013;
/// Refused by the API's own checks before matching; the message names the filter.
pub(crate) const FILTER_FAILURE: i64 = -1013;
/// Refused by the matching engine (insufficient balance, duplicate client id, market closed...).
pub(crate) const NEW_ORDER_REJECTED: i64 = -2010;

/// How one HTTP exchange with Binance went wrong.
#[derive(Debug)]
pub(crate) enum CallError {
    /// Binance answered with its own error code.
    Api {
        /// Binance's code (negative).
        code: i64,
        /// Binance's message.
        msg: String,
    },
    /// A definitive failure: the request was not sent, or the answer settles it.
    Failed(ExchangeError),
    /// The request was sent and its fate is unknown (time-out, 5xx, -1007, unreadable answer).
    Unknown(String),
}

impl CallError {
    /// The error of a call whose repetition is harmless: an unknown outcome is just unavailability.
    pub(crate) fn into_read_error(self, symbol: Option<&Symbol>) -> ExchangeError {
        match self {
            CallError::Api { code, msg, .. } => map_api_error(code, &msg, symbol),
            CallError::Failed(e) => e,
            CallError::Unknown(why) => ExchangeError::unavailable(anyhow::anyhow!("binance: {why}")),
        }
    }

    /// Whether Binance refused a placement because an open order already has its client id.
    pub(crate) fn is_duplicate_order(&self) -> bool {
        matches!(self, CallError::Api { code: NEW_ORDER_REJECTED, msg } if msg.contains("Duplicate order"))
    }

    /// Whether Binance said the order does not exist.
    pub(crate) fn is_no_such_order(&self) -> bool {
        matches!(self, CallError::Api { code: NO_SUCH_ORDER, .. })
            || matches!(self, CallError::Api { code: -2011, msg, .. } if msg.contains("Unknown order"))
    }
}

impl From<ExchangeError> for CallError {
    fn from(e: ExchangeError) -> Self {
        CallError::Failed(e)
    }
}

/// Maps a Binance error code and message to the port's error; `symbol` names the market the
/// call was about, for `UnknownSymbol`.
pub(crate) fn map_api_error(code: i64, msg: &str, symbol: Option<&Symbol>) -> ExchangeError {
    let rejected = || ExchangeError::Rejected { code: code.to_string(), message: msg.to_owned() };
    match code {
        -2015 | -2014 | -1022 | -2008 => ExchangeError::Unauthorized(format!("{code}: {msg}")),
        -2013 => ExchangeError::OrderNotFound,
        -2011 if msg.contains("Unknown order") => ExchangeError::OrderNotFound,
        -1121 => symbol.cloned().map_or_else(rejected, ExchangeError::UnknownSymbol),
        -2010 if msg.to_ascii_lowercase().contains("insufficient balance") => ExchangeError::InsufficientBalance,
        -2010 if msg.contains("Market is closed") => ExchangeError::Filter(FilterViolation::MarketClosed),
        -1003 => ExchangeError::RateLimited { retry_after_secs: 60 },
        // -1013 "Filter failure: …" names the filter but not the values a `FilterViolation`
        // carries; our own pre-send check catches those with values, so this stays a rejection.
        _ => rejected(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_port_errors() {
        let btc = Symbol::parse("BTC-BRL").unwrap();
        assert!(matches!(
            map_api_error(-2015, "Invalid API-key, IP, or permissions for action.", None),
            ExchangeError::Unauthorized(_)
        ));
        assert!(matches!(
            map_api_error(-1022, "Signature for this request is not valid.", None),
            ExchangeError::Unauthorized(_)
        ));
        assert!(matches!(map_api_error(-2014, "API-key format invalid.", None), ExchangeError::Unauthorized(_)));
        assert!(matches!(
            map_api_error(-2010, "Account has insufficient balance for requested action.", None),
            ExchangeError::InsufficientBalance
        ));
        assert!(matches!(
            map_api_error(-2010, "Market is closed.", None),
            ExchangeError::Filter(FilterViolation::MarketClosed)
        ));
        assert!(matches!(map_api_error(-2011, "Unknown order sent.", None), ExchangeError::OrderNotFound));
        assert!(matches!(map_api_error(-2013, "Order does not exist.", None), ExchangeError::OrderNotFound));
        assert!(
            matches!(map_api_error(-1121, "Invalid symbol.", Some(&btc)), ExchangeError::UnknownSymbol(s) if s == btc)
        );
        assert!(matches!(map_api_error(-1013, "Filter failure: LOT_SIZE", None),
            ExchangeError::Rejected { code, .. } if code == "-1013"));
        assert!(matches!(map_api_error(-2010, "Duplicate order sent.", None), ExchangeError::Rejected { .. }));
    }
}
