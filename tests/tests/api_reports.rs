//! Reports and CSV exports through the running server on both stores: the profit report per
//! strategy and per bot and the positions summary add up to what the test wrote and to the
//! trades list; every parameter is validated by name; the CSV exports hold the JSON lists'
//! values row by row (read back by the `csv` crate's RFC 4180 reader), in a spreadsheet-ready
//! shape; a large export streams.

use std::collections::BTreeMap;

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::bots::{bot_app, create_bot, dec, trader};
use botfleet_tests::history::{closed_at, days_ago, download, order_at, parse_csv, stored_bot, user_id};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    profit_and_positions_add_up_to_the_trades_written,
    every_parameter_is_validated_by_name,
    csv_exports_hold_the_json_lists_row_by_row,
    a_large_export_streams,
    csv_cells_from_user_text_cannot_run_as_formulas,
    exports_read_every_row_once_through_runs_of_one_instant,
);

/// (age in days, cost, proceeds) of the smart bot's trades, then the DCA bot's.
const SMART: [(i64, Decimal, Decimal); 4] = [
    (1, dec!(100), dec!(110)),
    (2, dec!(100), dec!(95.5)),
    (3, dec!(50.5), dec!(50.5)),
    (400, dec!(10), dec!(12.000000001)),
];
const DCA: [(i64, Decimal, Decimal); 2] = [(4, dec!(20), dec!(25.123456789)), (5, dec!(200), dec!(150))];

async fn get(app: &TestApp, user: &Session, path: &str) -> Value {
    app.get(path, Some(&user.access)).await.ok(200).clone()
}

/// A MAX trader with a smart and a DCA bot that closed [`SMART`] and [`DCA`]; returns the bots.
async fn max_trader(app: &TestApp, repos: &infrastructure::repositories::Repositories) -> (Session, String, String) {
    let (user, ctx) = trader(app, repos, "max@example.com", Plan::Max).await;
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000"});
    let dca =
        json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"});
    let smart = create_bot(app, &user, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();
    let dca = create_bot(app, &user, &ctx, "dca", dca).await["id"].as_str().unwrap().to_owned();
    for (bot, trades) in [(&smart, &SMART[..]), (&dca, &DCA[..])] {
        let stored = stored_bot(repos, user_id(&user), bot).await;
        for (age, cost, proceeds) in trades {
            closed_at(repos, &stored, days_ago(*age), dec!(0.001), *cost, *proceeds).await;
        }
    }
    (user, smart, dca)
}

/// Trades, wins, invested, proceeds and realized profit of `trades`, computed here.
fn expected(trades: &[(i64, Decimal, Decimal)]) -> (u64, u64, Decimal, Decimal, Decimal) {
    let wins = trades.iter().filter(|(_, c, p)| p > c).count() as u64;
    let cost: Decimal = trades.iter().map(|t| t.1).sum();
    let proceeds: Decimal = trades.iter().map(|t| t.2).sum();
    (trades.len() as u64, wins, cost, proceeds, proceeds - cost)
}

fn figures(row: &Value) -> (u64, u64, Decimal, Decimal, Decimal) {
    let n = |k: &str| row[k].as_u64().unwrap();
    (n("trades"), n("wins"), dec(&row["invested"]), dec(&row["proceeds"]), dec(&row["realized_profit"]))
}

/// Every item of a paged list, page by page.
async fn all_items(app: &TestApp, user: &Session, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let page = get(app, user, &format!("{path}{sep}limit=200&offset={}", items.len())).await;
        let got = page["items"].as_array().unwrap().clone();
        let done = got.is_empty() || items.len() + got.len() >= page["total"].as_u64().unwrap() as usize;
        items.extend(got);
        if done {
            return items;
        }
    }
}

