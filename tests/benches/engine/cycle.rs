//! Part 2: full cycles through the real engine (`Engine::run`) on the in-memory embedded store,
//! with the bench exchange behind the paper mode of Binance. Each workflow of the bot schedule
//! runs once per round; the bot repository is timed so each run splits into loading the bots,
//! writing them back, and the rest (market reads, evaluation, orders, records, leases).

use std::sync::Arc;
use std::time::{Duration, Instant};

use application::engine::{CycleReport, Engine, EnginePorts, FORGOTTEN_AFTER, PENDING_GRACE};
use application::exchanges::ExchangeDirectory;
use domain::bots::{Bot, BotKind, BotRepository};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::shared::clock::FixedClock;
use domain::Clock;
use infrastructure::repositories::{Repositories, StoreBotRepository};
use infrastructure::store::sqlite::SqliteStore;
use infrastructure::store::{DocumentStore, Query, ID};

use crate::exchange::BenchExchange;
use crate::timed::{BotMeters, TimedBots};

/// The bot workflows in the order of one scheduler round (the server's own list).
pub use api::workflows::WORKLOADS;

/// The engine over the embedded store and the bench exchange.
#[derive(Debug)]
pub struct Rig {
    /// The engine.
    pub engine: Engine,
    /// The repositories (untimed).
    pub repos: Repositories,
    /// The timers of the engine's bot repository.
    pub meters: Arc<BotMeters>,
    /// The store itself, for its size.
    pub sqlite: Arc<SqliteStore>,
}

/// Wires the engine as `api::bootstrap` does, on an in-memory embedded store, or on a database
/// file in the directory `BENCH_STORE_DIR` names, as a server keeps it.
pub async fn rig(exchange: Arc<BenchExchange>, clock: Arc<FixedClock>) -> Rig {
    let sqlite = Arc::new(match std::env::var_os("BENCH_STORE_DIR") {
        Some(dir) => {
            // A directory of the bench's own inside the one named, so nothing else is removed.
            let dir = std::path::PathBuf::from(dir).join("botfleet-engine-bench");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("the store directory is created");
            SqliteStore::open(Some(&dir), Default::default()).expect("the database file opens")
        }
        None => SqliteStore::in_memory(),
    });
    let store: Arc<dyn DocumentStore> = sqlite.clone();
    let repos = Repositories::on(store.clone()).await.expect("the collections are created");
    let clock: Arc<dyn Clock> = clock;
    let exchanges = Arc::new(ExchangeDirectory::default().with(ExchangeId::Binance, ContextMode::Paper, exchange));
    let contexts = botfleet_tests::engine::context_service(&repos, exchanges.clone(), clock.clone());
    let meters = Arc::new(BotMeters::default());
    // `BENCH_READ_PAGE` tries another page size for the engine's bot query (the server's is
    // `StoreBotRepository::READ_PAGE`).
    let page = std::env::var("BENCH_READ_PAGE").ok().and_then(|v| v.trim().parse().ok());
    let engine_bots: Arc<dyn BotRepository> = match page {
        Some(page) => Arc::new(StoreBotRepository::new(store.clone()).with_read_page(page)),
        None => repos.bots.clone(),
    };
    let bots: Arc<dyn BotRepository> = Arc::new(TimedBots::new(engine_bots, meters.clone()));
    let engine = Engine::new(EnginePorts {
        bots,
        records: repos.bot_records.clone(),
        orders: repos.orders.clone(),
        contexts,
        exchanges,
        leases: repos.leases.clone(),
        clock,
        instance: "bench".to_owned(),
        pending_grace: PENDING_GRACE,
        forgotten_after: FORGOTTEN_AFTER,
        failpoint: None,
    });
    Rig { engine, repos, meters, sqlite }
}

/// Stores `contexts` (their owners on MAX) and `bots` one at a time, as a server holds them
/// (no copy of the fleet stays in the bench); returns how many bots and how long it took.
pub async fn load(rig: &Rig, contexts: &[TradingContext], bots: impl Iterator<Item = Bot>) -> (usize, Duration) {
    let started = Instant::now();
    for context in contexts {
        rig.repos.contexts.create(context).await.expect("a context is stored");
        botfleet_tests::engine::on_plan(&rig.repos, context.user_id, domain::subscriptions::Plan::Max).await;
    }
    let mut count = 0;
    for bot in bots {
        rig.repos.bots.create(&bot).await.expect("a bot is stored");
        count += 1;
    }
    (count, started.elapsed())
}

