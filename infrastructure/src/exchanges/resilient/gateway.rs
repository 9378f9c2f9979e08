//! [`ResilientExchange`]: time-outs, retries with backoff, a circuit breaker and metrics around
//! any [`ExchangeGateway`].

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use backon::Retryable as _;
use domain::exchange::{
    AccountInfo, ApiCredentials, Balance, ExchangeError, ExchangeGateway, ExchangeId, ExchangeOrder, OrderRef,
    OrderRequest,
};
use domain::market::{Candle, CandleRange, Market, OrderBook, Symbol, Ticker, Timeframe};
use tokio::time::Instant;

use super::breaker::{CircuitBreaker, CircuitState};
use super::config::ResilienceConfig;
use super::metrics::{error_kind, ExchangeMetrics};
use super::policy::{is_failure, rate_limit_wait, retry_delays, Endpoint};

/// Decorates one exchange adapter: every call gets a time-out, idempotent reads are retried on
/// transient errors with exponential backoff and jitter, a per-exchange breaker fails calls fast
/// while the exchange is down, and every attempt is measured. See docs/exchanges/resilience.md.
pub struct ResilientExchange {
    inner: Arc<dyn ExchangeGateway>,
    exchange: ExchangeId,
    config: ResilienceConfig,
    breaker: CircuitBreaker,
    metrics: ExchangeMetrics,
}

impl std::fmt::Debug for ResilientExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResilientExchange")
            .field("exchange", &self.exchange)
            .field("config", &self.config)
            .field("circuit", &self.breaker.state())
            .finish_non_exhaustive()
    }
}

/// How an attempt ended when it did not succeed.
enum Failure {
    /// The breaker refused it; never retried.
    CircuitOpen(ExchangeError),
    /// The adapter failed or timed out.
    Call(ExchangeError),
}

impl ResilientExchange {
    /// Wraps `inner` with `config`, recording into `metrics` (shared by every decorated exchange).
    pub fn new(inner: Arc<dyn ExchangeGateway>, config: ResilienceConfig, metrics: ExchangeMetrics) -> Self {
        let exchange = inner.id();
        let breaker = CircuitBreaker::new(config.breaker_failures, config.breaker_cooldown);
        metrics.set_circuit(exchange, breaker.state());
        Self { inner, exchange, config, breaker, metrics }
    }

    /// [`ResilientExchange::new`], ready to hand out as the port.
    pub fn wrap(
        inner: Arc<dyn ExchangeGateway>,
        config: ResilienceConfig,
        metrics: ExchangeMetrics,
    ) -> Arc<dyn ExchangeGateway> {
        Arc::new(Self::new(inner, config, metrics))
    }

    /// The breaker's current state.
    pub fn circuit_state(&self) -> CircuitState {
        self.breaker.state()
    }

    /// Runs `op` under the policy of `endpoint`: at most `max_attempts` attempts for idempotent
    /// calls, exactly one otherwise. `backon` drives the retries (when, how long, sleeping on
    /// tokio's clock); the policy says which errors are retried and how long each backoff is
    /// ([`retry_delays`]: doubling, capped, jittered in its upper half; a rate limit waits what the
    /// exchange asked if that is short enough).
    async fn call<T, F, Fut>(&self, endpoint: Endpoint, mut op: F) -> Result<T, ExchangeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ExchangeError>>,
    {
        let attempts = if endpoint.idempotent() { self.config.max_attempts.max(1) } else { 1 };
        let mut attempt = 0_u32;
        let outcome = (|| self.attempt(endpoint, op()))
            .retry(retry_delays(&self.config, attempts))
            .sleep(tokio::time::sleep)
            .when(|failure| matches!(failure, Failure::Call(err) if err.is_transient()))
            .adjust(|failure, backoff| match failure {
                Failure::Call(err) => rate_limit_wait(&self.config, err, backoff?),
                Failure::CircuitOpen(_) => None,
            })
            .notify(|failure, delay| {
                attempt += 1;
                if let Failure::Call(err) = failure {
                    tracing::debug!(
                        exchange = %self.exchange, endpoint = endpoint.as_str(), attempt,
                        delay_ms = delay.as_millis() as u64, error = %err, "retrying exchange call"
                    );
                }
                self.metrics.record_retry(self.exchange, endpoint.as_str());
            })
            .await;
        outcome.map_err(|failure| match failure {
            Failure::CircuitOpen(err) | Failure::Call(err) => err,
        })
    }

