//! The engine benchmark (issues 6 and 13, Performance): 100,000 running bots over 200 markets.
//!
//! 1. Whole process: the fleet is stored bot by bot as a server holds it (SQLite in memory, or
//!    in a database file with `BENCH_STORE_DIR`; the repositories, the engine), and the process's
//!    live heap and resident growth per bot are read then and after each round.
//! 2. Idle rounds through the real engine (`Engine::run`): the eight bot workflows, one minute
//!    apart within an hour, candle bots waiting for the next candle; time and bot writes.
//! 3. The top of the hour: the hourly candle closes in every market and every candle bot
//!    analyses it with its indicators and acts on its signal, in one round of the eight
//!    workflows; the bench fails unless every candle bot analysed and no order was refused.
//! 4. Memory by part: the `Bot` structs as built and as read back, and the store's copy.
//! 5. Pure evaluation: `Bot::evaluate` over every bot in memory, on one thread.
//!
//! Run: `cargo bench -p botfleet-tests --bench engine` (a plain binary, `harness = false`).
//! Knobs: `BENCH_BOTS` (100000), `BENCH_MARKETS` (200), `BENCH_ROUNDS` (10 evaluation rounds),
//! `BENCH_CYCLES` (2 idle engine rounds, at most 58), `BENCH_STORE_DIR` (a directory where the
//! store's database file is made afresh, in `botfleet-engine-bench/`; in memory without it).
//! docs/performance.md explains the figures.

mod cpu;
mod cycle;
mod evaluate;
mod exchange;
mod fleet;
mod hour;
mod memory;
mod report;
mod timed;

use std::sync::Arc;

use domain::shared::clock::FixedClock;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::exchange::BenchExchange;
use crate::memory::Memory;
use crate::report::Whole;

/// The bench's size, from the environment.
#[derive(Clone, Copy, Debug)]
struct Size {
    bots: usize,
    markets: usize,
    rounds: u32,
    cycles: u32,
}

fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Just past the top of the hour: the 12:00 hourly candle closed at 13:00.
const TOP: OffsetDateTime = datetime!(2025-01-06 13:00:30 UTC);
/// The open time of the candle that closed at [`TOP`].
const NEW_CANDLE: OffsetDateTime = datetime!(2025-01-06 12:00 UTC);
/// Pure evaluation's rounds start ten past an hour, so no hourly candle closes during them.
const EVALUATION_START: OffsetDateTime = datetime!(2025-01-06 12:10 UTC);

fn main() {
    // `cargo bench` passes `--bench` (and filters): this binary takes its knobs from the
    // environment. Without it (`cargo test --all-targets` runs benches as tests) it runs a small
    // smoke fleet, so the test run checks it still works without paying for the full size.
    let full = std::env::args().any(|a| a == "--bench");
    let size = Size {
        bots: knob("BENCH_BOTS", if full { 100_000 } else { 2_000 }),
        markets: knob("BENCH_MARKETS", if full { 200 } else { 20 }).max(1),
        rounds: knob("BENCH_ROUNDS", if full { 10 } else { 1 }),
        cycles: knob("BENCH_CYCLES", if full { 2 } else { 1 }).clamp(1, 58),
    };
    // One thread: the figures are per core.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run(size));
}

async fn run(size: Size) {
    let baseline = Memory::now();
    // The engine's timeline: idle rounds a minute apart, the last at 12:59:30, then the top of
    // the hour. The fleet's schedules start a minute before the first round, so each round finds
    // the bots due in its minute, as a server running the schedule every minute does.
    let anchor = TOP - Duration::minutes(i64::from(size.cycles) + 1);
    let clock = Arc::new(FixedClock::new(anchor));
    let exchange = Arc::new(BenchExchange::new(size.markets, clock.clone()));
    report::machine(size.bots, size.markets);

    let rig = cycle::rig(exchange.clone(), clock.clone()).await;
    let empty = Memory::now();
    let contexts = fleet::contexts(size.bots, size.markets, anchor);
    let (stored, load) = cycle::load(&rig, &contexts, fleet::bots(&contexts, size.bots, size.markets, anchor)).await;
    drop(contexts);
    let ready = Memory::now();
    let mut whole = Whole::new(baseline, stored, cycle::database_bytes(&rig).await);
    whole.add("fleet stored, engine ready", ready);

    let mut failures = Vec::new();
    for r in 1..=size.cycles {
        clock.set(anchor + Duration::minutes(i64::from(r)));
        let runs = cycle::round(&rig).await;
        report::cycle(&format!("Idle round {r}"), &runs);
        failures.extend(runs.iter().filter_map(cycle::Run::failures));
    }
    whole.add("after the idle rounds", Memory::now());

    clock.set(TOP);
    let runs = cycle::round(&rig).await;
    let outcome = hour::outcome(&rig, NEW_CANDLE).await;
    report::cycle("Top of the hour (a new hourly candle in every market)", &runs);
    report::hour(&outcome);
    failures.extend(hour::failures(&runs, &outcome));
    whole.add("after the top-of-the-hour round", Memory::now());
    report::whole(&whole);
    report::stored(cycle::stored_sizes(&rig).await);
    println!("SQLite's plan for a page of the engine's bot query: {}.\n", cycle::load_plan(&rig).await.join("; "));

    let before = Memory::now();
    let fleet: Vec<_> = fleet::build(size.bots, size.markets, EVALUATION_START);
    let built = Memory::now();
    let read = cycle::read_back(&rig).await;
    let read_back = Memory::now();
    report::parts(&fleet, [before, built, read_back], read.len(), (empty, ready, stored, load));
    drop(read);

    let mut bots = fleet;
    let groups = evaluate::group(&bots, size.markets);
    let mut figures = evaluate::Figures::default();
    for r in 0..size.rounds {
        let at = EVALUATION_START + Duration::minutes(i64::from(r) + 1);
        clock.set(at);
        let snapshots = evaluate::snapshots(&exchange, size.markets).await;
        evaluate::round(&mut bots, &groups, &snapshots, at, &mut figures);
    }
    report::evaluation(&figures);
    drop(bots);
    report::peak(Memory::now());
    assert!(failures.is_empty(), "the engine rounds do not count: {}", failures.join("; "));
}
