//! Deleting an account ends it, through the running server on both stores: a PRO user billed by
//! a fake Stripe, with running paper bots, a bot's resting sale and a manual limit order, exports
//! everything, then deletes the account. The plan is cancelled at Stripe once, every bot stops
//! and its orders are cancelled, no order is placed afterwards, every token is refused, the
//! credentials are gone, the consent history stays, and deleting again answers the same report.
//! A deletion cut short by a provider outage is finished by a retry; a large export is streamed.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, command, create_bot, price, run};
use botfleet_tests::contract::fixtures;
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use domain::bots::BotFilter;
use domain::exchange::ExchangeId;
use domain::orders::OrderFilter;
use domain::shared::ids::UserId;
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    deletion_cancels_the_plan_stops_the_bots_and_ends_every_session,
    a_deletion_interrupted_midway_is_finished_by_a_retry,
    a_large_export_is_streamed_page_by_page,
);

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `user` pays PRO through the fake Stripe: the subscription exists there, the webhook arrives.
async fn subscribe(app: &TestApp, fake: &FakeStripe, user: &Session, sub: &str) {
    fake.subscribe(sub, &user.user_id, "PRO", now() + 30 * 86_400);
    let checkout = json!({"id": "cs_test_0", "object": "checkout.session", "mode": "subscription",
        "status": "complete", "payment_status": "paid", "client_reference_id": user.user_id,
        "customer": "cus_fake_1", "subscription": sub, "metadata": {"user_id": user.user_id, "plan": "PRO"}});
    let (body, signature) =
        signed_event("evt_del_checkout", "checkout.session.completed", checkout, now(), stripe::WEBHOOK_SECRET, now());
    let ack = app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await;
    assert_eq!(ack.ok(200)["outcome"], "applied");
    assert_eq!(app.get("/api/subscriptions/me", Some(&user.access)).await.ok(200)["plan"], "PRO");
}

/// The user's orders and bots as stored.
async fn stored(repos: &Repositories, user: UserId) -> (u64, Vec<String>) {
    let orders = repos.orders.list(user, &OrderFilter::default(), PageRequest::first()).await.unwrap().total;
    let bots = repos.bots.list(user, &BotFilter::default(), PageRequest::first()).await.unwrap();
    (orders, bots.items.iter().map(|b| b.status.as_str().to_owned()).collect())
}

fn len(export: &Value, section: &str) -> usize {
    export[section].as_array().unwrap_or_else(|| panic!("no `{section}` list in the export")).len()
}

