//! Context signals through the running server on both stores: `candle_analysis` run on request
//! records one signal per active context on its market's last closed hourly candle, whose values
//! this test recomputes with `domain::indicators` from the candles the market API serves; runs
//! are idempotent per candle; paused contexts get none; reads are the owner's only.

use std::collections::BTreeMap;

use botfleet_tests::app::{Store, TestApp};
use botfleet_tests::bots::{bot_app, run, trader};
use domain::indicators::{BollingerBands, Ema, Indicator, Rsi, Sma, Volatility, VolumeRatio};
use domain::market::Candle;
use domain::shared::ids::{ContextId, UserId};
use domain::subscriptions::Plan;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    candle_analysis_records_the_last_closed_candles_signal_once_per_context,
    signals_are_the_owners_and_paging_is_checked,
);

/// Closed candles the workflow analyses (documented in docs/engine.md).
const WINDOW: usize = 200;

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("a decimal string, got {v}")).parse().unwrap()
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

fn candle(v: &Value) -> Candle {
    Candle {
        open_time: instant(&v["open_time"]),
        open: dec(&v["open"]),
        high: dec(&v["high"]),
        low: dec(&v["low"]),
        close: dec(&v["close"]),
        volume: dec(&v["volume"]),
        quote_volume: None,
    }
}

/// A reading as reported: rounded to 8 places.
fn reported(x: f64) -> Decimal {
    Decimal::from_f64(x).expect("a finite reading").round_dp(8)
}

/// The last two outputs of `indicator` over `candles`.
fn last_two<I: Indicator<Output = f64>>(indicator: I, candles: &[Candle]) -> (Decimal, Decimal) {
    let series = indicator.series(candles);
    let [.., previous, latest] = series.as_slice() else { panic!("too few candles") };
    (reported(previous.expect("warmed up")), reported(latest.expect("warmed up")))
}

