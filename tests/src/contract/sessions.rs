//! Contract of `SessionRepository`.

use domain::identity::RefreshSession;
use domain::shared::ids::{SessionFamilyId, UserId};
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::{at, session};
use super::{assert_conflict, assert_duplicate, assert_not_found};

/// `create` stores version 1; `find_by_token_hash` reads it back, `None` for an unknown hash.
pub async fn create_then_find_by_token_hash(repos: &Repositories) {
    let s = session(UserId::new(), SessionFamilyId::new(), 0);

    let created = repos.sessions.create(&s).await.unwrap();

    assert_eq!(created, RefreshSession { version: 1, ..s.clone() });
    assert_eq!(repos.sessions.find_by_token_hash(&s.token_hash).await.unwrap(), Some(created));
    assert_eq!(repos.sessions.find_by_token_hash(&"0".repeat(64)).await.unwrap(), None);
}

/// Two sessions with one token hash: `Duplicate { sessions_token_hash }`.
pub async fn duplicate_token_hash_is_refused(repos: &Repositories) {
    let first = session(UserId::new(), SessionFamilyId::new(), 0);
    repos.sessions.create(&first).await.unwrap();

    let clash =
        RefreshSession { token_hash: first.token_hash.clone(), ..session(UserId::new(), SessionFamilyId::new(), 1) };
    assert_duplicate(repos.sessions.create(&clash).await, "sessions_token_hash");
}

/// `update` bumps the version; stale is `Conflict`; unknown is `NotFound`.
pub async fn update_checks_version(repos: &Repositories) {
    let created = repos.sessions.create(&session(UserId::new(), SessionFamilyId::new(), 0)).await.unwrap();
    let used = RefreshSession { used_at: Some(at(10)), ..created.clone() };

    let updated = repos.sessions.update(&used).await.unwrap();

    assert_eq!(updated, RefreshSession { version: 2, ..used });
    assert_eq!(repos.sessions.find_by_token_hash(&created.token_hash).await.unwrap(), Some(updated));
    assert_conflict(repos.sessions.update(&created).await);
    assert_not_found(repos.sessions.update(&session(UserId::new(), SessionFamilyId::new(), 0)).await);
}

/// `revoke_family` revokes the family's unrevoked sessions only, bumping their versions.
pub async fn revoke_family_revokes_only_unrevoked_members(repos: &Repositories) {
    let (user, family, other) = (UserId::new(), SessionFamilyId::new(), SessionFamilyId::new());
    let old = RefreshSession { revoked_at: Some(at(1)), ..session(user, family, 0) };
    let old = repos.sessions.create(&old).await.unwrap();
    let live = repos.sessions.create(&session(user, family, 2)).await.unwrap();
    let newer = repos.sessions.create(&session(user, family, 3)).await.unwrap();
    let elsewhere = repos.sessions.create(&session(user, other, 4)).await.unwrap();

    assert_eq!(repos.sessions.revoke_family(family, at(100)).await.unwrap(), 2);

    assert_eq!(reread(repos, &old).await, old);
    for s in [&live, &newer] {
        assert_eq!(reread(repos, s).await, RefreshSession { revoked_at: Some(at(100)), version: 2, ..s.clone() });
    }
    assert_eq!(reread(repos, &elsewhere).await, elsewhere);
    assert_conflict(repos.sessions.update(&live).await);
    assert_eq!(repos.sessions.revoke_family(family, at(200)).await.unwrap(), 0);
}

/// `revoke_all_for_user` spares the kept family and other users.
pub async fn revoke_all_for_user_keeps_one_family(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let (kept, lost1, lost2) = (SessionFamilyId::new(), SessionFamilyId::new(), SessionFamilyId::new());
    let keep = repos.sessions.create(&session(ana, kept, 0)).await.unwrap();
    let a = repos.sessions.create(&session(ana, lost1, 1)).await.unwrap();
    let b = repos.sessions.create(&session(ana, lost2, 2)).await.unwrap();
    let other = repos.sessions.create(&session(bia, SessionFamilyId::new(), 3)).await.unwrap();

    assert_eq!(repos.sessions.revoke_all_for_user(ana, Some(kept), at(50)).await.unwrap(), 2);

    let revoked_at = |s: RefreshSession| s.revoked_at;
    assert_eq!(revoked_at(reread(repos, &a).await), Some(at(50)));
    assert_eq!(revoked_at(reread(repos, &b).await), Some(at(50)));
    assert_eq!(revoked_at(reread(repos, &keep).await), None);
    assert_eq!(reread(repos, &other).await, other);
    assert_eq!(repos.sessions.revoke_all_for_user(ana, None, at(60)).await.unwrap(), 1);
    assert_eq!(revoked_at(reread(repos, &keep).await), Some(at(60)));
    assert_eq!(revoked_at(reread(repos, &a).await), Some(at(50)));
}

/// The stored session with `s`'s token hash.
async fn reread(repos: &Repositories, s: &RefreshSession) -> RefreshSession {
    repos.sessions.find_by_token_hash(&s.token_hash).await.unwrap().expect("the session is stored")
}

/// `list_for_user` is newest first (ties by id, descending), paged, and only the user's.
pub async fn list_for_user_is_newest_first_and_scoped(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let mut mine = Vec::new();
    for created in [5, 1, 9, 5] {
        mine.push(repos.sessions.create(&session(ana, SessionFamilyId::new(), created)).await.unwrap());
    }
    repos.sessions.create(&session(bia, SessionFamilyId::new(), 7)).await.unwrap();
    mine.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id.to_string())));

    let first = repos.sessions.list_for_user(ana, PageRequest::new(0, 3)).await.unwrap();
    let rest = repos.sessions.list_for_user(ana, PageRequest::new(3, 3)).await.unwrap();

    assert_eq!((first.total, first.items.as_slice()), (4, &mine[..3]));
    assert_eq!((rest.total, rest.items.as_slice()), (4, &mine[3..]));
    assert_eq!(repos.sessions.list_for_user(UserId::new(), PageRequest::first()).await.unwrap().total, 0);
}