async fn profit_and_positions_add_up_to_the_trades_written(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, smart, dca) = max_trader(&app, &repos).await;

    let profit = get(&app, &user, "/api/reports/profit").await;

    assert_eq!(profit["history_window"], json!({"days": null, "from": null}));
    let by_bot: BTreeMap<String, Value> = profit["by_bot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["bot_id"].as_str().unwrap().to_owned(), b.clone()))
        .collect();
    assert_eq!(figures(&by_bot[&smart]), expected(&SMART));
    assert_eq!(figures(&by_bot[&dca]), expected(&DCA));
    assert_eq!(
        (by_bot[&smart]["win_rate"].as_str(), by_bot[&dca]["win_rate"].as_str()),
        (Some("50.00"), Some("50.00"))
    );
    let strategies: Vec<(&str, &str, &str)> = profit["by_strategy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["mode"].as_str().unwrap(), s["quote"].as_str().unwrap(), s["strategy"].as_str().unwrap()))
        .collect();
    assert_eq!(
        strategies,
        [("paper", "BRL", "smart"), ("paper", "BRL", "candle"), ("paper", "BRL", "dca"), ("paper", "BRL", "channel")]
    );
    assert_eq!(figures(&profit["by_strategy"][0]), expected(&SMART));
    assert_eq!(figures(&profit["by_strategy"][2]), expected(&DCA));
    assert_eq!(
        (profit["by_strategy"][1]["trades"].clone(), profit["by_strategy"][1]["win_rate"].clone()),
        (json!(0), Value::Null)
    );

    // The same sums, from the trades list.
    let trades = all_items(&app, &user, "/api/reports/trades").await;
    assert_eq!(trades.len(), SMART.len() + DCA.len());
    for (bot, row) in &by_bot {
        let mine: Vec<&Value> = trades.iter().filter(|t| t["bot_id"] == bot.as_str()).collect();
        let sum = |k: &str| mine.iter().map(|t| dec(&t[k])).sum::<Decimal>();
        assert_eq!(
            (sum("entry_cost"), sum("proceeds"), sum("realized_profit")),
            (figures(row).2, figures(row).3, figures(row).4)
        );
    }
    let closed: Vec<&str> = trades.iter().map(|t| t["closed_at"].as_str().unwrap()).collect();
    assert!(closed.windows(2).all(|w| w[0] >= w[1]), "newest first: {closed:?}");

    let only = get(&app, &user, &format!("/api/reports/profit?bot_id={dca}")).await;
    assert_eq!(only["by_bot"].as_array().unwrap().len(), 1);
    assert_eq!(figures(&only["by_strategy"][0]), (0, 0, dec!(0), dec!(0), dec!(0)));

    let positions = get(&app, &user, "/api/reports/positions?days=30&status=closed").await;
    let recent: Vec<_> = SMART.iter().chain(DCA.iter()).filter(|t| t.0 < 30).copied().collect();
    let s = &positions["summary"][0];
    let (n, _, cost, _, realized) = expected(&recent);
    assert_eq!(
        (s["closed_positions"].as_u64().unwrap(), dec(&s["closed_cost"]), dec(&s["realized_profit"])),
        (n, cost, realized)
    );
    assert_eq!((positions["total"].as_u64().unwrap(), s["open_positions"].as_u64().unwrap()), (n, 0));
}

async fn every_parameter_is_validated_by_name(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, _, _) = max_trader(&app, &repos).await;
    let bad = [
        ("/api/reports/profit?bot_id=nope", "bot_id"),
        ("/api/reports/positions?days=0", "days"),
        ("/api/reports/positions?days=36501", "days"),
        ("/api/reports/positions?days=ten", "days"),
        ("/api/reports/positions?status=pending", "status"),
        ("/api/reports/positions?limit=0", "limit"),
        ("/api/reports/trades?symbol=BTCBRL!", "symbol"),
        ("/api/reports/trades?from=yesterday", "from"),
        ("/api/reports/trades?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
        ("/api/reports/trades?offset=-1", "offset"),
        ("/api/exports/trades.csv?to=soon", "to"),
        ("/api/exports/orders.csv?side=", "side"),
    ];
    for (path, field) in bad {
        let answer = app.get(path, Some(&user.access)).await;
        let problem = answer.problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
    let unknown = app.get("/api/reports/profit?bot_id=01J00000000000000000000000", Some(&user.access)).await;
    unknown.problem(404, "not_found");
    assert_eq!(app.get("/api/reports/trades", None).await.status, 401);
    // Another market has no trades; a time range narrows them.
    assert_eq!(get(&app, &user, "/api/reports/trades?symbol=ETH-BRL").await["total"], 0);
    assert_eq!(get(&app, &user, "/api/reports/trades?symbol=BTC-BRL").await["total"], 6);
    let (from, to) = (days_ago(4).date(), days_ago(1).date());
    let range = get(&app, &user, &format!("/api/reports/trades?from={from}T00:00:00Z&to={to}T00:00:00Z")).await;
    assert_eq!(range["total"], 3, "closed 2, 3 and 4 days ago");
}

/// A JSON value as the CSV cell the export writes: text as is, `null` empty, an object of
/// amounts as `KEY=value;…`, numbers and booleans as JSON writes them.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(m) => m.iter().map(|(k, v)| format!("{k}={}", cell(v))).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn assert_rows_match(header: &[String], rows: &[Vec<String>], items: &[Value], what: &str) {
    assert_eq!(rows.len(), items.len(), "{what}: one row per item");
    for (row, item) in rows.iter().zip(items) {
        for (column, value) in header.iter().zip(row) {
            assert!(item.get(column).is_some(), "{what}: column {column} is not a field of the JSON item");
            assert_eq!(value, &cell(&item[column]), "{what}: {column} of {}", item["id"]);
        }
    }
}

async fn csv_exports_hold_the_json_lists_row_by_row(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "ana@example.com", Plan::Max).await;
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000"});
    let body = json!({"context_id": ctx, "kind": "smart", "name": "Ana's \"big\", smart; bot", "config": smart});
    let bot = app.post("/api/bots", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let stored = stored_bot(&repos, user_id(&user), &bot).await;
    for i in 0..250 {
        order_at(&repos, user_id(&user), &ctx, days_ago(i % 40)).await;
    }
    for (age, cost, proceeds) in SMART {
        closed_at(&repos, &stored, days_ago(age), dec!(0.00012345), cost, proceeds).await;
    }

    let (status, kind, disposition, text) = download(&app, &user, "/api/exports/orders.csv").await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    assert_eq!(disposition, "attachment; filename=\"botfleet-orders.csv\"");
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends, and the file is whole");
    let (header, rows) = parse_csv(&text);
    assert_eq!(header[..4], ["id", "created_at", "updated_at", "context_id"]);
    let orders = all_items(&app, &user, "/api/orders").await;
    assert_eq!(orders.len(), 250);
    assert_rows_match(&header, &rows, &orders, "orders.csv");
    assert!(rows.iter().all(|r| r[header.iter().position(|h| h == "price").unwrap()] == "300000.1"));

    let (_, _, disposition, text) = download(&app, &user, "/api/exports/trades.csv?symbol=BTC-BRL").await;
    assert_eq!(disposition, "attachment; filename=\"botfleet-trades.csv\"");
    let (header, rows) = parse_csv(&text);
    let trades = all_items(&app, &user, "/api/reports/trades?symbol=BTC-BRL").await;
    assert_rows_match(&header, &rows, &trades, "trades.csv");
    assert!(text.contains("\"Ana's \"\"big\"\", smart; bot\""), "a name with quotes and a comma is quoted");
    let name = header.iter().position(|h| h == "bot_name").unwrap();
    assert_eq!(rows[0][name], "Ana's \"big\", smart; bot");
    let quantity = header.iter().position(|h| h == "quantity").unwrap();
    assert_eq!(rows[0][quantity], "0.00012345", "decimals with a dot, never an exponent");

    // A FREE user's export is cut to 30 days, like the list.
    let (free, free_ctx) = trader(&app, &repos, "bia@example.com", Plan::Free).await;
    for age in [1, 29, 31, 200] {
        order_at(&repos, user_id(&free), &free_ctx, days_ago(age)).await;
    }
    let (_, _, _, text) = download(&app, &free, "/api/exports/orders.csv").await;
    let (header, rows) = parse_csv(&text);
    assert_rows_match(&header, &rows, &all_items(&app, &free, "/api/orders").await, "FREE orders.csv");
    assert_eq!(rows.len(), 2);
}

async fn a_large_export_streams(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "ana@example.com", Plan::Max).await;
    let rows = 1_500;
    for i in 0..rows {
        order_at(&repos, user_id(&user), &ctx, days_ago(i % 300)).await;
    }

    let mut response =
        app.client.get(app.url("/api/exports/orders.csv")).bearer_auth(&user.access).send().await.unwrap();

    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none(), "no length: the body is streamed");
    let first = response.chunk().await.unwrap().expect("a first chunk");
    let mut total = first.len();
    let mut chunks = 1;
    while let Some(chunk) = response.chunk().await.unwrap() {
        total += chunk.len();
        chunks += 1;
    }
    assert!(chunks > 2 && first.len() < total / 2, "{chunks} chunks, the first {} of {total} bytes", first.len());
    let (_, _, _, text) = download(&app, &user, "/api/exports/orders.csv").await;
    assert_eq!((parse_csv(&text).1.len(), text.len()), (rows as usize, total), "every order, the same bytes");
}

