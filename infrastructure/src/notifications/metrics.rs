//! The delivery queues' figures in `/metrics`, one family for every channel so that operators
//! read them alike: `botfleet_notification_deliveries_pending{channel}` (a gauge, set by each
//! channel's worker after each pass), `botfleet_notification_deliveries_total{channel,outcome}`
//! (`sent`, `failed`: a failed attempt that will be retried; `dead`: given up) and
//! `botfleet_events_relayed_total` (events moved from outboxes to the log).
//! Channel names: `in_app`, `email`, `telegram`, `webhook`, `sse`.

use std::sync::LazyLock;

use prometheus::{IntCounter, IntCounterVec, IntGaugeVec, Opts};

/// Deliveries waiting, per channel.
pub static PENDING: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    IntGaugeVec::new(
        Opts::new("botfleet_notification_deliveries_pending", "Deliveries waiting to be sent, per channel."),
        &["channel"],
    )
    .expect("a valid gauge definition")
});

/// Delivery attempts, per channel and outcome (`sent`, `failed`, `dead`).
pub static DELIVERIES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new(
            "botfleet_notification_deliveries_total",
            "Delivery attempts per channel and outcome (sent, failed and to be retried, dead).",
        ),
        &["channel", "outcome"],
    )
    .expect("a valid counter definition")
});

/// Events moved from outboxes and the queue to the event log.
pub static RELAYED: LazyLock<IntCounter> = LazyLock::new(|| {
    IntCounter::new("botfleet_events_relayed_total", "Events moved from outboxes to the users' event log.")
        .expect("a valid counter definition")
});

/// Counts one delivery attempt of `channel` with `outcome`.
pub fn delivered(channel: &str, outcome: &str) {
    DELIVERIES.with_label_values(&[channel, outcome]).inc();
}

/// Sets how many deliveries of `channel` wait.
pub fn pending(channel: &str, count: u64) {
    PENDING.with_label_values(&[channel]).set(i64::try_from(count).unwrap_or(i64::MAX));
}
