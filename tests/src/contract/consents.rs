//! Contract of `ConsentRepository`.

use domain::identity::RequestMeta;
use domain::legal::{
    ConsentChange, ConsentRecord, ConsentSource, DocumentKind, DocumentVersion, LegalDocument, LegalTexts,
};
use domain::shared::ids::UserId;
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::fixtures::at;

fn texts(terms: &str) -> LegalTexts {
    let doc = |kind, v: &str| LegalDocument { kind, version: DocumentVersion::parse(v).unwrap(), text: "text".into() };
    LegalTexts { terms: doc(DocumentKind::Terms, terms), privacy: doc(DocumentKind::Privacy, "p1") }
}

fn record(user: UserId, previous: Option<&ConsentRecord>, change: ConsentChange, seconds: i64) -> ConsentRecord {
    let meta = RequestMeta { ip: Some(format!("198.51.100.{seconds}")), user_agent: Some(format!("agent/{seconds}")) };
    ConsentRecord::next(previous, user, change, &texts("t1"), ConsentSource::Update, &meta, at(seconds))
}

/// Entries come back whole (versions, IP, user agent, retention), newest first, paged with the total.
pub async fn append_then_history_newest_first_with_paging(repos: &Repositories) {
    let user = UserId::new();
    let all = ConsentChange { terms: Some(true), privacy: Some(true), marketing: Some(true) };
    let first = record(user, None, all, 1);
    let second = record(user, Some(&first), ConsentChange { marketing: Some(false), ..Default::default() }, 2);
    let mut third = ConsentRecord::withdrawn(user, &RequestMeta::default(), at(3));
    third.source = ConsentSource::AccountDeleted;
    for r in [&first, &second, &third] {
        repos.consents.append(r).await.unwrap();
    }

    let page = repos.consents.history(user, PageRequest::new(0, 2)).await.unwrap();
    let rest = repos.consents.history(user, PageRequest::new(2, 2)).await.unwrap();

    assert_eq!((page.total, page.items.as_slice()), (3, [third.clone(), second].as_slice()));
    assert_eq!(rest.items, vec![first]);
    assert_eq!(repos.consents.latest(user).await.unwrap(), Some(third));
}

/// Another user's entries are neither listed nor the latest; a user without entries has none.
pub async fn history_is_scoped_to_the_user(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let all = ConsentChange { terms: Some(true), privacy: Some(true), marketing: None };
    let mine = record(ana, None, all, 1);
    repos.consents.append(&mine).await.unwrap();
    repos.consents.append(&record(bia, None, all, 5)).await.unwrap();

    assert_eq!(repos.consents.history(ana, PageRequest::first()).await.unwrap().items, vec![mine.clone()]);
    assert_eq!(repos.consents.latest(ana).await.unwrap(), Some(mine));
    assert_eq!(repos.consents.latest(UserId::new()).await.unwrap(), None);
    assert_eq!(repos.consents.history(UserId::new(), PageRequest::first()).await.unwrap().total, 0);
}

/// An id is appended once.
pub async fn the_same_entry_is_appended_once(repos: &Repositories) {
    let entry = record(UserId::new(), None, ConsentChange::default(), 1);
    repos.consents.append(&entry).await.unwrap();
    assert!(repos.consents.append(&entry).await.is_err());
    assert_eq!(repos.consents.history(entry.user_id, PageRequest::first()).await.unwrap().total, 1);
}
