//! The live event stream (SSE) through the running server on both stores, read by an SSE client
//! written from the standard's grammar (`botfleet_tests::sse`): events raised through the queue
//! arrive with `id: <seq>` and `event: <type>`, every type (preferences do not filter the
//! stream), only the user's own; a reconnect with `Last-Event-ID` gets exactly what was missed;
//! heartbeats; single-use tickets, on every instance over one store; the per-user limit, freed when a client leaves.

use std::time::Duration;

use botfleet_tests::app::Store;
use botfleet_tests::app::{settings, spawn_on_repositories, spawn_with_repositories, Session, TestApp};
use botfleet_tests::bots::{bot_app, command, create_bot, price, run, trader};
use botfleet_tests::notifications::{anomaly, apart, order_filled, raise, user_of};
use botfleet_tests::sse::{connect, Frame, SseClient};
use domain::subscriptions::Plan;
use rust_decimal_macros::dec;
use serde_json::json;

botfleet_tests::on_both_stores!(
    events_arrive_in_order_and_a_reconnect_resumes_after_the_last_event_id,
    tickets_are_single_use_and_a_stream_needs_authentication,
    a_ticket_is_single_use_across_instances,
    the_per_user_limit_is_freed_when_a_client_leaves,
    a_paper_bots_fill_is_streamed_and_a_reconnect_gets_exactly_what_was_missed,
);

const WAIT: Duration = Duration::from_secs(15);

/// A server whose streams beat every second and allow `max_per_user` streams per user.
async fn stream_app(store: Store, max_per_user: &str) -> (TestApp, infrastructure::repositories::Repositories) {
    let extra = [
        ("BOTFLEET_SSE_HEARTBEAT_SECS", "1"),
        ("BOTFLEET_SSE_POLL_MS", "100"),
        ("BOTFLEET_SSE_MAX_PER_USER", max_per_user),
    ];
    spawn_with_repositories(settings(store, &extra)).await
}

async fn ticket(app: &TestApp, session: &Session) -> String {
    let answer = app.post("/api/events/ticket", Some(&session.access), &json!({})).await;
    answer.ok(201)["ticket"].as_str().expect("a ticket").to_owned()
}

async fn open_with_ticket(app: &TestApp, session: &Session) -> SseClient {
    connect(app, &format!("?ticket={}", ticket(app, session).await), &[]).await.expect("the stream opens")
}

fn seq_of(frame: &Frame) -> u64 {
    frame.id.as_deref().and_then(|id| id.parse().ok()).expect("a numeric id")
}

