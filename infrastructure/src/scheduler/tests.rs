//! Scheduler behaviour over the embedded store's leases: run-now, statuses and metrics, failures
//! and panics that do not stop the loops, leases held elsewhere, two instances on one store,
//! switches, and shutdown. Waits poll with generous deadlines; nothing asserts on timing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use domain::leases::LeaseRepository;
use domain::Clock;
use prometheus::Registry;

use super::*;
use crate::clock::SystemClock;
use crate::repositories::open_embedded;

async fn leases() -> Arc<dyn LeaseRepository> {
    open_embedded(None).await.unwrap().leases
}

/// A config running the schedule 100 times faster (`paper_matching` every 50 ms).
fn fast(instance: &str) -> SchedulerConfig {
    SchedulerConfig { interval_scale: 0.01, ..SchedulerConfig::new(instance) }
}

fn scheduler(config: SchedulerConfig, leases: Arc<dyn LeaseRepository>, registry: &Registry) -> Scheduler {
    Scheduler::new(config, leases, Arc::new(SystemClock), WorkflowMetrics::new(registry).unwrap())
}

/// `paper_matching` counting its runs.
fn counting(runs: Arc<AtomicUsize>) -> Arc<FnWorkflow> {
    Arc::new(FnWorkflow::new("paper_matching", move || {
        let runs = runs.clone();
        async move { Ok(format!("run {}", runs.fetch_add(1, Ordering::SeqCst) + 1)) }
    }))
}

fn status(scheduler: &Scheduler, name: &str) -> WorkflowStatus {
    scheduler.statuses().into_iter().find(|s| s.name == name).unwrap()
}

/// Polls `done` every 10 ms for up to 20 s.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn render(registry: &Registry) -> String {
    prometheus::TextEncoder::new().encode_to_string(&registry.gather()).unwrap()
}