    /// One attempt through the breaker, with the time-out, recorded in the metrics.
    async fn attempt<T>(
        &self,
        endpoint: Endpoint,
        fut: impl Future<Output = Result<T, ExchangeError>>,
    ) -> Result<T, Failure> {
        let (permit, state) = self.breaker.acquire();
        self.metrics.set_circuit(self.exchange, state);
        let Some(permit) = permit else {
            self.metrics.record_call(self.exchange, endpoint.as_str(), "circuit_open", None);
            let err = anyhow::anyhow!("circuit open for {}", self.exchange);
            return Err(Failure::CircuitOpen(ExchangeError::Unavailable(err)));
        };
        let timeout = endpoint.timeout(&self.config);
        let started = Instant::now();
        let outcome = tokio::time::timeout(timeout, fut).await;
        let took = started.elapsed();
        let (result, label, failed) = match outcome {
            Ok(Ok(value)) => (Ok(value), "ok", false),
            Ok(Err(err)) => {
                let (label, failed) = (error_kind(&err), is_failure(&err));
                (Err(err), label, failed)
            }
            Err(_) => (Err(endpoint.timed_out(self.exchange, timeout)), "timeout", true),
        };
        let after = permit.record(failed);
        if after != state && after == CircuitState::Open {
            tracing::warn!(exchange = %self.exchange, endpoint = endpoint.as_str(), "exchange circuit opened");
        } else if after != state && after == CircuitState::Closed {
            tracing::info!(exchange = %self.exchange, "exchange circuit closed");
        }
        self.metrics.set_circuit(self.exchange, after);
        self.metrics.record_call(self.exchange, endpoint.as_str(), label, Some(took));
        result.map_err(Failure::Call)
    }
}

#[async_trait]
impl ExchangeGateway for ResilientExchange {
    fn id(&self) -> ExchangeId {
        self.exchange
    }

    fn timeframes(&self) -> Vec<Timeframe> {
        self.inner.timeframes()
    }

    async fn markets(&self) -> Result<Vec<Market>, ExchangeError> {
        self.call(Endpoint::Markets, || self.inner.markets()).await
    }

    async fn market(&self, symbol: &Symbol) -> Result<Market, ExchangeError> {
        self.call(Endpoint::Market, || self.inner.market(symbol)).await
    }

    async fn ticker(&self, symbol: &Symbol) -> Result<Ticker, ExchangeError> {
        self.call(Endpoint::Ticker, || self.inner.ticker(symbol)).await
    }

    async fn order_book(&self, symbol: &Symbol, depth: u32) -> Result<OrderBook, ExchangeError> {
        self.call(Endpoint::OrderBook, || self.inner.order_book(symbol, depth)).await
    }

    async fn candles(
        &self,
        symbol: &Symbol,
        timeframe: Timeframe,
        range: CandleRange,
    ) -> Result<Vec<Candle>, ExchangeError> {
        self.call(Endpoint::Candles, || self.inner.candles(symbol, timeframe, range)).await
    }

    async fn place_order(&self, creds: &ApiCredentials, order: &OrderRequest) -> Result<ExchangeOrder, ExchangeError> {
        self.call(Endpoint::PlaceOrder, || self.inner.place_order(creds, order)).await
    }

    async fn cancel_order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.call(Endpoint::CancelOrder, || self.inner.cancel_order(creds, symbol, order)).await
    }

    async fn order(
        &self,
        creds: &ApiCredentials,
        symbol: &Symbol,
        order: &OrderRef,
    ) -> Result<ExchangeOrder, ExchangeError> {
        self.call(Endpoint::Order, || self.inner.order(creds, symbol, order)).await
    }

    async fn open_orders(
        &self,
        creds: &ApiCredentials,
        symbol: Option<Symbol>,
    ) -> Result<Vec<ExchangeOrder>, ExchangeError> {
        self.call(Endpoint::OpenOrders, || self.inner.open_orders(creds, symbol.clone())).await
    }

    async fn balances(&self, creds: &ApiCredentials) -> Result<Vec<Balance>, ExchangeError> {
        self.call(Endpoint::Balances, || self.inner.balances(creds)).await
    }

    async fn account_info(&self, creds: &ApiCredentials) -> Result<AccountInfo, ExchangeError> {
        self.call(Endpoint::AccountInfo, || self.inner.account_info(creds)).await
    }
}
