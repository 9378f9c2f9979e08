//! The notifications load benchmark (`scripts/bench-events.sh`, issue 16 "Reliability"): a real
//! server in this process (embedded store, or MongoDB with `--store mongo`) and USERS users, each
//! with a live stream open; EVENTS events (`market.anomaly`: on `in_app` by default) raised
//! evenly over SECONDS through the event queue (`EventRepository::enqueue`), which the relay
//! moves into the log. It measures, per event, the delay from its raise to its receipt on the
//! user's SSE stream, and to its appearance in the in-app inbox (the unread count, polled every
//! POLL_MS per user: the relay keeps each user's order, so the k-th event is in the inbox once
//! the count reaches k), then checks every event is in each user's inbox list and was streamed.
//! A missing event is a failure (exit 1). Each raise nudges the relay as an aggregate's write
//! carrying events does (a burst of fills is order writes); `--no-nudge` leaves the queued
//! events to the relay's one-second tick, as the queue's own callers do today.
//!
//! Unless `--no-channels`, the same events also go out by e-mail (batched, to a real SMTP sink
//! on loopback, `events_load_channels.rs`) and to one webhook endpoint per user on a loopback
//! receiver that refuses the first attempt of FAIL_PERCENT % of the events (the first two of a
//! quarter of those) with a 500, so they are retried; the webhooks' clock runs CLOCK_SPEED times
//! faster (`BOTFLEET_CLOCK_SPEED`), so the backoff's 30 s, 1 min ... pass in a second or two.
//! Every event must reach both (none is refused for good): a missing one is a failure too.
//!
//! `cargo bench -p botfleet-tests --bench events_load -- [--events 10000] [--seconds 60]
//! [--users 10] [--poll-ms 100] [--store embedded|mongo] [--no-nudge] [--no-channels]
//! [--fail-percent 20] [--clock-speed 60]`

#[path = "events_load_channels.rs"]
mod channels;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botfleet_tests::app::{settings, spawn_with_repositories, Session, Store, TestApp, PASSWORD};
use botfleet_tests::notifications::{anomaly, user_of};
use botfleet_tests::smtp::SmtpSink;
use botfleet_tests::sse::connect;
use serde_json::json;

type Seen = Arc<Mutex<HashMap<String, Instant>>>;

struct Args {
    events: usize,
    seconds: u64,
    users: usize,
    poll_ms: u64,
    store: Store,
    nudge: bool,
    channels: bool,
    fail_percent: u64,
    clock_speed: u64,
}