/// The values of the default set (RSI 14, SMA and EMA 9/21, Bollinger 20/2, volume 20,
/// volatility 20) on the last of `window`, computed here from the indicators themselves.
fn expected_values(window: &[Candle]) -> BTreeMap<String, Decimal> {
    let last = window.last().unwrap();
    let latest = |series: Vec<Option<f64>>| reported(series.last().copied().flatten().expect("warmed up"));
    let bands = BollingerBands::new(20, 2.0).unwrap().series(window).last().copied().flatten().unwrap();
    let (sma_fast_prev, sma_fast) = last_two(Sma::new(9).unwrap(), window);
    let (sma_slow_prev, sma_slow) = last_two(Sma::new(21).unwrap(), window);
    let (ema_fast_prev, ema_fast) = last_two(Ema::new(9).unwrap(), window);
    let (ema_slow_prev, ema_slow) = last_two(Ema::new(21).unwrap(), window);
    let volatility = Volatility::new(20).unwrap().series(window).last().copied().flatten().unwrap();
    [
        ("close", last.close),
        ("rsi", latest(Rsi::new(14).unwrap().series(window))),
        ("sma_fast", sma_fast),
        ("sma_slow", sma_slow),
        ("sma_fast_prev", sma_fast_prev),
        ("sma_slow_prev", sma_slow_prev),
        ("ema_fast", ema_fast),
        ("ema_slow", ema_slow),
        ("ema_fast_prev", ema_fast_prev),
        ("ema_slow_prev", ema_slow_prev),
        ("bb_upper", reported(bands.upper)),
        ("bb_middle", reported(bands.middle)),
        ("bb_lower", reported(bands.lower)),
        ("volume", last.volume),
        ("volume_ratio", latest(VolumeRatio::new(20).unwrap().series(window))),
        ("volatility_percent", reported(volatility * 100.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The signals of `context` as `token` reads them (every one: at most 200).
async fn signals(app: &TestApp, token: &str, context: &str) -> Value {
    app.get(&format!("/api/contexts/{context}/signals?limit=200"), Some(token)).await.ok(200).clone()
}

/// The documented decision: a veto is HOLD HIGH; else the majority of direction votes, HOLD on
/// a tie, with the share of agreeing direction votes as confidence (75% HIGH, 50% MEDIUM).
fn decision(votes: &[Value]) -> (String, String) {
    if votes.iter().any(|v| v["veto"] == true) {
        return ("HOLD".into(), "HIGH".into());
    }
    let directions: Vec<&str> =
        votes.iter().filter(|v| v["role"] == "direction").map(|v| v["signal"].as_str().unwrap()).collect();
    let count = |s: &str| directions.iter().filter(|d| **d == s).count();
    let action = match count("BUY").cmp(&count("SELL")) {
        std::cmp::Ordering::Greater => "BUY",
        std::cmp::Ordering::Less => "SELL",
        std::cmp::Ordering::Equal => "HOLD",
    };
    let share = count(action) * 100 / directions.len();
    let confidence = if share >= 75 {
        "HIGH"
    } else if share >= 50 {
        "MEDIUM"
    } else {
        "LOW"
    };
    (action.into(), confidence.into())
}

async fn candle_analysis_records_the_last_closed_candles_signal_once_per_context(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ana_ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let (bia, bia_ctx) = trader(&app, &repos, "bia@example.com", Plan::Free).await;
    let (carla, carla_ctx) = trader(&app, &repos, "carla@example.com", Plan::Free).await;
    let carla_id: UserId = carla.user_id.parse().unwrap();
    let mut paused = repos.contexts.get(carla_id, ContextId::parse(&carla_ctx).unwrap()).await.unwrap();
    assert!(paused.pause("over the plan's limit", OffsetDateTime::now_utc()));
    repos.contexts.update(&paused).await.unwrap();

    let summary = run(&app, "candle_analysis").await;

    // Ana's and Bia's contexts share one market, read once; Carla's is paused.
    assert_eq!(summary, json!({"contexts": 2, "markets": 1, "recorded": 2, "failed": 0}));
    let listed = signals(&app, &ana.access, &ana_ctx).await;
    assert_eq!(listed["total"], 1, "{listed}");
    let signal = listed["items"][0].clone();
    assert_eq!((&signal["context_id"], &signal["exchange"]), (&json!(ana_ctx), &json!("mercado_bitcoin")));
    assert_eq!((&signal["symbol"], &signal["timeframe"]), (&json!("BTC-BRL"), &json!("1h")));
    // The last candle closed when it was recorded, never the forming one.
    let (candle_time, created_at) = (instant(&signal["candle_time"]), instant(&signal["created_at"]));
    assert!(candle_time + Duration::hours(1) <= created_at, "{signal}");
    assert!(created_at < candle_time + Duration::hours(2), "{signal}");
    assert_eq!(signals(&app, &carla.access, &carla_ctx).await["total"], 0);

    // The same values, from the candles the market API serves and the indicators themselves.
    let path = "/api/market/mercado_bitcoin/BTC-BRL/candles?timeframe=1h&limit=300&mode=paper";
    let served: Vec<Candle> =
        app.get(path, None).await.ok(200)["items"].as_array().unwrap().iter().map(candle).collect();
    let end = served.iter().position(|c| c.open_time == candle_time).expect("the analysed candle is served") + 1;
    let window = &served[end - WINDOW..end];
    let values: BTreeMap<String, Decimal> =
        signal["values"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), dec(v))).collect();
    assert_eq!(values, expected_values(window));
    assert_eq!(dec(&signal["close"]), window[WINDOW - 1].close);
    let votes = signal["votes"].as_array().unwrap();
    let names: Vec<&str> = votes.iter().map(|v| v["indicator"].as_str().unwrap()).collect();
    assert_eq!(names, ["rsi", "sma_cross", "ema_cross", "bollinger", "volume", "volatility"]);
    let (action, confidence) = decision(votes);
    assert_eq!((signal["action"].as_str().unwrap(), signal["confidence"].as_str().unwrap()), (&*action, &*confidence));
    let bias = signals(&app, &bia.access, &bia_ctx).await;
    assert_eq!((&bias["items"][0]["values"], &bias["items"][0]["votes"]), (&signal["values"], &signal["votes"]));

    // Again: the candle already has its signal. (Should an hour have ended in between, the new
    // closed candle gets its own, and no candle ever gets two.)
    let again = run(&app, "candle_analysis").await;

    let listed = signals(&app, &ana.access, &ana_ctx).await;
    let times: Vec<OffsetDateTime> =
        listed["items"].as_array().unwrap().iter().map(|s| instant(&s["candle_time"])).collect();
    assert_eq!(times.iter().filter(|t| **t == candle_time).count(), 1, "{listed}");
    let new = times.len() - 1;
    assert!(new <= 1 && times.windows(2).all(|w| w[0] > w[1]), "{listed}");
    assert_eq!(again, json!({"contexts": 2, "markets": 1, "recorded": 2 * new, "failed": 0}));
}

async fn signals_are_the_owners_and_paging_is_checked(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let bia = app.user("bia@example.com").await;
    run(&app, "candle_analysis").await;
    let path = format!("/api/contexts/{ctx}/signals");

    app.get(&path, Some(&bia.access)).await.problem(404, "not_found");
    app.get(&path, None).await.problem(401, "missing_token");
    let unknown = format!("/api/contexts/{}/signals", ContextId::new());
    app.get(&unknown, Some(&ana.access)).await.problem(404, "not_found");
    app.get("/api/contexts/not-an-id/signals", Some(&ana.access)).await.problem(400, "invalid_path");

    let page = app.get(&format!("{path}?offset=1&limit=1"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!((&page["total"], &page["offset"], &page["limit"]), (&json!(1), &json!(1), &json!(1)));
    assert_eq!(page["items"], json!([]));
    for (query, field) in
        [("limit=0", "limit"), ("limit=201", "limit"), ("limit=lots", "limit"), ("offset=-1", "offset")]
    {
        let bad = app.get(&format!("{path}?{query}"), Some(&ana.access)).await;
        let problem = bad.problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
}
