//! Time-outs and retries: what is retried, how often, and how long the decorator waits.

use std::time::Duration;

use domain::exchange::{ExchangeError, ExchangeGateway, OrderRef};
use domain::market::{CandleRange, Timeframe};

use super::{chain, config, harness, unavailable};
use crate::exchanges::resilient::fake::{btc_usdt, creds, order_request, Step};
use crate::exchanges::resilient::ResilienceConfig;

#[tokio::test(start_paused = true)]
async fn a_read_that_times_out_becomes_unavailable_after_three_attempts() {
    let h = harness(config());
    h.fake.script([Step::Hang, Step::Hang, Step::Hang, Step::Hang]);
    let err = h.gateway.ticker(&btc_usdt()).await.unwrap_err();
    assert!(matches!(err, ExchangeError::Unavailable(_)), "{err:?}");
    assert!(chain(&err).contains("ticker on binance timed out after 1000 ms"), "{}", chain(&err));
    assert_eq!(h.fake.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_place_order_time_out_is_outcome_unknown_and_never_retried() {
    let h = harness(config());
    h.fake.script([Step::Hang, Step::Hang]);
    let err = h.gateway.place_order(&creds(), &order_request()).await.unwrap_err();
    assert!(
        matches!(&err, ExchangeError::OutcomeUnknown(m) if m.contains("place_order on binance timed out")),
        "{err:?}"
    );
    assert_eq!(h.fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn place_and_cancel_are_not_retried_even_on_transient_errors() {
    let h = harness(config());
    h.fake.script([
        Step::Fail(ExchangeError::OutcomeUnknown("502 after sending".into())),
        Step::Fail(unavailable()),
        Step::Fail(unavailable()),
    ]);
    let placed = h.gateway.place_order(&creds(), &order_request()).await;
    assert!(matches!(placed, Err(ExchangeError::OutcomeUnknown(_))), "{placed:?}");
    let order = OrderRef::Exchange("42".into());
    let cancelled = h.gateway.cancel_order(&creds(), &btc_usdt(), &order).await;
    assert!(matches!(cancelled, Err(ExchangeError::Unavailable(_))), "{cancelled:?}");
    assert_eq!((h.fake.calls_to("place_order"), h.fake.calls_to("cancel_order")), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_three_attempts() {
    let h = harness(config());
    h.fake.script((0..5).map(|_| Step::Fail(unavailable())));
    assert!(matches!(h.gateway.markets().await, Err(ExchangeError::Unavailable(_))));
    assert_eq!(h.fake.calls(), 3);
    // The two unused steps are still queued: the next call consumes them.
    assert!(h.gateway.markets().await.is_ok());
    assert_eq!(h.fake.calls(), 6);
}

#[tokio::test(start_paused = true)]
async fn every_idempotent_call_is_retried_after_a_transient_error() {
    let h = harness(config());
    let (creds, btc, order) = (creds(), btc_usdt(), OrderRef::Exchange("7".into()));
    let g = &h.gateway;
    for endpoint in
        ["markets", "market", "ticker", "order_book", "candles", "order", "open_orders", "balances", "account_info"]
    {
        h.fake.script([Step::Fail(unavailable()), Step::Fail(ExchangeError::OutcomeUnknown("5xx".into()))]);
        let ok = match endpoint {
            "markets" => g.markets().await.is_ok(),
            "market" => g.market(&btc).await.is_ok(),
            "ticker" => g.ticker(&btc).await.is_ok(),
            "order_book" => g.order_book(&btc, 5).await.is_ok(),
            "candles" => g.candles(&btc, Timeframe::M1, CandleRange::latest(2)).await.is_ok(),
            "order" => g.order(&creds, &btc, &order).await.is_ok(),
            "open_orders" => g.open_orders(&creds, None).await.is_ok(),
            "balances" => g.balances(&creds).await.is_ok(),
            _ => g.account_info(&creds).await.is_ok(),
        };
        assert!(ok, "{endpoint} should succeed on its third attempt");
        assert_eq!(h.fake.calls_to(endpoint), 3, "{endpoint}");
    }
}

#[tokio::test(start_paused = true)]
async fn business_errors_and_bans_are_not_retried() {
    let h = harness(config());
    let banned = ExchangeError::Banned { until: time::OffsetDateTime::now_utc() + time::Duration::minutes(2) };
    let errors = [
        ExchangeError::UnknownSymbol(btc_usdt()),
        ExchangeError::OrderNotFound,
        ExchangeError::Unauthorized("bad key".into()),
        ExchangeError::Rejected { code: "-1013".into(), message: "filter".into() },
        banned,
    ];
    let n = errors.len();
    h.fake.script(errors.into_iter().map(Step::Fail));
    for _ in 0..n {
        assert!(h.gateway.ticker(&btc_usdt()).await.is_err());
    }
    assert_eq!(h.fake.calls(), n);
}

#[tokio::test(start_paused = true)]
async fn backoff_doubles_between_attempts() {
    let h = harness(config());
    h.fake.script((0..3).map(|_| Step::Fail(unavailable())));
    let _ = h.gateway.balances(&creds()).await;
    let at = h.fake.instants();
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.len(), 2);
    // tokio timers have millisecond resolution.
    for (gap, want) in gaps.iter().zip([100, 200]) {
        let want = Duration::from_millis(want);
        assert!(*gap >= want && *gap <= want + Duration::from_millis(1), "{gaps:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn jittered_backoff_still_grows() {
    let h = harness(ResilienceConfig { jitter: true, ..config() });
    for _ in 0..20 {
        let before = h.fake.calls();
        h.fake.script((0..3).map(|_| Step::Fail(unavailable())));
        let _ = h.gateway.order_book(&btc_usdt(), 10).await;
        let at = &h.fake.instants()[before..];
        let (first, second) = (at[1] - at[0], at[2] - at[1]);
        let ms = Duration::from_millis;
        assert!(first >= ms(50) && first <= ms(101), "{first:?}");
        assert!(second >= ms(100) && second <= ms(201), "{second:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_short_rate_limit_is_waited_out_and_a_long_one_is_returned() {
    let h = harness(config());
    h.fake.script([Step::Fail(ExchangeError::RateLimited { retry_after_secs: 1 })]);
    assert!(h.gateway.ticker(&btc_usdt()).await.is_ok());
    let at = h.fake.instants();
    assert!(at[1] - at[0] >= Duration::from_secs(1), "waited {:?}", at[1] - at[0]);

    h.fake.script([Step::Fail(ExchangeError::RateLimited { retry_after_secs: 60 })]);
    let err = h.gateway.ticker(&btc_usdt()).await.unwrap_err();
    assert!(matches!(err, ExchangeError::RateLimited { retry_after_secs: 60 }), "{err:?}");
    assert_eq!(h.fake.calls(), 3);
}
