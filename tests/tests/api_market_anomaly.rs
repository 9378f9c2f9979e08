//! `market.anomaly` end to end on both stores: the paper exchange quotes BTC-BRL with a 3 %
//! spread (above the anomaly policy's 1 %), the `anomaly_check` workflow run through the server
//! holds the entries of the running bot on that market, and its owner finds the anomaly in
//! `GET /api/notifications` (market, exchange and the spread in words), once however often the
//! check runs within the hour; a user with no bot on that market is told nothing.

use std::time::{Duration, Instant};

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{bot, bot_app, command, create_bot, run, trader};
use domain::subscriptions::Plan;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(a_wide_spread_on_a_paper_market_reaches_the_bot_owners_inbox_once);

/// The caller's notifications of type `market.anomaly`.
async fn anomalies(app: &TestApp, user: &Session) -> Vec<Value> {
    let list = app.get("/api/notifications?type=market.anomaly", Some(&user.access)).await.ok(200).clone();
    list["items"].as_array().expect("items").clone()
}

async fn a_wide_spread_on_a_paper_market_reaches_the_bot_owners_inbox_once(store: Store) {
    let (app, repos) = bot_app(store, &[("BOTFLEET_PAPER_SPREAD_BPS", "300")]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let (bob, _) = trader(&app, &repos, "bob@example.com", Plan::Pro).await;
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
        "allocated_balance": "1000"});
    let id = create_bot(&app, &ana, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;

    let report = run(&app, "anomaly_check").await;
    assert_eq!(report["held"], 1, "{report}");
    let held = bot(&app, &ana, &id).await;
    assert_eq!(held["status"], "running", "entries are held, the bot keeps running: {held}");

    let deadline = Instant::now() + Duration::from_secs(15);
    let found = loop {
        let found = anomalies(&app, &ana).await;
        if !found.is_empty() || Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(found.len(), 1, "{found:?}");
    let data = &found[0]["data"];
    assert_eq!((data["exchange"].as_str(), data["symbol"].as_str()), (Some("mercado_bitcoin"), Some("BTC-BRL")));
    let description = data["description"].as_str().unwrap();
    assert!(description.starts_with("spread ") && description.contains("(above 1%)"), "{description}");
    assert_eq!(found[0]["read_at"], Value::Null);

    // A second bot of hers on that market is held by the next check, which tells her again: the
    // same hour's event for that market is the same event, logged once.
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
        "allocated_balance": "500"});
    let second = create_bot(&app, &ana, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &second, "start").await;
    assert_eq!(run(&app, "anomaly_check").await["held"], 1, "the new bot is held");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(anomalies(&app, &ana).await.len(), 1, "once an hour per market");
    assert!(anomalies(&app, &bob).await.is_empty(), "no bot of bob's runs there");
}
