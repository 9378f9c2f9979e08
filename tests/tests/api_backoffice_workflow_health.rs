//! Workflow health across instances: two servers on the SAME MongoDB database (MongoDB only: the
//! embedded store belongs to one process). A workflow run on one instance shows, with the same
//! last run and last success, in the other's backoffice metrics and in its `/metrics` gauges,
//! since both read the run from the store rather than from their own memory.

use botfleet_tests::app::{settings, spawn_with_repositories, Store, TestApp};
use botfleet_tests::backoffice::{create_operator, enrol_and_login, extra, DOMAIN};
use botfleet_tests::bots::{run, OPS_TOKEN};
use botfleet_tests::mongo::fresh_database_name;
use domain::backoffice::OperatorRole;
use infrastructure::repositories::Repositories;
use serde_json::Value;

/// An instance named `id` on `database`, its workflows run on request only.
async fn instance(database: &str, id: &str) -> (TestApp, Repositories) {
    let mut pairs = vec![
        ("BOTFLEET_MONGODB_DATABASE", database),
        ("BOTFLEET_INSTANCE_ID", id),
        ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"),
        ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
    ];
    pairs.extend(extra());
    spawn_with_repositories(settings(Store::Mongo, &pairs)).await
}

/// The workflow `name` in a backoffice metrics answer.
fn workflow<'a>(metrics: &'a Value, name: &str) -> &'a Value {
    let all = metrics["workflows"].as_array().unwrap();
    all.iter().find(|w| w["name"] == name).unwrap_or_else(|| panic!("no {name} in {metrics}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_on_one_instance_is_reported_by_the_other() {
    let database = fresh_database_name();
    let (a, _) = instance(&database, "instance-a").await;
    let (b, repos_b) = instance(&database, "instance-b").await;
    let email = format!("sue@{DOMAIN}");
    create_operator(&repos_b, &email, OperatorRole::Support).await;
    let support = enrol_and_login(&b, &email, "10.0.33.1").await;

    let before = support.get(&b, "/backoffice/api/metrics").await.ok(200).clone();
    assert_eq!(workflow(&before, "paper_matching")["last_run_at"], Value::Null, "{before}");

    run(&a, "paper_matching").await;
    let on_a = support_view(&a, &repos_b).await;
    let on_b = support.get(&b, "/backoffice/api/metrics").await.ok(200).clone();
    let (seen_a, seen_b) = (workflow(&on_a, "paper_matching"), workflow(&on_b, "paper_matching"));
    assert!(seen_b["last_run_at"].is_string(), "B reports A's run: {seen_b}");
    assert!(seen_b["last_success_at"].is_string(), "{seen_b}");
    assert_eq!(seen_b["last_outcome"], "ok", "{seen_b}");
    // The lease is read at every request, though B's figures were computed before the run.
    assert_eq!(seen_b["lease_holder"], "instance-a", "{seen_b}");
    assert_eq!(seen_a["lease_expires_at"], seen_b["lease_expires_at"]);
    for field in ["last_run_at", "last_success_at", "last_outcome", "last_error_at", "lease_holder"] {
        assert_eq!(seen_a[field], seen_b[field], "{field}: both instances answer the same");
    }
    // Never run anywhere: nothing on either.
    assert_eq!(workflow(&on_b, "subscription_reconciliation")["last_run_at"], Value::Null);

    // B's gauges too (for the ops token).
    let scrape = b.client.get(b.url("/metrics")).bearer_auth(OPS_TOKEN).send().await.unwrap();
    let text = scrape.text().await.unwrap();
    let series = r#"botfleet_platform_workflow_last_success_timestamp_seconds{workflow="paper_matching"}"#;
    assert!(text.lines().any(|l| l.starts_with(series)), "{text}");
}

/// The metrics as another operator logged in on `app` reads them (operators are in the store).
async fn support_view(app: &TestApp, repos: &Repositories) -> Value {
    let email = format!("ada@{DOMAIN}");
    create_operator(repos, &email, OperatorRole::Support).await;
    let op = enrol_and_login(app, &email, "10.0.33.2").await;
    op.get(app, "/backoffice/api/metrics").await.ok(200).clone()
}