async fn csv_cells_from_user_text_cannot_run_as_formulas(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "ana@example.com", Plan::Max).await;
    let smart = json!({"mode": {"type": "continuous", "interval_seconds": 60}, "purchase_amount": "100",
        "allocated_balance": "1000"});
    let names = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1,1)"];
    for (i, name) in names.iter().enumerate() {
        let body = json!({"context_id": ctx, "kind": "smart", "name": name, "config": smart});
        let bot = app.post("/api/bots", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
        let stored = stored_bot(&repos, user_id(&user), &bot).await;
        // A loss: its realized profit is a negative decimal, which must stay a number.
        closed_at(&repos, &stored, days_ago(i as i64 + 1), dec!(0.5), dec!(100), dec!(98.5)).await;
    }

    let (_, _, _, text) = download(&app, &user, "/api/exports/trades.csv").await;

    let (header, rows) = parse_csv(&text);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut written: Vec<&str> = rows.iter().map(|r| r[column("bot_name")].as_str()).collect();
    written.sort_unstable();
    let mut expected: Vec<String> = names.iter().map(|n| format!("'{n}")).collect();
    expected.sort_unstable();
    assert_eq!(written, expected, "each name that starts like a formula is written as text");
    assert!(rows.iter().all(|r| r[column("realized_profit")] == "-1.5"), "negative decimals stay numbers");
}

