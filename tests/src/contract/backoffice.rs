//! Contract of the backoffice repositories: operators (unique e-mail, versions, the list),
//! operator sessions (token lookup, revocation, expiry), the append-only audit trail (every
//! filter newest first, expiry in batches) and the store-backed hit counters (sliding window).

use domain::backoffice::{Operator, OperatorAuditEntry, OperatorAuditFilter, OperatorRole, OperatorSession, Outcome};
use domain::identity::Email;
use domain::shared::ids::{AuditId, OperatorId, OperatorSessionId};
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use time::Duration;

use super::fixtures::at;
use super::{assert_conflict, assert_duplicate, assert_not_found};

fn operator(email: &str, created: i64) -> Operator {
    let email = Email::parse(email).unwrap();
    Operator::new(OperatorId::new(), email, "$argon2id$hash".into(), OperatorRole::Support, at(created))
}

fn session(operator: OperatorId, token: &str, created: i64) -> OperatorSession {
    OperatorSession {
        id: OperatorSessionId::new(),
        operator_id: operator,
        token_hash: token.into(),
        csrf_hash: format!("csrf-{token}"),
        ip: Some("10.0.0.1".into()),
        user_agent: None,
        created_at: at(created),
        expires_at: at(created) + OperatorSession::TTL,
        revoked_at: None,
    }
}

fn entry(operator: Option<OperatorId>, action: &str, target: Option<&str>, seconds: i64) -> OperatorAuditEntry {
    OperatorAuditEntry {
        id: AuditId::new(),
        operator_id: operator,
        operator_email: Some("ana@staff.example.com".into()),
        role: Some(OperatorRole::Admin),
        action: action.into(),
        target: target.map(Into::into),
        ip: Some("10.0.0.1".into()),
        user_agent: Some("curl/8.0".into()),
        at: at(seconds),
        status: 200,
        outcome: Outcome::Ok,
    }
}

/// Operators round-trip, their e-mail is unique, updates check the version, the list is by e-mail.
pub async fn operators_round_trip_and_are_unique_by_email(repos: &Repositories) {
    let mut bia = operator("bia@staff.example.com", 0);
    bia.recovery_codes = vec!["hash-1".into(), "hash-2".into()];
    let bia = repos.operators.create(&bia).await.unwrap();
    let ana = repos.operators.create(&operator("ana@staff.example.com", 1)).await.unwrap();
    assert_eq!(bia.version, 1);
    assert_eq!(repos.operators.get(bia.id).await.unwrap(), bia);
    assert_not_found(repos.operators.get(OperatorId::new()).await);
    let found = repos.operators.find_by_email(&Email::parse("BIA@staff.example.com").unwrap()).await.unwrap();
    assert_eq!(found, Some(bia.clone()));
    assert_duplicate(repos.operators.create(&operator("ana@staff.example.com", 2)).await, "operators_email");

    let mut changed = bia.clone();
    assert!(changed.accept_totp_step(42));
    let updated = repos.operators.update(&changed).await.unwrap();
    assert_eq!((updated.version, updated.last_totp_step), (2, 42));
    assert_conflict(repos.operators.update(&bia).await);

    let list = repos.operators.list(PageRequest::first()).await.unwrap();
    assert_eq!(list.total, 2);
    assert_eq!(list.items.iter().map(|o| o.id).collect::<Vec<_>>(), [ana.id, bia.id]);
}

/// Sessions are found by token hash, revoked once or all per operator, and deleted at expiry.
pub async fn operator_sessions_are_found_revoked_and_expired(repos: &Repositories) {
    let (ana, bia) = (OperatorId::new(), OperatorId::new());
    let first = session(ana, "t1", 0);
    for s in [&first, &session(ana, "t2", 10), &session(bia, "t3", 20)] {
        repos.operator_sessions.create(s).await.unwrap();
    }
    assert!(repos.operator_sessions.create(&session(bia, "t1", 30)).await.is_err(), "a token hash is unique");
    assert_eq!(repos.operator_sessions.find_by_token_hash("t1").await.unwrap(), Some(first.clone()));
    assert_eq!(repos.operator_sessions.find_by_token_hash("nope").await.unwrap(), None);

    assert!(repos.operator_sessions.revoke(first.id, at(40)).await.unwrap());
    assert!(!repos.operator_sessions.revoke(first.id, at(41)).await.unwrap(), "revoked once");
    assert_eq!(repos.operator_sessions.revoke_all(ana, at(42)).await.unwrap(), 1, "t2 only");
    let t3 = repos.operator_sessions.find_by_token_hash("t3").await.unwrap().unwrap();
    assert_eq!(t3.revoked_at, None, "another operator's session stays");

    let before = at(15) + OperatorSession::TTL;
    assert_eq!(repos.operator_sessions.delete_expired(before).await.unwrap(), 2);
    assert!(repos.operator_sessions.find_by_token_hash("t3").await.unwrap().is_some());
}

