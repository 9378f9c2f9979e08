//! Building the user facets from the collections they summarise (`users`, `subscriptions`,
//! `bots`, `contexts`), a page of users at a time, and moving one facet after a write.
//!
//! [`StoreUserFacets::backfill`] runs at start-up: it walks `users` by id in pages of [`PAGE`]
//! and inserts the facets of the users that have none (a deployment upgraded from before the
//! facets existed), reading each page's subscriptions, running bots and contexts with one query
//! each. Idempotent (users with facets are skipped), bounded in memory (one page), and resumed
//! from the start by the next start-up if interrupted.

use std::collections::{BTreeMap, BTreeSet};

use domain::bots::BotStatus;
use domain::contexts::ContextMode;
use domain::identity::{User, UserStatus};
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, Subscription, SubscriptionStatus};
use domain::RepoError;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::facets::{flag, FacetDocument, StoreUserFacets};
use crate::repositories::codec::{self, millis, to_millis, value_of, FIRST_VERSION};
use crate::repositories::{
    StoreBotRepository, StoreContextRepository, StoreSubscriptionRepository, StoreUserRepository,
};
use crate::store::{Doc, Query, ID};

/// Users read per page by the backfill.
const PAGE: u64 = 500;

#[derive(Deserialize)]
struct UserFields {
    #[serde(rename = "_id")]
    id: UserId,
    email: String,
    status: UserStatus,
    #[serde(with = "millis")]
    created_at: OffsetDateTime,
}

#[derive(Deserialize)]
struct SubscriptionFields {
    user_id: UserId,
    plan: Plan,
    status: SubscriptionStatus,
}

#[derive(Deserialize)]
struct Owned {
    user_id: UserId,
}

#[derive(Deserialize)]
struct ContextFields {
    user_id: UserId,
    mode: ContextMode,
}

