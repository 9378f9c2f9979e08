//! The workflow scheduler through the running server, on both stores: the status listing and who
//! may read it, running a workflow on request, the interval scale, a switched-off workflow, an
//! API-only instance, and (on MongoDB) two instances sharing one database through leases. Waits
//! poll with generous deadlines; nothing asserts on timing.

use std::time::Duration;

use botfleet_tests::app::{settings, spawn_with, spawn_with_repositories, Store, TestApp};
use serde_json::Value;
use time::OffsetDateTime;

botfleet_tests::on_both_stores!(
    the_status_lists_every_workflow_to_admins_and_the_ops_token,
    paper_matching_runs_on_request,
    a_lease_held_by_another_instance_refuses_a_run,
    the_interval_scale_applies_to_every_interval_and_the_loops_run,
    a_disabled_workflow_is_listed_off_and_never_runs,
    an_api_only_instance_runs_no_workflow,
);

const OPS_TOKEN: &str = "ops-token-for-tests-0123456789";
const WORKFLOWS: &str = "/api/system/workflows";

/// The catalogue, in order.
const CATALOGUE: [&str; 23] = [
    "sync_orders",
    "sync_withdrawals",
    "sync_strategy_balances",
    "anomaly_check",
    "smart_bot_purchase",
    "smart_bot_sales",
    "smart_bot_check_situation",
    "candle_bots_analysis",
    "candle_bots_risk_management",
    "dca_execution",
    "dca_risk_management",
    "channel_bots",
    "candle_analysis",
    "credential_revalidation",
    "subscription_reconciliation",
    "assistant_suggestions",
    "paper_matching",
    "relay_events",
    "webhook_delivery",
    "email_notifications",
    "telegram_notifications",
    "telegram_updates",
    "operator_audit_expiry",
];

async fn list(app: &TestApp) -> Value {
    app.get(WORKFLOWS, Some(OPS_TOKEN)).await.ok(200).clone()
}

fn workflow<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["items"].as_array().unwrap().iter().find(|w| w["name"] == name).unwrap_or_else(|| panic!("{name}: {list}"))
}

async fn run(app: &TestApp, name: &str) -> botfleet_tests::app::Answer {
    app.call(reqwest::Method::POST, &format!("{WORKFLOWS}/{name}/run"), Some(OPS_TOKEN), None, &[]).await
}

