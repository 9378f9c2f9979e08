//! `sync_strategy_balances` through the running server on both stores, on the paper exchange: a
//! SmartBot buys BTC, then part of the BTC leaves the paper account outside botfleet
//! (`POST /api/paper/withdrawals`). The run finds the account holding less BTC than the bot's
//! books, pauses the bot, and the bot's status reason in the API says what does not add up and
//! what to do. The expected figures are taken from the bot's own books and the withdrawal.

use botfleet_tests::app::Store;
use botfleet_tests::bots::{assert_books_balance, bot, bot_app, command, create_bot, dec, run, trader};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(btc_taken_out_of_the_account_pauses_the_bot_holding_it);

/// The run's counts: contexts, unreadable, corrected, paused.
fn counts(summary: &Value) -> [u64; 4] {
    ["contexts", "unreadable", "corrected", "paused"]
        .map(|k| summary[k].as_u64().unwrap_or_else(|| panic!("{summary}")))
}

async fn btc_taken_out_of_the_account_pauses_the_bot_holding_it(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1});
    let id = create_bot(&app, &ana, &ctx, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;
    run(&app, "smart_bot_purchase").await;
    run(&app, "sync_orders").await;
    let bought = bot(&app, &ana, &id).await;
    let holdings = dec(&bought["funds"]["holdings"]);
    assert!(holdings > Decimal::ZERO, "{bought}");
    assert_eq!(counts(&run(&app, "sync_strategy_balances").await), [1, 0, 0, 0], "the books match the account");

    let taken = (holdings / Decimal::from(3)).round_dp(8);
    let body = json!({"exchange": "mercado_bitcoin", "asset": "BTC", "amount": taken.to_string()});
    let left = app.post("/api/paper/withdrawals", Some(&ana.access), &body).await.ok(200).clone();
    assert_eq!(dec(&left["free"]) + dec(&left["locked"]), holdings - taken, "the account held exactly the bot's BTC");

    let summary = run(&app, "sync_strategy_balances").await;

    assert_eq!(counts(&summary), [1, 0, 0, 1], "{summary}");
    let line = format!(
        "the exchange account holds {} BTC, its bots' books {} BTC",
        (holdings - taken).normalize(),
        holdings.normalize()
    );
    assert_eq!(summary["shortfalls"], json!([line]));
    let paused = bot(&app, &ana, &id).await;
    assert_eq!(paused["status"], "paused");
    let reason = paused["status_reason"].as_str().unwrap();
    assert!(reason.starts_with("paused: its books cannot be trusted") && reason.contains(&line), "{reason}");
    assert!(reason.contains("then resume it"), "{reason}");
    assert_eq!(paused["funds"], bought["funds"], "pausing moves no funds");
    assert_books_balance(&paused);
}
