//! What the decorator does per call kind: its time-out, whether it may be retried, what a
//! time-out becomes, which errors trip the breaker, and how long to back off.

use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeId};
use rand::Rng as _;

use super::config::ResilienceConfig;

/// One method of the port; the `endpoint` label of the metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Markets,
    Market,
    Ticker,
    OrderBook,
    Candles,
    PlaceOrder,
    CancelOrder,
    Order,
    OpenOrders,
    Balances,
    AccountInfo,
}

impl Endpoint {
    /// The label value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Endpoint::Markets => "markets",
            Endpoint::Market => "market",
            Endpoint::Ticker => "ticker",
            Endpoint::OrderBook => "order_book",
            Endpoint::Candles => "candles",
            Endpoint::PlaceOrder => "place_order",
            Endpoint::CancelOrder => "cancel_order",
            Endpoint::Order => "order",
            Endpoint::OpenOrders => "open_orders",
            Endpoint::Balances => "balances",
            Endpoint::AccountInfo => "account_info",
        }
    }

    /// Reads may be repeated; placing and cancelling may not (the adapters own idempotent placement).
    pub(crate) fn idempotent(self) -> bool {
        !matches!(self, Endpoint::PlaceOrder | Endpoint::CancelOrder)
    }

    /// The time-out of one attempt.
    pub(crate) fn timeout(self, config: &ResilienceConfig) -> Duration {
        match self {
            Endpoint::PlaceOrder => config.place_order_timeout,
            Endpoint::CancelOrder => config.cancel_order_timeout,
            _ => config.read_timeout,
        }
    }

    /// What a time-out becomes: on a write the request may have taken effect (`OutcomeUnknown`,
    /// resolve the order by its client id); on a read nothing happened (`Unavailable`).
    pub(crate) fn timed_out(self, exchange: ExchangeId, after: Duration) -> ExchangeError {
        let message = format!("{} on {exchange} timed out after {} ms", self.as_str(), after.as_millis());
        if self.idempotent() {
            ExchangeError::Unavailable(anyhow::anyhow!(message))
        } else {
            ExchangeError::OutcomeUnknown(message)
        }
    }
}

/// Whether an error counts against the breaker: transient errors do (the exchange is struggling);
/// business errors (unknown symbol, filters, balance, order not found, rejected, unauthorized) do
/// not, nor does `Banned`, which the adapters already enforce locally until it ends.
pub(crate) fn is_failure(err: &ExchangeError) -> bool {
    err.is_transient()
}

/// The backoffs between `attempts` attempts (one fewer than the attempts), for `backon`: the
/// backoff after attempt 1, 2, … ([`backoff`]).
pub(crate) fn retry_delays(
    config: &ResilienceConfig,
    attempts: u32,
) -> impl Iterator<Item = Duration> + Send + Sync + Unpin + '_ {
    (1..attempts).map(move |attempt| backoff(config, attempt))
}

/// The wait before retrying after `err` when the policy's backoff is `backoff`: the backoff, or
/// for a rate limit the exchange's `Retry-After` (at least the backoff), or `None` when that is
/// longer than `max_rate_limit_wait` (the call fails instead of blocking its caller).
pub(crate) fn rate_limit_wait(config: &ResilienceConfig, err: &ExchangeError, backoff: Duration) -> Option<Duration> {
    match err {
        ExchangeError::RateLimited { retry_after_secs } => {
            let wait = Duration::from_secs(*retry_after_secs);
            (wait <= config.max_rate_limit_wait).then(|| wait.max(backoff))
        }
        _ => Some(backoff),
    }
}

/// How long to wait before retrying an idempotent call whose attempt number `attempt` (from 1)
/// failed with `err`, or `None` when it must not be retried (the decision `call` makes).
#[cfg(test)]
pub(crate) fn retry_delay(config: &ResilienceConfig, err: &ExchangeError, attempt: u32) -> Option<Duration> {
    if !err.is_transient() {
        return None;
    }
    rate_limit_wait(config, err, backoff(config, attempt))
}

/// The ceiling of the backoff after attempt `attempt` (from 1): base, 2 x base, 4 x base …
/// capped at `backoff_max`.
pub(crate) fn backoff_ceiling(config: &ResilienceConfig, attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
    config.backoff_base.saturating_mul(factor).min(config.backoff_max)
}

/// The backoff after attempt `attempt`: the ceiling, or with jitter a random point of its upper half.
pub(crate) fn backoff(config: &ResilienceConfig, attempt: u32) -> Duration {
    let ceiling = backoff_ceiling(config, attempt);
    if !config.jitter {
        return ceiling;
    }
    let half = ceiling / 2;
    let spread = u64::try_from((ceiling - half).as_micros()).unwrap_or(u64::MAX);
    half + Duration::from_micros(rand::thread_rng().gen_range(0..=spread))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ResilienceConfig {
        ResilienceConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            ..ResilienceConfig::default()
        }
    }

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let c = config();
        let got: Vec<_> = (1..=5).map(|a| backoff_ceiling(&c, a).as_millis()).collect();
        assert_eq!(got, [100, 200, 350, 350, 350]);
        assert_eq!(backoff_ceiling(&c, 200), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_in_the_upper_half_of_the_ceiling() {
        let c = config();
        for attempt in 1..=4 {
            let ceiling = backoff_ceiling(&c, attempt);
            for _ in 0..200 {
                let d = backoff(&c, attempt);
                assert!(
                    d >= ceiling / 2 && d <= ceiling,
                    "attempt {attempt}: {d:?} outside [{:?}, {ceiling:?}]",
                    ceiling / 2
                );
            }
        }
    }

    #[test]
    fn only_transient_errors_are_retried_and_long_rate_limits_are_not() {
        let c = ResilienceConfig { jitter: false, ..config() };
        assert_eq!(
            retry_delay(&c, &ExchangeError::unavailable(anyhow::anyhow!("down")), 1),
            Some(Duration::from_millis(100))
        );
        assert_eq!(retry_delay(&c, &ExchangeError::OutcomeUnknown("5xx".into()), 2), Some(Duration::from_millis(200)));
        assert_eq!(
            retry_delay(&c, &ExchangeError::RateLimited { retry_after_secs: 1 }, 1),
            Some(Duration::from_secs(1))
        );
        assert_eq!(retry_delay(&c, &ExchangeError::RateLimited { retry_after_secs: 3 }, 1), None);
        let banned = ExchangeError::Banned { until: time::OffsetDateTime::now_utc() };
        for err in [
            banned,
            ExchangeError::OrderNotFound,
            ExchangeError::InsufficientBalance,
            ExchangeError::Unauthorized("key".into()),
        ] {
            assert_eq!(retry_delay(&c, &err, 1), None, "{err:?}");
        }
    }

    #[test]
    fn a_time_out_is_unknown_only_for_writes() {
        let after = Duration::from_millis(10);
        assert!(matches!(Endpoint::PlaceOrder.timed_out(ExchangeId::Binance, after), ExchangeError::OutcomeUnknown(_)));
        assert!(matches!(
            Endpoint::CancelOrder.timed_out(ExchangeId::Binance, after),
            ExchangeError::OutcomeUnknown(_)
        ));
        assert!(matches!(Endpoint::Order.timed_out(ExchangeId::Binance, after), ExchangeError::Unavailable(_)));
    }
}
