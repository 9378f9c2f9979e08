//! Tests of context analysis with mocked ports: one candle read per market, one signal per
//! context on the last closed candle, failures counted without stopping the run, ownership.

use std::sync::{Arc, Mutex};

use domain::contexts::analysis::{default_indicators, WINDOW};
use domain::contexts::{
    ContextMode, ContextSignal, MockContextRepository, MockContextSignalRepository, TradingContext,
};
use domain::exchange::{ExchangeError, ExchangeId, MockExchangeGateway};
use domain::market::{Candle, Symbol, Timeframe};
use domain::shared::clock::FixedClock;
use domain::shared::ids::{ContextId, UserId};
use domain::signals::analyze;
use domain::{PageRequest, RepoError};
use rust_decimal::Decimal;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

/// The instant runs happen at: 30 minutes into the hour opening at 12:00.
fn now() -> OffsetDateTime {
    datetime!(2025-06-02 12:30 UTC)
}

/// `count` hourly candles of a zig-zag path whose last one (12:00) is still forming at [`now`].
fn candles(count: usize) -> Vec<Candle> {
    let last = datetime!(2025-06-02 12:00 UTC);
    (0..count)
        .map(|i| {
            let open_time = last - Duration::hours((count - 1 - i) as i64);
            let close = Decimal::from(1_000 + (i as i64 * 37) % 91 - 45);
            Candle {
                open_time,
                open: Decimal::from(1_000),
                high: close.max(Decimal::from(1_000)) + Decimal::ONE,
                low: close.min(Decimal::from(1_000)) - Decimal::ONE,
                close,
                volume: Decimal::from(1 + (i as i64 * 13) % 7),
                quote_volume: None,
            }
        })
        .collect()
}

fn context(user: UserId, exchange: ExchangeId, mode: ContextMode, symbol: &str) -> TradingContext {
    TradingContext::new(user, exchange, &Symbol::parse(symbol).unwrap(), mode, now() - Duration::days(1))
}

/// A gateway serving `series` for BTC-BRL 1h candles and failing for every other market; each
/// market may be read once only.
fn gateway(series: Vec<Candle>) -> MockExchangeGateway {
    let mut gateway = MockExchangeGateway::new();
    gateway
        .expect_candles()
        .withf(|symbol, tf, range| symbol.to_string() == "BTC-BRL" && *tf == Timeframe::H1 && range.limit == 201)
        .times(1)
        .returning(move |_, _, _| Ok(series.clone()));
    gateway
        .expect_candles()
        .withf(|symbol, _, _| symbol.to_string() != "BTC-BRL")
        .times(..=1)
        .returning(|symbol, _, _| Err(ExchangeError::UnknownSymbol(symbol.clone())));
    gateway
}

/// The service over `contexts`, `gateway` (paper Mercado Bitcoin only) and a recorder that
/// keeps what it is given and answers `stored`.
fn service(
    contexts: Vec<TradingContext>,
    gateway: MockExchangeGateway,
    stored: bool,
) -> (ContextAnalysis, Arc<Mutex<Vec<ContextSignal>>>) {
    let mut repo = MockContextRepository::new();
    repo.expect_active().times(1).returning(move || Ok(contexts.clone()));
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let mut signals = MockContextSignalRepository::new();
    let keep = recorded.clone();
    signals.expect_record().returning(move |s| {
        keep.lock().unwrap().push(s.clone());
        Ok(stored)
    });
    let exchanges =
        ExchangeDirectory::default().with(ExchangeId::MercadoBitcoin, ContextMode::Paper, Arc::new(gateway));
    let ports = AnalysisPorts {
        contexts: Arc::new(repo),
        signals: Arc::new(signals),
        subscriptions: crate::subscriptions::unreachable_service(),
        exchanges: Arc::new(exchanges),
        clock: Arc::new(FixedClock::new(now())),
    };
    (ContextAnalysis::new(ports, AnalysisConfig::default()), recorded)
}