/// A PRO user with a running DCA bot that bought once, a channel bot whose sale rests on the
/// book, a manual limit buy resting, and a stored credential. Returns the user.
async fn busy_trader(app: &TestApp, repos: &Repositories, fake: &FakeStripe) -> Session {
    let ana = app.user("leaving@example.com").await;
    subscribe(app, fake, &ana, "sub_leaving").await;
    let user_id: UserId = ana.user_id.parse().unwrap();
    repos.credentials.create(&fixtures::credential(user_id, ExchangeId::Binance, 1)).await.unwrap();
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&ana.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    price(app, &ana.access, dec!(300000)).await;

    let dca = json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "1000",
        "take_profit_percent": "3", "stop_loss_percent": "20"});
    let dca = create_bot(app, &ana, &ctx, "dca", dca).await["id"].as_str().unwrap().to_owned();
    command(app, &ana, &dca, "start").await;
    run(app, "dca_execution").await;

    let channel = json!({"base_price": "300000", "top_price": "330000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20", "allocated_balance": "2000"});
    let channel = create_bot(app, &ana, &ctx, "channel", channel).await["id"].as_str().unwrap().to_owned();
    price(app, &ana.access, dec!(301000)).await;
    command(app, &ana, &channel, "start").await;
    run(app, "channel_bots").await;
    price(app, &ana.access, dec!(307000)).await;
    run(app, "channel_bots").await;
    let positions = app.get(&format!("/api/bots/{channel}/positions"), Some(&ana.access)).await.ok(200).clone();
    let position = positions["open"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/bots/{channel}/positions/{position}/schedule-sell");
    app.post(&path, Some(&ana.access), &json!({"min_profit_percent": "5"})).await.ok(200);
    run(app, "channel_bots").await;
    let selling = app.get(&format!("/api/bots/{channel}"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(selling["pending_orders"], 1, "the sale rests on the book");

    let limit = json!({"context_id": ctx, "side": "buy", "type": "limit", "quantity": "0.001", "price": "250000.00"});
    let manual = app.post("/api/orders", Some(&ana.access), &limit).await.ok(201).clone();
    assert_eq!(manual["status"], "new");
    ana
}

async fn with_stripe(store: Store) -> (TestApp, Repositories, FakeStripe) {
    let fake = FakeStripe::start().await;
    let extra: Vec<(&str, String)> = fake.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = bot_app(store, &pairs).await;
    (app, repos, fake)
}

async fn deletion_cancels_the_plan_stops_the_bots_and_ends_every_session(store: Store) {
    let (app, repos, fake) = with_stripe(store).await;
    let ana = busy_trader(&app, &repos, &fake).await;
    let bystander = app.user("bystander@example.com").await;
    let user_id: UserId = ana.user_id.parse().unwrap();
    let orders = app.get("/api/orders", Some(&ana.access)).await.ok(200)["total"].as_u64().unwrap();

    // The export taken before deletion holds every collection.
    let response = app.client.get(app.url("/api/users/me/export")).bearer_auth(&ana.access).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let export: Value = serde_json::from_str(&response.text().await.unwrap()).expect("the export is one JSON document");
    assert_eq!(export["format"], "botfleet-export/1");
    assert_eq!(
        (export["profile"]["email"].as_str(), export["subscription"]["plan"].as_str()),
        (Some("leaving@example.com"), Some("PRO"))
    );
    assert_eq!(export["consents"]["terms_accepted"], true);
    let counts = [
        ("consent_history", 1),
        ("credentials", 1),
        ("payments", 1),
        ("contexts", 1),
        ("bots", 2),
        ("executions", 1),
        ("orders", orders as usize),
        ("sessions", 1),
    ];
    for (section, expected) in counts {
        assert_eq!(len(&export, section), expected, "{section}: {}", export[section]);
    }
    assert_eq!(len(&export, "positions"), 2, "the DCA lot and the channel lot: {}", export["positions"]);
    assert!(len(&export, "audit") >= 2, "register and login at least");
    for section in ["context_signals", "signals", "bot_events"] {
        assert!(export[section].is_array(), "{section}");
    }
    assert!(export["credentials"][0].get("api_secret").is_none() && !export.to_string().contains("key\""));

    let version = repos.data_versions.current(user_id).await.unwrap();
    assert!(version > 0, "the user's writes moved their data version");

    let wrong = json!({"password": "not the password 1"});
    app.delete("/api/users/me", Some(&ana.access), Some(&wrong)).await.problem(422, "validation_failed");
    let password = json!({"password": ana.password});
    let report = app.delete("/api/users/me", Some(&ana.access), Some(&password)).await.ok(200).clone();
    assert_eq!(
        (report["bots_stopped"].as_u64(), report["orders_canceled"].as_u64(), report["contexts_paused"].as_u64()),
        (Some(2), Some(2), Some(1)),
        "{report}"
    );
    assert_eq!(
        (report["subscription_canceled"].as_str(), report["credentials_wiped"].as_u64()),
        (Some("stripe"), Some(1))
    );
    assert_eq!(report["positions_left_on_exchange"], 2, "{report}");
    assert!(report["sessions_revoked"].as_u64().unwrap() >= 1);
    assert_eq!(fake.cancelled_now(), ["sub_leaving"], "cancelled at Stripe at once, once");
    assert_eq!(fake.subscription("sub_leaving")["status"], "canceled");

    // Nothing trades any more, whatever the market does.
    let (orders_after, statuses) = stored(&repos, user_id).await;
    assert!(statuses.iter().all(|s| s == "stopped"), "{statuses:?}");
    for (level, workflows) in
        [(dec!(280000), ["dca_execution", "channel_bots"]), (dec!(340000), ["dca_risk_management", "channel_bots"])]
    {
        let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "price": level.to_string()});
        app.post("/api/paper/prices", Some(&bystander.access), &body).await.ok(200);
        for workflow in workflows {
            run(&app, workflow).await;
        }
    }
    assert_eq!(stored(&repos, user_id).await, (orders_after, statuses), "no order after the deletion");
    let open = repos.orders.open(None, None).await.unwrap();
    assert!(open.iter().all(|o| o.user_id != user_id), "every order of the user ended");

    // The user's data version (the dashboard caches' hint) is erased with the account.
    let document = repos.store.get("data_versions", &ana.user_id).await.unwrap();
    assert!(document.is_none(), "the data version outlived the account: {document:?}");
    assert_eq!(repos.data_versions.current(user_id).await.unwrap(), 0);

    // Sessions and credentials are gone; the account cannot log in.
    app.get("/api/auth/me", Some(&ana.access)).await.problem(401, "invalid_token");
    app.post("/api/auth/refresh", None, &json!({"refresh_token": ana.refresh}))
        .await
        .problem(401, "invalid_refresh_token");
    let login = app.post("/api/auth/login", None, &json!({"email": ana.email, "password": ana.password})).await;
    assert_eq!(login.status, 401, "{}", login.text);
    let credentials = repos.credentials.list(user_id, None, PageRequest::first()).await.unwrap();
    assert_eq!(credentials.total, 0);

    // Deleting again (a client that lost the answer) answers the same; Stripe is not called again.
    let again = app.delete("/api/users/me", Some(&ana.access), Some(&password)).await.ok(200).clone();
    assert_eq!(again, report);
    assert_eq!(fake.cancelled_now().len(), 1);

    // The consent history stays, with IP and user agent, the last entry withdrawing everything.
    let history = repos.consents.history(user_id, PageRequest::first()).await.unwrap();
    assert_eq!(history.total, 2);
    let (last, first) = (&history.items[0], &history.items[1]);
    assert!(!last.terms_accepted && !last.marketing_accepted);
    assert_eq!(first.ip.as_deref(), Some("127.0.0.1"));
    assert!(first.terms_accepted && first.retain_until > OffsetDateTime::now_utc() + time::Duration::days(5 * 365 - 1));
}