/// Where the bench's store keeps its database, for the reports.
pub fn store_label() -> &'static str {
    if on_disk() {
        "SQLite in a database file"
    } else {
        "SQLite in memory"
    }
}

/// Whether the store is a database file (`BENCH_STORE_DIR`), not in memory.
pub fn on_disk() -> bool {
    std::env::var_os("BENCH_STORE_DIR").is_some()
}

/// The size of the store's database, compacted (`VACUUM INTO` a temporary file): what SQLite
/// holds of the data in memory, outside the bench's heap counter; `None` for a database file,
/// which SQLite keeps on disk (its page caches count in the resident figures only).
pub async fn database_bytes(rig: &Rig) -> Option<u64> {
    if on_disk() {
        return None;
    }
    let path = std::env::temp_dir().join(format!("botfleet-engine-bench-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    rig.sqlite.backup(&path).await.expect("the bench's store is copied to a file to be measured");
    let bytes = std::fs::metadata(&path).expect("the copy of the bench's store").len();
    let _ = std::fs::remove_file(&path);
    Some(bytes)
}

/// Every bot read back from the store, as the engine reads the bots of a workflow run.
pub async fn read_back(rig: &Rig) -> Vec<Bot> {
    rig.repos.bots.evaluated(&BotKind::ALL, None).await.expect("the bots are read back")
}

/// SQLite's plan for one page of the engine's query for running SmartBots (as `evaluated` asks
/// for it: one status and kind at a time, after the last id seen), one step a line.
pub async fn load_plan(rig: &Rig) -> Vec<String> {
    let page = Query::all()
        .eq("status", "running")
        .eq("kind", "smart")
        .gt(ID, "0")
        .asc(ID)
        .limit(StoreBotRepository::READ_PAGE);
    rig.sqlite.plan(StoreBotRepository::COLLECTION, &page).await.unwrap_or_else(|err| vec![format!("no plan: {err}")])
}

/// The average length of a stored bot's aggregate text and of its whole document as JSON, over
/// up to 1,000 stored bots.
pub async fn stored_sizes(rig: &Rig) -> (usize, usize) {
    let sample = Query::all().asc(ID).limit(1_000);
    let docs = rig.repos.store.find(StoreBotRepository::COLLECTION, &sample).await.expect("stored bots");
    let n = docs.len().max(1);
    let text: usize = docs.iter().map(|d| d.get("bot").and_then(|b| b.as_str()).map_or(0, str::len)).sum();
    let whole: usize = docs.iter().map(|d| serde_json::to_string(d).map_or(0, |j| j.len())).sum();
    (text / n, whole / n)
}

/// One workflow run of a round.
#[derive(Debug)]
pub struct Run {
    /// The workflow.
    pub name: &'static str,
    /// What the engine reports.
    pub report: CycleReport,
    /// Wall time of `Engine::run`.
    pub total: Duration,
    /// CPU time of the process during it (every thread).
    pub cpu: Duration,
    /// Time loading the bots (`evaluated`).
    pub load: Duration,
    /// Bot writes and their time (`update`).
    pub writes: (u64, Duration),
    /// Bot re-reads before acting and their time (`find`).
    pub finds: (u64, Duration),
}

impl Run {
    /// What went wrong in this run, if anything: bots skipped (a conflict, a lease held
    /// elsewhere, a market unreadable), isolated after a fault, or refused by the entry gate.
    pub fn failures(&self) -> Option<String> {
        let r = &self.report;
        (r.skipped + r.isolated + r.refused > 0)
            .then(|| format!("{}: {} skipped, {} isolated, {} refused", self.name, r.skipped, r.isolated, r.refused))
    }
}

/// Runs every bot workflow once, in schedule order, at the clock's time. A workflow run that
/// fails ends the bench.
pub async fn round(rig: &Rig) -> Vec<Run> {
    let mut runs = Vec::new();
    for (name, workload) in WORKLOADS {
        rig.meters.loads.take();
        rig.meters.writes.take();
        rig.meters.finds.take();
        let (started, cpu) = (Instant::now(), crate::cpu::used());
        let report = rig.engine.run(workload).await.unwrap_or_else(|err| panic!("the {name} run failed: {err}"));
        let (total, cpu) = (started.elapsed(), crate::cpu::used().saturating_sub(cpu));
        let (_, load) = rig.meters.loads.take();
        runs.push(Run {
            name,
            report,
            total,
            cpu,
            load,
            writes: rig.meters.writes.take(),
            finds: rig.meters.finds.take(),
        });
    }
    runs
}
