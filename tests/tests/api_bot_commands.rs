//! Manual buys and sells through a SmartBot (`POST /api/bots/{id}/buy|sell`) and the optional
//! circuit breaker, end to end on the paper exchange and both stores. The bot's books are
//! recomputed in the test from the exchange's fills (0.1% fees: in BTC on buys, in BRL on
//! sales): a buy becomes a position of what arrived net of its fee at what was paid; a sale
//! books its net proceeds against the cost share of what it sold.

use botfleet_tests::app::{Answer, Session, Store, TestApp};
use botfleet_tests::bots::{assert_books_balance, bot, bot_app, command, create_bot, dec, price, trader};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_manual_smart_bot_buys_and_sells_on_command,
    an_off_breaker_lets_a_losing_bot_buy_on_while_an_armed_one_trips,
);

/// The market's step (BTC-BRL on Mercado Bitcoin).
const STEP: Decimal = dec!(0.00000001);

fn smart(extra: Value) -> Value {
    let mut config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    config
}

/// `POST /api/bots/{bot}/{side}` with `body` and extra `headers`.
async fn order(app: &TestApp, user: &Session, bot: &str, side: &str, body: Value, headers: &[(&str, &str)]) -> Answer {
    let path = format!("/api/bots/{bot}/{side}");
    app.call(reqwest::Method::POST, &path, Some(&user.access), Some(&body), headers).await
}

/// The field and code a 422 names first.
fn named(answer: &Answer) -> (String, String) {
    let error = &answer.problem(422, "validation_failed")["errors"][0];
    (error["field"].as_str().unwrap().to_owned(), error["code"].as_str().unwrap().to_owned())
}

/// Quantity, quote and fee of an order's fills.
fn fills(order: &Value) -> (Decimal, Decimal, Decimal) {
    let fills = order["fills"].as_array().unwrap();
    let quantity = fills.iter().map(|f| dec(&f["quantity"])).sum();
    let quote = fills.iter().map(|f| dec(&f["quantity"]) * dec(&f["price"])).sum();
    let fee = fills.iter().map(|f| dec(&f["fee"])).sum();
    (quantity, quote, fee)
}

fn floor_step(q: Decimal) -> Decimal {
    (q / STEP).floor() * STEP
}

async fn positions(app: &TestApp, user: &Session, bot: &str) -> Value {
    app.get(&format!("/api/bots/{bot}/positions"), Some(&user.access)).await.ok(200).clone()
}

