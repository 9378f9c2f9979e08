//! Mercado Bitcoin's error answers and their translation into [`ExchangeError`].
//!
//! Two documented shapes: `{"code": "TRADING|GET_ORDER|ORDER_NOT_FOUND", "message": ".."}` (v4
//! swagger; domain errors are HTTP 400) and `{"error": {"code": 401, "status": "Unauthorized",
//! "reason": "..", "message": ".."}}` (newer docs, for 401/403).

use domain::exchange::ExchangeError;
use domain::market::Symbol;
use serde::Deserialize;

/// Seconds to wait after a rate-limit answer that carries no `Retry-After`.
pub(crate) const DEFAULT_RETRY_AFTER_SECS: u64 = 10;

#[derive(Deserialize)]
struct Flat {
    code: Option<serde_json::Value>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct Nested {
    error: Flat,
}

/// An error answer from the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiFailure {
    /// HTTP status.
    pub status: u16,
    /// The full code (`TRADING|GET_ORDER|ORDER_NOT_FOUND`), empty when absent.
    pub code: String,
    /// The message, empty when absent.
    pub message: String,
    /// `Retry-After` in seconds, when sent.
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    /// Parses either documented body; an unparseable body keeps only the status.
    pub fn parse(status: u16, body: &[u8], retry_after: Option<u64>) -> Self {
        let flat = serde_json::from_slice::<Nested>(body)
            .map(|n| n.error)
            .or_else(|_| serde_json::from_slice::<Flat>(body))
            .ok();
        let code = match flat.as_ref().and_then(|f| f.code.as_ref()) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let message = flat.and_then(|f| f.message).unwrap_or_default();
        Self { status, code, message, retry_after }
    }

    /// The specific error: the last `|` segment of the code (`ORDER_NOT_FOUND`).
    pub fn kind(&self) -> &str {
        self.code.rsplit('|').next().unwrap_or_default()
    }

    /// The token is missing, expired or invalid: worth one fresh token and one retry.
    pub fn is_token_problem(&self) -> bool {
        self.status == 401
            || (self.status == 403 && self.kind() == "FORBIDDEN" && self.message.contains("authenticated"))
    }

    /// Whether this is a rate-limit answer.
    pub fn is_rate_limit(&self) -> bool {
        self.status == 429 || matches!(self.kind(), "REQUEST_RATE_EXCEEDED" | "REQUEST_DENIED" | "REQUEST_BLOCKED")
    }

    /// Seconds to wait after a rate-limit answer.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.unwrap_or(DEFAULT_RETRY_AFTER_SECS)
    }

    /// The normalised error. `symbol` names the market of the call, for `UnknownSymbol`. A 5xx
    /// is `OutcomeUnknown` (the request may have been acted on); read-only callers downgrade it.
    pub fn into_error(self, symbol: Option<&Symbol>) -> ExchangeError {
        if self.is_rate_limit() {
            return ExchangeError::RateLimited { retry_after_secs: self.retry_after_secs() };
        }
        match (self.status, self.kind()) {
            (401, _) => ExchangeError::Unauthorized("Mercado Bitcoin refused the access token".into()),
            (_, "INVALID_ACCESS") => ExchangeError::Unauthorized("the API key is read-only".into()),
            (403, _) | (_, "FORBIDDEN") => ExchangeError::Unauthorized("Mercado Bitcoin refused the API key".into()),
            (_, "ORDER_NOT_FOUND") | (404, _) => ExchangeError::OrderNotFound,
            (_, "INSUFFICIENT_BALANCE") => ExchangeError::InsufficientBalance,
            (_, "INVALID_SYMBOL" | "INVALID_PAIR") if symbol.is_some() => {
                ExchangeError::UnknownSymbol(symbol.cloned().expect("checked"))
            }
            (_, "API_UNAVAILABLE") => ExchangeError::unavailable(anyhow::anyhow!("Mercado Bitcoin API unavailable")),
            (500.., _) => ExchangeError::OutcomeUnknown(format!("Mercado Bitcoin answered HTTP {}", self.status)),
            _ => ExchangeError::Rejected {
                code: if self.code.is_empty() { format!("HTTP_{}", self.status) } else { self.code },
                message: self.message,
            },
        }
    }
}

/// Turns an `OutcomeUnknown` of a call that changes nothing into `Unavailable`.
pub(crate) fn read_only(err: ExchangeError) -> ExchangeError {
    match err {
        ExchangeError::OutcomeUnknown(why) => ExchangeError::unavailable(anyhow::anyhow!(why)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_documented_shapes_parse() {
        let flat = ApiFailure::parse(400, br#"{"code":"TRADING|GET_ORDER|ORDER_NOT_FOUND","message":"x"}"#, None);
        assert_eq!(flat.kind(), "ORDER_NOT_FOUND");
        assert!(matches!(flat.into_error(None), ExchangeError::OrderNotFound));
        let nested = ApiFailure::parse(
            401,
            br#"{"error":{"code":401,"status":"Unauthorized","reason":"r","message":"expired"}}"#,
            None,
        );
        assert_eq!((nested.code.as_str(), nested.message.as_str()), ("401", "expired"));
        assert!(nested.is_token_problem());
        let old = ApiFailure::parse(403, br#"{"code":"API|FORBIDDEN","message":"You need to be authenticated"}"#, None);
        assert!(old.is_token_problem());
    }

    #[test]
    fn codes_map_to_domain_errors() {
        let btc = Symbol::parse("BTC-BRL").unwrap();
        let f = |status, code: &str| ApiFailure::parse(status, format!(r#"{{"code":"{code}"}}"#).as_bytes(), None);
        assert!(matches!(
            f(400, "TRADING|PLACE|INSUFFICIENT_BALANCE").into_error(None),
            ExchangeError::InsufficientBalance
        ));
        assert!(
            matches!(f(400, "X|Y|INVALID_SYMBOL").into_error(Some(&btc)), ExchangeError::UnknownSymbol(s) if s == btc)
        );
        assert!(matches!(f(403, "X|Y|INVALID_ACCESS").into_error(None), ExchangeError::Unauthorized(_)));
        assert!(matches!(
            f(400, "X|Y|REQUEST_RATE_EXCEEDED").into_error(None),
            ExchangeError::RateLimited { retry_after_secs: DEFAULT_RETRY_AFTER_SECS }
        ));
        assert!(matches!(f(500, "API|INTERNAL_SERVER_ERROR").into_error(None), ExchangeError::OutcomeUnknown(_)));
        assert!(matches!(
            f(400, "TRADING|PLACE|INVALID_DECIMAL_PLACES").into_error(None),
            ExchangeError::Rejected { code, .. } if code == "TRADING|PLACE|INVALID_DECIMAL_PLACES"
        ));
        let limited = ApiFailure::parse(429, b"", Some(7));
        assert!(matches!(limited.into_error(None), ExchangeError::RateLimited { retry_after_secs: 7 }));
    }
}
