//! RSI, EMA, SMA, Bollinger, ATR, MFI and OBV over every candle of the Coinbase BTC/USD hourly
//! fixture (20,111 candles): streaming (`Indicator::series` over `Candle`s) against the batch
//! kernels over `Columns`, with the one-off `Columns` conversion measured apart.
//!
//! `cargo bench -p botfleet-domain --bench indicators` runs criterion's groups, then prints a
//! summary in ns per candle per indicator, best of 20 runs, the figure `scripts/bench-talib.py`
//! prints for TA-Lib on the same float64 arrays. Figures and caveats: `docs/performance.md`.

#[path = "../tests/indicators_support/mod.rs"]
mod indicators_support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use domain::indicators::batch::{self, BandColumns};
use domain::indicators::{Atr, BollingerBands, Columns, Ema, Indicator, Mfi, Obv, Rsi, Sma};
use domain::market::Candle;

const PERIOD: usize = 14;
const BB_PERIOD: usize = 20;
const RUNS: usize = 20;

/// One indicator run both ways: streaming over the candles, batch into a reused buffer.
struct Case {
    name: &'static str,
    streaming: fn(&[Candle]) -> usize,
    batch: fn(&Columns, &mut Buffers) -> usize,
}

/// Output buffers reused across batch runs, as a caller looping over markets would.
#[derive(Default)]
struct Buffers {
    out: Vec<f64>,
    bands: BandColumns,
}

fn count<T>(series: Vec<Option<T>>) -> usize {
    series.iter().filter(|v| v.is_some()).count()
}

const CASES: [Case; 7] = [
    Case {
        name: "rsi",
        streaming: |c| count(Rsi::new(PERIOD).unwrap().series(c)),
        batch: |c, b| {
            batch::rsi_into(c.close(), PERIOD, &mut b.out).unwrap();
            b.out.len()
        },
    },
    Case {
        name: "ema",
        streaming: |c| count(Ema::new(BB_PERIOD).unwrap().series(c)),
        batch: |c, b| {
            batch::ema_into(c.close(), BB_PERIOD, &mut b.out).unwrap();
            b.out.len()
        },
    },
    Case {
        name: "sma",
        streaming: |c| count(Sma::new(BB_PERIOD).unwrap().series(c)),
        batch: |c, b| {
            batch::sma_into(c.close(), BB_PERIOD, &mut b.out).unwrap();
            b.out.len()
        },
    },
    Case {
        name: "bollinger",
        streaming: |c| count(BollingerBands::new(BB_PERIOD, 2.0).unwrap().series(c)),
        batch: |c, b| {
            batch::bollinger_into(c.close(), BB_PERIOD, 2.0, &mut b.bands).unwrap();
            b.bands.middle.len()
        },
    },
    Case {
        name: "atr",
        streaming: |c| count(Atr::new(PERIOD).unwrap().series(c)),
        batch: |c, b| {
            batch::atr_into(c, PERIOD, &mut b.out).unwrap();
            b.out.len()
        },
    },
    Case {
        name: "mfi",
        streaming: |c| count(Mfi::new(PERIOD).unwrap().series(c)),
        batch: |c, b| {
            batch::mfi_into(c, PERIOD, &mut b.out).unwrap();
            b.out.len()
        },
    },
    Case {
        name: "obv",
        streaming: |c| count(Obv::new().series(c)),
        batch: |c, b| {
            batch::obv_into(c, &mut b.out);
            b.out.len()
        },
    },
];

fn indicators(c: &mut Criterion) {
    let candles = indicators_support::all_candles();
    let columns = Columns::from_candles(&candles);
    let mut buffers = Buffers::default();
    let mut group = c.benchmark_group("indicators");
    group.throughput(Throughput::Elements(candles.len() as u64));
    group.bench_function("columns", |b| b.iter(|| Columns::from_candles(black_box(&candles))));
    for case in &CASES {
        group.bench_function(format!("{}/streaming", case.name), |b| b.iter(|| (case.streaming)(black_box(&candles))));
        group.bench_function(format!("{}/batch", case.name), |b| {
            b.iter(|| (case.batch)(black_box(&columns), &mut buffers))
        });
    }
    group.finish();
}

/// [`RUNS`] under `cargo bench`; one when `cargo test` smoke-tests the bench (unoptimised).
fn runs() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        RUNS
    } else {
        1
    }
}

/// The fastest of [`runs`] runs of `f` (one run when `cargo test` smoke-tests the bench), in ns
/// per candle.
fn best_ns_per_candle(candles: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..runs() {
        let start = Instant::now();
        black_box(f());
        best = best.min(start.elapsed());
    }
    best.as_secs_f64() * 1e9 / candles as f64
}

/// The summary table: ns per candle per indicator, best of 20, streaming vs batch.
fn summary(_: &mut Criterion) {
    let candles = indicators_support::all_candles();
    let n = candles.len();
    let columns = Columns::from_candles(&candles);
    let mut buffers = Buffers::default();
    println!("\nns per candle per indicator, best of {}, {n} candles", runs());
    println!("{:<10} {:>10} {:>10} {:>8}", "indicator", "streaming", "batch", "speed-up");
    let (mut streaming_total, mut batch_total) = (0.0, 0.0);
    for case in &CASES {
        let streaming = best_ns_per_candle(n, || (case.streaming)(black_box(&candles)));
        let batch = best_ns_per_candle(n, || (case.batch)(black_box(&columns), &mut buffers));
        println!("{:<10} {streaming:>10.2} {batch:>10.2} {:>7.1}x", case.name, streaming / batch);
        streaming_total += streaming;
        batch_total += batch;
    }
    let k = CASES.len() as f64;
    let (streaming_mean, batch_mean) = (streaming_total / k, batch_total / k);
    println!("{:<10} {streaming_mean:>10.2} {batch_mean:>10.2} {:>7.1}x", "mean", streaming_mean / batch_mean);
    let conversion = best_ns_per_candle(n, || Columns::from_candles(black_box(&candles)).len());
    println!("columns conversion, once per market: {conversion:.2} ns per candle");
    println!(
        "mean batch + conversion shared by the {} indicators: {:.2} ns per candle per indicator",
        CASES.len(),
        batch_mean + conversion / k
    );
}

criterion_group!(benches, indicators, summary);
criterion_main!(benches);
