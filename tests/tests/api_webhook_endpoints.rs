//! Outbound webhooks through the running server, on both stores, with a receiver on loopback
//! (`BOTFLEET_WEBHOOKS_ALLOW_PRIVATE=true`): deliveries arrive signed (checked by an independent
//! Python HMAC), are retried after 500s until a 2xx, can be redelivered by hand, and an endpoint
//! failing for 24 hours (a fast clock) is disabled and its owner told; without the flag, private
//! and loopback URLs are refused at registration.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use botfleet_tests::app::{Store, TestApp};
use botfleet_tests::bots::{bot_app, run};
use domain::notifications::{AnomalyData, Event, EventPayload, EventType};
use domain::shared::ids::UserId;
use infrastructure::repositories::Repositories;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

botfleet_tests::on_both_stores!(
    deliveries_are_signed_retried_until_a_2xx_and_redelivered,
    an_endpoint_failing_for_24_hours_is_disabled_and_its_owner_told,
    private_addresses_are_refused_without_the_flag,
    endpoints_are_validated_owned_and_limited,
    account_deletion_erases_endpoints_and_deliveries,
);

const ALLOW: (&str, &str) = ("BOTFLEET_WEBHOOKS_ALLOW_PRIVATE", "true");

/// Runs `tests/webhook_verify.py`: whether `header` signs `body` with `secret`.
fn python_verifies(secret: &str, header: &str, body: &str) -> bool {
    let python = std::env::var("BOTFLEET_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/webhook_verify.py");
    let mut child = Command::new(python)
        .args([script, secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("python3 runs");
    let input = json!({"header": header, "body": body}).to_string();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait().unwrap().success()
}

/// Puts a market anomaly in `user`'s event log (through the queue and the relay).
async fn anomaly_for(repos: &Repositories, user: &str) -> Event {
    let data = AnomalyData {
        exchange: domain::exchange::ExchangeId::MercadoBitcoin,
        symbol: "BTC-BRL".parse().unwrap(),
        description: "a 12% spike in one minute".into(),
    };
    let at = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let event = Event::new(user.parse::<UserId>().unwrap(), EventPayload::MarketAnomaly(data), at);
    repos.events.enqueue(std::slice::from_ref(&event)).await.unwrap();
    // The queue nudges the relay: wait for its pass to log the event.
    logged(repos, event.user_id, |log| log.iter().any(|e| e.event.id == event.id)).await;
    event
}

/// `user`'s event log once `ready` holds of it (the relay runs on its own, nudged by the queue).
async fn logged(
    repos: &Repositories,
    user: UserId,
    ready: impl Fn(&[domain::notifications::StoredEvent]) -> bool,
) -> Vec<domain::notifications::StoredEvent> {
    for _ in 0..100 {
        let log = repos.events.after(Some(user), 0, 100).await.unwrap();
        if ready(&log) {
            return log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the relay did not log the expected events in 5 s");
}

async fn deliveries(app: &TestApp, token: &str, endpoint: &str) -> Value {
    app.get(&format!("/api/webhook-endpoints/{endpoint}/deliveries"), Some(token)).await.ok(200).clone()
}

/// Runs `webhook_delivery` until `done` holds: 100 ms apart, for `seconds` of real time at most
/// (a deadline rather than a count of runs, so a slow machine gets the clock time the scenario
/// needs); on failure, shows `state()`.
async fn deliver_until(
    app: &TestApp,
    seconds: u64,
    mut done: impl AsyncFnMut() -> bool,
    state: impl AsyncFnOnce() -> Value,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        run(app, "webhook_delivery").await;
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deliveries did not reach the expected state in {seconds} s: {}", state().await);
}

async fn deliveries_are_signed_retried_until_a_2xx_and_redelivered(store: Store) {
    // An hour of the webhooks' clock per real second: the backoff's seconds pass in milliseconds.
    let (app, repos) = bot_app(store, &[ALLOW, ("BOTFLEET_CLOCK_SPEED", "3600")]).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(500).set_body_string("down"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(2)
        .mount(&receiver)
        .await;
    let user = app.user("hooks-a@example.com").await;
    let body = json!({"url": format!("{}/hook", receiver.uri()), "events": ["market.anomaly"], "description": "ops"});
    let created = app.post("/api/webhook-endpoints", Some(&user.access), &body).await.ok(201).clone();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let shown = app.get(&format!("/api/webhook-endpoints/{id}"), Some(&user.access)).await;
    assert!(!shown.text.contains(&secret) && shown.body["secret"].is_null(), "{}", shown.text);
    assert_eq!(shown.body["events"], json!(["market.anomaly"]));

    let event = anomaly_for(&repos, &user.user_id).await;
    let state = async || deliveries(&app, &user.access, &id).await;
    deliver_until(
        &app,
        30,
        async || deliveries(&app, &user.access, &id).await["items"][0]["status"] == "delivered",
        state,
    )
    .await;

    let received = receiver.received_requests().await.unwrap();
    assert_eq!(received.len(), 3, "two 500s then a 204");
    for request in &received {
        let header = request.headers.get("botfleet-signature").unwrap().to_str().unwrap();
        let body = String::from_utf8(request.body.clone()).unwrap();
        assert!(python_verifies(&secret, header, &body), "{header} does not sign {body}");
        assert!(!python_verifies("whsec_wrong", header, &body), "the check must be able to fail");
        assert_eq!(request.headers.get("botfleet-event-id").unwrap(), event.id.to_string().as_str());
        assert_eq!(request.headers.get("botfleet-event-type").unwrap(), "market.anomaly");
        let sent: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (sent["id"].as_str(), sent["type"].as_str()),
            (Some(event.id.to_string().as_str()), Some("market.anomaly"))
        );
        assert_eq!(sent["data"]["symbol"], "BTC-BRL");
    }
    let log = deliveries(&app, &user.access, &id).await;
    assert_eq!(log["total"], 1);
    let delivery = &log["items"][0];
    assert_eq!(delivery["id"], format!("{}:{id}", event.id));
    let statuses: Vec<_> = delivery["attempts"].as_array().unwrap().iter().map(|a| a["status"].clone()).collect();
    assert_eq!(statuses, [json!(500), json!(500), json!(204)]);
    assert_eq!(delivery["attempts"][0]["response"], "down");
    assert!(delivery["attempts"][0]["latency_ms"].is_u64());

    // A repeated dispatch (the same events again) creates nothing twice.
    run(&app, "webhook_delivery").await;
    assert_eq!(deliveries(&app, &user.access, &id).await["total"], 1);

    // Rotation: the next redelivery is signed with the new secret only.
    let rotated = app.post(&format!("/api/webhook-endpoints/{id}/rotate-secret"), Some(&user.access), &json!({})).await;
    let new_secret = rotated.ok(200)["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let redeliver = format!("/api/webhook-endpoints/{id}/deliveries/{}:{id}/redeliver", event.id);
    let again = app.post(&redeliver, Some(&user.access), &json!({})).await.ok(200).clone();
    assert_eq!((again["attempt_count"].as_u64(), again["status"].as_str()), (Some(4), Some("delivered")));
    assert_eq!(again["attempts"][3]["manual"], true);
    let received = receiver.received_requests().await.unwrap();
    let last = received.last().unwrap();
    let header = last.headers.get("botfleet-signature").unwrap().to_str().unwrap();
    let body = String::from_utf8(last.body.clone()).unwrap();
    assert!(python_verifies(&new_secret, header, &body) && !python_verifies(&secret, header, &body));
}

async fn an_endpoint_failing_for_24_hours_is_disabled_and_its_owner_told(store: Store) {
    // Two hours of the webhooks' clock per real second: 24 hours pass in 12 seconds.
    let (app, repos) = bot_app(store, &[ALLOW, ("BOTFLEET_CLOCK_SPEED", "7200")]).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&receiver).await;
    let user = app.user("hooks-b@example.com").await;
    let body = json!({"url": format!("{}/hook", receiver.uri())});
    let id =
        app.post("/api/webhook-endpoints", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    anomaly_for(&repos, &user.user_id).await;
    let endpoint = format!("/api/webhook-endpoints/{id}");
    let (endpoint_ref, app_ref, user_ref, id_ref) = (&endpoint, &app, &user, &id);
    let state = async move || {
        json!({"endpoint": app_ref.get(endpoint_ref, Some(&user_ref.access)).await.body,
        "deliveries": deliveries(app_ref, &user_ref.access, id_ref).await})
    };
    // A second event after the first failure. One delivery's retries end 24 hours after it was
    // created, which can fall minutes short of 24 hours after the endpoint's first failure (the
    // endpoint then waits for its next event to be disabled); the second delivery's end later.
    deliver_until(&app, 30, async || !receiver.received_requests().await.unwrap().is_empty(), state).await;
    anomaly_for(&repos, &user.user_id).await;
    deliver_until(&app, 90, async || app.get(&endpoint, Some(&user.access)).await.body["enabled"] == false, state)
        .await;

    let shown = app.get(&endpoint, Some(&user.access)).await.ok(200).clone();
    assert!(shown["disabled_reason"].as_str().unwrap().contains("24 hours"), "{shown}");
    let attempts = receiver.received_requests().await.unwrap().len();
    assert!(attempts >= 10, "retried with backoff over 24 hours: {attempts} attempts");
    // The other delivery is given up when it comes due, without being sent.
    let all_dead = async || {
        let listed = deliveries(&app, &user.access, &id).await;
        let items = listed["items"].as_array().unwrap().clone();
        items.len() == 2 && items.iter().all(|d| d["status"] == "dead")
    };
    deliver_until(&app, 30, all_dead, state).await;
    let delivery = deliveries(&app, &user.access, &id).await["items"][0].clone();
    assert_eq!(receiver.received_requests().await.unwrap().len(), attempts, "nothing more is sent");
    let redeliver = format!("{endpoint}/deliveries/{}/redeliver", delivery["id"].as_str().unwrap());
    app.post(&redeliver, Some(&user.access), &json!({})).await.problem(409, "webhook_endpoint_disabled");

    let disabled = |log: &[domain::notifications::StoredEvent]| {
        log.iter().any(|e| e.event.event_type() == EventType::WebhookEndpointDisabled)
    };
    let log = logged(&repos, user.user_id.parse().unwrap(), disabled).await;
    let told: Vec<_> = log.iter().filter(|e| e.event.event_type() == EventType::WebhookEndpointDisabled).collect();
    assert_eq!(told.len(), 1, "the owner is told once");
    let data = serde_json::to_value(&told[0].event).unwrap();
    assert_eq!(data["data"]["endpoint_id"], id.as_str());

    // Switching it on again forgets the failures.
    let on =
        app.call(reqwest::Method::PATCH, &endpoint, Some(&user.access), Some(&json!({"enabled": true})), &[]).await;
    assert_eq!((on.ok(200)["enabled"].as_bool(), on.body["disabled_reason"].is_null()), (Some(true), true));
}

async fn private_addresses_are_refused_without_the_flag(store: Store) {
    let (app, _repos) = bot_app(store, &[]).await;
    let user = app.user("hooks-c@example.com").await;
    for url in [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.1.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://[fe80::1]/hook",
        "http://example.com/hook",
    ] {
        let answer = app.post("/api/webhook-endpoints", Some(&user.access), &json!({"url": url})).await;
        let problem = answer.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
        assert_eq!(problem["errors"][0]["code"], "not_allowed", "{url}: {problem}");
    }
    assert_eq!(app.get("/api/webhook-endpoints", Some(&user.access)).await.ok(200)["total"], 0);
}

async fn endpoints_are_validated_owned_and_limited(store: Store) {
    let (app, _repos) = bot_app(store, &[ALLOW]).await;
    let (alice, bob) = (app.user("hooks-d@example.com").await, app.user("hooks-e@example.com").await);
    let bad = json!({"url": "ftp://example.com", "events": ["order.filled", "no.such"]});
    let problem = app.post("/api/webhook-endpoints", Some(&alice.access), &bad).await;
    let fields: Vec<_> = problem.problem(422, "validation_failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect();
    assert!(fields.contains(&("events[1]".into(), "unknown_variant".into())), "{fields:?}");
    assert!(fields.contains(&("url".into(), "url".into())), "{fields:?}");

    let body = json!({"url": "http://127.0.0.1:9/hook"});
    let id =
        app.post("/api/webhook-endpoints", Some(&alice.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    let one = format!("/api/webhook-endpoints/{id}");
    app.get(&one, Some(&bob.access)).await.problem(404, "not_found");
    app.get(&format!("{one}/deliveries"), Some(&bob.access)).await.problem(404, "not_found");
    app.post(&format!("{one}/rotate-secret"), Some(&bob.access), &json!({})).await.problem(404, "not_found");
    app.delete(&one, Some(&bob.access), None).await.problem(404, "not_found");
    let patch = json!({"events": ["bot.tripped"], "enabled": false});
    let foreign = app.call(reqwest::Method::PATCH, &one, Some(&bob.access), Some(&patch), &[]).await;
    foreign.problem(404, "not_found");
    let changed = app.call(reqwest::Method::PATCH, &one, Some(&alice.access), Some(&patch), &[]).await;
    assert_eq!(
        (changed.ok(200)["events"].clone(), changed.body["enabled"].clone()),
        (json!(["bot.tripped"]), json!(false))
    );

    for _ in 1..10 {
        app.post("/api/webhook-endpoints", Some(&alice.access), &body).await.ok(201);
    }
    app.post("/api/webhook-endpoints", Some(&alice.access), &body).await.problem(409, "webhook_endpoint_limit");
    app.delete(&one, Some(&alice.access), None).await.ok(204);
    app.get(&one, Some(&alice.access)).await.problem(404, "not_found");
    app.post("/api/webhook-endpoints", Some(&alice.access), &body).await.ok(201);
}

async fn account_deletion_erases_endpoints_and_deliveries(store: Store) {
    let (app, repos) = bot_app(store, &[ALLOW]).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&receiver).await;
    let user = app.user("hooks-f@example.com").await;
    let body = json!({"url": format!("{}/hook", receiver.uri())});
    let id =
        app.post("/api/webhook-endpoints", Some(&user.access), &body).await.ok(201)["id"].as_str().unwrap().to_owned();
    anomaly_for(&repos, &user.user_id).await;
    run(&app, "webhook_delivery").await;
    assert_eq!(deliveries(&app, &user.access, &id).await["total"], 1);

    let password = json!({"password": user.password});
    app.delete("/api/users/me", Some(&user.access), Some(&password)).await.ok(200);

    let owner = infrastructure::store::Query::all().eq("user_id", user.user_id.as_str());
    for collection in ["webhook_endpoints", "webhook_deliveries"] {
        assert_eq!(repos.store.count(collection, &owner).await.unwrap(), 0, "{collection} keeps the user's data");
    }
}