fn set_of(fields: &[(&str, Value)]) -> Doc {
    fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

impl StoreUserFacets {
    /// The facets of `users` (those that exist), read from the collections they summarise.
    pub(super) async fn build(&self, users: &[UserId]) -> Result<Vec<FacetDocument>, RepoError> {
        let ids: Vec<String> = users.iter().map(UserId::to_string).collect();
        let store = &*self.store;
        let found: Vec<UserFields> =
            codec::find_all(store, StoreUserRepository::COLLECTION, &Query::all().is_in(ID, ids.clone())).await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let by_user = Query::all().is_in("user_id", ids);
        let subscriptions: Vec<SubscriptionFields> =
            codec::find_all(store, StoreSubscriptionRepository::COLLECTION, &by_user).await?;
        let subscriptions: BTreeMap<UserId, SubscriptionFields> =
            subscriptions.into_iter().map(|s| (s.user_id, s)).collect();
        let running = by_user.clone().eq("status", value_of(&BotStatus::Running));
        let running: Vec<Owned> = codec::find_all(store, StoreBotRepository::COLLECTION, &running).await?;
        let running: BTreeSet<UserId> = running.into_iter().map(|b| b.user_id).collect();
        let contexts: Vec<ContextFields> = codec::find_all(store, StoreContextRepository::COLLECTION, &by_user).await?;
        let has = |user: UserId, mode: ContextMode| contexts.iter().any(|c| c.user_id == user && c.mode == mode);
        Ok(found
            .into_iter()
            .map(|u| {
                let subscription = subscriptions.get(&u.id);
                FacetDocument {
                    id: u.id,
                    email: u.email,
                    status: u.status,
                    created_at: u.created_at,
                    plan: subscription.map_or(Plan::Free, |s| s.plan),
                    subscription_status: subscription.map(|s| s.status),
                    running: flag(running.contains(&u.id)).to_owned(),
                    live: flag(has(u.id, ContextMode::Live)).to_owned(),
                    paper: flag(has(u.id, ContextMode::Paper)).to_owned(),
                    version: FIRST_VERSION,
                }
            })
            .collect())
    }

    /// Inserts the facets of every user that has none; returns how many were inserted.
    pub async fn backfill(&self) -> Result<u64, RepoError> {
        // Users are never removed (a deletion anonymises the document) and a facet document is
        // only ever made for a stored user, so as many facets as users means none is missing:
        // the usual start-up then costs two counts, not a walk over every user.
        let users = self.store.count(StoreUserRepository::COLLECTION, &Query::all()).await?;
        if self.store.count(Self::COLLECTION, &Query::all()).await? >= users {
            return Ok(0);
        }
        let mut after: Option<String> = None;
        let mut inserted = 0;
        loop {
            let mut query = Query::all();
            if let Some(after) = &after {
                query = query.gt(ID, after.as_str());
            }
            let users: Vec<UserFields> =
                codec::find_all(&*self.store, StoreUserRepository::COLLECTION, &query.asc(ID).limit(PAGE)).await?;
            let Some(last) = users.last() else { return Ok(inserted) };
            after = Some(last.id.to_string());
            let ids: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
            let have = self.store.find(Self::COLLECTION, &Query::all().is_in(ID, ids)).await?;
            let have: BTreeSet<&str> = have.iter().filter_map(|d| d.get(ID).and_then(Value::as_str)).collect();
            let missing: Vec<UserId> =
                users.iter().map(|u| u.id).filter(|id| !have.contains(id.to_string().as_str())).collect();
            if !missing.is_empty() {
                for facets in self.build(&missing).await? {
                    match codec::insert(&*self.store, Self::COLLECTION, &facets).await {
                        // Written meanwhile by the user's own writes: theirs is newer.
                        Ok(()) => inserted += 1,
                        Err(RepoError::Duplicate { .. }) => {}
                        Err(err) => return Err(err),
                    }
                }
            }
            if (users.len() as u64) < PAGE {
                return Ok(inserted);
            }
        }
    }

    /// After a user was created: facets of their own (a new user has no subscription, bot or
    /// context yet), or, when some were written meanwhile, the user's fields set over them.
    pub(super) async fn user_created(&self, user: &User) -> Result<(), RepoError> {
        let facets = FacetDocument {
            id: user.id,
            email: user.email.as_str().to_owned(),
            status: user.status,
            created_at: user.created_at,
            plan: Plan::Free,
            subscription_status: None,
            running: flag(false).to_owned(),
            live: flag(false).to_owned(),
            paper: flag(false).to_owned(),
            version: FIRST_VERSION,
        };
        match codec::insert(&*self.store, Self::COLLECTION, &facets).await {
            Err(RepoError::Duplicate { .. }) => self.user_written(user).await,
            other => other,
        }
    }

    /// After a user's write: its e-mail, status and creation time.
    pub(super) async fn user_written(&self, user: &User) -> Result<(), RepoError> {
        let set = set_of(&[
            ("email", value_of(&user.email)),
            ("status", value_of(&user.status)),
            ("created_at", to_millis(user.created_at).into()),
        ]);
        self.set(user.id, set).await
    }

    /// After a subscription's write: its plan and status.
    pub(super) async fn subscription_written(&self, subscription: &Subscription) -> Result<(), RepoError> {
        let set =
            set_of(&[("plan", value_of(&subscription.plan)), ("subscription_status", value_of(&subscription.status))]);
        self.set(subscription.user_id, set).await
    }

    /// After a write of one of `user`'s bots (`running`: whether it now runs, `None` when it was
    /// deleted): recounts the running bots unless the facet already agrees.
    pub(super) async fn bot_written(&self, user: UserId, running: Option<bool>) -> Result<(), RepoError> {
        if let Some(running) = running {
            // A running bot with the flag on, or a stopped one with it off: nothing moved.
            if self.running_seen.get(&user) == Some(running) {
                return Ok(());
            }
            if self.get(user).await?.is_some_and(|facets| facets.running == flag(running)) {
                self.running_seen.insert(user, running);
                return Ok(());
            }
        }
        let query = Query::all().eq("user_id", user.to_string()).eq("status", value_of(&BotStatus::Running));
        let any = self.store.count(StoreBotRepository::COLLECTION, &query).await? > 0;
        self.running_seen.invalidate(&user);
        self.set(user, set_of(&[("running", flag(any).into())])).await?;
        self.running_seen.insert(user, any);
        Ok(())
    }

    /// After a context of `user` was created or deleted: whether a live and a paper one exist.
    pub(super) async fn contexts_written(&self, user: UserId) -> Result<(), RepoError> {
        let mut set = Doc::new();
        for (field, mode) in [("live", ContextMode::Live), ("paper", ContextMode::Paper)] {
            let query = Query::all().eq("user_id", user.to_string()).eq("mode", value_of(&mode));
            let any = self.store.count(StoreContextRepository::COLLECTION, &query).await? > 0;
            set.insert(field.to_owned(), flag(any).into());
        }
        self.set(user, set).await
    }
}
