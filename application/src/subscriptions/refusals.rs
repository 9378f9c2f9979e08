//! Telling a user the plan refused an action (`plan.limit_reached`): a bot, a trading context,
//! a bot kind or a feature the plan does not include. No aggregate's write carries it (nothing
//! changed), so it is queued, best effort, at most once an hour per user and limit: a user
//! retrying a refused action is not told again and again.

use domain::notifications::{EventPayload, PlanLimitData};
use domain::shared::ids::UserId;

use super::{AccessDenied, PlanGate, SubscriptionService};
use crate::notify::{hourly_event, EventSink};

/// The limit's name in `plan.limit_reached`.
fn limit_name(gate: PlanGate) -> &'static str {
    match gate {
        PlanGate::Contexts => "contexts",
        PlanGate::Bots => "bots",
        PlanGate::BotKind => "bot_kind",
        PlanGate::AdvancedIndicators => "advanced_indicators",
        PlanGate::AdvancedMetrics => "advanced_metrics",
        PlanGate::PdfReports => "pdf_reports",
    }
}

impl SubscriptionService {
    /// The same service queuing `plan.limit_reached` into `events`.
    pub fn with_events(mut self, events: EventSink) -> Self {
        self.events = events;
        self
    }

    /// Passes `result` on, first telling `user` when it is a plan's refusal. Queuing is best
    /// effort: a failure is logged and never changes the answer.
    pub async fn told<T>(&self, user: UserId, result: Result<T, AccessDenied>) -> Result<T, AccessDenied> {
        if let Err(denied) = &result {
            self.tell(user, denied).await;
        }
        result
    }

    /// Tells `user` of `denied` when it is a plan's limit (not a subscription to settle).
    pub async fn tell(&self, user: UserId, denied: &AccessDenied) {
        if let AccessDenied::PlanLimit { gate, plan, upgrade_to, .. } = denied {
            let entitlements = self.ports.table.for_plan(*plan);
            let max = match gate {
                PlanGate::Contexts => entitlements.contexts.max(),
                PlanGate::Bots => entitlements.bots.max(),
                _ => None,
            };
            let limit = limit_name(*gate);
            let data = PlanLimitData {
                plan: plan.as_str().to_lowercase(),
                limit: limit.to_owned(),
                max: max.map(u64::from),
                upgrade_to: upgrade_to.map(|p| p.as_str().to_lowercase()),
            };
            let now = self.ports.clock.now();
            let event =
                hourly_event(user, &format!("plan.limit_reached {limit}"), EventPayload::PlanLimitReached(data), now);
            self.events.enqueue(&[event]).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use domain::notifications::{Event, MockEventRepository};
    use domain::subscriptions::{Plan, SubscriptionStatus};

    use super::*;

    /// A service whose queue keeps what it is given (or refuses it when `fails`).
    fn service(fails: bool) -> (SubscriptionService, Arc<Mutex<Vec<Event>>>) {
        let queued = Arc::new(Mutex::new(Vec::new()));
        let mut events = MockEventRepository::new();
        let kept = queued.clone();
        events.expect_enqueue().returning(move |events| {
            if fails {
                return Err(domain::RepoError::Unavailable(anyhow::anyhow!("down")));
            }
            kept.lock().unwrap().extend_from_slice(events);
            Ok(())
        });
        let service = Arc::try_unwrap(super::super::access::unreachable_service()).expect("one owner");
        (service.with_events(EventSink::new(Arc::new(events))), queued)
    }

    fn bots_limit() -> AccessDenied {
        AccessDenied::PlanLimit {
            gate: PlanGate::Bots,
            plan: Plan::Free,
            what: "w".into(),
            upgrade_to: Some(Plan::Pro),
        }
    }

    #[tokio::test]
    async fn a_plan_limit_is_told_with_the_plans_allowance_and_the_plan_that_lifts_it() {
        let (service, queued) = service(false);
        let user = UserId::new();

        let answer = service.told(user, Err::<(), _>(bots_limit())).await;
        service.told(user, Err::<(), _>(bots_limit())).await.unwrap_err();

        assert_eq!(answer, Err(bots_limit()), "the refusal is passed on unchanged");
        let queued = queued.lock().unwrap();
        assert_eq!(queued.len(), 2);
        assert_eq!(queued[0].id, queued[1].id, "the same hour's refusals share one id: the log keeps one");
        let wire = serde_json::to_value(&queued[0]).unwrap();
        assert_eq!(wire["type"], "plan.limit_reached");
        assert_eq!(wire["user_id"], user.to_string());
        // The FREE plan allows 2 bots (the catalogue's table).
        assert_eq!(wire["data"], serde_json::json!({"plan": "free", "limit": "bots", "max": 2, "upgrade_to": "pro"}));
    }

    #[tokio::test]
    async fn an_inactive_subscription_or_an_allowed_action_tells_nothing() {
        let (service, queued) = service(false);
        let inactive = AccessDenied::SubscriptionInactive { status: SubscriptionStatus::PastDue };

        service.told(UserId::new(), Err::<(), _>(inactive)).await.unwrap_err();
        service.told(UserId::new(), Ok::<_, AccessDenied>(())).await.unwrap();

        assert!(queued.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_queue_that_fails_never_changes_the_answer() {
        let (service, _) = service(true);
        assert_eq!(service.told(UserId::new(), Err::<(), _>(bots_limit())).await, Err(bots_limit()));
    }
}