async fn events_arrive_in_order_and_a_reconnect_resumes_after_the_last_event_id(store: Store) {
    let (app, repos) = stream_app(store, "5").await;
    let (ana, bob) = (app.user("ana@example.com").await, app.user("bob@example.com").await);
    let (ana_id, bob_id) = (user_of(&ana), user_of(&bob));
    let mut stream = open_with_ticket(&app, &ana).await;
    let preamble = stream.next_frame(WAIT).await.expect("the preamble");
    assert_eq!((preamble.retry, preamble.comments.clone()), (Some(3000), vec!["connected".to_owned()]));

    let (gap, fill) = (anomaly(ana_id, "gap"), apart(|| order_filled(ana_id)).await);
    raise(&repos, &[anomaly(bob_id, "not ana's"), gap.clone(), fill.clone()]).await;

    let first = stream.next_event(WAIT).await;
    assert_eq!(first.event.as_deref(), Some("market.anomaly"));
    assert_eq!(first.json()["id"], gap.id.to_string());
    assert_eq!(first.json()["data"]["description"], "gap");
    assert_eq!(first.json()["seq"].as_u64(), Some(seq_of(&first)));
    let second = stream.next_event(WAIT).await;
    assert_eq!(
        (second.event.as_deref(), second.json()["id"].as_str()),
        (Some("order.filled"), Some(&*fill.id.to_string()))
    );
    assert!(seq_of(&second) > seq_of(&first));
    // Idle now: heartbeats (every second in this test), no event.
    let idle = stream.next_frame(WAIT).await.expect("a heartbeat");
    assert_eq!((idle.comments.clone(), idle.is_event()), (vec!["heartbeat".to_owned()], false));
    drop(stream);

    // Missed while away: two more, then a reconnect with the last id received.
    let missed = [apart(|| anomaly(ana_id, "missed 1")).await, apart(|| anomaly(ana_id, "missed 2")).await];
    raise(&repos, &missed).await;
    let last = seq_of(&second).to_string();
    let bearer = format!("Bearer {}", ana.access);
    let mut resumed = connect(&app, "", &[("Authorization", &bearer), ("Last-Event-ID", &last)]).await.unwrap();
    let got: Vec<String> = vec![
        resumed.next_event(WAIT).await.json()["id"].as_str().unwrap().to_owned(),
        resumed.next_event(WAIT).await.json()["id"].as_str().unwrap().to_owned(),
    ];
    assert_eq!(got, missed.iter().map(|e| e.id.to_string()).collect::<Vec<_>>());
    let after = resumed.next_frame(Duration::from_millis(2500)).await.expect("a heartbeat");
    assert!(!after.is_event(), "nothing more: {after:?}");

    // The query form resumes the same way (a browser's new EventSource after a new ticket).
    let query = format!("?ticket={}&last_event_id={}", ticket(&app, &ana).await, seq_of(&first));
    let mut again = connect(&app, &query, &[]).await.unwrap();
    assert_eq!(again.next_event(WAIT).await.json()["id"], fill.id.to_string());
}

async fn tickets_are_single_use_and_a_stream_needs_authentication(store: Store) {
    let (app, _repos) = stream_app(store, "2").await;
    let ana = app.user("ana@example.com").await;

    let (status, problem) = connect(&app, "", &[]).await.unwrap_err();
    assert_eq!((status, problem["code"].as_str()), (401, Some("missing_token")));
    let (status, problem) = connect(&app, "?ticket=forged.ticket", &[]).await.unwrap_err();
    assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_stream_ticket")));
    // The access token is not a ticket.
    let (status, _) = connect(&app, &format!("?ticket={}", ana.access), &[]).await.unwrap_err();
    assert_eq!(status, 401);

    let once = ticket(&app, &ana).await;
    let stream = connect(&app, &format!("?ticket={once}"), &[]).await.expect("the first use opens");
    let (status, problem) = connect(&app, &format!("?ticket={once}"), &[]).await.unwrap_err();
    assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_stream_ticket")), "a ticket works once");
    drop(stream);

    let bad_id = [("Authorization", format!("Bearer {}", ana.access)), ("Last-Event-ID", "soon".to_owned())];
    let headers: Vec<(&str, &str)> = bad_id.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, problem) = connect(&app, "", &headers).await.unwrap_err();
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (400, Some("Last-Event-ID")));
    app.post("/api/events/ticket", None, &json!({})).await.problem(401, "missing_token");
}

/// Two instances over one store (one secret): a ticket one issued opens a stream on the other,
/// once; then neither takes it again (the spent tickets are in the store, not in either's memory).
async fn a_ticket_is_single_use_across_instances(store: Store) {
    let config = settings(store, &[("BOTFLEET_SSE_HEARTBEAT_SECS", "1"), ("BOTFLEET_SSE_POLL_MS", "100")]);
    let (first, repos) = spawn_with_repositories(config.clone()).await;
    let second = spawn_on_repositories(config, &repos).await;
    let ana = first.user("ana@example.com").await;

    let once = ticket(&first, &ana).await;
    let stream = connect(&second, &format!("?ticket={once}"), &[]).await.expect("the other instance takes it");
    for (name, app) in [("the issuer", &first), ("the taker", &second)] {
        let (status, problem) = connect(app, &format!("?ticket={once}"), &[]).await.unwrap_err();
        assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_stream_ticket")), "{name}");
    }
    drop(stream);
    let again = ticket(&second, &ana).await;
    drop(connect(&first, &format!("?ticket={again}"), &[]).await.expect("a new ticket opens on the issuer's peer"));
}

