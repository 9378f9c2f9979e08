//! The bench's printout: Markdown tables, ready to paste into docs/performance.md, with each
//! target's verdict next to its figure.

use std::time::Duration;

use domain::bots::Bot;

use crate::cycle::{self, Run};
use crate::evaluate::Figures;
use crate::hour::Outcome;
use crate::memory::{mib, Memory};

/// Evaluations per minute on one core the issue asks for.
const EVALUATIONS_TARGET: f64 = 1_000_000.0;
/// Bytes per idle bot the issue allows.
const BYTES_TARGET: u64 = 2_048;

fn verdict(met: bool) -> &'static str {
    if met {
        "target met"
    } else {
        "TARGET MISSED"
    }
}

fn first_line(path: &str, prefix: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let line = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_default();
    line.split_once(':').map(|(_, v)| v.trim().to_owned()).unwrap_or_else(|| "unknown".to_owned())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1_000.0)
}

/// The machine and the fleet.
pub fn machine(bots: usize, markets: usize) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# Engine benchmark\n");
    println!(
        "- machine: {} ({cores} cores), memory {}",
        first_line("/proc/cpuinfo", "model name"),
        first_line("/proc/meminfo", "MemTotal")
    );
    println!("- fleet: {bots} running bots over {markets} markets; evaluation and engine on one thread\n");
}

/// Memory by part: the `Bot` structs as built and as read back (`[before, built, read_back]`),
/// and the store's copy (`(empty, ready, stored, load)`: before and after storing `stored` bots,
/// which took `load`).
pub fn parts(
    bots: &[Bot],
    [before, built, read_back]: [Memory; 3],
    read: usize,
    store: (Memory, Memory, usize, Duration),
) {
    let (empty, ready, stored, load) = store;
    println!("## Memory by part\n");
    if !before.available() {
        println!("(no /proc/self/status on this system: memory not measured)\n");
        return;
    }
    let n = bots.len();
    let structs = (built.per_item_since(&before, n), built.live_per_item_since(&before, n));
    let loaded = (read_back.per_item_since(&built, read), read_back.live_per_item_since(&built, read));
    let copy = (ready.per_item_since(&empty, stored), ready.live_per_item_since(&empty, stored));
    let sample = &bots[..n.min(1_000)];
    let json = sample.iter().map(|b| serde_json::to_vec(b).map_or(0, |v| v.len())).sum::<usize>() / sample.len().max(1);
    println!("| what | live heap per bot | RSS growth per bot | RSS growth, total | verdict (< 2 KB) |");
    println!("|---|---|---|---|---|");
    let grown = |a: &Memory, b: &Memory| mib(b.rss_kib.saturating_sub(a.rss_kib));
    // SQLite allocates its pages with its own allocator, which the live-heap counter does not
    // see: the store's copy is judged by resident growth instead.
    let row = |what: String, (rss, live): (u64, i128), total: String, by_rss: bool| {
        let met = if by_rss { rss < BYTES_TARGET } else { u64::try_from(live).is_ok_and(|l| l < BYTES_TARGET) };
        println!("| {what} | {live} B | {rss} B | {total} | {} |", verdict(met));
    };
    let size = std::mem::size_of::<Bot>();
    row(format!("`Bot` structs as built (`size_of::<Bot>()` = {size} B)"), structs, grown(&before, &built), false);
    let loaded_what = "`Bot` structs read back from the store, as the engine holds them";
    row(loaded_what.into(), loaded, grown(&built, &read_back), false);
    let store_what =
        format!("the store's copy with its indexes, stored bot by bot ({}; judged by RSS)", cycle::store_label());
    row(store_what, copy, grown(&empty, &ready), true);
    println!("| a bot as JSON with its null fields (the API's form) | {json} B | — | — | — |");
    println!(
        "\nVmHWM before building the bench's fleet {}, after building it {}, after reading it back {}; storing {stored} bots took {:.2} s.\n",
        mib(before.hwm_kib),
        mib(built.hwm_kib),
        mib(read_back.hwm_kib),
        load.as_secs_f64()
    );
}

/// The whole process's memory per bot at a few points, against a reading taken before anything
/// of the bench existed.
#[derive(Debug)]
pub struct Whole {
    baseline: Memory,
    bots: usize,
    database: Option<u64>,
    points: Vec<(&'static str, Memory)>,
}

impl Whole {
    /// Per `bots` bots from `baseline`; `database` is the store's compacted size in bytes.
    pub fn new(baseline: Memory, bots: usize, database: Option<u64>) -> Self {
        Self { baseline, bots, database, points: Vec::new() }
    }