async fn a_manual_smart_bot_buys_and_sells_on_command(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let (bia, _) = trader(&app, &repos, "bia@example.com", Plan::Pro).await;
    price(&app, &ana.access, dec!(100000)).await;
    let id = create_bot(&app, &ana, &ctx, "smart", smart(json!({"max_open_positions": 2}))).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buy = json!({"type": "market", "quote_amount": "250"});
    order(&app, &ana, &id, "buy", buy.clone(), &[]).await.problem(409, "invalid_bot_status");
    command(&app, &ana, &id, "start").await;

    // A market buy of 250 BRL: what the exchange filled becomes the bot's position.
    let key = [("Idempotency-Key", "ana-buy-1")];
    let first = order(&app, &ana, &id, "buy", buy.clone(), &key).await.ok(201).clone();
    let (qty, paid, fee) = fills(&first["order"]);
    assert_eq!((first["order"]["status"].as_str(), first["order"]["bot_id"].as_str()), (Some("filled"), Some(&*id)));
    assert_eq!((first["order"]["source"].as_str(), first["order"]["side"].as_str()), (Some("smart"), Some("buy")));
    assert_eq!(qty, floor_step(dec!(250) / dec(&first["order"]["average_fill_price"])), "sized by the exchange");
    assert_eq!(fee, qty / dec!(1000));
    let held = &positions(&app, &ana, &id).await["open"][0];
    assert_eq!((dec(&held["quantity"]), dec(&held["cost"])), (qty - fee, paid));
    let books = &first["bot"]["funds"];
    assert_eq!((dec(&books["available"]), dec(&books["invested"])), (dec!(1000) - paid, paid));
    assert_books_balance(&first["bot"]);

    // The retry answers the same order and buys nothing; the key cannot buy something else.
    let again = order(&app, &ana, &id, "buy", buy.clone(), &key).await;
    assert_eq!(again.ok(200)["order"], first["order"]);
    assert_eq!(again.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1);
    let other = json!({"type": "market", "quote_amount": "251"});
    order(&app, &ana, &id, "buy", other, &key).await.problem(409, "idempotency_key_reused");
    order(&app, &bia, &id, "buy", buy.clone(), &[]).await.problem(404, "not_found");

    // The books, the market's filters and the bot's limits refuse, naming the field.
    let over = order(&app, &ana, &id, "buy", json!({"type": "market", "quote_amount": "800"}), &[]).await;
    assert_eq!(named(&over), ("quote_amount".into(), "insufficient_bot_funds".into()));
    let off_step = order(&app, &ana, &id, "buy", json!({"type": "market", "quantity": "0.000010005"}), &[]).await;
    assert_eq!(named(&off_step), ("quantity".into(), "off_step".into()));
    let as_quote = order(&app, &ana, &id, "sell", json!({"type": "market", "quote_amount": "10"}), &[]).await;
    assert_eq!(named(&as_quote), ("quote_amount".into(), "not_allowed".into()));
    let resting = json!({"type": "limit", "quantity": "0.002", "price": "90000"});
    let limit = order(&app, &ana, &id, "buy", resting, &[]).await.ok(201).clone();
    assert_eq!(limit["order"]["status"], "new");
    assert_eq!(dec(&limit["bot"]["funds"]["blocked"]), dec!(180), "0.002 x 90000 blocked");
    order(&app, &ana, &id, "buy", buy.clone(), &[]).await.problem(409, "max_open_positions");
    let cancel = format!("/api/orders/{}", limit["order"]["id"].as_str().unwrap());
    assert_eq!(app.delete(&cancel, Some(&ana.access), None).await.ok(200)["status"], "canceled");
    assert_eq!(bot(&app, &ana, &id).await["open_positions"], 1, "the empty position of the cancelled buy is gone");

    // Sell the whole position at market: all of it but what the step leaves (dust) is sold,
    // and the position closes with its result.
    price(&app, &ana.access, dec!(110000)).await;
    let position = held["id"].as_str().unwrap();
    let sale = json!({"type": "market", "position_id": position});
    let sold = order(&app, &ana, &id, "sell", sale.clone(), &[]).await.ok(201).clone();
    let (sold_qty, got, sale_fee) = fills(&sold["order"]);
    assert_eq!(sold_qty, floor_step(qty - fee));
    assert_eq!(sale_fee, got / dec!(1000));
    let cost_share = (paid * sold_qty / (qty - fee)).round_dp(12);
    let realized = got - sale_fee - cost_share;
    let closed = &positions(&app, &ana, &id).await["closed"]["items"][0];
    assert_eq!((closed["id"].as_str(), closed["exit_reason"].as_str()), (Some(position), Some("manual")));
    assert_eq!(dec(&closed["realized_profit"]), realized);
    let after = bot(&app, &ana, &id).await;
    assert_eq!(dec(&after["funds"]["realized_profit"]), realized);
    assert_eq!(dec(&after["funds"]["available"]), dec!(1000) - paid + got - sale_fee);
    assert_eq!((after["open_positions"].as_u64(), after["trades"].as_u64()), (Some(0), Some(1)));
    assert_eq!(dec(&after["circuit_breaker"]["recent_trades"][0]["pnl"]), realized);
    assert_books_balance(&after);
    let closed_again = order(&app, &ana, &id, "sell", sale, &[]).await;
    assert_eq!(named(&closed_again), ("position_id".into(), "position_not_found".into()));
    let dust = order(&app, &ana, &id, "sell", json!({"type": "market", "quantity": "0.00001"}), &[]).await;
    assert_eq!(named(&dust), ("quantity".into(), "insufficient_holdings".into()));

    // A paused bot takes no buy; other kinds take no command.
    command(&app, &ana, &id, "pause").await;
    order(&app, &ana, &id, "buy", buy.clone(), &[]).await.problem(409, "invalid_bot_status");
    let dca =
        json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "1000", "take_profit_percent": "3"});
    let dca = create_bot(&app, &ana, &ctx, "dca", dca).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &dca, "start").await;
    order(&app, &ana, &dca, "buy", buy, &[]).await.problem(409, "not_for_kind");
}

