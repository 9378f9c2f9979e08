//! Use cases: read and update one's own profile.

use domain::identity::{
    AuditAction, Consent, DisplayName, Language, RequestMeta, Role, TimeZoneName, User, UserStatus,
};
use domain::legal::{ConsentChange, ConsentSource};
use domain::shared::clock::to_millis;
use domain::shared::ids::UserId;
use domain::subscriptions::{Plan, Subscription, SubscriptionStatus};
use time::OffsetDateTime;

use super::AccountError;
use super::IdentityService;

/// What a user sees of their own account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Id.
    pub id: UserId,
    /// E-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Account state.
    pub status: UserStatus,
    /// Current plan.
    pub plan: Plan,
    /// Billing state of the plan.
    pub subscription_status: SubscriptionStatus,
    /// Consent record.
    pub consent: Consent,
    /// The language of the e-mails botfleet sends.
    pub language: Language,
    /// The user's time zone (their day: the assistant's daily quota).
    pub time_zone: TimeZoneName,
    /// Whether the e-mail address is verified (live trading needs it where verification is on).
    pub email_verified: bool,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl Profile {
    pub(crate) fn of(user: &User, subscription: &Subscription) -> Self {
        Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            name: user.name.as_str().to_owned(),
            role: user.role,
            status: user.status,
            plan: subscription.effective_plan(),
            subscription_status: subscription.status,
            consent: user.consent.clone(),
            language: user.language,
            time_zone: user.time_zone.clone(),
            email_verified: user.email_verified,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// Changes to one's profile; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct UpdateProfileInput {
    /// New display name.
    pub name: Option<String>,
    /// New marketing consent.
    pub accept_marketing: Option<bool>,
    /// New language tag (`pt-BR` or `en`).
    pub language: Option<String>,
    /// New IANA time zone name (`America/Sao_Paulo`).
    pub time_zone: Option<String>,
}

impl IdentityService {
    /// The caller's profile.
    pub async fn profile(&self, user_id: UserId) -> Result<Profile, AccountError> {
        let user = self.active_user(user_id).await?;
        let subscription = self.subscription_of(&user).await?;
        Ok(Profile::of(&user, &subscription))
    }

    /// Updates name, language, time zone and marketing consent (the consent record gets the new time, IP and agent).
    pub async fn update_profile(
        &self,
        user_id: UserId,
        input: UpdateProfileInput,
        meta: &RequestMeta,
    ) -> Result<Profile, AccountError> {
        let name = input
            .name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()
            .map_err(|e| AccountError::field("name", crate::FieldCode::Invalid, e.to_string()))?;
        let language = input
            .language
            .as_deref()
            .map(Language::parse)
            .transpose()
            .map_err(|e| AccountError::field("language", crate::FieldCode::Invalid, e.to_string()))?;
        let time_zone = input
            .time_zone
            .as_deref()
            .map(TimeZoneName::parse)
            .transpose()
            .map_err(|e| AccountError::field("time_zone", crate::FieldCode::Invalid, e.to_string()))?;
        let mut user = self.active_user(user_id).await?;
        let now = to_millis(self.ports.clock.now());
        if let Some(name) = name {
            user.name = name;
        }
        if let Some(language) = language {
            user.language = language;
        }
        if let Some(time_zone) = time_zone {
            user.time_zone = time_zone;
        }
        if let Some(marketing) = input.accept_marketing.filter(|m| *m != user.consent.marketing) {
            let change = ConsentChange { marketing: Some(marketing), ..ConsentChange::default() };
            let record =
                self.ports.legal.record(user.id, change, ConsentSource::Profile, meta).await.map_err(consent)?;
            user.consent = Consent { marketing, ..record.as_profile_consent() };
        }
        user.updated_at = now;
        let user = self.ports.users.update(&user).await?;
        self.audit(Some(user.id), AuditAction::ProfileUpdated, meta, None).await;
        let subscription = self.subscription_of(&user).await?;
        Ok(Profile::of(&user, &subscription))
    }

    /// The user, if active; anything else is `NotFound`.
    pub(crate) async fn active_user(&self, user_id: UserId) -> Result<User, AccountError> {
        match self.ports.users.get(user_id).await {
            Ok(user) if user.is_active() => Ok(user),
            Ok(_) | Err(domain::RepoError::NotFound) => Err(AccountError::UserNotFound),
            Err(err) => Err(err.into()),
        }
    }

    /// The user's subscription; a missing one reads as an active FREE plan.
    pub(crate) async fn subscription_of(&self, user: &User) -> Result<Subscription, AccountError> {
        match self.ports.subscriptions.get_for_user(user.id).await {
            Ok(sub) => Ok(sub),
            Err(domain::RepoError::NotFound) => Ok(Subscription::free(user.id, user.created_at)),
            Err(err) => Err(err.into()),
        }
    }
}

/// A consent failure while changing the profile: the user vanished, or something broke.
fn consent(err: crate::legal::ConsentError) -> AccountError {
    use crate::legal::ConsentError as E;
    match err {
        E::UserNotFound => AccountError::UserNotFound,
        E::Unexpected(err) => AccountError::Unexpected(err),
        other => AccountError::Unexpected(anyhow::Error::from(other).context("recording a consent").into()),
    }
}
