//! The bench's printout: Markdown tables, ready to paste into docs/performance.md, with each
//! target's verdict next to its figure.

use std::time::Duration;

use domain::bots::Bot;

use crate::cycle::Run;
use crate::evaluate::Figures;
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

/// Memory of the `Bot` structs and of the store's copy.
pub fn memory(bots: &[Bot], [before, built, stored, read_back]: [Memory; 4], read: usize, load: Duration) {
    println!("## Memory\n");
    if !before.available() {
        println!("(no /proc/self/status on this system: memory not measured)\n");
        return;
    }
    let n = bots.len();
    let structs = (built.per_item_since(&before, n), built.live_per_item_since(&before, n));
    let loaded = (read_back.per_item_since(&stored, read), read_back.live_per_item_since(&stored, read));
    let store = (stored.per_item_since(&built, n), stored.live_per_item_since(&built, n));
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
    row(loaded_what.into(), loaded, grown(&stored, &read_back), false);
    let store_what = "the embedded store's copy (SQLite in memory; judged by RSS)";
    row(store_what.into(), store, grown(&built, &stored), true);
    println!("| a bot as JSON with its null fields (the API's form) | {json} B | — | — | — |");
    println!(
        "\nVmHWM before the fleet {}, after building it {}, after storing it {}, after reading it back {}; storing took {:.2} s.\n",
        mib(before.hwm_kib),
        mib(built.hwm_kib),
        mib(stored.hwm_kib),
        mib(read_back.hwm_kib),
        load.as_secs_f64()
    );
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
pub fn cycle(round: u32, runs: &[Run]) {
    println!("## Engine round {round} (`Engine::run`, embedded store in memory)\n");
    println!("| workflow | bots | markets | total ms | load bots ms | bot writes | writes ms | re-reads | orders | skipped | bots/min |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut sum = Duration::ZERO;
    let (mut bots, mut written, mut orders) = (0, 0, 0);
    for run in runs {
        let r = &run.report;
        sum += run.total;
        bots += r.bots;
        written += r.written;
        orders += r.orders;
        println!(
            "| {} | {} | {} | {} | {} | {} ({} calls) | {} | {} | {} | {} | {:.0} |",
            run.name,
            r.bots,
            r.markets,
            ms(run.total),
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
        "| **all** | {bots} | | {} | | {written} | | | {orders} | | {:.0} |\n",
        ms(sum),
        bots as f64 / sum.as_secs_f64().max(1e-9) * 60.0
    );
}

/// The process's peak.
pub fn peak(now: Memory) {
    println!("## Peak\n\nVmHWM at the end: {} (resident now {}).", mib(now.hwm_kib), mib(now.rss_kib));
}
