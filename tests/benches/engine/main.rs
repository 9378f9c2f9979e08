//! The engine benchmark (issue 6, Performance): 100,000 running bots over 200 markets.
//!
//! 1. Pure evaluation: `Bot::evaluate` over every bot in memory, on one thread.
//! 2. Full cycles through `Engine::run` on the in-memory embedded store: time and bot writes.
//! 3. Memory: resident growth per bot for the `Bot` structs and for the store's copy, and the
//!    process's peak (`VmHWM`).
//!
//! Run: `cargo bench -p botfleet-tests --bench engine` (a plain binary, `harness = false`).
//! Knobs: `BENCH_BOTS` (100000), `BENCH_MARKETS` (200), `BENCH_ROUNDS` (10 evaluation rounds),
//! `BENCH_CYCLES` (2 engine rounds). docs/performance.md explains the figures.

mod cycle;
mod evaluate;
mod exchange;
mod fleet;
mod memory;
mod report;
mod timed;

use std::sync::Arc;

use domain::shared::clock::FixedClock;
use time::macros::datetime;
use time::Duration;

use crate::exchange::BenchExchange;
use crate::memory::Memory;

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

fn main() {
    // `cargo bench` passes `--bench` (and filters): this binary takes its knobs from the
    // environment. Without it (`cargo test --all-targets` runs benches as tests) it runs a small
    // smoke fleet, so the test run checks it still works without paying for the full size.
    let full = std::env::args().any(|a| a == "--bench");
    let size = Size {
        bots: knob("BENCH_BOTS", if full { 100_000 } else { 2_000 }),
        markets: knob("BENCH_MARKETS", if full { 200 } else { 20 }).max(1),
        rounds: knob("BENCH_ROUNDS", if full { 10 } else { 1 }),
        cycles: knob("BENCH_CYCLES", if full { 2 } else { 1 }),
    };
    // One thread: the figures are per core.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run(size));
}

async fn run(size: Size) {
    // Ten past an hour: no hourly candle closes during the rounds, so candle bots stay idle.
    let start = datetime!(2025-01-06 12:10 UTC);
    let clock = Arc::new(FixedClock::new(start));
    let exchange = Arc::new(BenchExchange::new(size.markets, clock.clone()));
    report::machine(size.bots, size.markets);

    let rig = cycle::rig(exchange.clone(), clock.clone()).await;
    let before = Memory::now();
    let fleet = fleet::build(size.bots, size.markets, start);
    let built = Memory::now();
    let load = cycle::load(&rig, &fleet).await;
    let stored = Memory::now();
    let read = cycle::read_back(&rig).await;
    let read_back = Memory::now();
    report::memory(&fleet.bots, [before, built, stored, read_back], read.len(), load);
    drop(read);
    report::stored(cycle::stored_sizes(&rig).await);

    let mut bots = fleet.bots;
    let groups = evaluate::group(&bots, size.markets);
    let mut figures = evaluate::Figures::default();
    for r in 0..size.rounds {
        let at = start + Duration::minutes(i64::from(r) + 1);
        clock.set(at);
        let snapshots = evaluate::snapshots(&exchange, size.markets).await;
        evaluate::round(&mut bots, &groups, &snapshots, at, &mut figures);
    }
    report::evaluation(&figures);
    drop(bots);

    for r in 0..size.cycles {
        clock.set(start + Duration::minutes(i64::from(r) + 1));
        let runs = cycle::round(&rig).await;
        report::cycle(r + 1, &runs);
    }
    report::peak(Memory::now());
}
