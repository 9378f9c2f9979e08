//! Events reach the user's log from where they happen, through the running server on both
//! stores: a paper bot trading real candles with the fast clock logs its orders placed and
//! filled and its closed positions; pausing a bot through the API logs `bot.paused`; a plan's
//! refusal logs `plan.limit_reached` (once an hour); Stripe's signed webhooks log the
//! subscription's and the payments' events, and a redelivered one logs nothing twice.

use std::time::{Duration, Instant};

use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, command, create_bot, run, set_plan, trader, OPS_TOKEN};
use botfleet_tests::fakes::stripe::{self, signed_event, FakeStripe};
use domain::notifications::{EventFilter, EventPayload, StoredEvent};
use domain::orders::{OrderFilter, OrderStatus};
use domain::shared::ids::UserId;
use domain::subscriptions::Plan;
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use serde_json::{json, Value};
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    a_paper_bot_trading_real_candles_logs_its_orders_and_closed_positions,
    pausing_a_bot_through_the_api_logs_bot_paused_once,
    a_plan_refusal_logs_plan_limit_reached_once_an_hour,
    a_withdrawal_outside_botfleet_logs_funds_withdrawn_with_the_pause,
    stripe_webhooks_log_the_subscription_and_its_payments_once,
);

fn user_id(user: &Session) -> UserId {
    user.user_id.parse().expect("a user id")
}

/// `user`'s whole log, oldest first (by `seq`), checked for strictly increasing `seq` and
/// unique ids.
async fn log(repos: &Repositories, user: &Session) -> Vec<StoredEvent> {
    let events = repos.events.after(Some(user_id(user)), 0, 1000).await.expect("the log reads");
    for pair in events.windows(2) {
        assert!(pair[0].seq < pair[1].seq, "seq increases strictly");
    }
    let mut ids: Vec<_> = events.iter().map(|e| e.event.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), events.len(), "no event is logged twice");
    assert!(events.iter().all(|e| e.event.user_id == user_id(user)), "only the user's events");
    events
}

/// Runs `relay_events` once to its end (a run the writes' nudge started may be under way).
async fn relay(app: &TestApp) {
    wait_for("a run of relay_events", 20, async || {
        let answer = app.post("/api/system/workflows/relay_events/run", Some(OPS_TOKEN), &json!({})).await;
        assert!(answer.status == 200 || answer.status == 409, "relay_events: {}", answer.status);
        answer.status == 200 && answer.body["outcome"] == "ok"
    })
    .await;
}

fn types(events: &[StoredEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event.event_type().as_str()).collect()
}

