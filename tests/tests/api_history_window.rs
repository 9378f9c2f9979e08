//! History windows through the running server on both stores: a FREE user's history reads
//! reach 30 days, PRO's 90, MAX's all, on every read (orders and the dashboard's, a bot's closed
//! positions, a context's signals, the reports, the CSV exports); each says the window applied;
//! asking for older data is not an error; open positions (current state) are always shown.
//! Old data is written through the repositories at chosen ages.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, create_bot, dec, trader};
use botfleet_tests::history::{closed_at, days_ago, download, order_at, parse_csv, signal_at, stored_bot, user_id};
use domain::bots::{Position, PositionStatus};
use domain::shared::ids::PositionId;
use domain::subscriptions::Plan;
use infrastructure::repositories::Repositories;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(each_plan_reads_its_window_everywhere_and_says_it, open_positions_are_never_cut);

/// The ages, in days, of what each user has: inside 30, inside 90, beyond.
const AGES: [i64; 3] = [5, 45, 120];

struct Trader {
    user: Session,
    context: String,
    bot: String,
}

async fn with_history(app: &TestApp, repos: &Repositories, email: &str, plan: Plan) -> Trader {
    let (user, context) = trader(app, repos, email, plan).await;
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000"});
    let bot = create_bot(app, &user, &context, "smart", config).await["id"].as_str().unwrap().to_owned();
    let owner = user_id(&user);
    let stored = stored_bot(repos, owner, &bot).await;
    for age in AGES {
        order_at(repos, owner, &context, days_ago(age)).await;
        closed_at(repos, &stored, days_ago(age), dec!(0.001), dec!(100), dec!(110)).await;
        signal_at(repos, owner, &context, days_ago(age)).await;
    }
    Trader { user, context, bot }
}

async fn get(app: &TestApp, user: &Session, path: &str) -> Value {
    app.get(path, Some(&user.access)).await.ok(200).clone()
}

/// The window a response says: its days, and its start as seconds before now.
fn window_of(body: &Value) -> (Option<u64>, Option<i64>) {
    let w = &body["history_window"];
    let from = w["from"].as_str().map(|f| {
        let from = OffsetDateTime::parse(f, &Rfc3339).expect("an RFC 3339 start");
        (OffsetDateTime::now_utc() - from).whole_seconds()
    });
    (w["days"].as_u64(), from)
}

fn assert_window(body: &Value, days: Option<u64>, what: &str) {
    let (said, from) = window_of(body);
    assert_eq!(said, days, "{what}: {}", body["history_window"]);
    match days {
        // The start is `now - days`, read a moment ago.
        Some(d) => {
            let age = from.expect("a start");
            let expected = i64::try_from(d).unwrap() * 86_400;
            assert!((expected..expected + 120).contains(&age), "{what}: from {age}s ago");
        }
        None => assert_eq!(from, None, "{what}: MAX has no start"),
    }
}

async fn each_plan_reads_its_window_everywhere_and_says_it(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let plans = [(Plan::Free, Some(30), 1), (Plan::Pro, Some(90), 2), (Plan::Max, None, 3)];
    for (i, (plan, days, seen)) in plans.into_iter().enumerate() {
        let t = with_history(&app, &repos, &format!("u{i}@example.com"), plan).await;
        let u = &t.user;
        let what = |read: &str| format!("{plan:?} {read}");

        let orders = get(&app, u, "/api/orders").await;
        assert_eq!(orders["total"], seen, "{}", what("orders"));
        assert_window(&orders, days, &what("orders"));
        // Asking for older data is not an error: the window is applied.
        let older = days_ago(400).format(&Rfc3339).unwrap();
        let asked = get(&app, u, &format!("/api/orders?from={}", older.replace('+', "%2B"))).await;
        assert_eq!(
            (asked["total"].clone(), asked["items"].clone()),
            (orders["total"].clone(), orders["items"].clone())
        );
        let dashboard = get(&app, u, "/api/dashboard/orders").await;
        assert_eq!(dashboard["items"], orders["items"], "{}", what("dashboard orders"));
        assert_window(&dashboard, days, &what("dashboard orders"));

        let positions = get(&app, u, &format!("/api/bots/{}/positions", t.bot)).await;
        assert_eq!(positions["closed"]["total"], seen, "{}", what("bot positions"));
        assert_window(&positions, days, &what("bot positions"));

        let signals = get(&app, u, &format!("/api/contexts/{}/signals", t.context)).await;
        assert_eq!(signals["total"], seen, "{}", what("context signals"));
        assert_window(&signals, days, &what("context signals"));

        let trades = get(&app, u, "/api/reports/trades").await;
        assert_eq!(trades["total"], seen, "{}", what("trades"));
        assert_window(&trades, days, &what("trades"));

        let profit = get(&app, u, "/api/reports/profit").await;
        assert_eq!(profit["by_bot"][0]["trades"], seen, "{}", what("profit"));
        assert_eq!(dec(&profit["by_bot"][0]["realized_profit"]), dec!(10) * rust_decimal::Decimal::from(seen));
        assert_window(&profit, days, &what("profit"));

        let report = get(&app, u, "/api/reports/positions").await;
        assert_eq!(report["summary"][0]["closed_positions"], seen, "{}", what("positions report"));
        assert_window(&report, days, &what("positions report"));
        // `days` narrows inside the window, never widens it.
        let narrow = get(&app, u, "/api/reports/positions?days=10").await;
        assert_eq!(narrow["summary"][0]["closed_positions"], 1);
        let wide = get(&app, u, "/api/reports/positions?days=36500").await;
        assert_eq!(wide["summary"][0]["closed_positions"], seen);

        for (path, name) in [("/api/exports/orders.csv", "orders"), ("/api/exports/trades.csv", "trades")] {
            let (status, _, _, body) = download(&app, u, path).await;
            assert_eq!(status, 200);
            assert_eq!(parse_csv(&body).1.len(), seen as usize, "{}", what(name));
        }
    }
}

async fn open_positions_are_never_cut(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let t = with_history(&app, &repos, "ana@example.com", Plan::Free).await;
    let mut bot = stored_bot(&repos, user_id(&t.user), &t.bot).await;
    let mut open = Position::new(PositionId::new(), days_ago(200));
    open.status = PositionStatus::Open;
    open.quantity = dec!(0.002);
    open.cost = dec!(200.4);
    bot.positions.push(open.clone());
    repos.bots.update(&bot).await.unwrap();

    let positions = get(&app, &t.user, &format!("/api/bots/{}/positions", t.bot)).await;
    assert_eq!(positions["open"].as_array().unwrap().len(), 1);
    assert_eq!(positions["open"][0]["id"], open.id.to_string());
    assert_eq!(positions["closed"]["total"], 1);

    let report = get(&app, &t.user, "/api/reports/positions?status=open").await;
    let summary = &report["summary"][0];
    assert_eq!((summary["open_positions"].clone(), summary["closed_positions"].clone()), (json!(1), json!(0)));
    assert_eq!(dec(&summary["open_cost"]), dec!(200.4));
    assert_eq!(report["items"][0]["entry_cost"], "200.4");
    let all = get(&app, &t.user, "/api/reports/positions?limit=1&offset=1").await;
    assert_eq!((all["total"].clone(), all["items"][0]["status"].clone()), (json!(2), json!("closed")));
}
