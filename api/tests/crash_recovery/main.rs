//! Crash recovery, through the real `botfleet` binary on an on-disk embedded store: a SmartBot's
//! purchase is cut short at each step boundary of the placement protocol (the process aborts
//! there, as abruptly as `kill -9`), or killed with SIGKILL while the run hangs at the exchange;
//! the binary is started again on the same data directory, and what its start-up recovery made of
//! it is checked through the API and then in the store: no order lost, none placed twice, the
//! bot's books equal to what the paper exchange holds. docs/engine.md, "Crashes and recovery".

#![cfg(unix)]

mod books;
mod server;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use books::stored;
use server::Server;

const SIGABRT: i32 = 6;
const SIGKILL: i32 = 9;
/// The paper account's starting quote balance (BRL).
const INITIAL_BRL: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

/// A user with a paper BTC-BRL context and started SmartBots, as the crashed server left them.
struct Trader {
    user_id: String,
    token: String,
    context: String,
    bots: Vec<String>,
}

/// Registers a user (the FREE plan allows two SmartBots), opens a paper context and creates and
/// starts `bots` SmartBots that buy 100 BRL at their first purchase run, one position at most.
async fn trader(server: &Server, bots: usize) -> Trader {
    let password = "correct horse 42";
    let registration = json!({"email": "crash@example.com", "password": password, "name": "Crash Test",
        "accept_terms": true, "accept_privacy": true});
    let user = server.post("/api/auth/register", "", registration, 201).await;
    let login = json!({"email": "crash@example.com", "password": password});
    let token = server.post("/api/auth/login", "", login, 200).await["access_token"].as_str().unwrap().to_owned();
    let context = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    let context = server.post("/api/contexts", &token, context, 201).await["id"].as_str().unwrap().to_owned();
    let config = json!({"mode": {"type": "continuous", "interval_seconds": 1}, "purchase_amount": "100",
        "allocated_balance": "1000", "max_open_positions": 1});
    let mut ids = Vec::new();
    for n in 0..bots {
        let body = json!({"context_id": context, "kind": "smart", "name": format!("bot {n}"), "config": config});
        let id = server.post("/api/bots", &token, body, 201).await["id"].as_str().unwrap().to_owned();
        assert_eq!(server.post(&format!("/api/bots/{id}/start"), &token, json!({}), 200).await["status"], "running");
        ids.push(id);
    }
    Trader { user_id: user["id"].as_str().unwrap().to_owned(), token, context, bots: ids }
}

/// A decimal field (decimals travel as strings).
fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("a decimal string, got {v}")).parse().expect("a decimal")
}

/// The paper account's (BTC, BRL) free balances as the API reports them.
async fn exchange_balances(server: &Server, trader: &Trader) -> (Decimal, Decimal) {
    let balance = server.get(&format!("/api/contexts/{}/balance", trader.context), &trader.token).await;
    assert_eq!(dec(&balance["base"]["locked"]) + dec(&balance["quote"]["locked"]), Decimal::ZERO, "{balance}");
    (dec(&balance["base"]["free"]), dec(&balance["quote"]["free"]))
}

/// Checks a bot's books balance and it waits on no order; returns it.
async fn settled_bot(server: &Server, trader: &Trader, id: &str) -> Value {
    let bot = server.get(&format!("/api/bots/{id}"), &trader.token).await;
    let f = &bot["funds"];
    assert_eq!(
        dec(&f["allocated"]) + dec(&f["realized_profit"]),
        dec(&f["available"]) + dec(&f["blocked"]) + dec(&f["invested"]),
        "books out of balance: {f}"
    );
    assert_eq!((bot["pending_orders"].as_u64(), dec(&f["blocked"])), (Some(0), Decimal::ZERO), "{bot}");
    assert_eq!(bot["status"], "running", "{bot}");
    bot
}

