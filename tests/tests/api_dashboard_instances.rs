//! Two server instances on the SAME MongoDB database (MongoDB only: the embedded store belongs to
//! one process; workflows run on request): what one instance stores shows at once in the other's
//! dashboard, although each keeps its own per-user caches (60 s). The second instance first serves
//! its cached summary and metrics (same `as_of`, same `to`); a bot started through the first, then
//! its purchase by the first's engine on the paper exchange, are both in the second's next read,
//! through the user's data version that every write moves (`domain::shared::data_version`).

use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{command, create_bot, dec, price, run, set_plan, OPS_TOKEN};
use botfleet_tests::dashboard::group;
use botfleet_tests::mongo::{fresh_database_name, mongo_uri};
use domain::subscriptions::Plan;
use infrastructure::repositories::Repositories;
use infrastructure::store::mongo::MongoStore;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

async fn instance(database: &str, id: &str) -> (TestApp, Repositories) {
    let extra = [
        ("BOTFLEET_MONGODB_DATABASE", database),
        ("BOTFLEET_INSTANCE_ID", id),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
    ];
    spawn_with_repositories(settings(Store::Mongo, &extra)).await
}

/// The summary and the 30-day metrics' `to` (a new `to` is a new computation) on `app`.
async fn dashboard(app: &TestApp, user: &Session) -> (Value, Value) {
    let summary = app.get("/api/dashboard/summary", Some(&user.access)).await.ok(200).clone();
    let metrics = app.get("/api/dashboard/metrics?window=30d", Some(&user.access)).await.ok(200).clone();
    (summary, metrics["to"].clone())
}

fn figure(s: &Value, field: &str) -> Value {
    group(s, "paper", "BRL")["summary"][field].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_through_one_instance_shows_at_once_in_the_other() {
    let database = fresh_database_name();
    let (a, repos) = instance(&database, "instance-a").await;
    let (b, _) = instance(&database, "instance-b").await;
    let ana = a.user("ana@example.com").await;
    set_plan(&repos, &ana, Plan::Max).await;
    let body = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let ctx = a.post("/api/contexts", Some(&ana.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1});
    let bot = create_bot(&a, &ana, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();

    let (before, to_before) = dashboard(&b, &ana).await;
    let (cached, to_cached) = dashboard(&b, &ana).await;
    assert_eq!((&cached["as_of"], &to_cached), (&before["as_of"], &to_before), "b serves its cache");
    assert_eq!((figure(&before, "bots"), figure(&before, "active_bots")), (json!(1), json!(0)));

    // Started through a: b's next read shows it.
    assert_eq!(command(&a, &ana, &bot, "start").await["status"], "running");
    let (started, to_started) = dashboard(&b, &ana).await;
    assert_ne!(started["as_of"], before["as_of"], "b computed the summary again");
    assert_ne!(to_started, to_before, "b computed the metrics again");
    assert_eq!(figure(&started, "active_bots"), 1);
    assert_eq!(dec(&figure(&started, "total_in_positions")), Decimal::ZERO);
    assert_eq!(dashboard(&b, &ana).await.0["as_of"], started["as_of"], "and caches it again");

    // a's engine buys at market on the paper exchange: b's next read has the position.
    price(&a, &ana.access, dec!(100000)).await;
    let cycle = run(&a, "smart_bot_purchase").await;
    assert_eq!(cycle["orders"], 1, "{cycle}");
    let (bought, _) = dashboard(&b, &ana).await;
    assert_ne!(bought["as_of"], started["as_of"], "the fill on a dropped b's figures");
    let books = &botfleet_tests::bots::bot(&a, &ana, &bot).await["funds"];
    assert!(dec(&books["invested"]) > Decimal::ZERO, "{books}");
    assert_eq!(dec(&figure(&bought, "total_in_positions")), dec(&books["invested"]));

    drop((a, b, repos));
    let store = MongoStore::connect(&mongo_uri(), &database).await.unwrap();
    store.drop_database().await.unwrap();
}
