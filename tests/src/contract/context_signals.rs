//! Contract of `ContextSignalRepository` (one signal per context, timeframe and candle; a repeat
//! is not an error; the owner's list newest first; the latest) and of `ContextRepository::active`
//! (every owner's active contexts, paused ones left out).

use std::collections::BTreeMap;

use domain::contexts::{ContextMode, ContextSignal, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::{Symbol, Timeframe};
use domain::shared::ids::{ContextSignalId, UserId};
use domain::signals::{Analysis, Confidence, Role, Signal, Vote};
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use rust_decimal::Decimal;
use serde_json::json;

use super::fixtures::at;

fn dec(s: &str) -> Decimal {
    s.parse().expect("test decimal")
}

fn context(user: UserId, symbol: &str, created: i64) -> TradingContext {
    let symbol = Symbol::parse(symbol).expect("fixture symbol");
    TradingContext::new(user, ExchangeId::MercadoBitcoin, &symbol, ContextMode::Paper, at(created))
}

fn named(pairs: &[(&str, &str)]) -> BTreeMap<String, Decimal> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), dec(v))).collect()
}

/// A BUY MEDIUM signal of `context` on the hourly candle opening at `at(hour * 3600)`, with a
/// direction vote, a filter vote and awkward decimals.
pub fn signal(context: &TradingContext, hour: i64) -> ContextSignal {
    let rsi = Vote {
        indicator: "rsi".into(),
        role: Role::Direction,
        signal: Signal::Buy,
        veto: false,
        values: named(&[("rsi", "24.34419534")]),
    };
    let volatility = Vote {
        indicator: "volatility".into(),
        role: Role::Filter,
        signal: Signal::Hold,
        veto: false,
        values: named(&[("volatility_percent", "0.998")]),
    };
    let analysis = Analysis {
        signal: Signal::Buy,
        confidence: Confidence::Medium,
        votes: vec![rsi, volatility],
        values: named(&[("close", "7931.8"), ("rsi", "24.34419534"), ("volatility_percent", "0.998")]),
        candle_time: at(hour * 3_600),
    };
    ContextSignal::new(context, Timeframe::H1, analysis, dec("7931.8"), at(hour * 3_600 + 3_601))
}

/// A signal reads back whole; a second one for the same context, timeframe and candle is not
/// stored and is no error; another timeframe or candle is another signal.
pub async fn record_round_trips_and_is_idempotent_per_candle(repos: &Repositories) {
    let ana = UserId::new();
    let ctx = context(ana, "BTC-BRL", 0);
    let first = signal(&ctx, 1);

    assert!(repos.context_signals.record(&first).await.unwrap());

    let again = ContextSignal { id: ContextSignalId::new(), close: dec("1"), ..signal(&ctx, 1) };
    assert!(!repos.context_signals.record(&again).await.unwrap());
    assert!(!repos.context_signals.record(&first).await.unwrap());
    let listed = repos.context_signals.list(ana, ctx.id, None, PageRequest::first()).await.unwrap();
    assert_eq!((listed.total, listed.items), (1, vec![first.clone()]));

    let four_hours = ContextSignal { timeframe: Timeframe::H4, ..signal(&ctx, 1) };
    assert!(repos.context_signals.record(&four_hours).await.unwrap());
    assert!(repos.context_signals.record(&signal(&ctx, 2)).await.unwrap());
    let other = context(ana, "ETH-BRL", 0);
    assert!(repos.context_signals.record(&signal(&other, 1)).await.unwrap());
    assert_eq!(repos.context_signals.list(ana, ctx.id, None, PageRequest::first()).await.unwrap().total, 3);
}

