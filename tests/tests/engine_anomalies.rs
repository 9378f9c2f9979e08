//! `anomaly_check` in the engine on both stores, against a scripted exchange whose book and 15m
//! candles the test sets (volumes from real Coinbase BTC-USD hours). A volume far outside its
//! window, or a spread too wide, holds the entries of the market's bots with the anomaly in
//! words and a record; their buys stop but their exits (take profit included) still go out, and
//! their status stays. Once the market is clear the holds are released and buying resumes by
//! itself; a bot its owner paused stays paused. The modified z-score in the reason is computed
//! here, apart.

use application::engine::{AnomalyReport, Workload, ANOMALY_HOLD};
use botfleet_tests::app::Store;
use botfleet_tests::engine::checks::{fee, ALLOCATED, PURCHASE, QUANTITY};
use botfleet_tests::engine::{EngineRig, PRICE, START};
use botfleet_tests::market_data::coinbase_hourly;
use domain::bots::{BotStatus, Command};
use domain::exchange::OrderSide;
use domain::market::{Candle, Timeframe};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_volume_spike_holds_entries_until_it_clears_and_exits_still_go_out,
    a_wide_spread_holds_entries_until_it_narrows,
);

/// 15m candles closing up to `until`: 96 with the volumes of real hours, then the latest with
/// `latest` volume, and one still open (huge: it must not count).
fn candles(until: OffsetDateTime, latest: Decimal) -> Vec<Candle> {
    let volumes: Vec<Decimal> =
        coinbase_hourly().iter().take(96).map(|c| c.volume).chain([latest, dec!(100000)]).collect();
    let first = until - Duration::minutes(15 * 97);
    volumes
        .into_iter()
        .enumerate()
        .map(|(i, volume)| Candle {
            open_time: first + Duration::minutes(15 * i as i64),
            open: PRICE,
            high: PRICE,
            low: PRICE,
            close: PRICE,
            volume,
            quote_volume: None,
        })
        .collect()
}

fn median(mut values: Vec<Decimal>) -> Decimal {
    values.sort();
    let n = values.len();
    (values[(n - 1) / 2] + values[n / 2]) / dec!(2)
}

/// Iglewicz and Hoaglin's modified z-score of `latest` against `window`, to 2 places.
fn modified_z(window: &[Decimal], latest: Decimal) -> Decimal {
    let m = median(window.to_vec());
    let mad = median(window.iter().map(|v| (*v - m).abs()).collect());
    (dec!(0.6745) * (latest - m) / mad).round_dp(2)
}

fn counts(r: &AnomalyReport) -> [u64; 3] {
    [r.markets, r.held, r.released]
}

