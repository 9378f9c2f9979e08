//! The one place that answers "may this user do X": every use case asks [`Access`] before acting.
//! A refusal ([`AccessDenied`]) names the plan's limit and the cheapest plan that lifts it, or
//! says the subscription is not in good standing.

use domain::bots::BotKind;
use domain::shared::ids::UserId;
use domain::subscriptions::{EntitlementTable, Entitlements, Limit, Plan, Subscription, SubscriptionStatus};

use super::{SubscriptionError, SubscriptionService};
use crate::Unexpected;

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
    /// What `user` may do now. Reading the plan refuses nothing: its failures are
    /// [`Unexpected`]; the refusals are [`Access`]'s checks ([`AccessDenied`]).
    pub async fn access(&self, user: UserId) -> Result<Access, Unexpected> {
        let subscription = self.current(user).await.map_err(unexpected)?;
        let plan = subscription.effective_plan();
        let entitlements = self.ports.table.for_plan(plan);
        Ok(Access { subscription, plan, entitlements, table: self.ports.table.clone() })
    }

    /// How far back `user`'s history reads reach now (their plan's window).
    pub async fn history_window(&self, user: UserId) -> Result<domain::subscriptions::HistoryWindow, Unexpected> {
        Ok(self.access(user).await?.history_window(self.ports.clock.now()))
    }
}

/// A failure of the subscription read behind a plan check: only ever unexpected (its
/// transition expires a lapsed cancellation and refuses nothing).
pub(super) fn unexpected(err: SubscriptionError) -> Unexpected {
    match err {
        SubscriptionError::Unexpected(err) => err,
        other => anyhow::Error::from(other).context("reading the subscription").into(),
    }
}

/// What of a plan refused an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanGate {
    /// The number of trading contexts.
    Contexts,
    /// The number of bots.
    Bots,
    /// The kinds of bots.
    BotKind,
    /// Advanced indicators (VWAP, MFI, volume profile, ATR, OBV).
    AdvancedIndicators,
    /// Advanced metrics (Sharpe, Sortino, drawdown…).
    AdvancedMetrics,
    /// The PDF report.
    PdfReports,
}

/// Why the user's subscription does not allow an action.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    /// The plan does not allow it; `upgrade_to` is the cheapest plan that does, if any.
    #[error("the {plan} plan {what}{}", upgrade_to.map_or_else(String::new, |p| format!("; the {p} plan allows it")))]
    PlanLimit {
        /// What refused it.
        gate: PlanGate,
        /// The plan whose entitlements apply.
        plan: Plan,
        /// What the plan allows or lacks, in words.
        what: String,
        /// The cheapest plan that allows the action.
        upgrade_to: Option<Plan>,
    },
    /// The subscription is not active nor trialing: settle it first.
    #[error("the subscription is {}; settle it before opening new trading contexts", format!("{status:?}").to_lowercase())]
    SubscriptionInactive {
        /// Its status.
        status: SubscriptionStatus,
    },
}

impl Access {
    fn refuse(&self, gate: PlanGate, what: String, allows: impl Fn(&Entitlements) -> bool) -> AccessDenied {
        let upgrade_to = self.table.cheapest_plan_where(allows).filter(|p| *p > self.plan);
        AccessDenied::PlanLimit { gate, plan: self.plan, what, upgrade_to }
    }

    fn count_limit(
        &self,
        limit: Limit,
        used: u64,
        gate: PlanGate,
        noun: &str,
        pick: fn(&Entitlements) -> Limit,
    ) -> Result<(), AccessDenied> {
        if limit.allows_one_more(used) {
            return Ok(());
        }
        let max = limit.max().unwrap_or_default();
        Err(self
            .refuse(gate, format!("allows {max} {noun} and {used} are in use"), move |e| pick(e).allows_one_more(used)))
    }

    /// How far back history reads reach at `now` (the plan's window).
    pub fn history_window(&self, now: time::OffsetDateTime) -> domain::subscriptions::HistoryWindow {
        domain::subscriptions::HistoryWindow::of(&self.entitlements, now)
    }

    /// The subscription is active or trialing (required to open a trading context).
    pub fn require_active(&self) -> Result<(), AccessDenied> {
        if self.subscription.is_active() {
            return Ok(());
        }
        Err(AccessDenied::SubscriptionInactive { status: self.subscription.status })
    }

    /// One more trading context, with `used` already open.
    pub fn require_context_slot(&self, used: u64) -> Result<(), AccessDenied> {
        self.count_limit(self.entitlements.contexts, used, PlanGate::Contexts, "trading contexts", |e| e.contexts)
    }

    /// One more bot of `kind`, with `used` bots already.
    pub fn require_bot(&self, kind: BotKind, used: u64) -> Result<(), AccessDenied> {
        if !self.entitlements.allows_kind(kind) {
            let what = format!("does not include {kind} bots");
            return Err(self.refuse(PlanGate::BotKind, what, move |e| e.allows_kind(kind)));
        }
        self.count_limit(self.entitlements.bots, used, PlanGate::Bots, "bots", |e| e.bots)
    }