fn args() -> Args {
    let mut a = Args {
        events: 10_000,
        seconds: 60,
        users: 10,
        poll_ms: 100,
        store: Store::Embedded,
        nudge: true,
        channels: true,
        fail_percent: 20,
        clock_speed: 60,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    a.nudge = !argv.iter().any(|arg| arg == "--no-nudge");
    a.channels = !argv.iter().any(|arg| arg == "--no-channels");
    for pair in argv.windows(2) {
        let (name, value) = (pair[0].as_str(), pair[1].as_str());
        let number = || value.parse::<u64>().unwrap_or_else(|_| panic!("{name} takes a whole number"));
        match name {
            "--events" => a.events = number() as usize,
            "--seconds" => a.seconds = number(),
            "--users" => a.users = number() as usize,
            "--poll-ms" => a.poll_ms = number(),
            "--store" => a.store = if value == "mongo" { Store::Mongo } else { Store::Embedded },
            "--fail-percent" => a.fail_percent = number().min(100),
            "--clock-speed" => a.clock_speed = number().max(1),
            _ => {}
        }
    }
    a
}

/// Registers and logs in `email` from its own forwarded address (the per-IP limits allow a few
/// registrations a minute from one address; the benchmark's server trusts loopback as a proxy).
async fn user(app: &TestApp, email: &str, n: usize) -> Session {
    let ip = format!("10.0.{}.{}", n / 250, n % 250 + 1);
    let headers = [("X-Forwarded-For", ip.as_str())];
    let body =
        json!({"email": email, "password": PASSWORD, "name": "Bench", "accept_terms": true, "accept_privacy": true});
    let profile = app.call(reqwest::Method::POST, "/api/auth/register", None, Some(&body), &headers).await;
    let login = json!({"email": email, "password": PASSWORD});
    let tokens = app.call(reqwest::Method::POST, "/api/auth/login", None, Some(&login), &headers).await;
    Session {
        user_id: profile.ok(201)["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        access: tokens.ok(200)["access_token"].as_str().unwrap().to_owned(),
        refresh: String::new(),
    }
}

/// Reads `session`'s stream until `expected` events arrived or `until`, noting each receipt.
async fn read_stream(app: Arc<TestApp>, session: Session, expected: usize, until: Instant, seen: Seen) {
    let ticket = app.post("/api/events/ticket", Some(&session.access), &json!({})).await;
    let query = format!("?ticket={}", ticket.ok(201)["ticket"].as_str().unwrap());
    let mut stream = connect(&app, &query, &[]).await.expect("the stream opens");
    let mut got = 0;
    while got < expected && Instant::now() < until {
        let Some(frame) = stream.next_frame(until.saturating_duration_since(Instant::now())).await else { break };
        if frame.is_event() {
            seen.lock().unwrap().insert(frame.json()["id"].as_str().unwrap().to_owned(), Instant::now());
            got += 1;
        }
    }
}

/// Polls `session`'s unread count until `expected` or `until`; the instants it reached each count.
async fn poll_inbox(
    app: Arc<TestApp>,
    session: Session,
    expected: u64,
    poll: Duration,
    until: Instant,
) -> Vec<Instant> {
    let mut reached = Vec::new();
    while (reached.len() as u64) < expected && Instant::now() < until {
        let answer = app.get("/api/notifications/unread-count", Some(&session.access)).await;
        let count = answer.ok(200)["unread_count"].as_u64().unwrap();
        let now = Instant::now();
        while (reached.len() as u64) < count {
            reached.push(now);
        }
        tokio::time::sleep(poll).await;
    }
    reached
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn report(channel: &str, mut delays: Vec<Duration>, missing: usize, first_raise: Instant, last: Option<Instant>) {
    delays.sort_unstable();
    let span = last.map_or(0.0, |l| l.duration_since(first_raise).as_secs_f64());
    let rate = if span > 0.0 { delays.len() as f64 / span } else { 0.0 };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{channel:<7} delivered {:>6}  missing {missing:>5}  throughput {rate:>7.1}/s  delay p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
        delays.len(),
        ms(percentile(&delays, 0.50)),
        ms(percentile(&delays, 0.99)),
        ms(delays.last().copied().unwrap_or_default()),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let sink = if a.channels { Some(Arc::new(SmtpSink::start().await)) } else { None };
    let speed = a.clock_speed.to_string();
    let mut extra: Vec<(&str, String)> =
        vec![("BOTFLEET_TRUSTED_PROXIES", "127.0.0.1".into()), ("BOTFLEET_LOG_LEVEL", "error".into())];
    if let Some(sink) = &sink {
        extra.extend(sink.settings());
        // Loopback receivers, no verification mail to click, the webhooks' backoff sped up.
        extra.push(("BOTFLEET_WEBHOOKS_ALLOW_PRIVATE", "true".into()));
        extra.push(("BOTFLEET_EMAIL_VERIFICATION", "false".into()));
        extra.push(("BOTFLEET_CLOCK_SPEED", speed));
    }
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repos) = spawn_with_repositories(settings(a.store, &extra)).await;
    let app = Arc::new(app);
    let mut sessions = Vec::new();
    for n in 0..a.users {
        sessions.push(user(&app, &format!("bench{n}@example.com"), n).await);
    }
    let hooks = if sink.is_some() { Some(channels::receiver(a.fail_percent).await) } else { None };
    if let Some((receiver, _)) = &hooks {
        for (n, session) in sessions.iter().enumerate() {
            let body = json!({"url": format!("{}/hook/{n}", receiver.uri()), "events": ["market.anomaly"]});
            app.post("/api/webhook-endpoints", Some(&session.access), &body).await.ok(201);
        }
    }
    let per_user: Vec<usize> = (0..a.users).map(|u| a.events / a.users + usize::from(u < a.events % a.users)).collect();
    let until = Instant::now() + Duration::from_secs(a.seconds * 2 + 60);
    let streamed: Seen = Arc::default();
    let mut readers = Vec::new();
    let mut pollers = Vec::new();
    for (session, expected) in sessions.iter().zip(&per_user) {
        readers.push(tokio::spawn(read_stream(app.clone(), session.clone(), *expected, until, streamed.clone())));
        let poll = Duration::from_millis(a.poll_ms);
        pollers.push(tokio::spawn(poll_inbox(app.clone(), session.clone(), *expected as u64, poll, until)));
    }
    let mailed: channels::Arrivals = Arc::default();
    let watcher = sink.map(|sink| {
        let poll = Duration::from_millis(a.poll_ms);
        tokio::spawn(channels::watch_mail(sink, a.events, poll, until, mailed.clone()))
    });
    tokio::time::sleep(Duration::from_millis(500)).await;

    let path = if a.nudge { "nudged like an aggregate's write" } else { "queued, relayed at the relay's tick" };
    println!(
        "bench-events: {} events for {} users over {} s ({:?} store; {path})",
        a.events, a.users, a.seconds, a.store
    );
    let users: Vec<_> = sessions.iter().map(user_of).collect();
    let mut raised: Vec<Vec<(String, Instant)>> = vec![Vec::new(); a.users];
    let mut numbered = Vec::with_capacity(a.events);
    let started = Instant::now();
    let gap = Duration::from_secs(a.seconds).div_f64(a.events as f64);
    for i in 0..a.events {
        let due = started + gap.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let event = anomaly(users[i % a.users], &format!("burst {i}"));
        let at = Instant::now();
        repos.events.enqueue(std::slice::from_ref(&event)).await.expect("queued");
        if a.nudge {
            // As an aggregate's write that carries events does (a fill): the relay runs at once.
            repos.relay_nudge.nudge();
        }
        raised[i % a.users].push((event.id.to_string(), at));
        numbered.push(at);
    }
    let raising = started.elapsed();
    println!("raised in {:.1} s ({:.0}/s)", raising.as_secs_f64(), a.events as f64 / raising.as_secs_f64());

    let mut inbox_delays = Vec::new();
    let mut inbox_missing = 0;
    let mut inbox_last = None;
    for (u, poller) in pollers.into_iter().enumerate() {
        let reached = poller.await.unwrap();
        let counted_missing = raised[u].len().saturating_sub(reached.len());
        for ((_, at), seen) in raised[u].iter().zip(&reached) {
            inbox_delays.push(seen.saturating_duration_since(*at));
            inbox_last = inbox_last.max(Some(*seen));
        }
        // Every event is in the inbox list itself, not only counted.
        let mut listed = std::collections::HashSet::new();
        for offset in (0..raised[u].len()).step_by(200) {
            let path = format!("/api/notifications?limit=200&offset={offset}");
            let page = app.get(&path, Some(&sessions[u].access)).await;
            for item in page.ok(200)["items"].as_array().unwrap() {
                listed.insert(item["id"].as_str().unwrap().to_owned());
            }
        }
        let listed_missing = raised[u].iter().filter(|(id, _)| !listed.contains(id)).count();
        inbox_missing += counted_missing.max(listed_missing);
    }
    for reader in readers {
        reader.await.unwrap();
    }
    let streamed = streamed.lock().unwrap().clone();
    let mut sse_delays = Vec::new();
    let mut sse_missing = 0;
    for (id, at) in raised.iter().flatten() {
        match streamed.get(id) {
            Some(seen) => sse_delays.push(seen.saturating_duration_since(*at)),
            None => sse_missing += 1,
        }
    }
    let sse_last = streamed.values().max().copied();
    report("in-app", inbox_delays, inbox_missing, started, inbox_last);
    report("sse", sse_delays, sse_missing, started, sse_last);
    let mut missing = inbox_missing + sse_missing;
    if let (Some(watcher), Some((_receiver, seen))) = (watcher, &hooks) {
        let batches = watcher.await.unwrap();
        channels::wait_for_hooks(seen, a.events, until).await;
        let mailed = mailed.lock().unwrap().clone();
        let delays = |arrived: &HashMap<String, Instant>, key: &dyn Fn(usize, &str) -> String| {
            let (mut delays, mut missing, mut last) = (Vec::new(), 0, None);
            for (i, at) in numbered.iter().enumerate() {
                let id = &raised[i % a.users][i / a.users].0;
                match arrived.get(&key(i, id)) {
                    Some(seen) => {
                        delays.push(seen.saturating_duration_since(*at));
                        last = last.max(Some(*seen));
                    }
                    None => missing += 1,
                }
            }
            (delays, missing, last)
        };
        let (mail_delays, mail_missing, mail_last) = delays(&mailed, &|i, _| i.to_string());
        report("e-mail", mail_delays, mail_missing, started, mail_last);
        println!(
            "e-mail  {batches} messages carried the events ({:.1} events a message)",
            mailed.len() as f64 / batches.max(1) as f64
        );
        let seen = seen.lock().unwrap();
        let (hook_delays, hook_missing, hook_last) = delays(&seen.delivered, &|_, id| id.to_owned());
        report("webhook", hook_delays, hook_missing, started, hook_last);
        let retried = seen.attempts.values().filter(|n| **n > 1).count();
        let attempts: u32 = seen.attempts.values().sum();
        println!(
            "webhook {attempts} attempts, {} refused by the receiver (500), {retried} events retried",
            seen.refused
        );
        if a.fail_percent > 0 && seen.refused == 0 {
            eprintln!("bench-events: FAILED: the receiver refused nothing, so no retry was measured");
            missing += 1;
        }
        missing += mail_missing + hook_missing;
    }
    if missing > 0 {
        eprintln!("bench-events: FAILED: {missing} events missing");
        std::process::exit(1);
    }
}
