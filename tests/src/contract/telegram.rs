//! Contract of `TelegramRepository`: link codes (newest only, single use even racing, expiry),
//! links (one chat per account and one account per chat), unlinking and the updates offset.

use std::sync::Arc;

use domain::notifications::{LinkCode, TelegramLink, TelegramRepository};
use domain::shared::ids::UserId;
use infrastructure::repositories::Repositories;

use super::fixtures::at;

fn code(user: UserId, hash: &str, expires: i64) -> LinkCode {
    LinkCode { code_hash: hash.into(), user_id: user, expires_at: at(expires) }
}

fn link(user: UserId, chat_id: i64) -> TelegramLink {
    TelegramLink { user_id: user, chat_id, linked_at: at(1) }
}

/// A code works once, until it expires, and only the user's newest code works.
pub async fn a_code_is_taken_once_before_it_expires(repos: &Repositories) {
    let (user, other) = (UserId::new(), UserId::new());
    let t = &repos.telegram;
    t.put_code(&code(user, "old", 600)).await.unwrap();
    t.put_code(&code(user, "new", 600)).await.unwrap();
    t.put_code(&code(other, "other", 600)).await.unwrap();

    assert_eq!(t.take_code("old", at(1)).await.unwrap(), None, "superseded");
    assert_eq!(t.take_code("other", at(600)).await.unwrap(), None, "expired");
    assert_eq!(t.take_code("new", at(599)).await.unwrap(), Some(user));
    assert_eq!(t.take_code("new", at(599)).await.unwrap(), None, "spent");
    assert_eq!(t.take_code("unknown", at(1)).await.unwrap(), None);
}

/// Of twenty concurrent `take_code`s of one code, exactly one gets its owner.
pub async fn exactly_one_of_twenty_racing_takes_wins(repos: &Repositories) {
    let user = UserId::new();
    repos.telegram.put_code(&code(user, "race", 600)).await.unwrap();
    let start = Arc::new(tokio::sync::Barrier::new(20));
    let takes = (0..20).map(|_| {
        let (t, start): (Arc<dyn TelegramRepository>, _) = (repos.telegram.clone(), start.clone());
        tokio::spawn(async move {
            start.wait().await;
            t.take_code("race", at(1)).await.unwrap()
        })
    });
    let won: Vec<_> =
        futures::future::join_all(takes.collect::<Vec<_>>()).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(won.iter().filter(|w| **w == Some(user)).count(), 1, "{won:?}");
}

/// Linking replaces the account's chat, and a chat linked by another account leaves that account.
pub async fn a_chat_belongs_to_one_account(repos: &Repositories) {
    let (a, b) = (UserId::new(), UserId::new());
    let t = &repos.telegram;
    t.link(&link(a, 100)).await.unwrap();
    t.link(&link(a, 200)).await.unwrap();
    assert_eq!(t.get(a).await.unwrap(), Some(link(a, 200)));

    t.link(&link(b, 200)).await.unwrap();

    assert_eq!(t.get(a).await.unwrap(), None);
    assert_eq!(t.get(b).await.unwrap().map(|l| l.chat_id), Some(200));
}

/// Unlinking by user or by chat removes the link (and the user's code); the offset is kept.
pub async fn unlinking_and_the_offset(repos: &Repositories) {
    let (a, b) = (UserId::new(), UserId::new());
    let t = &repos.telegram;
    t.link(&link(a, 100)).await.unwrap();
    t.link(&link(b, 300)).await.unwrap();
    t.put_code(&code(a, "pending", 600)).await.unwrap();

    assert!(t.unlink(a).await.unwrap());
    assert!(!t.unlink(a).await.unwrap());
    assert_eq!(t.take_code("pending", at(1)).await.unwrap(), None, "the code went with the link");
    assert!(t.unlink_chat(300).await.unwrap());
    assert!(!t.unlink_chat(300).await.unwrap());
    assert_eq!(t.get(b).await.unwrap(), None);

    assert_eq!(t.offset().await.unwrap(), 0);
    t.set_offset(1_000_000_001).await.unwrap();
    assert_eq!(t.offset().await.unwrap(), 1_000_000_001);
}