/// Decimals are canonical strings and named values lists of pairs, never numbers or field names.
pub async fn decimals_are_stored_as_canonical_strings(repos: &Repositories) {
    let ctx = context(UserId::new(), "BTC-BRL", 0);
    let mut s = signal(&ctx, 1);
    s.close = dec("7931.80");
    s.analysis.votes[0].values = named(&[("rsi", "24.3000")]);
    repos.context_signals.record(&s).await.unwrap();

    let stored = repos.store.get("context_signals", &s.id.to_string()).await.unwrap().expect("stored");

    assert_eq!(stored["close"], json!("7931.8"));
    assert_eq!(stored["votes"][0]["values"], json!([{"name": "rsi", "value": "24.3"}]));
    assert_eq!(stored["values"][0], json!({"name": "close", "value": "7931.8"}));
    assert_eq!(
        (&stored["signal"], &stored["confidence"], &stored["timeframe"]),
        (&json!("BUY"), &json!("MEDIUM"), &json!("1h"))
    );
    let read = repos.context_signals.latest(ctx.user_id, ctx.id).await.unwrap().expect("recorded");
    assert_eq!(read.close, dec("7931.8"));
}

/// The owner's signals of one context, newest candle first, paged; nothing for another owner.
pub async fn list_is_newest_first_scoped_and_paged(repos: &Repositories) {
    let (ana, bob) = (UserId::new(), UserId::new());
    let ctx = context(ana, "BTC-BRL", 0);
    for hour in [3, 1, 4, 2, 5] {
        repos.context_signals.record(&signal(&ctx, hour)).await.unwrap();
    }
    repos.context_signals.record(&signal(&context(ana, "ETH-BRL", 0), 9)).await.unwrap();

    let hours = |page: &domain::Page<ContextSignal>| -> Vec<i64> {
        page.items.iter().map(|s| (s.candle_time - at(0)).whole_hours()).collect()
    };
    let first = repos.context_signals.list(ana, ctx.id, None, PageRequest::new(0, 2)).await.unwrap();
    let last = repos.context_signals.list(ana, ctx.id, None, PageRequest::new(4, 2)).await.unwrap();

    assert_eq!((first.total, hours(&first)), (5, vec![5, 4]));
    assert_eq!((last.total, hours(&last), last.offset, last.limit), (5, vec![1], 4, 2));
    assert_eq!(repos.context_signals.list(bob, ctx.id, None, PageRequest::first()).await.unwrap().total, 0);
    assert_eq!(repos.context_signals.latest(bob, ctx.id).await.unwrap(), None);
}

/// A history window's start is applied by the store: only candles opening at or after it, the
/// total counting only those.
pub async fn list_from_a_window_start_leaves_older_candles_out(repos: &Repositories) {
    let ana = UserId::new();
    let ctx = context(ana, "BTC-BRL", 0);
    for hour in [1, 2, 3, 4, 5] {
        repos.context_signals.record(&signal(&ctx, hour)).await.unwrap();
    }
    let from = Some(at(3 * 3_600));
    let listed = repos.context_signals.list(ana, ctx.id, from, PageRequest::first()).await.unwrap();
    let hours: Vec<i64> = listed.items.iter().map(|s| (s.candle_time - at(0)).whole_hours()).collect();
    assert_eq!((listed.total, hours), (3, vec![5, 4, 3]));
}

/// The latest is the newest candle's signal; none before the first.
pub async fn latest_is_the_newest_or_none(repos: &Repositories) {
    let ana = UserId::new();
    let ctx = context(ana, "BTC-BRL", 0);
    assert_eq!(repos.context_signals.latest(ana, ctx.id).await.unwrap(), None);
    let newest = signal(&ctx, 7);
    for s in [signal(&ctx, 6), newest.clone(), signal(&ctx, 5)] {
        repos.context_signals.record(&s).await.unwrap();
    }

    assert_eq!(repos.context_signals.latest(ana, ctx.id).await.unwrap(), Some(newest));
}

/// `active` lists every owner's active contexts oldest first and leaves paused ones out.
pub async fn active_contexts_span_owners_and_skip_paused(repos: &Repositories) {
    let (ana, bob) = (UserId::new(), UserId::new());
    let second = repos.contexts.create(&context(bob, "BTC-BRL", 2)).await.unwrap();
    let first = repos.contexts.create(&context(ana, "BTC-BRL", 1)).await.unwrap();
    let mut paused = repos.contexts.create(&context(ana, "ETH-BRL", 3)).await.unwrap();
    assert!(paused.pause("over the plan's limit", at(4)));
    repos.contexts.update(&paused).await.unwrap();

    let active = repos.contexts.active().await.unwrap();

    assert_eq!(active, vec![first, second]);
}