#[tokio::test]
async fn each_market_is_read_once_and_every_context_of_it_gets_the_last_closed_candles_signal() {
    let (ana, bia) = (UserId::new(), UserId::new());
    let mb = |user, symbol| context(user, ExchangeId::MercadoBitcoin, ContextMode::Paper, symbol);
    let contexts = vec![mb(ana, "BTC-BRL"), mb(bia, "BTC-BRL")];
    let series = candles(WINDOW + 1);
    let (service, recorded) = service(contexts.clone(), gateway(series.clone()), true);

    let report = service.run().await.unwrap();

    assert_eq!(report, AnalysisReport { contexts: 2, markets: 1, recorded: 2, failed: 0 });
    // The forming 12:00 candle is left out: the 200 candles up to 11:00 are analysed.
    let closed = &series[..WINDOW];
    let expected = analyze(&default_indicators(Timeframe::H1), closed).unwrap();
    let recorded = recorded.lock().unwrap();
    for (signal, context) in recorded.iter().zip(&contexts) {
        assert_eq!((signal.context_id, signal.user_id), (context.id, context.user_id));
        assert_eq!((signal.timeframe, signal.candle_time), (Timeframe::H1, datetime!(2025-06-02 11:00 UTC)));
        assert_eq!((signal.close, signal.created_at), (closed[WINDOW - 1].close, now()));
        assert_eq!(signal.analysis, expected);
    }
}

#[tokio::test]
async fn markets_that_cannot_be_read_or_analysed_are_counted_and_the_run_goes_on() {
    let ana = UserId::new();
    let contexts = vec![
        context(ana, ExchangeId::MercadoBitcoin, ContextMode::Paper, "ETH-BRL"),
        context(ana, ExchangeId::Binance, ContextMode::Paper, "BTC-USDT"),
        context(ana, ExchangeId::MercadoBitcoin, ContextMode::Paper, "BTC-BRL"),
    ];
    let (service, recorded) = service(contexts, gateway(candles(WINDOW + 1)), true);

    let report = service.run().await.unwrap();

    // ETH-BRL: the exchange refuses it; Binance: no gateway on this server.
    assert_eq!(report, AnalysisReport { contexts: 3, markets: 1, recorded: 1, failed: 2 });
    assert_eq!(recorded.lock().unwrap()[0].symbol.to_string(), "BTC-BRL");
}

#[tokio::test]
async fn too_few_closed_candles_give_no_signal() {
    let ana = UserId::new();
    let contexts = vec![context(ana, ExchangeId::MercadoBitcoin, ContextMode::Paper, "BTC-BRL")];
    // The standard set needs 22 closed candles; 22 candles hold 21 closed ones.
    let (service, recorded) = service(contexts, gateway(candles(22)), true);

    let report = service.run().await.unwrap();

    assert_eq!(report, AnalysisReport { contexts: 1, markets: 1, recorded: 0, failed: 1 });
    assert!(recorded.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_candle_already_recorded_is_not_counted_again() {
    let ana = UserId::new();
    let contexts = vec![context(ana, ExchangeId::MercadoBitcoin, ContextMode::Paper, "BTC-BRL")];
    let (service, recorded) = service(contexts, gateway(candles(WINDOW + 1)), false);

    let report = service.run().await.unwrap();

    assert_eq!(report, AnalysisReport { contexts: 1, markets: 1, recorded: 0, failed: 0 });
    assert_eq!(recorded.lock().unwrap().len(), 1, "the store was asked and said it had it");
}

#[tokio::test]
async fn another_users_context_is_not_found_and_its_signals_are_not_read() {
    let mut repo = MockContextRepository::new();
    repo.expect_get().returning(|_, _| Err(RepoError::NotFound));
    let mut signals = MockContextSignalRepository::new();
    signals.expect_list().never();
    signals.expect_latest().never();
    let ports = AnalysisPorts {
        contexts: Arc::new(repo),
        signals: Arc::new(signals),
        subscriptions: crate::subscriptions::unreachable_service(),
        exchanges: Arc::new(ExchangeDirectory::default()),
        clock: Arc::new(FixedClock::new(now())),
    };
    let service = ContextAnalysis::new(ports, AnalysisConfig::for_timeframe(Timeframe::H4));

    let listed = service.signals(UserId::new(), ContextId::new(), PageRequest::first()).await;
    let latest = service.latest(UserId::new(), ContextId::new()).await;

    assert!(matches!(listed, Err(AnalysisError::ContextNotFound)), "{listed:?}");
    assert!(matches!(latest, Err(AnalysisError::ContextNotFound)), "{latest:?}");
    assert_eq!(service.config().indicators, default_indicators(Timeframe::H4));
}
