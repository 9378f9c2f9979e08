//! The daily message quota: FREE 10, PRO 100, MAX unlimited (`Entitlements::chat_messages_per_day`),
//! counted over the messages the user wrote since the start of their current local day (the day
//! of the time zone in their profile, `America/Sao_Paulo` unless they chose another). A message is stored first and counted
//! with the others; over the limit it is removed and refused, so concurrent messages can never
//! exceed the quota (at worst both of two racing for the last place are refused).

use domain::identity::{Language, TimeZoneName};
use domain::shared::ids::UserId;
use domain::subscriptions::{Limit, Plan};
use domain::RepoError;
use time::OffsetDateTime;

use super::{AssistantError, AssistantService};

/// A user's assistant messages of the day against the plan's quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatQuota {
    /// The plan in force.
    pub plan: Plan,
    /// Messages written today (the user's local day).
    pub used: u64,
    /// The plan's daily limit.
    pub limit: Limit,
    /// When the count starts again: the user's next local midnight, in UTC.
    pub resets_at: OffsetDateTime,
}

impl ChatQuota {
    /// The refusal at `now` when `used` (this message included) is over the limit.
    pub(crate) fn check(&self, now: OffsetDateTime, language: super::Language) -> Result<(), AssistantError> {
        match self.limit {
            Limit::Limited(limit) if self.used > u64::from(limit) => Err(AssistantError::QuotaExhausted {
                plan: self.plan,
                limit,
                resets_at: self.resets_at,
                retry_after_secs: (self.resets_at - now).whole_seconds().max(1).unsigned_abs(),
                language,
            }),
            _ => Ok(()),
        }
    }
}

impl AssistantService {
    /// The caller's messages of the day and the plan's quota.
    pub async fn quota(&self, user: UserId) -> Result<ChatQuota, AssistantError> {
        let access = self.ports.subscriptions.access(user).await?;
        let day = self.preferences(user).await?.0.day_of(self.ports.clock.now());
        let used = self.ports.conversations.user_messages_since(user, day.start).await?;
        Ok(ChatQuota { plan: access.plan, used, limit: access.entitlements.chat_messages_per_day, resets_at: day.next })
    }

    /// The user's time zone and language (the defaults for a user no longer stored: their data
    /// is going anyway).
    pub(crate) async fn preferences(&self, user: UserId) -> Result<(TimeZoneName, Language), AssistantError> {
        match self.ports.users.get(user).await {
            Ok(found) => Ok((found.time_zone, found.language)),
            Err(RepoError::NotFound) => Ok(Default::default()),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_refuses_only_beyond_the_limit() {
        let midnight = OffsetDateTime::UNIX_EPOCH + time::Duration::days(1);
        let now = midnight - time::Duration::minutes(30);
        let at = |used, limit| ChatQuota { plan: Plan::Free, used, limit, resets_at: midnight };
        let en = super::super::Language::En;
        assert!(at(10, Limit::Limited(10)).check(now, en).is_ok());
        assert!(matches!(
            at(11, Limit::Limited(10)).check(now, en),
            Err(AssistantError::QuotaExhausted { limit: 10, retry_after_secs: 1800, .. })
        ));
        assert!(at(u64::MAX, Limit::Unlimited).check(now, en).is_ok());
        let pt = at(11, Limit::Limited(10)).check(now, super::super::Language::Pt).unwrap_err().to_string();
        assert_eq!(
            pt,
            "o plano FREE permite 10 mensagens ao assistente por dia; a cota renova em 1970-01-02T00:00:00Z"
        );
    }
}