async fn wait_for(what: &str, secs: u64, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ready().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_paper_bot_trading_real_candles_logs_its_orders_and_closed_positions(store: Store) {
    let extra = [
        ("BOTFLEET_CLOCK_SPEED", "3600"),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
    ];
    let (app, repos) = spawn_with_repositories(settings(store, &extra)).await;
    let ana = app.user("events-trader@example.com").await;
    set_plan(&repos, &ana, Plan::Pro).await;
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let context = app.post("/api/contexts", Some(&ana.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
        "allocated_balance": "2000", "max_open_positions": 2,
        "risk": {"take_profit_percent": "0.3", "stop_loss_hard_percent": "0.6"}});
    let smart = create_bot(&app, &ana, &context, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &smart, "start").await;

    wait_for("orders placed and filled and a position closed in the log", 120, async || {
        let seen = types(&log(&repos, &ana).await);
        ["order.placed", "order.filled", "position.closed"].iter().all(|t| seen.contains(t))
    })
    .await;
    // Stop trading, so the log and the orders are read at rest.
    wait_for("the bot to stop", 60, async || {
        let answer = app.post(&format!("/api/bots/{smart}/stop"), Some(&ana.access), &json!({})).await;
        assert!(answer.status == 200 || answer.status == 409, "stop: {}", answer.status);
        botfleet_tests::bots::bot(&app, &ana, &smart).await["status"] == "stopped"
    })
    .await;
    let filter = OrderFilter { bot: Some(smart.parse().unwrap()), ..OrderFilter::default() };
    wait_for("the stop, every order's end and every closed position to be logged", 60, async || {
        let orders = repos.orders.list(user_id(&ana), &filter, PageRequest::new(0, 500)).await.unwrap().items;
        let ended = orders.iter().filter(|o| !o.is_open()).count();
        let logged = log(&repos, &ana).await;
        let ends = logged
            .iter()
            .filter(|e| {
                matches!(
                    e.event.payload,
                    EventPayload::OrderFilled(_) | EventPayload::OrderCanceled(_) | EventPayload::OrderRejected(_)
                )
            })
            .count();
        let positions = app.get(&format!("/api/bots/{smart}/positions"), Some(&ana.access)).await.ok(200).clone();
        let closed = positions["closed"]["items"].as_array().unwrap().len();
        let told = logged.iter().filter(|e| matches!(e.event.payload, EventPayload::PositionClosed(_))).count();
        let stopped = logged.iter().any(|e| matches!(e.event.payload, EventPayload::BotStopped(_)));
        orders.iter().all(|o| !o.is_open()) && ends == ended && told == closed && stopped
    })
    .await;

    let events = log(&repos, &ana).await;
    let orders = repos.orders.list(user_id(&ana), &filter, PageRequest::new(0, 500)).await.unwrap().items;
    // Every filled order is told once as placed and once as filled, with the order's own figures.
    for order in orders.iter().filter(|o| o.status == OrderStatus::Filled) {
        let about: Vec<_> = events
            .iter()
            .filter_map(|e| match &e.event.payload {
                EventPayload::OrderPlaced(d) | EventPayload::OrderFilled(d) if d.order_id == order.id => Some(d),
                _ => None,
            })
            .collect();
        assert_eq!(about.len(), 2, "placed and filled, once each: {about:?}");
        let filled = about[1];
        assert_eq!((filled.status.as_str(), filled.filled_quantity), ("filled", order.filled_quantity));
        assert_eq!((filled.filled_quote, filled.bot_id), (order.filled_quote, order.bot_id));
    }
    // Every closed position is told once, with the result the bot's positions show.
    let positions = app.get(&format!("/api/bots/{smart}/positions"), Some(&ana.access)).await.ok(200).clone();
    let closed = positions["closed"]["items"].as_array().unwrap();
    let logged: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.event.payload {
            EventPayload::PositionClosed(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(logged.len(), closed.len(), "one position.closed per closed position");
    for position in closed {
        let id = position["id"].as_str().unwrap();
        let told = logged.iter().find(|d| d.position_id.to_string() == id).expect("its position.closed");
        assert_eq!(told.realized_pnl.to_string(), position["realized_profit"].as_str().unwrap());
        assert_eq!(told.bot.bot_id.to_string(), smart);
        assert_eq!(told.realized_pnl, told.proceeds - told.entry_cost);
    }
    let exits = types(&events)
        .into_iter()
        .filter(|t| ["take_profit.executed", "stop_loss.executed", "trailing_stop.executed"].contains(t))
        .count();
    assert_eq!(exits, closed.len(), "each position closed here was sold by a take profit or a stop loss");
    assert_eq!(types(&events).first(), Some(&"bot.started"));
    assert_eq!(types(&events).iter().filter(|t| **t == "bot.stopped").count(), 1);
}

async fn pausing_a_bot_through_the_api_logs_bot_paused_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (bea, context) = trader(&app, &repos, "events-pause@example.com", Plan::Pro).await;
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 600}, "purchase_amount": "50",
        "allocated_balance": "2000", "max_open_positions": 1});
    let id = create_bot(&app, &bea, &context, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &bea, &id, "start").await;
    command(&app, &bea, &id, "pause").await;
    app.post(&format!("/api/bots/{id}/pause"), Some(&bea.access), &json!({})).await.problem(409, "invalid_bot_status");
    relay(&app).await;

    let events = log(&repos, &bea).await;
    assert_eq!(types(&events), ["bot.started", "bot.paused"]);
    let wire = serde_json::to_value(&events[1].event).unwrap();
    assert_eq!(wire["type"], "bot.paused");
    assert_eq!(
        (wire["data"]["bot_id"].as_str(), wire["data"]["context_id"].as_str()),
        (Some(id.as_str()), Some(context.as_str()))
    );
    assert_eq!((wire["data"]["from"].as_str(), wire["data"]["to"].as_str()), (Some("running"), Some("paused")));
    assert_eq!(wire["data"]["mode"], "paper");
    let stored = repos.bots.get(user_id(&bea), id.parse().unwrap()).await.unwrap();
    assert!(stored.outbox.is_empty(), "the relay moved the bot's events out of its outbox");
}

async fn a_plan_refusal_logs_plan_limit_reached_once_an_hour(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (cai, _) = trader(&app, &repos, "events-limit@example.com", Plan::Free).await;
    let second = json!({"exchange": "mercado_bitcoin", "symbol": "ETH-BRL", "mode": "paper"});
    for _ in 0..3 {
        app.post("/api/contexts", Some(&cai.access), &second).await.problem(402, "plan_limit_contexts");
    }
    relay(&app).await;

    let events = log(&repos, &cai).await;
    assert_eq!(types(&events), ["plan.limit_reached"], "three refusals within the hour are told once");
    let wire = serde_json::to_value(&events[0].event).unwrap();
    assert_eq!(wire["data"], json!({"plan": "free", "limit": "contexts", "max": 1, "upgrade_to": "pro"}));
}

