//! The e-mail and webhook legs of the notifications load benchmark (`events_load.rs`): a real
//! SMTP sink on loopback (`tests/smtp_sink.py`, aiosmtpd), read back message by message for the
//! events each batch lists, and a webhook receiver on loopback that answers 500 to the first
//! attempt (or the first two) of a scripted share of the events, so the server's retries run,
//! and 204 otherwise. Each leg notes when each event first arrived; an event never delivered is
//! missing (the receiver never fails an event for good, so every one must arrive).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botfleet_tests::smtp::SmtpSink;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// When each event (by id, or by the benchmark's number for e-mail) first arrived.
pub type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// How many attempts the receiver refuses for an event: 2 for a quarter of the failing share,
/// 1 for the rest of it, 0 for the others; decided by a hash of the event id (FNV-1a), so a
/// given event is refused the same way on every attempt.
pub fn refusals(event_id: &str, fail_percent: u64) -> u32 {
    let hash =
        event_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let bucket = hash % 10_000;
    let failing = fail_percent * 100;
    if bucket < failing / 4 {
        2
    } else {
        u32::from(bucket < failing)
    }
}

/// What the webhook receiver saw.
#[derive(Debug, Default)]
pub struct Received {
    /// Attempts per event id.
    pub attempts: HashMap<String, u32>,
    /// The first 2xx answered per event id.
    pub delivered: HashMap<String, Instant>,
    /// 500s answered (each one a retry the server must make).
    pub refused: u64,
}

struct Flaky {
    fail_percent: u64,
    seen: Arc<Mutex<Received>>,
}

impl Respond for Flaky {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.headers.get("Botfleet-Event-Id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let mut seen = self.seen.lock().unwrap();
        let attempt = {
            let n = seen.attempts.entry(id.clone()).or_default();
            *n += 1;
            *n
        };
        if attempt <= refusals(&id, self.fail_percent) {
            seen.refused += 1;
            return ResponseTemplate::new(500).set_body_string("scripted failure");
        }
        seen.delivered.entry(id).or_insert_with(Instant::now);
        ResponseTemplate::new(204)
    }
}

/// A loopback receiver refusing `fail_percent` % of the events at first; its URI and what it saw.
pub async fn receiver(fail_percent: u64) -> (MockServer, Arc<Mutex<Received>>) {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Received::default()));
    Mock::given(method("POST")).respond_with(Flaky { fail_percent, seen: seen.clone() }).mount(&server).await;
    (server, seen)
}

/// The benchmark numbers (`burst <n>`, the anomaly's description) an e-mail's text lists.
pub fn bursts_in(text: &str) -> Vec<usize> {
    text.split("burst ")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// Reads the sink every `poll` until `until` or `expected` events were listed, noting when each
/// `burst <n>` was first seen (accurate to `poll`) and counting the messages that carried any.
pub async fn watch_mail(sink: Arc<SmtpSink>, expected: usize, poll: Duration, until: Instant, seen: Arrivals) -> usize {
    let mut read = 0;
    let mut batches = 0;
    while Instant::now() < until {
        let messages = sink.messages();
        let now = Instant::now();
        for message in &messages[read..] {
            let listed = bursts_in(message["text"].as_str().unwrap_or(""));
            batches += usize::from(!listed.is_empty());
            let mut seen = seen.lock().unwrap();
            for n in listed {
                seen.entry(n.to_string()).or_insert(now);
            }
        }
        read = messages.len();
        if seen.lock().unwrap().len() >= expected {
            break;
        }
        tokio::time::sleep(poll).await;
    }
    batches
}

/// Waits until `expected` events reached the receiver or `until`.
pub async fn wait_for_hooks(seen: &Mutex<Received>, expected: usize, until: Instant) {
    while seen.lock().unwrap().delivered.len() < expected && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