/// Starts a server armed at `failpoint`, has it run one purchase for one bot and checks that it
/// died of the abort there; then starts it again without the failpoint (recovery runs).
async fn crash_at(dir: &std::path::Path, failpoint: &str) -> (Server, Trader) {
    let mut server = Server::start(dir, Some(failpoint)).await;
    let trader = trader(&server, 1).await;
    let run = server
        .send(reqwest::Method::POST, "/api/system/workflows/smart_bot_purchase/run", server::OPS_TOKEN, Some(json!({})))
        .await;
    assert!(run.is_err(), "the run answered instead of aborting: {run:?}");
    let reached = server.wait_for_log("the failpoint", |l| l["failpoint"].is_string()).await;
    assert_eq!(reached["failpoint"], failpoint);
    let status = server.exited().await;
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(SIGABRT), "{status}");
    (Server::start(dir, None).await, trader)
}

/// The order was stored but the bot never heard of it, or the bot blocked its funds but the
/// exchange was never called: recovery finds the exchange does not know the order, rejects it
/// as never sent and releases whatever it held. Nothing was bought.
async fn never_sent(failpoint: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (server, trader) = crash_at(dir.path(), failpoint).await;

    let bot = settled_bot(&server, &trader, &trader.bots[0]).await;
    assert_eq!(bot["open_positions"], 0, "{bot}");
    let f = &bot["funds"];
    assert_eq!((dec(&f["available"]), dec(&f["allocated"])), (Decimal::from(1000), Decimal::from(1000)), "{f}");
    assert_eq!((dec(&f["invested"]), dec(&f["holdings"])), (Decimal::ZERO, Decimal::ZERO), "{f}");
    assert_eq!(exchange_balances(&server, &trader).await, (Decimal::ZERO, INITIAL_BRL));
    assert_eq!(server.kill().await, Some(SIGKILL));

    let books = stored(dir.path(), &trader.user_id).await;
    assert!(books.exchange.is_empty(), "the exchange received {:?}", books.exchange);
    assert_eq!(books.orders.len(), 1, "{:?}", books.orders);
    let order = &books.orders[0];
    assert_eq!(order.status, domain::orders::OrderStatus::Rejected, "{order:?}");
    assert_eq!(order.error.as_deref(), Some("never reached the exchange"), "{order:?}");
    assert_eq!(order.bot_id.map(|b| b.to_string()).as_deref(), Some(trader.bots[0].as_str()));
    books.assert_one_to_one();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_after_the_order_is_stored_rejects_it_as_never_sent() {
    never_sent("after_order_stored").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_after_the_funds_are_blocked_rejects_the_order_and_releases_them() {
    never_sent("after_funds_blocked").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_after_the_exchange_accepted_applies_the_fill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (server, trader) = crash_at(dir.path(), "after_exchange_accepted").await;

    let bot = settled_bot(&server, &trader, &trader.bots[0]).await;
    assert_eq!(bot["open_positions"], 1, "{bot}");
    let (btc, brl) = exchange_balances(&server, &trader).await;
    let f = &bot["funds"];
    // The books equal the exchange: the base fee is already off the holdings, no quote fee.
    assert!(btc > Decimal::ZERO, "nothing was bought");
    assert_eq!(dec(&f["holdings"]), btc, "{f}");
    assert_eq!(dec(&f["invested"]), INITIAL_BRL - brl, "{f}");
    assert!(dec(&f["invested"]) <= Decimal::from(100), "{f}");
    // The next purchase run finds the position: the lost answer is not made up for by a second buy.
    assert_eq!(server.run("smart_bot_purchase").await["orders"], 0);
    assert_eq!(exchange_balances(&server, &trader).await, (btc, brl));
    assert_eq!(server.kill().await, Some(SIGKILL));

    let books = stored(dir.path(), &trader.user_id).await;
    assert_eq!((books.orders.len(), books.exchange.len()), (1, 1), "{books:?}");
    let order = &books.orders[0];
    assert_eq!(order.status, domain::orders::OrderStatus::Filled, "{order:?}");
    assert_eq!(order.fills.len(), 1, "{order:?}");
    assert_eq!(books.exchange[0].status, "filled");
    books.assert_one_to_one();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_a_run_is_in_flight_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), Some("after_exchange_accepted:hang")).await;
    let trader = trader(&server, 2).await;
    let run = server.run_in_background("smart_bot_purchase");
    // The first bot's order is on the exchange; the run waits there, the second bot untouched.
    server.wait_for_log("the failpoint", |l| l["failpoint"] == "after_exchange_accepted").await;
    assert_eq!(server.kill().await, Some(SIGKILL));
    assert!(run.await.unwrap().is_err(), "the run answered although its server was killed");

    let server = Server::start(dir.path(), None).await;
    let mut positions = Vec::new();
    for id in &trader.bots {
        positions.push(settled_bot(&server, &trader, id).await["open_positions"].as_u64().unwrap());
    }
    positions.sort_unstable();
    assert_eq!(positions, [0, 1], "recovery applied the one order that reached the exchange");
    assert_eq!(server.run("smart_bot_purchase").await["orders"], 1, "only the untouched bot buys");
    let (btc, brl) = exchange_balances(&server, &trader).await;
    let (mut holdings, mut invested) = (Decimal::ZERO, Decimal::ZERO);
    for id in &trader.bots {
        let bot = settled_bot(&server, &trader, id).await;
        assert_eq!(bot["open_positions"], 1, "{bot}");
        holdings += dec(&bot["funds"]["holdings"]);
        invested += dec(&bot["funds"]["invested"]);
    }
    assert_eq!((holdings, invested), (btc, INITIAL_BRL - brl));
    assert_eq!(server.kill().await, Some(SIGKILL));

    let books = stored(dir.path(), &trader.user_id).await;
    assert_eq!((books.orders.len(), books.exchange.len()), (2, 2), "{books:?}");
    assert!(books.orders.iter().all(|o| o.status == domain::orders::OrderStatus::Filled), "{:?}", books.orders);
    let mut by_bot: Vec<String> = books.orders.iter().filter_map(|o| o.bot_id.map(|b| b.to_string())).collect();
    by_bot.sort();
    let mut bots = trader.bots.clone();
    bots.sort();
    assert_eq!(by_bot, bots, "one order per bot");
    books.assert_one_to_one();
}