async fn a_withdrawal_outside_botfleet_logs_funds_withdrawn_with_the_pause(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (eva, context) = trader(&app, &repos, "events-withdraw@example.com", Plan::Pro).await;
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "40000", "max_open_positions": 1});
    let id = create_bot(&app, &eva, &context, "smart", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &eva, &id, "start").await;
    // The paper account starts with 100000 BRL: 30000 are left, the bot counts on 40000.
    let body = json!({"exchange": "mercado_bitcoin", "asset": "BRL", "amount": "70000"});
    app.post("/api/paper/withdrawals", Some(&eva.access), &body).await.ok(200);
    run(&app, "sync_withdrawals").await;
    run(&app, "sync_withdrawals").await;
    relay(&app).await;

    let events = log(&repos, &eva).await;
    assert_eq!(types(&events), ["bot.started", "bot.paused", "funds.withdrawn"], "one pause, told once");
    let wire = serde_json::to_value(&events[2].event).unwrap();
    assert_eq!(wire["data"]["asset"], "BRL");
    assert_eq!((wire["data"]["expected"].as_str(), wire["data"]["available"].as_str()), (Some("40000"), Some("30000")));
    assert_eq!(wire["data"]["bot"]["bot_id"].as_str(), Some(id.as_str()));
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

async fn stripe_event(app: &TestApp, id: &str, kind: &str, object: Value, created: i64) -> Value {
    let (body, signature) = signed_event(id, kind, object, created, stripe::WEBHOOK_SECRET, now());
    app.post_raw("/api/webhooks/stripe", body, &[("stripe-signature".into(), signature)]).await.ok(200).clone()
}

fn invoice(subscription: &str, period_end: i64) -> Value {
    json!({"id": "in_1", "object": "invoice", "customer": "cus_fake_1", "status": "paid",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription, "metadata": {}}},
        "lines": {"object": "list", "data": [{"id": "il_1", "object": "line_item",
            "period": {"start": period_end - 30 * 86_400, "end": period_end}}]}})
}

async fn stripe_webhooks_log_the_subscription_and_its_payments_once(store: Store) {
    let fake = FakeStripe::start().await;
    let mut extra = fake.settings();
    extra.push(("BOTFLEET_SUBSCRIPTION_RECONCILE_SECS", "0".to_owned()));
    extra.push(("BOTFLEET_OPS_TOKEN", OPS_TOKEN.to_owned()));
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = spawn_with_repositories(settings(store, &pairs)).await;
    let dani = app.user("events-pay@example.com").await;
    fake.subscribe("sub_events", &dani.user_id, "PRO", now() + 30 * 86_400);
    let checkout = json!({"id": "cs_test_0", "object": "checkout.session", "mode": "subscription", "status": "complete",
        "payment_status": "paid", "client_reference_id": dani.user_id, "customer": "cus_fake_1",
        "subscription": "sub_events", "metadata": {"user_id": dani.user_id, "plan": "PRO"}});
    stripe_event(&app, "evt_e1", "checkout.session.completed", checkout, now()).await;
    stripe_event(&app, "evt_e2", "invoice.payment_failed", invoice("sub_events", now()), now() + 1).await;
    let next_end = now() + 60 * 86_400;
    let paid = stripe_event(&app, "evt_e3", "invoice.paid", invoice("sub_events", next_end), now() + 2).await;
    assert_eq!(paid["outcome"], "applied");
    let again = stripe_event(&app, "evt_e3", "invoice.paid", invoice("sub_events", next_end), now() + 2).await;
    assert_eq!(again["outcome"], "duplicate");

    let expected = [
        "subscription.activated",
        "payment.failed",
        "subscription.past_due",
        "payment.succeeded",
        "subscription.renewed",
    ];
    wait_for("the subscription's events in the log", 20, async || log(&repos, &dani).await.len() >= expected.len())
        .await;
    let events = log(&repos, &dani).await;
    assert_eq!(types(&events), expected);
    let renewed = serde_json::to_value(&events[4].event).unwrap();
    assert_eq!((renewed["data"]["plan"].as_str(), renewed["data"]["provider"].as_str()), (Some("pro"), Some("stripe")));
    let end = OffsetDateTime::parse(
        renewed["data"]["period_end"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(end.unix_timestamp(), next_end);
    let failed = serde_json::to_value(&events[1].event).unwrap();
    assert_eq!((failed["data"]["provider"].as_str(), failed["data"]["plan"].as_str()), (Some("stripe"), Some("pro")));
    let filter = EventFilter::default();
    let page = repos.events.list(user_id(&dani), &filter, PageRequest::new(0, 10)).await.unwrap();
    assert_eq!(page.total, expected.len() as u64);
}