/// Buys 100 BRL through `bot` at 100000 and sells it all at 90000; returns the trade's result.
async fn losing_trade(app: &TestApp, user: &Session, bot: &str) -> Decimal {
    price(app, &user.access, dec!(100000)).await;
    let bought = order(app, user, bot, "buy", json!({"type": "market", "quote_amount": "100"}), &[]).await;
    let (qty, paid, fee) = fills(&bought.ok(201)["order"]);
    let open = &positions(app, user, bot).await["open"][0];
    price(app, &user.access, dec!(90000)).await;
    let sale = json!({"type": "market", "position_id": open["id"]});
    let (sold, got, sale_fee) = fills(&order(app, user, bot, "sell", sale, &[]).await.ok(201)["order"]);
    got - sale_fee - (paid * sold / (qty - fee)).round_dp(12)
}

async fn an_off_breaker_lets_a_losing_bot_buy_on_while_an_armed_one_trips(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let channel = json!({"base_price": "100000", "top_price": "110000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "0.5", "capital_percent": "20",
        "allocated_balance": "2000", "circuit_breaker": {"preset": "off"}});
    let body = json!({"context_id": ctx, "kind": "channel", "name": "channel", "config": channel});
    let refused = app.post("/api/bots", Some(&ana.access), &body).await;
    assert_eq!(named(&refused).0, "config.circuit_breaker.preset");

    let one_loss = json!({"preset": "custom", "max_consecutive_losses": 1, "max_daily_loss_percent": "50"});
    let armed = create_bot(&app, &ana, &ctx, "smart", smart(json!({"circuit_breaker": one_loss}))).await;
    // 100 BRL allocated: the trade's loss (about 11 BRL) is beyond 10% of it, where the moderate
    // limits an off breaker keeps for the record would trip.
    let off_config = json!({"allocated_balance": "100", "circuit_breaker": {"preset": "off"}});
    let off = create_bot(&app, &ana, &ctx, "smart", smart(off_config)).await;
    assert_eq!(
        (off["circuit_breaker"]["enabled"].as_bool(), armed["circuit_breaker"]["enabled"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(off["circuit_breaker"]["consequence"].as_str().unwrap().contains("never pause"));
    assert!(armed["circuit_breaker"].get("consequence").is_none());
    let (armed, off) = (armed["id"].as_str().unwrap().to_owned(), off["id"].as_str().unwrap().to_owned());
    for id in [&armed, &off] {
        command(&app, &ana, id, "start").await;
    }

    // The same losing trade on both: the armed breaker trips, the off one only counts it.
    let loss = losing_trade(&app, &ana, &armed).await;
    assert!(loss < Decimal::ZERO, "a 10% fall is a loss: {loss}");
    let tripped = bot(&app, &ana, &armed).await;
    assert_eq!(tripped["status"], "tripped");
    assert_eq!(tripped["status_reason"], "circuit breaker: 1 losing trades in a row");
    let buy = json!({"type": "market", "quote_amount": "100"});
    order(&app, &ana, &armed, "buy", buy.clone(), &[]).await.problem(409, "bot_tripped");

    let loss = losing_trade(&app, &ana, &off).await;
    let running = bot(&app, &ana, &off).await;
    assert_eq!(running["status"], "running");
    let breaker = app.get(&format!("/api/bots/{off}/circuit-breaker"), Some(&ana.access)).await.ok(200).clone();
    assert_eq!((breaker["enabled"].as_bool(), breaker["consecutive_losses"].as_u64()), (Some(false), Some(1)));
    assert_eq!(breaker["tripped"], Value::Null);
    assert_eq!(dec(&breaker["daily_loss"]), -loss);
    assert!(-loss > dec(&breaker["daily_loss_limit"]), "beyond the limits kept for the record: {breaker}");
    assert_eq!(breaker["consequence"], running["circuit_breaker"]["consequence"]);
    order(&app, &ana, &off, "buy", json!({"type": "market", "quote_amount": "50"}), &[]).await.ok(201);
    assert_books_balance(&bot(&app, &ana, &off).await);
}
