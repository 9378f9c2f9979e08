//! Contract of `AuditRepository`.

use domain::identity::{AuditAction, AuditEntry, AuditFilter};
use domain::shared::ids::UserId;
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::audit;

/// Entries come back whole, newest first (ties by id, descending), paged with the total.
pub async fn append_then_list_newest_first_with_paging(repos: &Repositories) {
    let user = UserId::new();
    let mut entries = Vec::new();
    for (seconds, action) in
        [(3, AuditAction::Register), (1, AuditAction::LoginFailed), (3, AuditAction::LoginSucceeded)]
    {
        let mut entry = audit(Some(user), action, seconds);
        entry.detail = Some(format!("step {seconds}"));
        repos.audit.append(&entry).await.unwrap();
        entries.push(entry);
    }
    let mut bare = audit(Some(user), AuditAction::Logout, 9);
    (bare.ip, bare.user_agent) = (None, None);
    repos.audit.append(&bare).await.unwrap();
    entries.push(bare);
    entries.sort_by_key(|e| std::cmp::Reverse((e.at, e.id.to_string())));

    let first = repos.audit.list_for_user(user, &AuditFilter::default(), PageRequest::new(0, 2)).await.unwrap();
    let second = repos.audit.list_for_user(user, &AuditFilter::default(), PageRequest::new(2, 2)).await.unwrap();

    assert_eq!((first.total, first.items.as_slice()), (4, &entries[..2]));
    assert_eq!((second.total, second.items.as_slice()), (4, &entries[2..]));
}

/// The action filter keeps only that action, and counts only those.
pub async fn list_filters_by_action(repos: &Repositories) {
    let user = UserId::new();
    for (seconds, action) in
        [(1, AuditAction::LoginFailed), (2, AuditAction::LoginSucceeded), (3, AuditAction::LoginFailed)]
    {
        repos.audit.append(&audit(Some(user), action, seconds)).await.unwrap();
    }

    let filter = AuditFilter { action: Some(AuditAction::LoginFailed) };
    let page = repos.audit.list_for_user(user, &filter, PageRequest::first()).await.unwrap();

    assert_eq!(page.total, 2);
    assert!(page.items.iter().all(|e| e.action == AuditAction::LoginFailed));
    assert_eq!(
        page.items.iter().map(|e| e.at).collect::<Vec<_>>(),
        vec![super::fixtures::at(3), super::fixtures::at(1)]
    );
    let none = AuditFilter { action: Some(AuditAction::DataExported) };
    assert_eq!(repos.audit.list_for_user(user, &none, PageRequest::first()).await.unwrap().total, 0);
}

/// Another user's entries and anonymous entries are not listed.
pub async fn list_is_scoped_to_the_user(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let mine = audit(Some(ana), AuditAction::Register, 1);
    repos.audit.append(&mine).await.unwrap();
    repos.audit.append(&audit(Some(bia), AuditAction::Register, 2)).await.unwrap();
    repos.audit.append(&audit(None, AuditAction::LoginFailed, 3)).await.unwrap();

    let page = repos.audit.list_for_user(ana, &AuditFilter::default(), PageRequest::first()).await.unwrap();

    assert_eq!(page.items, vec![mine]);
    assert_eq!(page.total, 1);
    let nobody: Vec<AuditEntry> =
        repos.audit.list_for_user(UserId::new(), &AuditFilter::default(), PageRequest::first()).await.unwrap().items;
    assert!(nobody.is_empty());
}
