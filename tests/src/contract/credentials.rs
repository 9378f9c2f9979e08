//! Contract of `CredentialRepository`: scoped by owner everywhere.

use domain::credentials::{CredentialStatus, ExchangeCredential, ExchangeId};
use domain::shared::ids::{CredentialId, UserId};
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::{at, credential};
use super::{assert_conflict, assert_duplicate, assert_not_found};

/// `create` stores version 1; the owner reads it back whole.
pub async fn create_then_get_by_owner(repos: &Repositories) {
    let mut c = credential(UserId::new(), ExchangeId::Binance, 0);
    (c.status, c.status_reason, c.validated_at, c.testnet) =
        (CredentialStatus::Invalid, Some("withdrawals enabled".into()), Some(at(3)), true);

    let created = repos.credentials.create(&c).await.unwrap();

    assert_eq!(created, ExchangeCredential { version: 1, ..c.clone() });
    assert_eq!(repos.credentials.get(c.user_id, c.id).await.unwrap(), created);
    assert_not_found(repos.credentials.get(c.user_id, CredentialId::new()).await);
}

/// Another user's credential is `NotFound` for get, update and delete, and never listed.
pub async fn another_owner_sees_not_found(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let anas = repos.credentials.create(&credential(ana, ExchangeId::Binance, 0)).await.unwrap();

    assert_not_found(repos.credentials.get(bia, anas.id).await);
    assert_not_found(repos.credentials.delete(bia, anas.id).await);
    let hijack = ExchangeCredential { user_id: bia, status: CredentialStatus::Valid, ..anas.clone() };
    assert_not_found(repos.credentials.update(&hijack).await);
    assert_eq!(repos.credentials.find_for_exchange(bia, ExchangeId::Binance).await.unwrap(), None);
    assert_eq!(repos.credentials.list(bia, None, PageRequest::first()).await.unwrap().total, 0);

    assert_eq!(repos.credentials.get(ana, anas.id).await.unwrap(), anas);
}

/// One credential per user and exchange: `Duplicate { credentials_user_exchange }`.
pub async fn one_credential_per_user_and_exchange(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    repos.credentials.create(&credential(ana, ExchangeId::Binance, 0)).await.unwrap();

    let again = credential(ana, ExchangeId::Binance, 1);
    assert_duplicate(repos.credentials.create(&again).await, "credentials_user_exchange");

    repos.credentials.create(&credential(ana, ExchangeId::MercadoBitcoin, 2)).await.unwrap();
    repos.credentials.create(&credential(bia, ExchangeId::Binance, 3)).await.unwrap();
    assert_eq!(repos.credentials.list(ana, None, PageRequest::first()).await.unwrap().total, 2);
}

/// `find_for_exchange` finds the owner's credential on that exchange, `None` otherwise.
pub async fn find_for_exchange(repos: &Repositories) {
    let ana = UserId::new();
    let binance = repos.credentials.create(&credential(ana, ExchangeId::Binance, 0)).await.unwrap();

    assert_eq!(repos.credentials.find_for_exchange(ana, ExchangeId::Binance).await.unwrap(), Some(binance));
    assert_eq!(repos.credentials.find_for_exchange(ana, ExchangeId::MercadoBitcoin).await.unwrap(), None);
}

/// `update` bumps the version; stale is `Conflict`; unknown is `NotFound`.
pub async fn update_checks_version(repos: &Repositories) {
    let created = repos.credentials.create(&credential(UserId::new(), ExchangeId::Binance, 0)).await.unwrap();
    let valid = ExchangeCredential {
        status: CredentialStatus::Valid,
        validated_at: Some(at(9)),
        updated_at: at(9),
        ..created.clone()
    };

    let updated = repos.credentials.update(&valid).await.unwrap();

    assert_eq!(updated, ExchangeCredential { version: 2, ..valid });
    assert_eq!(repos.credentials.get(created.user_id, created.id).await.unwrap(), updated);
    assert_conflict(repos.credentials.update(&created).await);
    assert_not_found(repos.credentials.update(&credential(created.user_id, ExchangeId::MercadoBitcoin, 0)).await);
}

/// `delete` removes the credential; deleting again is `NotFound`; the pair can be stored anew.
pub async fn delete_removes(repos: &Repositories) {
    let ana = UserId::new();
    let created = repos.credentials.create(&credential(ana, ExchangeId::Binance, 0)).await.unwrap();
    let kept = repos.credentials.create(&credential(ana, ExchangeId::MercadoBitcoin, 1)).await.unwrap();

    repos.credentials.delete(ana, created.id).await.unwrap();

    assert_not_found(repos.credentials.get(ana, created.id).await);
    assert_not_found(repos.credentials.delete(ana, created.id).await);
    assert_eq!(repos.credentials.list(ana, None, PageRequest::first()).await.unwrap().items, vec![kept]);
    repos.credentials.create(&credential(ana, ExchangeId::Binance, 2)).await.unwrap();
}

/// `list` is the owner's, oldest first (ties by id), optionally for one exchange, paged.
pub async fn list_is_oldest_first_filtered_and_paged(repos: &Repositories) {
    let mut mine = Vec::new();
    for created in [20, 10] {
        let owner = UserId::new();
        mine.push((owner, repos.credentials.create(&credential(owner, ExchangeId::Binance, created)).await.unwrap()));
    }
    let ana = UserId::new();
    let b = repos.credentials.create(&credential(ana, ExchangeId::Binance, 30)).await.unwrap();
    let m = repos.credentials.create(&credential(ana, ExchangeId::MercadoBitcoin, 5)).await.unwrap();

    let first = repos.credentials.list(ana, None, PageRequest::new(0, 1)).await.unwrap();
    let second = repos.credentials.list(ana, None, PageRequest::new(1, 1)).await.unwrap();
    let only_binance = repos.credentials.list(ana, Some(ExchangeId::Binance), PageRequest::first()).await.unwrap();

    assert_eq!((first.total, first.items), (2, vec![m]));
    assert_eq!((second.total, second.items), (2, vec![b.clone()]));
    assert_eq!((only_binance.total, only_binance.items), (1, vec![b]));
    let (owner, theirs) = &mine[0];
    assert_eq!(repos.credentials.list(*owner, None, PageRequest::first()).await.unwrap().items, vec![theirs.clone()]);
}

/// `list_all` lists every owner's credentials, oldest first.
pub async fn list_all_spans_owners(repos: &Repositories) {
    let (ana, bob) = (UserId::new(), UserId::new());
    let first = repos.credentials.create(&credential(ana, ExchangeId::Binance, 1)).await.unwrap();
    let second = repos.credentials.create(&credential(bob, ExchangeId::MercadoBitcoin, 2)).await.unwrap();
    let all = repos.credentials.list_all(PageRequest::first()).await.unwrap();
    assert_eq!((all.total, all.items), (2, vec![first, second]));
}
