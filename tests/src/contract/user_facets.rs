//! Contract of `UserFacetRepository` (the backoffice's user-list joins) and of the user list's
//! id restrictions: owners by plan and subscription status, of running bots, of live or paper
//! contexts, distinct and bounded.

use domain::bots::{BotStatus, Command};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::identity::{User, UserFilter, UserSort};
use domain::market::Symbol;
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, SubscriptionStatus};
use domain::PageRequest;
use infrastructure::repositories::Repositories;

use super::bots::busy_bot;
use super::fixtures::{at, subscription, user};

fn sorted(mut ids: Vec<UserId>) -> Vec<UserId> {
    ids.sort();
    ids
}

/// `subscribed` answers the owners by plan, by status, or both; `None` past the limit.
pub async fn subscribed_by_plan_and_status(repos: &Repositories) {
    let (ana, bia, cid) = (UserId::new(), UserId::new(), UserId::new());
    repos.subscriptions.create(&subscription(ana, Plan::Pro, 0)).await.unwrap();
    let mut late = subscription(bia, Plan::Pro, 1);
    late.status = SubscriptionStatus::PastDue;
    repos.subscriptions.create(&late).await.unwrap();
    repos.subscriptions.create(&subscription(cid, Plan::Free, 2)).await.unwrap();
    let facets = &repos.user_facets;

    let pro = facets.subscribed(Some(Plan::Pro), None, 10).await.unwrap();
    assert_eq!(pro.map(sorted), Some(sorted(vec![ana, bia])));
    let past_due = facets.subscribed(None, Some(SubscriptionStatus::PastDue), 10).await.unwrap();
    assert_eq!(past_due, Some(vec![bia]));
    let active_pro = facets.subscribed(Some(Plan::Pro), Some(SubscriptionStatus::Active), 10).await.unwrap();
    assert_eq!(active_pro, Some(vec![ana]));
    assert_eq!(facets.subscribed(Some(Plan::Max), None, 10).await.unwrap(), Some(vec![]));
    assert_eq!(facets.subscribed(Some(Plan::Pro), None, 1).await.unwrap(), None, "two match, limit 1");
    assert_eq!(facets.subscribed(Some(Plan::Pro), None, 2).await.unwrap().map(|ids| ids.len()), Some(2));
}

/// `bot_owners` answers each owner of a bot in the status once; `context_owners` by mode.
pub async fn owners_of_running_bots_and_of_contexts_by_mode(repos: &Repositories) {
    let (ana, bia) = (UserId::new(), UserId::new());
    for owner in [ana, ana, bia] {
        repos.bots.create(&busy_bot(owner)).await.unwrap();
    }
    let mut paused = busy_bot(bia);
    paused.command(Command::Pause, "paused", at(9)).unwrap();
    let paused = repos.bots.create(&paused).await.unwrap();
    let symbol = Symbol::parse("BTC-BRL").unwrap();
    repos
        .contexts
        .create(&TradingContext::new(ana, ExchangeId::Binance, &symbol, ContextMode::Live, at(0)))
        .await
        .unwrap();
    let paper = TradingContext::new(bia, ExchangeId::Binance, &symbol, ContextMode::Paper, at(0));
    repos.contexts.create(&paper).await.unwrap();
    let facets = &repos.user_facets;

    let running = facets.bot_owners(BotStatus::Running, 10).await.unwrap();
    assert_eq!(running.map(sorted), Some(sorted(vec![ana, bia])));
    assert_eq!(facets.bot_owners(BotStatus::Paused, 10).await.unwrap(), Some(vec![paused.user_id]));
    assert_eq!(facets.bot_owners(BotStatus::Running, 2).await.unwrap(), None, "three bots, limit 2");
    assert_eq!(facets.context_owners(ContextMode::Live, 10).await.unwrap(), Some(vec![ana]));
    assert_eq!(facets.context_owners(ContextMode::Paper, 10).await.unwrap(), Some(vec![bia]));
}

/// The user list keeps only `ids`, drops `not_ids`, and still sorts and pages.
pub async fn list_is_restricted_to_and_from_ids(repos: &Repositories) {
    let mut users: Vec<User> = Vec::new();
    for (i, created) in [40, 10, 30, 20].into_iter().enumerate() {
        users.push(repos.users.create(&user(&format!("u{i}@example.com"), created)).await.unwrap());
    }
    let emails = |filter: UserFilter, page: PageRequest| async move {
        let page = repos.users.list(&filter, page).await.unwrap();
        (page.total, page.items.iter().map(|u| u.email.as_str().to_owned()).collect::<Vec<_>>())
    };
    let some = Some(vec![users[0].id, users[2].id, users[3].id]);

    let only = UserFilter { ids: some.clone(), sort: UserSort::CreatedDesc, ..UserFilter::default() };
    assert_eq!(emails(only, PageRequest::new(1, 1)).await, (3, vec!["u2@example.com".to_owned()]));
    let except = UserFilter { not_ids: vec![users[1].id, users[3].id], ..UserFilter::default() };
    assert_eq!(emails(except, PageRequest::first()).await, (2, vec!["u2@example.com".into(), "u0@example.com".into()]));
    let both = UserFilter { ids: some, not_ids: vec![users[0].id], sort: UserSort::EmailAsc, ..UserFilter::default() };
    assert_eq!(emails(both, PageRequest::first()).await, (2, vec!["u2@example.com".into(), "u3@example.com".into()]));
}
