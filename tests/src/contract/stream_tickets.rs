//! Contract of the live stream's spent tickets on every store: a ticket is spent once, whichever
//! instance (repository over the same store) tries, even when many try at once; expired ones are
//! pruned and never carry a user.

use std::sync::Arc;

use domain::notifications::SpentTicketRepository;
use infrastructure::repositories::{Repositories, StoreSpentTicketRepository};
use infrastructure::store::Query;

use super::fixtures::at;

const COLL: &str = StoreSpentTicketRepository::COLLECTION;

/// Ten "instances" (repositories over the one store) race to spend one ticket: one wins; the
/// others, and a later try, are refused; another ticket is its own.
pub async fn a_ticket_is_spent_once_across_instances(repos: &Repositories) {
    let (expires, now) = (at(30), at(0));
    let tries = (0..10).map(|_| {
        let instance = StoreSpentTicketRepository::new(repos.store.clone());
        tokio::spawn(async move { instance.spend("0123456789abcdef", expires, now).await.unwrap() })
    });
    let won: Vec<bool> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    assert!(!repos.spent_tickets.spend("0123456789abcdef", expires, now).await.unwrap(), "spent already");
    assert!(repos.spent_tickets.spend("fedcba9876543210", expires, now).await.unwrap(), "another ticket");
}

/// A spend prunes tickets expired by its `now`; unexpired ones stay spent.
pub async fn expired_tickets_are_pruned(repos: &Repositories) {
    let spent = Arc::clone(&repos.spent_tickets);
    for i in 0..5 {
        assert!(spent.spend(&format!("old{i}"), at(30), at(0)).await.unwrap());
    }
    assert!(spent.spend("young", at(90), at(60)).await.unwrap());
    let left = repos.store.find(COLL, &Query::all().asc("_id")).await.unwrap();
    let ids: Vec<&str> = left.iter().filter_map(|d| d.get("_id").and_then(|v| v.as_str())).collect();
    assert_eq!(ids, ["young"], "the expired ones are gone");
    assert!(left.iter().all(|d| d.keys().all(|k| ["_id", "expires_at", "version"].contains(&k.as_str()))), "{left:?}");
    assert!(!spent.spend("young", at(90), at(61)).await.unwrap());
}
