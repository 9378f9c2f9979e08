//! `sync_withdrawals` through the running server on both stores: funds withdrawn from the paper
//! account outside botfleet (`POST /api/paper/withdrawals`) leave the exchange holding less quote
//! than the running bots still need; the run pauses the most recently started bots, with the
//! shortfall as their status reason, until the rest fit, and reports what it did. While the
//! balance covers them nothing changes. When funds come back (here: the owner sells BTC by
//! hand), the bots it paused resume, the oldest first, as far as the balance covers them; a bot
//! its owner paused stays paused.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{assert_books_balance, bot, bot_app, command, create_bot, dec, price, run, trader};
use botfleet_tests::orders::place;
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_withdrawal_pauses_the_newest_bots_until_the_rest_fit,
    returned_funds_resume_only_the_bots_the_withdrawal_paused,
    the_paper_withdrawal_takes_only_free_funds_of_the_callers_account,
);

fn smart(allocated: &str) -> Value {
    json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": allocated, "max_open_positions": 1})
}

/// Withdraws `amount` BRL from `user`'s paper Mercado Bitcoin account.
async fn withdraw(app: &TestApp, user: &Session, amount: &str) -> Value {
    let body = json!({"exchange": "mercado_bitcoin", "asset": "BRL", "amount": amount});
    app.post("/api/paper/withdrawals", Some(&user.access), &body).await.ok(200).clone()
}

/// The run's counts: contexts, shortfalls, paused, failed.
fn counts(summary: &Value) -> [u64; 4] {
    ["contexts", "shortfalls", "paused", "failed"].map(|k| summary[k].as_u64().unwrap_or_else(|| panic!("{summary}")))
}

/// Sells `quantity` BTC at market by hand in `ctx`; returns the BRL it brought, net of its fee.
async fn sell_btc(app: &TestApp, user: &Session, ctx: &str, quantity: &str) -> Decimal {
    let sale = place(app, user, ctx, json!({"side": "sell", "type": "market", "quantity": quantity})).await;
    let order = sale.ok(201);
    assert_eq!(order["status"], "filled");
    let gross: Decimal =
        order["fills"].as_array().unwrap().iter().map(|f| dec(&f["quantity"]) * dec(&f["price"])).sum();
    gross - dec(&order["fees"]["BRL"])
}

async fn a_withdrawal_pauses_the_newest_bots_until_the_rest_fit(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    // The paper account starts with 100000 BRL; the bots need 40000 + 40000.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let created = create_bot(&app, &ana, &ctx, "smart", smart("40000")).await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(command(&app, &ana, &id, "start").await["status"], "running");
        ids.push(id);
    }
    let (older, newer) = (&ids[0], &ids[1]);
    let before = [bot(&app, &ana, older).await, bot(&app, &ana, newer).await];

    // 85000 BRL left still covers 80000: nothing changes.
    assert_eq!(counts(&run(&app, "sync_withdrawals").await), [1, 0, 0, 0]);
    assert_eq!(withdraw(&app, &ana, "15000").await["free"], "85000");
    let summary = run(&app, "sync_withdrawals").await;
    assert_eq!(counts(&summary), [1, 0, 0, 0], "{summary}");
    assert_eq!([bot(&app, &ana, older).await, bot(&app, &ana, newer).await], before, "no bot was written");

    // 70000 BRL left: the newer bot is paused, the older one fits and keeps running.
    withdraw(&app, &ana, "15000").await;
    let summary = run(&app, "sync_withdrawals").await;
    assert_eq!(counts(&summary), [1, 1, 1, 0], "{summary}");
    let reason = "funds withdrawn outside botfleet: the exchange holds 70000 BRL, the bots need 80000 BRL";
    assert_eq!(summary["details"], json!([reason]));
    let paused = bot(&app, &ana, newer).await;
    assert_eq!((paused["status"].as_str(), paused["status_reason"].as_str()), (Some("paused"), Some(reason)));
    assert_eq!(paused["funds"], before[1]["funds"], "pausing moves no funds");
    let kept = bot(&app, &ana, older).await;
    assert_eq!((kept["status"].as_str(), kept["version"].as_u64()), (Some("running"), before[0]["version"].as_u64()));
    for b in [&paused, &kept] {
        assert_books_balance(b);
    }

    // What still runs fits now: the next run changes nothing; the owner may resume once funded.
    assert_eq!(counts(&run(&app, "sync_withdrawals").await), [1, 0, 0, 0]);
    assert_eq!(bot(&app, &ana, newer).await["version"], paused["version"]);
    withdraw(&app, &ana, "40000").await;
    let summary = run(&app, "sync_withdrawals").await;
    assert_eq!(counts(&summary), [1, 1, 1, 0], "{summary}");
    let older_paused = bot(&app, &ana, older).await;
    assert_eq!(older_paused["status"], "paused");
    assert!(older_paused["status_reason"].as_str().unwrap().contains("holds 30000 BRL, the bots need 40000 BRL"));
}