/// The exports page by key (before the last row written): rows sharing one instant, in runs
/// longer than a page (200), are each written once, in the lists' order.
async fn exports_read_every_row_once_through_runs_of_one_instant(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (user, ctx) = trader(&app, &repos, "ana@example.com", Plan::Max).await;
    let (first, second) = (days_ago(2), days_ago(3));
    for i in 0..460 {
        order_at(&repos, user_id(&user), &ctx, if i < 250 { first } else { second }).await;
    }
    let dca =
        json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"});
    let bot = create_bot(&app, &user, &ctx, "dca", dca).await["id"].as_str().unwrap().to_owned();
    let stored = stored_bot(&repos, user_id(&user), &bot).await;
    for i in 0..230 {
        closed_at(&repos, &stored, if i < 210 { first } else { second }, dec!(1), dec!(10), dec!(11)).await;
    }

    let (_, _, _, orders) = download(&app, &user, "/api/exports/orders.csv").await;
    let (_, _, _, trades) = download(&app, &user, "/api/exports/trades.csv").await;

    let (header, rows) = parse_csv(&orders);
    assert_rows_match(&header, &rows, &all_items(&app, &user, "/api/orders").await, "orders.csv");
    assert_eq!(rows.len(), 460);
    let (header, rows) = parse_csv(&trades);
    assert_rows_match(&header, &rows, &all_items(&app, &user, "/api/reports/trades").await, "trades.csv");
    assert_eq!(rows.len(), 230);
}