/// The audit list filters by operator, target, action and time, newest first; expiry deletes
/// the oldest entries in batches.
pub async fn operator_audit_filters_newest_first_and_expires_in_batches(repos: &Repositories) {
    let (ana, bia) = (OperatorId::new(), OperatorId::new());
    let entries = [
        entry(Some(ana), "users.list", None, 10),
        entry(Some(ana), "users.block", Some("user:1"), 20),
        entry(Some(bia), "users.read", Some("user:1"), 30),
        entry(None, "auth.login", None, 40),
        entry(Some(bia), "users.block", Some("user:2"), 50),
    ];
    for e in &entries {
        repos.operator_audit.append(e).await.unwrap();
    }
    let seconds = |filter: OperatorAuditFilter| async move {
        let page = repos.operator_audit.list(&filter, PageRequest::first()).await.unwrap();
        page.items.iter().map(|e| (e.at - at(0)).whole_seconds()).collect::<Vec<_>>()
    };
    let all = seconds(OperatorAuditFilter::default()).await;
    assert_eq!(all, [50, 40, 30, 20, 10]);
    assert_eq!(seconds(OperatorAuditFilter { operator_id: Some(ana), ..Default::default() }).await, [20, 10]);
    assert_eq!(seconds(OperatorAuditFilter { target: Some("user:1".into()), ..Default::default() }).await, [30, 20]);
    assert_eq!(
        seconds(OperatorAuditFilter { action: Some("users.block".into()), ..Default::default() }).await,
        [50, 20]
    );
    let window = OperatorAuditFilter { from: Some(at(20)), to: Some(at(50)), ..Default::default() };
    assert_eq!(seconds(window).await, [40, 30, 20]);
    let paged = repos.operator_audit.list(&OperatorAuditFilter::default(), PageRequest::new(1, 2)).await.unwrap();
    assert_eq!((paged.total, paged.items[0].id), (5, entries[3].id));

    assert_eq!(repos.operator_audit.delete_older_than(at(45), 2).await.unwrap(), 2, "a batch");
    assert_eq!(repos.operator_audit.delete_older_than(at(45), 2).await.unwrap(), 2);
    assert_eq!(seconds(OperatorAuditFilter::default()).await, [50]);
}

/// Hits count per key over a sliding window, clear per key, and expire by age.
pub async fn hits_count_in_a_sliding_window_per_key(repos: &Repositories) {
    let window = Duration::minutes(15);
    for seconds in [0, 60, 600] {
        repos.hits.hit("login:ana", at(seconds), window).await.unwrap();
    }
    assert_eq!(repos.hits.hit("login:bia", at(610), window).await.unwrap(), 1, "another key");
    assert_eq!(repos.hits.count("login:ana", at(600), window).await.unwrap(), 3);
    // 15 minutes after the first hit, it has left the window.
    assert_eq!(repos.hits.count("login:ana", at(900), window).await.unwrap(), 2);
    assert_eq!(repos.hits.hit("login:ana", at(960), window).await.unwrap(), 2, "60 and the first left");

    assert_eq!(repos.hits.delete_older_than(at(61)).await.unwrap(), 2);
    assert_eq!(repos.hits.count("login:ana", at(960), window).await.unwrap(), 2);
    repos.hits.clear("login:ana").await.unwrap();
    assert_eq!(repos.hits.count("login:ana", at(960), window).await.unwrap(), 0);
    assert_eq!(repos.hits.count("login:bia", at(960), window).await.unwrap(), 1);
}