async fn a_deletion_interrupted_midway_is_finished_by_a_retry(store: Store) {
    let (app, repos, fake) = with_stripe(store).await;
    let ana = app.user("interrupted@example.com").await;
    subscribe(&app, &fake, &ana, "sub_interrupted").await;
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let ctx = app.post("/api/contexts", Some(&ana.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let id = create_bot(&app, &ana, &ctx, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;

    // Stripe is down: the deletion stops after stopping the bot, with the account still active.
    fake.fail_cancellations(1);
    let password = json!({"password": ana.password});
    app.delete("/api/users/me", Some(&ana.access), Some(&password)).await.problem(503, "payment_provider_unavailable");
    let bot = app.get(&format!("/api/bots/{id}"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!(bot["status"], "stopped", "the bot never trades again, whatever happens next");
    app.post(&format!("/api/bots/{id}/start"), Some(&ana.access), &json!({})).await.problem(409, "context_paused");
    assert_eq!(app.get("/api/subscriptions/me", Some(&ana.access)).await.ok(200)["plan"], "PRO");
    assert!(fake.cancelled_now().is_empty());

    // The retry finishes the job and counts what the first attempt did.
    let report = app.delete("/api/users/me", Some(&ana.access), Some(&password)).await.ok(200).clone();
    assert_eq!((report["bots_stopped"].as_u64(), report["subscription_canceled"].as_str()), (Some(1), Some("stripe")));
    assert_eq!(fake.cancelled_now(), ["sub_interrupted"]);
    app.get("/api/auth/me", Some(&ana.access)).await.problem(401, "invalid_token");
    let again = app.delete("/api/users/me", Some(&ana.access), Some(&json!({"password": "whatever it is"}))).await;
    assert_eq!(again.ok(200), &report);
    let user_id: UserId = ana.user_id.parse().unwrap();
    assert_eq!(stored(&repos, user_id).await.1, ["stopped"]);
}

async fn a_large_export_is_streamed_page_by_page(store: Store) {
    let (app, repos, _fake) = with_stripe(store).await;
    let ana = app.user("many-orders@example.com").await;
    let user_id: UserId = ana.user_id.parse().unwrap();
    let context = domain::shared::ids::ContextId::new();
    // More than two pages of 200, and far more than one 64 KiB chunk.
    for i in 0..450 {
        repos.orders.create(&fixtures::order(user_id, context, i)).await.unwrap();
    }

    let response = app.client.get(app.url("/api/users/me/export")).bearer_auth(&ana.access).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none(), "streamed, not built whole");
    let text = response.text().await.unwrap();
    assert!(text.len() > 3 * 64 * 1024, "{} bytes", text.len());
    let export: Value = serde_json::from_str(&text).expect("one JSON document across every chunk");
    let ids: std::collections::BTreeSet<&str> =
        export["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 450, "every order once, across the pages");
    assert_eq!(export["orders"][0]["status"], "pending");
}