async fn returned_funds_resume_only_the_bots_the_withdrawal_paused(store: Store) {
    let (app, repos) = bot_app(store, &[("BOTFLEET_PAPER_INITIAL_BALANCES", "BRL=100000,BTC=1")]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    price(&app, &ana.access, dec!(100000)).await;
    // Three manual SmartBots of 30000 BRL started in turn; the owner pauses the third.
    let mut ids = Vec::new();
    for _ in 0..3 {
        let created = create_bot(&app, &ana, &ctx, "smart", smart("30000")).await;
        let id = created["id"].as_str().unwrap().to_owned();
        command(&app, &ana, &id, "start").await;
        ids.push(id);
    }
    let (oldest, newer, owners) = (&ids[0], &ids[1], &ids[2]);
    command(&app, &ana, owners, "pause").await;

    // 50000 BRL left pauses the newer running bot; 25000 left, the oldest too.
    withdraw(&app, &ana, "50000").await;
    assert_eq!(counts(&run(&app, "sync_withdrawals").await), [1, 1, 1, 0]);
    withdraw(&app, &ana, "25000").await;
    assert_eq!(counts(&run(&app, "sync_withdrawals").await), [1, 1, 1, 0]);
    let waiting = run(&app, "sync_withdrawals").await;
    assert_eq!((counts(&waiting), waiting["resumed"].as_u64()), ([1, 0, 0, 0], Some(0)), "{waiting}");

    // Selling 0.1 BTC brings about 9984 BRL back: 25000 + that covers the oldest (30000), not
    // both (60000). Only the oldest resumes, with what the run saw.
    let holds = dec!(25000) + sell_btc(&app, &ana, &ctx, "0.1").await;
    assert!(holds > dec!(30000) && holds < dec!(60000), "{holds}");
    let summary = run(&app, "sync_withdrawals").await;
    assert_eq!((counts(&summary), summary["resumed"].as_u64()), ([1, 0, 0, 0], Some(1)), "{summary}");
    let back = bot(&app, &ana, oldest).await;
    let reason = format!("funds back on the exchange: it holds {} BRL, the bots need 30000 BRL", holds.normalize());
    assert_eq!((back["status"].as_str(), back["status_reason"].as_str()), (Some("running"), Some(reason.as_str())));
    assert_eq!(bot(&app, &ana, newer).await["status"], "paused");

    // 0.3 BTC more (about 29952 BRL) covers both: the newer resumes; the owner's bot never does.
    let holds = holds + sell_btc(&app, &ana, &ctx, "0.3").await;
    assert!(holds > dec!(60000), "{holds}");
    assert_eq!(run(&app, "sync_withdrawals").await["resumed"], 1);
    assert_eq!(bot(&app, &ana, newer).await["status"], "running");
    let kept = bot(&app, &ana, owners).await;
    assert_eq!(
        (kept["status"].as_str(), kept["status_reason"].as_str()),
        (Some("paused"), Some("paused by its owner"))
    );
    for id in &ids {
        assert_books_balance(&bot(&app, &ana, id).await);
    }
}

async fn the_paper_withdrawal_takes_only_free_funds_of_the_callers_account(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ana_ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let (bea, bea_ctx) = trader(&app, &repos, "bea@example.com", Plan::Pro).await;
    let send = |amount: &str| json!({"exchange": "mercado_bitcoin", "asset": "BRL", "amount": amount});

    let over = app.post("/api/paper/withdrawals", Some(&ana.access), &send("100000.01")).await;
    assert_eq!(over.problem(422, "validation_failed")["errors"][0]["code"], "insufficient_balance");
    let zero = app.post("/api/paper/withdrawals", Some(&ana.access), &send("0")).await;
    assert_eq!(zero.problem(422, "validation_failed")["errors"][0]["code"], "not_positive");
    app.post("/api/paper/withdrawals", None, &send("1")).await.problem(401, "missing_token");
    assert_eq!(
        withdraw(&app, &ana, "99000").await,
        json!({"exchange": "mercado_bitcoin", "asset": "BRL",
        "free": "1000", "locked": "0"})
    );

    let balance = |user: &Session, ctx: &str| {
        let path = format!("/api/contexts/{ctx}/balance");
        let token = user.access.clone();
        let app = &app;
        async move { app.get(&path, Some(&token)).await.ok(200)["quote"]["free"].clone() }
    };
    assert_eq!(balance(&ana, &ana_ctx).await, "1000");
    assert_eq!(balance(&bea, &bea_ctx).await, "100000", "another user's paper account is untouched");

    let (off, _) = bot_app(store, &[("BOTFLEET_PAPER_CONTROL", "false")]).await;
    let cid = off.user("cid@example.com").await;
    off.post("/api/paper/withdrawals", Some(&cid.access), &send("1")).await.problem(404, "not_found");
}
