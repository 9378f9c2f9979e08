//! The operators' user list: the users' own filters (status, e-mail prefix, creation window)
//! joined with what lives in other collections (plan and subscription status, running bots, live
//! or paper contexts). Each join reads an id set through an index, bounded by [`MAX_JOINED`].

use std::collections::BTreeSet;

use domain::bots::BotStatus;
use domain::contexts::ContextMode;
use domain::identity::{User, UserFilter};
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, SubscriptionStatus};
use domain::{Page, PageRequest};

use super::{Backoffice, BackofficeError};
use crate::{FieldCode, FieldError};

/// The most documents one join may match (subscriptions, running bots, contexts); past it the
/// list answers 422 naming the filter, so the operator narrows it (a creation window, a prefix).
pub const MAX_JOINED: u64 = 10_000;

/// The filters of the operators' user list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserListQuery {
    /// The users' own filters and the order.
    pub users: UserFilter,
    /// Only users on this plan.
    pub plan: Option<Plan>,
    /// Only users whose subscription is in this state.
    pub subscription_status: Option<SubscriptionStatus>,
    /// Only users with (`true`) or without (`false`) a running bot.
    pub has_running_bots: Option<bool>,
    /// Only users with a trading context in this mode (live or paper).
    pub mode: Option<ContextMode>,
}

/// Narrows `only` to `ids` (the first set is taken whole).
fn intersect(only: Option<BTreeSet<UserId>>, ids: Vec<UserId>) -> BTreeSet<UserId> {
    match only {
        None => ids.into_iter().collect(),
        Some(only) => ids.into_iter().filter(|id| only.contains(id)).collect(),
    }
}

fn too_broad(field: &str) -> BackofficeError {
    BackofficeError::Invalid(vec![FieldError::new(
        field,
        FieldCode::Range,
        format!("this filter matches more than {MAX_JOINED} records: narrow the list (created_from, email_prefix)"),
    )])
}

impl Backoffice {
    /// Users matching `query`, in its order. Errors: `Invalid` naming the filter whose join
    /// matches more than [`MAX_JOINED`] records.
    pub async fn list_users(&self, query: &UserListQuery, page: PageRequest) -> Result<Page<User>, BackofficeError> {
        let facets = &self.ports.facets;
        let mut only: Option<BTreeSet<UserId>> = None;
        if query.plan.is_some() || query.subscription_status.is_some() {
            let field = if query.plan.is_some() { "plan" } else { "subscription_status" };
            let ids = facets.subscribed(query.plan, query.subscription_status, MAX_JOINED).await?;
            only = Some(intersect(only, ids.ok_or_else(|| too_broad(field))?));
        }
        if let Some(mode) = query.mode {
            let ids = facets.context_owners(mode, MAX_JOINED).await?;
            only = Some(intersect(only, ids.ok_or_else(|| too_broad("mode"))?));
        }
        let mut filter = query.users.clone();
        if let Some(running) = query.has_running_bots {
            let ids = facets.bot_owners(BotStatus::Running, MAX_JOINED).await?;
            let ids = ids.ok_or_else(|| too_broad("has_running_bots"))?;
            if running {
                only = Some(intersect(only, ids));
            } else {
                filter.not_ids = ids;
            }
        }
        if let Some(only) = only {
            if only.is_empty() {
                return Ok(Page { items: Vec::new(), total: 0, offset: page.offset(), limit: page.limit() });
            }
            filter.ids = Some(only.into_iter().collect());
        }
        Ok(self.ports.users.list(&filter, page).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersect_takes_the_first_set_then_narrows() {
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        let first = intersect(None, vec![a, b]);
        assert_eq!(first, BTreeSet::from([a, b]));
        assert_eq!(intersect(Some(first), vec![b, c]), BTreeSet::from([b]));
    }
}
