//! The one place that answers "may this user do X": every use case asks [`Access`] before acting.
//! A refusal is a 402 `plan_limit_*` naming the limit and the cheapest plan that lifts it, or a
//! 403 when the subscription is not in good standing.

use domain::bots::BotKind;
use domain::shared::ids::UserId;
use domain::subscriptions::{EntitlementTable, Entitlements, Limit, Plan, Subscription};

use super::SubscriptionService;
use crate::AppError;

/// A user's subscription and what it allows, read once per use case.
#[derive(Clone, Debug)]
pub struct Access {
    /// The subscription.
    pub subscription: Subscription,
    /// The plan whose entitlements apply.
    pub plan: Plan,
    /// What that plan allows.
    pub entitlements: Entitlements,
    table: EntitlementTable,
}

impl SubscriptionService {
    /// What `user` may do now.
    pub async fn access(&self, user: UserId) -> Result<Access, AppError> {
        let subscription = self.current(user).await?;
        let plan = subscription.effective_plan();
        let entitlements = self.ports.table.for_plan(plan);
        Ok(Access { subscription, plan, entitlements, table: self.ports.table.clone() })
    }
}

impl Access {
    fn refuse(&self, code: &'static str, what: &str, allows: impl Fn(&Entitlements) -> bool) -> AppError {
        let upgrade_to = self.table.cheapest_plan_where(allows).filter(|p| *p > self.plan);
        let hint = upgrade_to.map_or_else(String::new, |p| format!("; the {p} plan allows it"));
        AppError::PlanLimit { code, detail: format!("the {} plan {what}{hint}", self.plan), upgrade_to }
    }

    fn count_limit(
        &self,
        limit: Limit,
        used: u64,
        code: &'static str,
        noun: &str,
        pick: fn(&Entitlements) -> Limit,
    ) -> Result<(), AppError> {
        if limit.allows_one_more(used) {
            return Ok(());
        }
        let max = limit.max().unwrap_or_default();
        Err(self.refuse(code, &format!("allows {max} {noun} and {used} are in use"), move |e| {
            pick(e).allows_one_more(used)
        }))
    }

    /// The subscription is active or trialing (required to open a trading context).
    pub fn require_active(&self) -> Result<(), AppError> {
        if self.subscription.is_active() {
            return Ok(());
        }
        Err(AppError::Forbidden {
            code: "subscription_inactive",
            detail: format!(
                "the subscription is {:?}; settle it before opening new trading contexts",
                self.subscription.status
            )
            .to_lowercase(),
        })
    }

    /// One more trading context, with `used` already open.
    pub fn require_context_slot(&self, used: u64) -> Result<(), AppError> {
        self.count_limit(self.entitlements.contexts, used, "plan_limit_contexts", "trading contexts", |e| e.contexts)
    }

    /// One more bot of `kind`, with `used` bots already.
    pub fn require_bot(&self, kind: BotKind, used: u64) -> Result<(), AppError> {
        if !self.entitlements.allows_kind(kind) {
            return Err(
                self.refuse("plan_bot_kind", &format!("does not include {kind} bots"), move |e| e.allows_kind(kind))
            );
        }
        self.count_limit(self.entitlements.bots, used, "plan_limit_bots", "bots", |e| e.bots)
    }

    /// Advanced indicators (VWAP, MFI, volume profile, ATR, OBV).
    pub fn require_advanced_indicators(&self) -> Result<(), AppError> {
        if self.entitlements.advanced_indicators {
            return Ok(());
        }
        Err(self.refuse("plan_advanced_indicators", "does not include advanced indicators", |e| e.advanced_indicators))
    }
}

#[cfg(test)]
mod tests {
    use domain::subscriptions::SubscriptionStatus;
    use time::OffsetDateTime;

    use super::*;

    fn access(plan: Plan, status: SubscriptionStatus) -> Access {
        let mut subscription = Subscription::free(UserId::new(), OffsetDateTime::UNIX_EPOCH);
        subscription.plan = plan;
        subscription.status = status;
        let table = EntitlementTable::default();
        let plan = subscription.effective_plan();
        Access { entitlements: table.for_plan(plan), subscription, plan, table }
    }

    fn code_and_upgrade(err: AppError) -> (&'static str, Option<Plan>) {
        match err {
            AppError::PlanLimit { code, upgrade_to, .. } => (code, upgrade_to),
            other => panic!("expected a plan limit, got {other:?}"),
        }
    }

    #[test]
    fn context_limit_at_its_edge_names_the_plan_that_lifts_it() {
        let free = access(Plan::Free, SubscriptionStatus::Active);
        assert!(free.require_context_slot(0).is_ok());
        assert_eq!(
            code_and_upgrade(free.require_context_slot(1).unwrap_err()),
            ("plan_limit_contexts", Some(Plan::Pro))
        );
        let pro = access(Plan::Pro, SubscriptionStatus::Active);
        assert!(pro.require_context_slot(2).is_ok());
        assert_eq!(
            code_and_upgrade(pro.require_context_slot(3).unwrap_err()),
            ("plan_limit_contexts", Some(Plan::Max))
        );
        assert!(access(Plan::Max, SubscriptionStatus::Active).require_context_slot(1_000).is_ok());
    }

    #[test]
    fn bot_kinds_and_counts() {
        let free = access(Plan::Free, SubscriptionStatus::Active);
        assert!(free.require_bot(BotKind::Smart, 1).is_ok());
        assert_eq!(
            code_and_upgrade(free.require_bot(BotKind::Dca, 0).unwrap_err()),
            ("plan_bot_kind", Some(Plan::Pro))
        );
        assert_eq!(
            code_and_upgrade(free.require_bot(BotKind::Smart, 2).unwrap_err()),
            ("plan_limit_bots", Some(Plan::Pro))
        );
    }

    #[test]
    fn advanced_indicators_need_max() {
        let pro = access(Plan::Pro, SubscriptionStatus::Active);
        assert_eq!(
            code_and_upgrade(pro.require_advanced_indicators().unwrap_err()),
            ("plan_advanced_indicators", Some(Plan::Max))
        );
        assert!(access(Plan::Max, SubscriptionStatus::Active).require_advanced_indicators().is_ok());
    }

    #[test]
    fn unpaid_falls_back_to_free_and_past_due_cannot_open_contexts() {
        let unpaid = access(Plan::Max, SubscriptionStatus::Unpaid);
        assert_eq!(unpaid.plan, Plan::Free);
        let past_due = access(Plan::Pro, SubscriptionStatus::PastDue);
        assert_eq!(past_due.plan, Plan::Pro);
        assert!(matches!(past_due.require_active(), Err(AppError::Forbidden { code: "subscription_inactive", .. })));
    }
}