    /// A reading at the point `what`.
    pub fn add(&mut self, what: &'static str, at: Memory) {
        self.points.push((what, at));
    }
}

/// The headline memory figure: the whole process per bot.
pub fn whole(w: &Whole) {
    println!("## Memory of the whole process, per bot\n");
    if !w.baseline.available() {
        println!("(no /proc/self/status on this system: memory not measured)\n");
        return;
    }
    let n = w.bots.max(1);
    let database = w.database.unwrap_or(0);
    let per = |bytes: i128| bytes / n as i128;
    println!("| point | live heap, Rust (per bot) | + SQLite's database (per bot) | = live heap, whole process (per bot) | RSS growth (per bot) | verdict (< 2 KB) |");
    println!("|---|---|---|---|---|---|");
    for (what, at) in &w.points {
        let live = at.live_bytes - w.baseline.live_bytes;
        let rss = i128::from(at.rss_kib.saturating_sub(w.baseline.rss_kib)) * 1024;
        let all = live + i128::from(database);
        println!(
            "| {what} | {} ({} B) | {} ({} B) | {} ({} B) | {} ({} B) | {} |",
            mib_of(live),
            per(live),
            mib_of(i128::from(database)),
            per(i128::from(database)),
            mib_of(all),
            per(all),
            mib_of(rss),
            per(rss),
            verdict(per(all) < i128::from(BYTES_TARGET))
        );
    }
    let sqlite_part = if w.database.is_some() {
        "SQLite allocates its pages with `malloc` directly, outside that counter, so its part is the \
         database's compacted size (`VACUUM INTO`, taken once the fleet is stored: a lower bound of \
         its pages in memory)"
    } else {
        "the database is in its file, so SQLite's part in memory is its page caches, counted in the \
         resident figure only"
    };
    println!(
        "\nFrom a reading before the store existed, for {} bots. The Rust heap is counted exactly (every \
         allocation of the process through the global allocator); {sqlite_part}. RSS growth is \
         everything the process holds, allocator slack included.\n",
        w.bots
    );
}

fn mib_of(bytes: i128) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

/// The average size of a stored bot: its aggregate's text and the whole document as JSON (the
/// embedded store's journal line, about what MongoDB stores).
pub fn stored((text, doc): (usize, usize)) {
    println!(
        "A stored bot document: {doc} B as JSON, of which the aggregate's text (null members left out) {text} B.\n"
    );
}

/// Pure evaluation.
pub fn evaluation(f: &Figures) {
    println!("## Pure evaluation (`Bot::evaluate`, one thread)\n");
    println!("| rounds | evaluations | time | per evaluation | evaluations/min | changed | orders asked | verdict (>= 1,000,000/min) |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} ms | {:.0} ns | {:.0} | {} ({:.2} %) | {} | {} |\n",
        f.rounds,
        f.evaluations,
        ms(f.elapsed),
        f.nanos_each(),
        f.per_minute(),
        f.changed,
        f.changed as f64 * 100.0 / f.evaluations.max(1) as f64,
        f.intents,
        verdict(f.per_minute() >= EVALUATIONS_TARGET)
    );
}

/// One engine round.
pub fn cycle(title: &str, runs: &[Run]) {
    println!("## {title} (`Engine::run`, {})\n", cycle::store_label());
    println!("| workflow | bots | markets | total ms | CPU ms | load bots ms | bot writes | writes ms | re-reads | orders | skipped | bots/min |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let (mut sum, mut cpu) = (Duration::ZERO, Duration::ZERO);
    let (mut bots, mut written, mut orders) = (0, 0, 0);
    for run in runs {
        let r = &run.report;
        sum += run.total;
        cpu += run.cpu;
        bots += r.bots;
        written += r.written;
        orders += r.orders;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} ({} calls) | {} | {} | {} | {} | {:.0} |",
            run.name,
            r.bots,
            r.markets,
            ms(run.total),
            ms(run.cpu),
            ms(run.load),
            r.written,
            run.writes.0,
            ms(run.writes.1),
            run.finds.0,
            r.orders,
            r.skipped,
            r.bots as f64 / run.total.as_secs_f64().max(1e-9) * 60.0
        );
    }
    println!(
        "| **all** | {bots} | | {} | {} | | {written} | | | {orders} | | {:.0} |\n",
        ms(sum),
        ms(cpu),
        bots as f64 / sum.as_secs_f64().max(1e-9) * 60.0
    );
}

/// What the candle bots did at the top of the hour.
pub fn hour(o: &Outcome) {
    let [buy, sell, hold] = o.signals;
    let [filled, rejected, other] = o.orders;
    println!(
        "Candle bots that analysed the new candle: {} of {} ({}); their signals: {buy} BUY, {sell} SELL, \
         {hold} HOLD. Orders in the store after the round: {filled} filled, {rejected} refused, {other} other.\n",
        o.analysed,
        o.candle_bots,
        if o.analysed == o.candle_bots { "all" } else { "SOME DID NOT ANALYSE" }
    );
}

/// The process's peak.
pub fn peak(now: Memory) {
    println!("## Peak\n\nVmHWM at the end: {} (resident now {}).", mib(now.hwm_kib), mib(now.rss_kib));
}