#[tokio::test]
async fn run_now_runs_and_records_status_and_metrics() {
    let registry = Registry::new();
    let mut scheduler = scheduler(SchedulerConfig::new("a"), leases().await, &registry);
    scheduler.register(counting(Arc::default())).unwrap();

    let report = scheduler.run_now("paper_matching").await.unwrap();

    assert_eq!((report.outcome, report.summary.as_str()), (Outcome::Ok, "run 1"));
    let status = status(&scheduler, "paper_matching");
    assert_eq!((status.registered, status.runs, status.failures, status.skips), (true, 1, 0, 0));
    assert_eq!(status.last_outcome, Some(Outcome::Ok));
    assert_eq!(status.last_summary.as_deref(), Some("run 1"));
    assert_eq!((status.last_success, status.last_error.as_ref()), (status.last_finished, None));
    assert_eq!(status.interval, Duration::from_secs(5));
    assert!(!status.running);
    let statuses = scheduler.statuses();
    assert_eq!(statuses.len(), CATALOGUE.len());
    assert!(statuses.iter().filter(|s| s.name != "paper_matching").all(|s| !s.registered && s.runs == 0));
    let text = render(&registry);
    assert!(text.contains(r#"botfleet_workflow_runs_total{outcome="ok",workflow="paper_matching"} 1"#), "{text}");
    assert!(text.contains(r#"botfleet_workflow_duration_seconds_count{workflow="paper_matching"} 1"#), "{text}");
}

#[tokio::test]
async fn failing_and_panicking_runs_never_stop_the_loop() {
    let registry = Registry::new();
    let mut scheduler = scheduler(fast("a"), leases().await, &registry);
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    scheduler
        .register(Arc::new(FnWorkflow::new("paper_matching", move || {
            let call = seen.fetch_add(1, Ordering::SeqCst);
            async move {
                match call {
                    0 => anyhow::bail!("the exchange is down"),
                    1 => panic!("a bug in a workflow"),
                    _ => Ok("fine".to_owned()),
                }
            }
        })))
        .unwrap();
    let scheduler = Arc::new(scheduler);

    let handle = scheduler.start();
    eventually("four runs", || status(&scheduler, "paper_matching").runs >= 4).await;
    handle.shutdown().await;

    let status = status(&scheduler, "paper_matching");
    assert_eq!(status.failures, 2);
    assert_eq!(status.last_outcome, Some(Outcome::Ok));
    // The last success and the last error are kept apart (the platform metrics' workflow health).
    let (success, (error_at, error)) = (status.last_success.unwrap(), status.last_error.clone().unwrap());
    assert!(error_at <= success && success == status.last_finished.unwrap());
    assert!(!error.is_empty());
    let text = render(&registry);
    assert!(text.contains(r#"botfleet_workflow_runs_total{outcome="failed",workflow="paper_matching"} 2"#), "{text}");
}

#[tokio::test]
async fn a_failed_run_reports_the_error_and_a_panic_its_message() {
    let mut scheduler = scheduler(SchedulerConfig::new("a"), leases().await, &Registry::new());
    scheduler
        .register(Arc::new(FnWorkflow::new("sync_orders", || async {
            Err(anyhow::anyhow!("timeout").context("reading open orders"))
        })))
        .unwrap();
    scheduler.register(Arc::new(FnWorkflow::new("anomaly_check", || async { panic!("index out of range") }))).unwrap();

    let failed = scheduler.run_now("sync_orders").await.unwrap();
    let panicked = scheduler.run_now("anomaly_check").await.unwrap();

    assert_eq!((failed.outcome, failed.summary.as_str()), (Outcome::Failed, "reading open orders: timeout"));
    assert_eq!((panicked.outcome, panicked.summary.as_str()), (Outcome::Failed, "panicked: index out of range"));
}

#[tokio::test]
async fn a_lease_held_elsewhere_skips_the_run() {
    let leases = leases().await;
    let now = SystemClock.now();
    assert!(leases.try_acquire("workflow:paper_matching", "b", Duration::from_secs(60), now).await.unwrap());
    let registry = Registry::new();
    let runs = Arc::new(AtomicUsize::new(0));
    let mut scheduler = scheduler(SchedulerConfig::new("a"), leases, &registry);
    scheduler.register(counting(runs.clone())).unwrap();

    let refused = scheduler.run_now("paper_matching").await;

    assert!(matches!(refused, Err(RunNowError::LeaseHeld("paper_matching"))), "{refused:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    let status = status(&scheduler, "paper_matching");
    assert_eq!((status.runs, status.skips, status.last_outcome), (0, 1, Some(Outcome::Skipped)));
    assert!(
        render(&registry).contains(r#"botfleet_workflow_runs_total{outcome="skipped",workflow="paper_matching"} 1"#)
    );
}

#[tokio::test]
async fn two_instances_on_one_store_never_run_a_workflow_at_once() {
    let leases = leases().await;
    let (in_flight, overlaps, total) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut instances = Vec::new();
    for id in ["a", "b"] {
        let mut scheduler = scheduler(fast(id), leases.clone(), &Registry::new());
        let (in_flight, overlaps, total) = (in_flight.clone(), overlaps.clone(), total.clone());
        scheduler
            .register(Arc::new(FnWorkflow::new("paper_matching", move || {
                let (in_flight, overlaps, total) = (in_flight.clone(), overlaps.clone(), total.clone());
                async move {
                    if in_flight.fetch_add(1, Ordering::SeqCst) > 0 {
                        overlaps.fetch_add(1, Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    total.fetch_add(1, Ordering::SeqCst);
                    Ok(String::new())
                }
            })))
            .unwrap();
        instances.push(Arc::new(scheduler));
    }

    let handles: Vec<_> = instances.iter().map(Scheduler::start).collect();
    eventually("ten runs in all", || total.load(Ordering::SeqCst) >= 10).await;
    eventually("a skip on some instance", || instances.iter().any(|s| status(s, "paper_matching").skips > 0)).await;
    for handle in handles {
        handle.shutdown().await;
    }

    assert_eq!(overlaps.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn switched_off_unknown_and_unregistered_workflows_do_not_run() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut config = fast("a");
    config.disabled.insert("paper_matching".into());
    let mut disabled = scheduler(config, leases().await, &Registry::new());
    disabled.register(counting(runs.clone())).unwrap();
    let mut api_only = scheduler(SchedulerConfig { workers: false, ..fast("b") }, leases().await, &Registry::new());
    api_only.register(counting(runs.clone())).unwrap();
    let (disabled, api_only) = (Arc::new(disabled), Arc::new(api_only));

    assert!(matches!(disabled.run_now("paper_matching").await, Err(RunNowError::Disabled("paper_matching"))));
    assert!(matches!(api_only.run_now("paper_matching").await, Err(RunNowError::WorkersOff)));
    assert!(matches!(disabled.run_now("sync_orders").await, Err(RunNowError::NotRegistered("sync_orders"))));
    assert!(
        matches!(disabled.run_now("mine_bitcoin").await, Err(RunNowError::Unknown(name)) if name == "mine_bitcoin")
    );
    assert_eq!((disabled.start().loops(), api_only.start().loops()), (0, 0));
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert!(!status(&disabled, "paper_matching").enabled);
}

#[tokio::test]
async fn only_catalogue_workflows_register_once() {
    let mut scheduler = scheduler(SchedulerConfig::new("a"), leases().await, &Registry::new());
    let unknown = scheduler.register(Arc::new(FnWorkflow::new("mine_bitcoin", || async { Ok(String::new()) })));
    assert!(matches!(unknown, Err(RegisterError::NotInCatalogue(_))));

    scheduler.register(counting(Arc::default())).unwrap();
    let again = scheduler.register(counting(Arc::default()));
    assert!(matches!(again, Err(RegisterError::Duplicate("paper_matching"))));
}

#[tokio::test]
async fn a_run_on_request_during_a_run_is_refused_as_running() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let mut scheduler = scheduler(SchedulerConfig::new("a"), leases().await, &Registry::new());
    let wait = gate.clone();
    scheduler
        .register(Arc::new(FnWorkflow::new("paper_matching", move || {
            let wait = wait.clone();
            async move {
                let _permit = wait.acquire().await?;
                Ok("released".to_owned())
            }
        })))
        .unwrap();
    let scheduler = Arc::new(scheduler);
    let first = tokio::spawn({
        let scheduler = scheduler.clone();
        async move { scheduler.run_now("paper_matching").await }
    });
    eventually("the first run to start", || status(&scheduler, "paper_matching").running).await;

    let second = scheduler.run_now("paper_matching").await;
    gate.add_permits(1);

    assert!(matches!(second, Err(RunNowError::Running("paper_matching"))), "{second:?}");
    assert_eq!(first.await.unwrap().unwrap().summary, "released");
}

#[tokio::test]
async fn shutdown_releases_the_leases_for_another_instance() {
    let leases = leases().await;
    let mut scheduler = scheduler(SchedulerConfig::new("a"), leases.clone(), &Registry::new());
    scheduler.register(counting(Arc::default())).unwrap();
    let scheduler = Arc::new(scheduler);
    let handle = scheduler.start();
    scheduler.run_now("paper_matching").await.unwrap();
    let ttl = Duration::from_secs(60);
    assert!(!leases.try_acquire("workflow:paper_matching", "b", ttl, SystemClock.now()).await.unwrap());

    handle.shutdown().await;

    assert!(leases.try_acquire("workflow:paper_matching", "b", ttl, SystemClock.now()).await.unwrap());
}