/// Polls the listing every 50 ms for up to 30 s until `done` holds; returns that listing.
async fn poll(app: &TestApp, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let list = list(app).await;
        if done(&list) {
            return list;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}: {list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn runs(list: &Value, name: &str) -> u64 {
    workflow(list, name)["runs"].as_u64().unwrap()
}

async fn the_status_lists_every_workflow_to_admins_and_the_ops_token(store: Store) {
    let (app, repositories) = spawn_with_repositories(settings(store, &[("BOTFLEET_OPS_TOKEN", OPS_TOKEN)])).await;
    let user = app.user("wf-user@example.com").await;
    let admin = app.admin("wf-admin@example.com", &repositories).await;

    app.get(WORKFLOWS, None).await.problem(401, "missing_token");
    app.get(WORKFLOWS, Some("not-the-ops-token-0123456789")).await.problem(401, "invalid_token");
    app.get(WORKFLOWS, Some(&user.access)).await.problem(403, "admin_required");
    run(&app, "paper_matching").await; // as the ops token; then as the user:
    let path = format!("{WORKFLOWS}/paper_matching/run");
    app.call(reqwest::Method::POST, &path, Some(&user.access), None, &[]).await.problem(403, "admin_required");
    app.call(reqwest::Method::POST, &path, None, None, &[]).await.problem(401, "missing_token");

    let by_admin = app.get(WORKFLOWS, Some(&admin.access)).await.ok(200).clone();
    let listing = list(&app).await;
    let names: Vec<&str> = listing["items"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(names, CATALOGUE);
    assert_eq!(by_admin["items"].as_array().unwrap().len(), CATALOGUE.len());
    assert_eq!((listing["workers"].as_bool(), listing["interval_scale"].as_f64()), (Some(true), Some(1.0)));
    assert!(listing["instance_id"].as_str().unwrap().starts_with("instance-"));
    for (name, interval_ms, registered) in [
        ("sync_orders", 42_000, true),
        ("smart_bot_check_situation", 33_000, true),
        ("channel_bots", 30_000, true),
        ("sync_withdrawals", 600_000, true),
        ("candle_analysis", 300_000, true),
        ("credential_revalidation", 86_400_000, true),
        ("subscription_reconciliation", 3_600_000, true),
        ("paper_matching", 5_000, true),
        ("relay_events", 1_000, true),
        ("webhook_delivery", 1_000, true),
    ] {
        let w = workflow(&listing, name);
        assert_eq!(
            (w["interval_ms"].as_u64(), w["registered"].as_bool()),
            (Some(interval_ms), Some(registered)),
            "{w}"
        );
        assert_eq!(w["enabled"], true, "{w}");
    }
}

async fn paper_matching_runs_on_request(store: Store) {
    // The loop would first run in an hour: every run seen here is the requested one.
    let app = spawn_with(settings(
        store,
        &[("BOTFLEET_OPS_TOKEN", OPS_TOKEN), ("BOTFLEET_WORKFLOW_PAPER_MATCHING_SECS", "3600")],
    ))
    .await;

    let ran = run(&app, "paper_matching").await.ok(200).clone();

    assert_eq!((ran["name"].as_str(), ran["outcome"].as_str()), (Some("paper_matching"), Some("ok")), "{ran}");
    assert_eq!(ran["summary"], "binance: filled 0, mercado_bitcoin: filled 0");
    let started =
        OffsetDateTime::parse(ran["started_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let finished =
        OffsetDateTime::parse(ran["finished_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(started <= finished);
    let status = list(&app).await;
    let w = workflow(&status, "paper_matching");
    assert_eq!(
        (w["runs"].as_u64(), w["failures"].as_u64(), w["last_outcome"].as_str()),
        (Some(1), Some(0), Some("ok"))
    );
    assert_eq!(w["last_summary"], ran["summary"]);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"botfleet_workflow_runs_total{outcome="ok",workflow="paper_matching"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"botfleet_workflow_duration_seconds_count{workflow="paper_matching"} 1"#));

    run(&app, "mine_bitcoin").await.problem(404, "not_found");
}

async fn a_lease_held_by_another_instance_refuses_a_run(store: Store) {
    let (app, repositories) = spawn_with_repositories(settings(store, &[("BOTFLEET_OPS_TOKEN", OPS_TOKEN)])).await;
    let an_hour = Duration::from_secs(3600);
    let now = OffsetDateTime::now_utc();
    assert!(repositories.leases.try_acquire("workflow:credential_revalidation", "other", an_hour, now).await.unwrap());

    run(&app, "credential_revalidation").await.problem(409, "workflow_lease_held");
    let w = workflow(&list(&app).await, "credential_revalidation").clone();
    assert_eq!(
        (w["runs"].as_u64(), w["skips"].as_u64(), w["last_outcome"].as_str()),
        (Some(0), Some(1), Some("skipped"))
    );

    assert!(repositories.leases.release("workflow:credential_revalidation", "other").await.unwrap());
    let ran = run(&app, "credential_revalidation").await.ok(200).clone();
    assert_eq!((ran["outcome"].as_str(), ran["summary"].as_str()), (Some("ok"), Some("checked 0 unreachable 0")));
}

async fn the_interval_scale_applies_to_every_interval_and_the_loops_run(store: Store) {
    let app =
        spawn_with(settings(store, &[("BOTFLEET_OPS_TOKEN", OPS_TOKEN), ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02")]))
            .await;

    let listing = poll(&app, "paper_matching to run twice by itself", |l| runs(l, "paper_matching") >= 2).await;

    assert_eq!(listing["interval_scale"].as_f64(), Some(0.02));
    for (name, interval_ms) in [
        ("sync_orders", 840),
        ("anomaly_check", 1200),
        ("candle_analysis", 6000),
        ("credential_revalidation", 1_728_000),
        ("paper_matching", 100),
    ] {
        assert_eq!(workflow(&listing, name)["interval_ms"].as_u64(), Some(interval_ms), "{name}");
    }
    assert_eq!(workflow(&listing, "paper_matching")["failures"], 0);
}

async fn a_disabled_workflow_is_listed_off_and_never_runs(store: Store) {
    let app = spawn_with(settings(
        store,
        &[
            ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
            ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
            ("BOTFLEET_WORKFLOW_PAPER_MATCHING_ENABLED", "false"),
            // As often as paper matching would run: a yardstick of elapsed cycles.
            ("BOTFLEET_WORKFLOW_SUBSCRIPTION_RECONCILIATION_SECS", "5"),
        ],
    ))
    .await;

    let listing = poll(&app, "three reconciliations", |l| runs(l, "subscription_reconciliation") >= 3).await;

    let paper = workflow(&listing, "paper_matching");
    assert_eq!((paper["enabled"].as_bool(), paper["runs"].as_u64()), (Some(false), Some(0)), "{paper}");
    assert!(paper["last_started"].is_null());
    run(&app, "paper_matching").await.problem(409, "workflow_disabled");
    assert_eq!(run(&app, "credential_revalidation").await.ok(200)["outcome"], "ok");
}

async fn an_api_only_instance_runs_no_workflow(store: Store) {
    let fast = [
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_WORKFLOW_SUBSCRIPTION_RECONCILIATION_SECS", "5"),
    ];
    let mut api_only_pairs = fast.to_vec();
    api_only_pairs.push(("BOTFLEET_WORKERS", "false"));
    let api_only = spawn_with(settings(store, &api_only_pairs)).await;
    let worker = spawn_with(settings(store, &fast)).await;

    // The same schedule on a worker instance, started after it, is the yardstick.
    poll(&worker, "three paper matchings on the worker", |l| runs(l, "paper_matching") >= 3).await;

    let listing = list(&api_only).await;
    assert_eq!(listing["workers"], false);
    for w in listing["items"].as_array().unwrap() {
        assert_eq!((w["runs"].as_u64(), w["skips"].as_u64()), (Some(0), Some(0)), "{w}");
        assert!(w["last_started"].is_null(), "{w}");
    }
    run(&api_only, "paper_matching").await.problem(409, "workers_disabled");
}

/// Two worker instances on one MongoDB database: each workflow cycle runs on one of them, the
/// other skips it (the lease is held), and no run fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_mongodb_share_the_workflows() {
    let database = botfleet_tests::mongo::fresh_database_name();
    let pairs = [
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "0.02"),
        ("BOTFLEET_MONGODB_DATABASE", database.as_str()),
    ];
    let first = spawn_with(settings(Store::Mongo, &[&pairs[..], &[("BOTFLEET_INSTANCE_ID", "first")]].concat())).await;
    let second =
        spawn_with(settings(Store::Mongo, &[&pairs[..], &[("BOTFLEET_INSTANCE_ID", "second")]].concat())).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let (a, b) = loop {
        let (a, b) = (list(&first).await, list(&second).await);
        let (a_w, b_w) = (workflow(&a, "paper_matching"), workflow(&b, "paper_matching"));
        let total_runs = a_w["runs"].as_u64().unwrap() + b_w["runs"].as_u64().unwrap();
        let total_skips = a_w["skips"].as_u64().unwrap() + b_w["skips"].as_u64().unwrap();
        if total_runs >= 5 && total_skips >= 3 {
            break (a, b);
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out: {a} {b}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    assert_eq!((a["instance_id"].as_str(), b["instance_id"].as_str()), (Some("first"), Some("second")));
    for listing in [&a, &b] {
        assert_eq!(workflow(listing, "paper_matching")["failures"], 0, "{listing}");
    }
}