/// A burst of manual market buys from several clients at once, the server SIGKILLed in the middle
/// of it: after a restart every order the server acknowledged is there, filled, and nothing is
/// half-written: every stored order reads back, and ours and the exchange's match one to one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_a_write_burst_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), None).await;
    let trader = trader(&server, 0).await;
    let server = std::sync::Arc::new(server);
    let mut clients = Vec::new();
    for _ in 0..6 {
        let (server, token, context) = (server.clone(), trader.token.clone(), trader.context.clone());
        clients.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            loop {
                let body = json!({"context_id": context, "side": "buy", "type": "market", "quote_amount": "10"});
                match server.send(reqwest::Method::POST, "/api/orders", &token, Some(body)).await {
                    Ok((201, order)) => acknowledged.push(order["id"].as_str().expect("an order id").to_owned()),
                    Ok((status, body)) => panic!("an order was refused during the burst: {status} {body}"),
                    Err(_) => return acknowledged, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // The clients hold the server while they write: kill it by its process id.
    let killed = std::process::Command::new("kill").args(["-9", &server.pid().to_string()]).status().unwrap();
    assert!(killed.success());
    let mut acknowledged = Vec::new();
    for client in clients {
        acknowledged.extend(client.await.unwrap());
    }
    assert!(acknowledged.len() >= 10, "the burst barely ran: {} orders", acknowledged.len());

    let server = Server::start(dir.path(), None).await;
    for id in &acknowledged {
        let order = server.get(&format!("/api/orders/{id}"), &trader.token).await;
        assert_eq!(order["status"], "filled", "{order}");
    }
    assert_eq!(server.kill().await, Some(SIGKILL));
    let books = stored(dir.path(), &trader.user_id).await;
    assert!(
        books.orders.len() >= acknowledged.len(),
        "{} stored, {} acknowledged",
        books.orders.len(),
        acknowledged.len()
    );
    books.assert_one_to_one();
}
