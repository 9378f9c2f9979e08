//! Contract of `ConversationRepository`: conversations, messages and proposals, each read only by
//! its owner, counted per author and day, erased per conversation and per account.

use domain::assistant::{Conversation, Message, MessageText, Proposal, ProposalStatus, ProposedAction};
use domain::shared::ids::{BotId, UserId};
use domain::{PageRequest, RepoError};
use infrastructure::repositories::Repositories;

use super::fixtures::at;
use super::{assert_conflict, assert_not_found};

fn text(s: &str) -> MessageText {
    MessageText::parse(s).unwrap()
}

/// A conversation of `user` with a question at `seconds` and its answer a second later.
async fn exchange(repos: &Repositories, user: UserId, seconds: i64) -> (Conversation, Message, Message) {
    let c = Conversation::start(user, Some("Bots"), at(seconds));
    repos.conversations.create(&c).await.unwrap();
    let q = Message::from_user(&c, &text("List my bots"), at(seconds));
    let mut a = Message::from_assistant(&c, "You have none.".into(), "guide", at(seconds + 1));
    a.usage = Some(domain::assistant::TokenUsage { prompt_tokens: 3, completion_tokens: 2 });
    repos.conversations.append(&q).await.unwrap();
    repos.conversations.append(&a).await.unwrap();
    (c, q, a)
}

/// What is stored reads back whole, oldest message first, most recently active conversation first.
pub async fn conversations_and_messages_round_trip_in_order(repos: &Repositories) {
    let user = UserId::new();
    let (older, q, a) = exchange(repos, user, 1).await;
    let (mut newer, ..) = exchange(repos, user, 5).await;
    newer.record_message(None, at(9));
    newer.title = "Renamed".into();
    repos.conversations.update(&newer).await.unwrap();

    let list = repos.conversations.list(user, PageRequest::first()).await.unwrap();
    assert_eq!((list.total, list.items), (2, vec![newer.clone(), older.clone()]));
    assert_eq!(repos.conversations.get(user, older.id).await.unwrap(), older);
    let messages = repos.conversations.messages(user, older.id, PageRequest::first()).await.unwrap();
    assert_eq!((messages.total, messages.items), (2, vec![q.clone(), a]));
    let all = repos.conversations.all_messages(user, PageRequest::new(0, 3)).await.unwrap();
    assert_eq!((all.total, all.items.first()), (4, Some(&q)));
}

/// Another user reads, counts, updates and deletes nothing of it.
pub async fn everything_is_scoped_to_its_owner(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let (c, q, _) = exchange(repos, ana, 1).await;
    let p = Proposal::new(ana, c.id, ProposedAction::PauseBot { bot_id: BotId::new() }, "pause".into(), at(2));
    repos.conversations.propose(&p).await.unwrap();

    assert_not_found(repos.conversations.get(bia, c.id).await);
    assert_not_found(repos.conversations.proposal(bia, p.id).await);
    assert_not_found(repos.conversations.delete(bia, c.id).await);
    assert_not_found(repos.conversations.update(&Conversation { user_id: bia, ..c.clone() }).await);
    assert_eq!(repos.conversations.messages(bia, c.id, PageRequest::first()).await.unwrap().total, 0);
    assert_eq!(repos.conversations.list(bia, PageRequest::first()).await.unwrap().total, 0);
    assert!(!repos.conversations.remove_message(bia, q.id).await.unwrap());
    assert_eq!(repos.conversations.user_messages_since(bia, at(0)).await.unwrap(), 0);
    assert_eq!(repos.conversations.get(ana, c.id).await.unwrap(), c);
}

/// Only the user's own messages at or after the instant count; a removed one no longer does.
pub async fn user_messages_are_counted_since_an_instant(repos: &Repositories) {
    let user = UserId::new();
    exchange(repos, user, 1).await;
    let (_, q, _) = exchange(repos, user, 10).await;
    assert_eq!(repos.conversations.user_messages_since(user, at(0)).await.unwrap(), 2);
    assert_eq!(repos.conversations.user_messages_since(user, at(10)).await.unwrap(), 1);
    assert_eq!(repos.conversations.user_messages_since(user, at(11)).await.unwrap(), 0);
    assert!(repos.conversations.remove_message(user, q.id).await.unwrap());
    assert_eq!(repos.conversations.user_messages_since(user, at(0)).await.unwrap(), 1);
}

/// A proposal is saved once per version: of two confirmations, the second is a conflict.
pub async fn a_proposal_is_confirmed_by_one_writer(repos: &Repositories) {
    let user = UserId::new();
    let (c, ..) = exchange(repos, user, 1).await;
    let p = Proposal::new(user, c.id, ProposedAction::ResumeBot { bot_id: BotId::new() }, "resume".into(), at(2));
    repos.conversations.propose(&p).await.unwrap();
    let (mut first, mut second) = (p.clone(), repos.conversations.proposal(user, p.id).await.unwrap());
    assert_eq!(second, p);
    first.confirm(at(3)).unwrap();
    second.confirm(at(3)).unwrap();
    let saved = repos.conversations.save_proposal(&first).await.unwrap();
    assert_conflict(repos.conversations.save_proposal(&second).await);
    let mut done = saved.clone();
    done.settle(Err("not paused".into()));
    repos.conversations.save_proposal(&done).await.unwrap();
    let read = repos.conversations.proposal(user, p.id).await.unwrap();
    assert_eq!(
        (read.status, read.outcome.as_deref(), read.decided_at),
        (ProposalStatus::Failed, Some("not paused"), Some(at(3)))
    );
}

/// Deleting a conversation takes its messages and proposals; deleting an account, everything.
pub async fn deletes_erase_messages_and_proposals(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    let (c, ..) = exchange(repos, ana, 1).await;
    let (kept, ..) = exchange(repos, ana, 5).await;
    exchange(repos, bia, 1).await;
    let p = Proposal::new(ana, c.id, ProposedAction::PauseBot { bot_id: BotId::new() }, "pause".into(), at(2));
    repos.conversations.propose(&p).await.unwrap();

    repos.conversations.delete(ana, c.id).await.unwrap();
    assert_not_found(repos.conversations.get(ana, c.id).await);
    assert!(matches!(repos.conversations.proposal(ana, p.id).await, Err(RepoError::NotFound)));
    assert_eq!(repos.conversations.all_messages(ana, PageRequest::first()).await.unwrap().total, 2);
    assert_eq!(repos.conversations.get(ana, kept.id).await.unwrap(), kept);

    assert_eq!(repos.conversations.delete_of(ana).await.unwrap(), 1);
    assert_eq!(repos.conversations.all_messages(ana, PageRequest::first()).await.unwrap().total, 0);
    assert_eq!(repos.conversations.list(bia, PageRequest::first()).await.unwrap().total, 1, "Bia's stay");
}
