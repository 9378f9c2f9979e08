//! Fills an embedded store's data directory with a large population for the load benchmark
//! (`scripts/bench-load.sh`): users with their FREE subscriptions, and orders spread over some
//! of them, written through the repositories as the server would write them. Not a benchmark
//! itself: `cargo bench -p botfleet-tests --bench seed -- --dir DIR --users N --orders M
//! [--order-users K] [--owner USER_ID]` (orders are spread over the first K users, 10,000 by
//! default; `--owner` also gives that user 100 orders). Under `cargo test` (no `--dir`) it seeds
//! a small store in a temporary directory and checks the counts, as a smoke test.

use std::path::PathBuf;
use std::time::Instant;

use botfleet_tests::contract::fixtures::{self, order, subscription, user};
use domain::shared::ids::{ContextId, UserId};
use domain::subscriptions::Plan;
use infrastructure::repositories::open_embedded;
use time::{Duration, OffsetDateTime};

struct Args {
    dir: PathBuf,
    users: u64,
    orders: u64,
    order_users: u64,
    owner: Option<UserId>,
}

fn args() -> Args {
    let mut parsed = Args { dir: PathBuf::new(), users: 20, orders: 300, order_users: 10_000, owner: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--dir" => parsed.dir = value().into(),
            "--users" => parsed.users = value().parse().expect("a number of users"),
            "--orders" => parsed.orders = value().parse().expect("a number of orders"),
            "--order-users" => parsed.order_users = value().parse().expect("a number of users"),
            "--owner" => parsed.owner = Some(value().parse().expect("a user id")),
            _ => {} // cargo bench adds `--bench`
        }
    }
    parsed
}

/// Seconds from the fixtures' `t0` to `days` before now: the orders are dated within the free
/// plan's 30-day history window, or `GET /api/orders` would page through nothing.
fn days_ago(days: i64) -> i64 {
    (OffsetDateTime::now_utc() - Duration::days(days) - fixtures::t0()).whole_seconds()
}

/// A closed order (history): open ones would be followed by the server's start-up recovery.
/// Its `order.rejected` event is dropped from its outbox: history relayed long ago. Left in, the
/// server would spend its first minutes relaying a million events while being measured.
fn closed(owner: UserId, context: ContextId, created: i64) -> domain::orders::Order {
    let mut o = order(owner, context, created);
    let at = o.created_at;
    o.mark_rejected("seeded history", at).expect("a new order can be rejected");
    o.outbox.take();
    o
}

#[tokio::main]
async fn main() {
    let mut args = args();
    let smoke = args.dir.as_os_str().is_empty().then(|| tempfile::tempdir().expect("a temporary directory"));
    if let Some(dir) = &smoke {
        args.dir = dir.path().to_path_buf();
    }
    let repos = open_embedded(Some(&args.dir)).await.expect("the data directory opens");
    let started = Instant::now();
    let mut owners = Vec::new();
    for i in 0..args.users {
        let u = repos.users.create(&user(&format!("seed{i}@example.com"), i as i64)).await.expect("a user");
        repos.subscriptions.create(&subscription(u.id, Plan::Free, i as i64)).await.expect("a subscription");
        if (i as usize) < args.order_users as usize {
            owners.push(u.id);
        }
    }
    eprintln!("seed: {} users in {:.1} s", args.users, started.elapsed().as_secs_f64());
    let started = Instant::now();
    let context = ContextId::new();
    // Spread evenly over the last 25 days; the owner's 100 over the last day, ten minutes apart.
    let (from, span) = (days_ago(25), Duration::days(25).whole_seconds());
    if !owners.is_empty() {
        for n in 0..args.orders {
            let owner = owners[(n % owners.len() as u64) as usize];
            let created = from + (n as i64).saturating_mul(span) / args.orders.max(1) as i64;
            repos.orders.create(&closed(owner, context, created)).await.expect("an order");
        }
    }
    if let Some(owner) = args.owner {
        let from = days_ago(1);
        for n in 0..100 {
            repos.orders.create(&closed(owner, context, from + n * 600)).await.expect("an order");
        }
    }
    eprintln!("seed: {} orders in {:.1} s", args.orders, started.elapsed().as_secs_f64());
    if smoke.is_some() {
        use infrastructure::store::Query;
        assert_eq!(repos.store.count("users", &Query::all()).await.unwrap(), args.users);
        assert_eq!(repos.store.count("orders", &Query::all()).await.unwrap(), args.orders);
        println!("seed: 1 passed, 0 failed");
    }
}
