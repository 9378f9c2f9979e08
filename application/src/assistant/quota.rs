//! The daily message quota: FREE 10, PRO 100, MAX unlimited (`Entitlements::chat_messages_per_day`),
//! counted over the messages the user wrote since the start of the current UTC day (profiles carry
//! no time zone yet, so every user's day is the UTC day). A message is stored first and counted
//! with the others; over the limit it is removed and refused, so concurrent messages can never
//! exceed the quota (at worst both of two racing for the last place are refused).

use domain::shared::ids::UserId;
use domain::subscriptions::{Limit, Plan};
use time::{Duration, OffsetDateTime, Time};

use super::{AssistantError, AssistantService};

/// A user's assistant messages of the day against the plan's quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatQuota {
    /// The plan in force.
    pub plan: Plan,
    /// Messages written today (UTC).
    pub used: u64,
    /// The plan's daily limit.
    pub limit: Limit,
    /// When the count starts again (the next UTC midnight).
    pub resets_at: OffsetDateTime,
}

/// The start of `now`'s UTC day.
pub(crate) fn day_start(now: OffsetDateTime) -> OffsetDateTime {
    now.to_offset(time::UtcOffset::UTC).replace_time(Time::MIDNIGHT)
}

impl ChatQuota {
    /// The refusal when `used` (this message included) is over the limit.
    pub(crate) fn check(&self) -> Result<(), AssistantError> {
        match self.limit {
            Limit::Limited(limit) if self.used > u64::from(limit) => {
                Err(AssistantError::QuotaExhausted { plan: self.plan, limit, resets_at: self.resets_at })
            }
            _ => Ok(()),
        }
    }
}

impl AssistantService {
    /// The caller's messages of the day and the plan's quota.
    pub async fn quota(&self, user: UserId) -> Result<ChatQuota, AssistantError> {
        let access = self.ports.subscriptions.access(user).await?;
        let start = day_start(self.ports.clock.now());
        let used = self.ports.conversations.user_messages_since(user, start).await?;
        Ok(ChatQuota {
            plan: access.plan,
            used,
            limit: access.entitlements.chat_messages_per_day,
            resets_at: start + Duration::days(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_day_is_the_utc_day() {
        assert_eq!(day_start(datetime!(2026-12-05 23:59:59 -03:00)), datetime!(2026-12-06 00:00 UTC));
        assert_eq!(day_start(datetime!(2026-12-05 00:00 UTC)), datetime!(2026-12-05 00:00 UTC));
    }

    #[test]
    fn the_quota_refuses_only_beyond_the_limit() {
        let at = |used, limit| ChatQuota { plan: Plan::Free, used, limit, resets_at: OffsetDateTime::UNIX_EPOCH };
        assert!(at(10, Limit::Limited(10)).check().is_ok());
        assert!(matches!(at(11, Limit::Limited(10)).check(), Err(AssistantError::QuotaExhausted { limit: 10, .. })));
        assert!(at(u64::MAX, Limit::Unlimited).check().is_ok());
    }
}