    /// Advanced indicators (VWAP, MFI, volume profile, ATR, OBV).
    pub fn require_advanced_indicators(&self) -> Result<(), AccessDenied> {
        if self.entitlements.advanced_indicators {
            return Ok(());
        }
        let what = "does not include advanced indicators".to_owned();
        Err(self.refuse(PlanGate::AdvancedIndicators, what, |e| e.advanced_indicators))
    }

    /// Advanced metrics (Sharpe, Sortino, drawdown, profit factor, hold times, expectancy).
    pub fn require_advanced_metrics(&self) -> Result<(), AccessDenied> {
        if self.entitlements.advanced_metrics {
            return Ok(());
        }
        let what = "does not include advanced metrics".to_owned();
        Err(self.refuse(PlanGate::AdvancedMetrics, what, |e| e.advanced_metrics))
    }

    /// The PDF report.
    pub fn require_pdf_reports(&self) -> Result<(), AccessDenied> {
        if self.entitlements.pdf_reports {
            return Ok(());
        }
        let what = "does not include the PDF report".to_owned();
        Err(self.refuse(PlanGate::PdfReports, what, |e| e.pdf_reports))
    }
}

/// A subscription service for unit tests whose ports must not be reached (every call fails).
#[cfg(test)]
pub(crate) fn unreachable_service() -> std::sync::Arc<SubscriptionService> {
    use domain::subscriptions::{MockPaymentEventRepository, MockSubscriptionRepository};

    struct NoUsage;
    #[async_trait::async_trait]
    impl super::UsageCounter for NoUsage {
        async fn usage(&self, _: UserId) -> Result<super::UsageCounts, domain::RepoError> {
            Err(domain::RepoError::NotFound)
        }
    }
    std::sync::Arc::new(SubscriptionService::new(super::SubscriptionPorts {
        subscriptions: std::sync::Arc::new(MockSubscriptionRepository::new()),
        payment_events: std::sync::Arc::new(MockPaymentEventRepository::new()),
        charges: std::sync::Arc::new(domain::subscriptions::MockChargeRepository::new()),
        coupons: std::sync::Arc::new(domain::subscriptions::MockCouponRepository::new()),
        gateways: super::PaymentGateways::default(),
        usage: std::sync::Arc::new(NoUsage),
        enforcers: Vec::new(),
        table: EntitlementTable::default(),
        clock: std::sync::Arc::new(domain::shared::clock::FixedClock::new(time::OffsetDateTime::UNIX_EPOCH)),
        leases: std::sync::Arc::new(domain::leases::MockLeaseRepository::new()),
    }))
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

    fn code_and_upgrade(err: AccessDenied) -> (PlanGate, Option<Plan>) {
        match err {
            AccessDenied::PlanLimit { gate, upgrade_to, .. } => (gate, upgrade_to),
            other => panic!("expected a plan limit, got {other:?}"),
        }
    }

    #[test]
    fn context_limit_at_its_edge_names_the_plan_that_lifts_it() {
        let free = access(Plan::Free, SubscriptionStatus::Active);
        assert!(free.require_context_slot(0).is_ok());
        assert_eq!(code_and_upgrade(free.require_context_slot(1).unwrap_err()), (PlanGate::Contexts, Some(Plan::Pro)));
        let pro = access(Plan::Pro, SubscriptionStatus::Active);
        assert!(pro.require_context_slot(2).is_ok());
        assert_eq!(code_and_upgrade(pro.require_context_slot(3).unwrap_err()), (PlanGate::Contexts, Some(Plan::Max)));
        assert!(access(Plan::Max, SubscriptionStatus::Active).require_context_slot(1_000).is_ok());
    }

    #[test]
    fn bot_kinds_and_counts() {
        let free = access(Plan::Free, SubscriptionStatus::Active);
        assert!(free.require_bot(BotKind::Smart, 1).is_ok());
        assert_eq!(
            code_and_upgrade(free.require_bot(BotKind::Dca, 0).unwrap_err()),
            (PlanGate::BotKind, Some(Plan::Pro))
        );
        assert_eq!(
            code_and_upgrade(free.require_bot(BotKind::Smart, 2).unwrap_err()),
            (PlanGate::Bots, Some(Plan::Pro))
        );
    }

    #[test]
    fn advanced_indicators_need_max() {
        let pro = access(Plan::Pro, SubscriptionStatus::Active);
        assert_eq!(
            code_and_upgrade(pro.require_advanced_indicators().unwrap_err()),
            (PlanGate::AdvancedIndicators, Some(Plan::Max))
        );
        assert!(access(Plan::Max, SubscriptionStatus::Active).require_advanced_indicators().is_ok());
    }

    #[test]
    fn unpaid_falls_back_to_free_and_past_due_cannot_open_contexts() {
        let unpaid = access(Plan::Max, SubscriptionStatus::Unpaid);
        assert_eq!(unpaid.plan, Plan::Free);
        let past_due = access(Plan::Pro, SubscriptionStatus::PastDue);
        assert_eq!(past_due.plan, Plan::Pro);
        assert_eq!(
            past_due.require_active().unwrap_err().to_string(),
            "the subscription is pastdue; settle it before opening new trading contexts"
        );
    }
}
