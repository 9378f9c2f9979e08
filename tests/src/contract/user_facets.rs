//! Contract of `UserFacetRepository` (the backoffice's user-list facets) and of the user list's
//! id restrictions: users by plan and subscription status, running bots, live or paper contexts,
//! each facet moved by the write that moves it, and the start-up backfill.

use domain::backoffice::UserFacetQuery;
use domain::bots::Command;
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::identity::{User, UserFilter, UserSort};
use domain::market::Symbol;
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, SubscriptionStatus};
use domain::PageRequest;
use infrastructure::repositories::{Repositories, StoreUserFacets};

use super::bots::busy_bot;
use super::fixtures::{at, subscription, user};

/// Creates users `n` minutes after the epoch, named `u<i>@example.com` in that order.
async fn users(repos: &Repositories, created: &[i64]) -> Vec<UserId> {
    let mut ids = Vec::new();
    for (i, at) in created.iter().enumerate() {
        ids.push(repos.users.create(&user(&format!("u{i}@example.com"), *at)).await.unwrap().id);
    }
    ids
}

/// The ids of one page of `query`, with the total.
async fn listed(repos: &Repositories, query: UserFacetQuery, page: PageRequest) -> (u64, Vec<UserId>) {
    let page = repos.user_facets.list(&query, page).await.unwrap();
    (page.total, page.items)
}

/// The plan and subscription-status facets follow the subscriptions' writes; users without a
/// subscription are on FREE.
pub async fn subscribed_by_plan_and_status(repos: &Repositories) {
    let ids = users(repos, &[0, 1, 2, 3]).await;
    let (ana, bia, cid, dan) = (ids[0], ids[1], ids[2], ids[3]);
    let mut ana_sub = repos.subscriptions.create(&subscription(ana, Plan::Pro, 0)).await.unwrap();
    let mut late = subscription(bia, Plan::Pro, 1);
    late.status = SubscriptionStatus::PastDue;
    repos.subscriptions.create(&late).await.unwrap();
    repos.subscriptions.create(&subscription(cid, Plan::Free, 2)).await.unwrap();
    let q = |plan, status| UserFacetQuery { plan, subscription_status: status, ..UserFacetQuery::default() };

    assert_eq!(listed(repos, q(Some(Plan::Pro), None), PageRequest::first()).await, (2, vec![ana, bia]));
    let past_due = q(None, Some(SubscriptionStatus::PastDue));
    assert_eq!(listed(repos, past_due, PageRequest::first()).await, (1, vec![bia]));
    let active_pro = q(Some(Plan::Pro), Some(SubscriptionStatus::Active));
    assert_eq!(listed(repos, active_pro, PageRequest::first()).await, (1, vec![ana]));
    assert_eq!(listed(repos, q(Some(Plan::Max), None), PageRequest::first()).await, (0, vec![]));
    assert_eq!(listed(repos, q(Some(Plan::Free), None), PageRequest::first()).await, (2, vec![cid, dan]));
    let newest = UserFacetQuery {
        plan: Some(Plan::Free),
        users: UserFilter { sort: UserSort::CreatedDesc, ..UserFilter::default() },
        ..UserFacetQuery::default()
    };
    assert_eq!(listed(repos, newest, PageRequest::new(1, 1)).await, (2, vec![cid]));

    ana_sub.plan = Plan::Max;
    ana_sub.status = SubscriptionStatus::Canceled;
    repos.subscriptions.update(&ana_sub).await.unwrap();
    assert_eq!(listed(repos, q(Some(Plan::Pro), None), PageRequest::first()).await, (1, vec![bia]));
    let canceled = q(Some(Plan::Max), Some(SubscriptionStatus::Canceled));
    assert_eq!(listed(repos, canceled, PageRequest::first()).await, (1, vec![ana]));
}

/// The running flag follows the bots (created, paused, deleted), the live and paper flags the
/// contexts (created, deleted); the users' own filters combine with them.
pub async fn owners_of_running_bots_and_of_contexts_by_mode(repos: &Repositories) {
    let ids = users(repos, &[0, 1, 2]).await;
    let (ana, bia, cid) = (ids[0], ids[1], ids[2]);
    let mut ana_bots = Vec::new();
    for _ in 0..2 {
        ana_bots.push(repos.bots.create(&busy_bot(ana)).await.unwrap());
    }
    let bia_bot = repos.bots.create(&busy_bot(bia)).await.unwrap();
    let running = |on| UserFacetQuery { has_running_bots: Some(on), ..UserFacetQuery::default() };
    assert_eq!(listed(repos, running(true), PageRequest::first()).await, (2, vec![ana, bia]));
    assert_eq!(listed(repos, running(false), PageRequest::first()).await, (1, vec![cid]));

    let mut paused = bia_bot.clone();
    paused.command(Command::Pause, "paused", at(9)).unwrap();
    repos.bots.update(&paused).await.unwrap();
    let mut one = ana_bots[0].clone();
    one.command(Command::Pause, "paused", at(9)).unwrap();
    repos.bots.update(&one).await.unwrap();
    assert_eq!(listed(repos, running(true), PageRequest::first()).await, (1, vec![ana]), "one of ana's still runs");
    repos.bots.delete(ana, ana_bots[1].id).await.unwrap();
    assert_eq!(listed(repos, running(true), PageRequest::first()).await, (0, vec![]));
    assert_eq!(listed(repos, running(false), PageRequest::first()).await, (3, vec![ana, bia, cid]));

    let symbol = Symbol::parse("BTC-BRL").unwrap();
    let live = TradingContext::new(ana, ExchangeId::Binance, &symbol, ContextMode::Live, at(0));
    let live = repos.contexts.create(&live).await.unwrap();
    let paper = TradingContext::new(bia, ExchangeId::Binance, &symbol, ContextMode::Paper, at(0));
    repos.contexts.create(&paper).await.unwrap();
    let mode = |mode| UserFacetQuery { mode: Some(mode), ..UserFacetQuery::default() };
    assert_eq!(listed(repos, mode(ContextMode::Live), PageRequest::first()).await, (1, vec![ana]));
    assert_eq!(listed(repos, mode(ContextMode::Paper), PageRequest::first()).await, (1, vec![bia]));
    let paper_u1 = UserFacetQuery {
        mode: Some(ContextMode::Paper),
        users: UserFilter { email_prefix: Some("u1".into()), sort: UserSort::EmailAsc, ..UserFilter::default() },
        ..UserFacetQuery::default()
    };
    assert_eq!(listed(repos, paper_u1, PageRequest::first()).await, (1, vec![bia]));
    repos.contexts.delete(ana, live.id).await.unwrap();
    assert_eq!(listed(repos, mode(ContextMode::Live), PageRequest::first()).await, (0, vec![]));
}

