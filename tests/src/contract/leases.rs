//! Contract of `LeaseRepository`: taking, refusing, expiry takeover, renewal, release, and races
//! in which exactly one of many concurrent holders wins.

use std::sync::Arc;
use std::time::Duration;

use domain::leases::LeaseRepository;
use infrastructure::repositories::Repositories;

use super::fixtures::at;

const TTL: Duration = Duration::from_secs(30);

/// Runs `try_acquire(name)` for holders `<prefix>-0` … `<prefix>-19` at once, at `at(second)`;
/// the holders that won.
async fn race(leases: &Arc<dyn LeaseRepository>, name: &str, prefix: &str, second: i64) -> Vec<String> {
    let attempts = (0..20).map(|i| {
        let leases = leases.clone();
        let (name, holder) = (name.to_owned(), format!("{prefix}-{i}"));
        tokio::spawn(async move {
            let won = leases.try_acquire(&name, &holder, TTL, at(second)).await.unwrap();
            won.then_some(holder)
        })
    });
    let results = futures::future::join_all(attempts.collect::<Vec<_>>()).await;
    results.into_iter().filter_map(|joined| joined.unwrap()).collect()
}

/// A free lease is taken; another holder is refused until the expiry, when it takes it over.
pub async fn a_free_lease_is_taken_then_taken_over_at_expiry(repos: &Repositories) {
    let leases = &repos.leases;

    assert!(leases.try_acquire("workflow:sync_orders", "a", TTL, at(0)).await.unwrap());
    assert!(!leases.try_acquire("workflow:sync_orders", "b", TTL, at(10)).await.unwrap());
    assert!(!leases.try_acquire("workflow:sync_orders", "b", TTL, at(29)).await.unwrap());

    assert!(leases.try_acquire("workflow:sync_orders", "b", TTL, at(30)).await.unwrap(), "expired at t+30");
    assert!(!leases.try_acquire("workflow:sync_orders", "a", TTL, at(31)).await.unwrap(), "b holds it now");
}

/// The holder renews its lease, which moves the expiry to `now + ttl`.
pub async fn the_holder_renews_and_extends_its_lease(repos: &Repositories) {
    let leases = &repos.leases;
    assert!(leases.try_acquire("bot:1", "a", TTL, at(0)).await.unwrap());

    assert!(leases.try_acquire("bot:1", "a", TTL, at(20)).await.unwrap(), "renewal");

    assert!(!leases.try_acquire("bot:1", "b", TTL, at(40)).await.unwrap(), "extended to t+50");
    assert!(leases.try_acquire("bot:1", "b", TTL, at(50)).await.unwrap());
}

/// Only the holder releases; a released lease is free at once; releasing twice does nothing.
pub async fn release_frees_only_the_holders_lease(repos: &Repositories) {
    let leases = &repos.leases;
    assert!(!leases.release("workflow:anomaly_check", "a").await.unwrap(), "nothing to release");
    assert!(leases.try_acquire("workflow:anomaly_check", "a", TTL, at(0)).await.unwrap());

    assert!(!leases.release("workflow:anomaly_check", "b").await.unwrap());
    assert!(!leases.try_acquire("workflow:anomaly_check", "b", TTL, at(1)).await.unwrap());

    assert!(leases.release("workflow:anomaly_check", "a").await.unwrap());
    assert!(leases.try_acquire("workflow:anomaly_check", "b", TTL, at(1)).await.unwrap());
    assert!(!leases.release("workflow:anomaly_check", "a").await.unwrap(), "b's lease is not a's to release");
    assert!(!leases.try_acquire("workflow:anomaly_check", "a", TTL, at(2)).await.unwrap());
}

/// Leases of different names are independent.
pub async fn leases_are_independent_by_name(repos: &Repositories) {
    let leases = &repos.leases;

    assert!(leases.try_acquire("bot:1", "a", TTL, at(0)).await.unwrap());
    assert!(leases.try_acquire("bot:2", "b", TTL, at(0)).await.unwrap());

    assert!(!leases.try_acquire("bot:2", "a", TTL, at(1)).await.unwrap());
    assert!(!leases.try_acquire("bot:1", "b", TTL, at(1)).await.unwrap());
}

/// 20 holders race for a new lease: exactly one wins. After it expires, 20 others race for the
/// takeover: exactly one wins again, and the first winner cannot renew any more.
pub async fn exactly_one_of_twenty_concurrent_holders_wins(repos: &Repositories) {
    let winners = race(&repos.leases, "workflow:paper_matching", "first", 0).await;
    assert_eq!(winners.len(), 1, "winners of the new lease: {winners:?}");

    let takeover = race(&repos.leases, "workflow:paper_matching", "second", 30).await;
    assert_eq!(takeover.len(), 1, "winners of the expired lease: {takeover:?}");

    assert!(!repos.leases.try_acquire("workflow:paper_matching", &winners[0], TTL, at(31)).await.unwrap());
    assert!(repos.leases.try_acquire("workflow:paper_matching", &takeover[0], TTL, at(31)).await.unwrap());
}