async fn the_per_user_limit_is_freed_when_a_client_leaves(store: Store) {
    let (app, _repos) = stream_app(store, "2").await;
    let (ana, bob) = (app.user("ana@example.com").await, app.user("bob@example.com").await);
    let first = open_with_ticket(&app, &ana).await;
    let _second = open_with_ticket(&app, &ana).await;

    let query = format!("?ticket={}", ticket(&app, &ana).await);
    let (status, problem) = connect(&app, &query, &[]).await.unwrap_err();
    assert_eq!((status, problem["code"].as_str()), (429, Some("too_many_streams")));
    let _bobs = open_with_ticket(&app, &bob).await;

    drop(first);
    // The server notices the closed connection at its next write at the latest (a heartbeat).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match connect(&app, &format!("?ticket={}", ticket(&app, &ana).await), &[]).await {
            Ok(_) => break,
            Err((429, _)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(other) => panic!("the slot was not freed: {other:?}"),
        }
    }
}

/// The events of `stream` until it falls quiet (a heartbeat), in order.
async fn until_quiet(stream: &mut SseClient) -> Vec<Frame> {
    let mut events = Vec::new();
    loop {
        let frame = stream.next_frame(WAIT).await.expect("a frame");
        if !frame.is_event() && frame.comments.iter().any(|c| c == "heartbeat") {
            return events;
        }
        if frame.is_event() {
            events.push(frame);
        }
    }
}

async fn a_paper_bots_fill_is_streamed_and_a_reconnect_gets_exactly_what_was_missed(store: Store) {
    let extra = [("BOTFLEET_SSE_HEARTBEAT_SECS", "1"), ("BOTFLEET_SSE_POLL_MS", "100")];
    let (app, repos) = bot_app(store, &extra).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config =
        json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "1000", "take_profit_percent": "3"});
    let dca = create_bot(&app, &ana, &ctx, "dca", config).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    let mut stream = open_with_ticket(&app, &ana).await;

    command(&app, &ana, &dca, "start").await;
    run(&app, "dca_execution").await;

    // The workflows here run only on request: the writes' own nudge relays their events.
    let mut seen = until_quiet(&mut stream).await;
    while !seen.iter().any(|f| f.event.as_deref() == Some("order.filled")) {
        seen.extend(until_quiet(&mut stream).await);
    }
    let types: Vec<_> = seen.iter().filter_map(|f| f.event.clone()).collect();
    assert_eq!(types.first().map(String::as_str), Some("bot.started"), "{types:?}");
    let fill = seen.iter().find(|f| f.event.as_deref() == Some("order.filled")).unwrap().json();
    assert_eq!((fill["data"]["bot_id"].as_str(), fill["data"]["side"].as_str()), (Some(dca.as_str()), Some("buy")));
    assert_eq!(fill["data"]["status"], "filled");
    let seqs: Vec<u64> = seen.iter().map(seq_of).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in log order: {seqs:?}");
    let last = seen.last().map(seq_of).unwrap().to_string();
    drop(stream);

    // Away: the bot is paused. Back with the last id: exactly that, then quiet.
    command(&app, &ana, &dca, "pause").await;
    let bearer = format!("Bearer {}", ana.access);
    let mut resumed = connect(&app, "", &[("Authorization", &bearer), ("Last-Event-ID", &last)]).await.unwrap();
    let missed = resumed.next_event(WAIT).await;
    assert_eq!(
        (missed.event.as_deref(), missed.json()["data"]["bot_id"].as_str()),
        (Some("bot.paused"), Some(dca.as_str()))
    );
    assert!(seq_of(&missed) > seq_of(seen.last().unwrap()));
    let more = until_quiet(&mut resumed).await;
    assert!(more.is_empty(), "only what was missed: {more:?}");
}