/// Every facet filter combined with the users' own filters and each order: the right users in
/// the right order (and, under the SQLite plan check, each page served by an index).
pub async fn facet_filters_combine_with_the_users_own_and_every_order(repos: &Repositories) {
    let ids = users(repos, &[0, 1, 2, 3, 4]).await;
    repos.subscriptions.create(&subscription(ids[1], Plan::Pro, 0)).await.unwrap();
    repos.subscriptions.create(&subscription(ids[3], Plan::Pro, 0)).await.unwrap();
    repos.bots.create(&busy_bot(ids[2])).await.unwrap();
    repos.bots.create(&busy_bot(ids[3])).await.unwrap();
    let by = |sort, prefix: Option<&str>, from: Option<i64>| UserFilter {
        sort,
        email_prefix: prefix.map(str::to_owned),
        created_from: from.map(at),
        status: Some(domain::identity::UserStatus::Active),
        ..UserFilter::default()
    };
    let free = |users| UserFacetQuery { plan: Some(Plan::Free), users, ..UserFacetQuery::default() };
    let page = PageRequest::first();
    assert_eq!(
        listed(repos, free(by(UserSort::CreatedDesc, Some("u"), None)), page).await,
        (3, vec![ids[4], ids[2], ids[0]])
    );
    assert_eq!(listed(repos, free(by(UserSort::EmailAsc, None, Some(1))), page).await, (2, vec![ids[2], ids[4]]));
    let running = |users| UserFacetQuery { has_running_bots: Some(true), users, ..UserFacetQuery::default() };
    assert_eq!(listed(repos, running(by(UserSort::EmailAsc, Some("u3"), None)), page).await, (1, vec![ids[3]]));
    assert_eq!(listed(repos, running(by(UserSort::CreatedAsc, None, Some(3))), page).await, (1, vec![ids[3]]));
    let active = |users| UserFacetQuery {
        subscription_status: Some(SubscriptionStatus::Active),
        has_running_bots: Some(false),
        users,
        ..UserFacetQuery::default()
    };
    assert_eq!(listed(repos, active(by(UserSort::CreatedDesc, None, Some(0))), page).await, (1, vec![ids[1]]));
    let none = UserFacetQuery {
        mode: Some(ContextMode::Live),
        users: by(UserSort::EmailAsc, Some("u"), Some(0)),
        ..UserFacetQuery::default()
    };
    assert_eq!(listed(repos, none, page).await, (0, vec![]));
}

/// The start-up backfill builds the facets of users that have none (a deployment upgraded from
/// before them), once: a second run inserts nothing.
pub async fn backfill_builds_missing_facets_once(repos: &Repositories) {
    let ids = users(repos, &[0, 1, 2]).await;
    repos.subscriptions.create(&subscription(ids[1], Plan::Max, 0)).await.unwrap();
    repos.bots.create(&busy_bot(ids[2])).await.unwrap();
    let facets = StoreUserFacets::new(repos.store.clone());
    let all: Vec<String> = ids.iter().map(UserId::to_string).collect();
    repos.store.delete_ids(StoreUserFacets::COLLECTION, &all).await.unwrap();
    let max = UserFacetQuery { plan: Some(Plan::Max), ..UserFacetQuery::default() };
    assert_eq!(listed(repos, max.clone(), PageRequest::first()).await, (0, vec![]), "no facets left");

    assert_eq!(facets.backfill().await.unwrap(), 3);
    assert_eq!(facets.backfill().await.unwrap(), 0, "idempotent");
    assert_eq!(listed(repos, max, PageRequest::first()).await, (1, vec![ids[1]]));
    let free = UserFacetQuery { plan: Some(Plan::Free), ..UserFacetQuery::default() };
    assert_eq!(listed(repos, free, PageRequest::first()).await, (2, vec![ids[0], ids[2]]));
    let running = UserFacetQuery { has_running_bots: Some(true), ..UserFacetQuery::default() };
    assert_eq!(listed(repos, running, PageRequest::first()).await, (1, vec![ids[2]]));
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
