//! Contract of `LeaseRepository`: taking, refusing, expiry takeover, renewal, release, and races
//! in which exactly one of many concurrent holders wins.

use std::sync::Arc;
use std::time::Duration;

use domain::leases::LeaseRepository;
use infrastructure::repositories::Repositories;

use super::fixtures::at;

const TTL: Duration = Duration::from_secs(30);

/// How many leases each race is run on at once, so that the holders' reads and writes really
/// interleave (on the embedded store a single attempt is over in microseconds).
const LEASES_PER_RACE: usize = 25;

/// Holders `<prefix>-0` … `<prefix>-19`, released together by a barrier on the suite's worker
/// threads, each try to take `<name>-0` … `<name>-24` in turn at `at(second)`; the winners of
/// each lease.
async fn race(leases: &Arc<dyn LeaseRepository>, name: &str, prefix: &str, second: i64) -> Vec<Vec<String>> {
    let start = Arc::new(tokio::sync::Barrier::new(20));
    let attempts = (0..20).map(|i| {
        let (leases, start) = (leases.clone(), start.clone());
        let (name, holder) = (name.to_owned(), format!("{prefix}-{i}"));
        tokio::spawn(async move {
            start.wait().await;
            let mut won = Vec::new();
            for lease in 0..LEASES_PER_RACE {
                if leases.try_acquire(&format!("{name}-{lease}"), &holder, TTL, at(second)).await.unwrap() {
                    won.push(lease);
                }
            }
            (holder, won)
        })
    });
    let mut winners = vec![Vec::new(); LEASES_PER_RACE];
    for joined in futures::future::join_all(attempts.collect::<Vec<_>>()).await {
        let (holder, won) = joined.unwrap();
        for lease in won {
            winners[lease].push(holder.clone());
        }
    }
    winners
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

/// 20 holders race for new leases: exactly one wins each. After they expire, 20 others race for
/// the takeover: exactly one wins each again, and the first winner cannot renew any more.
pub async fn exactly_one_of_twenty_concurrent_holders_wins(repos: &Repositories) {
    let winners = race(&repos.leases, "workflow:paper_matching", "first", 0).await;
    assert!(winners.iter().all(|w| w.len() == 1), "winners of each new lease: {winners:?}");

    let takeover = race(&repos.leases, "workflow:paper_matching", "second", 30).await;
    assert!(takeover.iter().all(|w| w.len() == 1), "winners of each expired lease: {takeover:?}");

    let lease = "workflow:paper_matching-0";
    assert!(!repos.leases.try_acquire(lease, &winners[0][0], TTL, at(31)).await.unwrap());
    assert!(repos.leases.try_acquire(lease, &takeover[0][0], TTL, at(31)).await.unwrap());
}