async fn a_volume_spike_holds_entries_until_it_clears_and_exits_still_go_out(store: Store) {
    let rig = EngineRig::new(store).await;
    // One bot holds 0.001 BTC; another waits for its next purchase; a third is paused by its owner.
    let (holder, order, reference) = rig.first_purchase().await;
    rig.exchange.fill(&reference, "t1", QUANTITY, PRICE, fee(&("t1", QUANTITY, PRICE)));
    rig.engine.sync_orders().await.unwrap();
    assert!(!rig.order(&order).await.status.is_open());
    let waiting = rig.dca_bot(PURCHASE, ALLOCATED).await;
    let mut owners = rig.dca_bot(PURCHASE, ALLOCATED).await;
    owners.command(Command::Pause, "paused by its owner", START).unwrap();
    let owners = rig.repos.bots.update(&owners).await.unwrap();
    let window: Vec<Decimal> = coinbase_hourly().iter().take(96).map(|c| c.volume).collect();
    // Five times the window's largest volume.
    let spike = window.iter().max().unwrap() * dec!(5);
    rig.exchange.set_candles(Timeframe::M15, candles(START, spike));

    let report = rig.engine.anomaly_check().await.unwrap();

    let score = modified_z(&window, spike);
    assert!(score > dec!(10), "{score}");
    assert_eq!(counts(&report), [1, 3, 0], "{report:?}");
    assert_eq!(report.anomalies.len(), 1);
    let line = &report.anomalies[0];
    let expected = format!("volume {} in the 15m candle", spike.normalize());
    assert!(line.contains(&expected) && line.contains(&format!("modified z-score {score}")), "{line}");
    for (id, status) in
        [(holder.id, BotStatus::Running), (waiting.id, BotStatus::Running), (owners.id, BotStatus::Paused)]
    {
        let bot = rig.bot(id).await;
        let hold = bot.entry_hold.clone().unwrap();
        assert_eq!(bot.status, status, "the status stays");
        assert!(hold.starts_with(ANOMALY_HOLD) && hold.contains(&format!("modified z-score {score}")), "{hold}");
        assert_eq!(rig.records(id, "entries_held").await.len(), 1);
    }

    // Held: the waiting bot's purchase is not sent; the holder's take profit (50%) still is.
    let placed = rig.exchange.placements().len();
    assert_eq!(rig.engine.run(Workload::DcaExecution).await.unwrap().orders, 0);
    rig.exchange.set_book(PRICE * dec!(1.6) - dec!(10), PRICE * dec!(1.6), PRICE * dec!(1.6));
    assert_eq!(rig.engine.run(Workload::DcaRisk).await.unwrap().orders, 1);
    let sent = rig.exchange.placements();
    assert_eq!((sent.len(), sent[placed].side), (placed + 1, OrderSide::Sell), "the exit went out");

    // Still anomalous a minute later: nothing changes.
    rig.clock.advance(Duration::minutes(1));
    assert_eq!(counts(&rig.engine.anomaly_check().await.unwrap()), [1, 0, 0]);

    // The next candle is ordinary: the holds are released; the owner's bot stays paused.
    rig.clock.advance(Duration::minutes(14));
    rig.exchange.set_candles(Timeframe::M15, candles(START + Duration::minutes(15), window[10]));
    let report = rig.engine.anomaly_check().await.unwrap();
    assert_eq!((counts(&report), report.anomalies.len()), ([1, 0, 3], 0), "{report:?}");
    for id in [holder.id, waiting.id, owners.id] {
        assert_eq!(rig.bot(id).await.entry_hold, None);
        assert_eq!(rig.records(id, "entries_resumed").await.len(), 1);
    }
    assert_eq!(rig.bot(owners.id).await.status_reason.as_deref(), Some("paused by its owner"));
    assert_eq!(rig.engine.run(Workload::DcaExecution).await.unwrap().orders, 1, "the waiting bot buys again");
    rig.finish().await;
}

async fn a_wide_spread_holds_entries_until_it_narrows(store: Store) {
    let rig = EngineRig::new(store).await;
    let bot = rig.dca_bot(PURCHASE, ALLOCATED).await;
    // Bid 98000, ask 100000: 2000 / 99000 = 2.0202% of the mid, above 1%.
    rig.exchange.set_book(dec!(98000), PRICE, PRICE);
    let report = rig.engine.anomaly_check().await.unwrap();
    assert_eq!(counts(&report), [1, 1, 0]);
    let held = rig.bot(bot.id).await;
    assert_eq!(held.status, BotStatus::Running);
    assert!(held.entry_hold.unwrap().contains("spread 2.0202% (above 1%)"));
    assert_eq!(rig.engine.run(Workload::DcaExecution).await.unwrap().orders, 0);
    assert_eq!(counts(&rig.engine.anomaly_check().await.unwrap()), [1, 0, 0], "held once");

    rig.exchange.set_book(dec!(99990), PRICE, PRICE);
    assert_eq!(counts(&rig.engine.anomaly_check().await.unwrap()), [1, 0, 1]);
    assert_eq!(rig.bot(bot.id).await.entry_hold, None);
    assert_eq!(rig.engine.run(Workload::DcaExecution).await.unwrap().orders, 1);
    rig.finish().await;
}
