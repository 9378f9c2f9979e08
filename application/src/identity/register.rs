//! Use case: create an account with its consent record and a FREE subscription.

use domain::identity::{
    AuditAction, Consent, DisplayName, Email, Language, PlainPassword, RequestMeta, Role, TimeZoneName, User,
    UserStatus,
};
use domain::legal::{ConsentChange, ConsentSource};
use domain::shared::clock::to_millis;
use domain::shared::ids::UserId;
use domain::subscriptions::Subscription;
use domain::RepoError;

use super::{IdentityService, Profile, RegisterError};
use crate::FieldError;

/// What a person sends to sign up.
#[derive(Clone)]
pub struct RegisterInput {
    /// E-mail (normalised here).
    pub email: String,
    /// Password (checked against the policy here).
    pub password: String,
    /// Display name.
    pub name: String,
    /// Must be true.
    pub accept_terms: bool,
    /// Must be true.
    pub accept_privacy: bool,
    /// Optional marketing consent.
    pub accept_marketing: bool,
    /// Optional language tag (`pt-BR` or `en`); `pt-BR` when absent.
    pub language: Option<String>,
    /// Optional IANA time zone name (`America/Sao_Paulo`, the default when absent).
    pub time_zone: Option<String>,
}

impl std::fmt::Debug for RegisterInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterInput").field("email", &self.email).finish_non_exhaustive()
    }
}

impl IdentityService {
    /// Registers a user. Errors: `Invalid` listing every bad field, `EmailTaken`.
    pub async fn register(&self, input: RegisterInput, meta: &RequestMeta) -> Result<Profile, RegisterError> {
        let mut errors = Vec::new();
        let email = Email::parse(&input.email)
            .map_err(|e| errors.push(FieldError::new("email", crate::FieldCode::Invalid, e.to_string())));
        let password = PlainPassword::new(input.password)
            .map_err(|e| errors.push(FieldError::new("password", crate::FieldCode::WeakPassword, e.to_string())));
        let name = DisplayName::parse(&input.name)
            .map_err(|e| errors.push(FieldError::new("name", crate::FieldCode::Invalid, e.to_string())));
        let language = input.language.as_deref().map_or(Ok(Language::default()), Language::parse).map_err(|e| {
            errors.push(FieldError::new("language", crate::FieldCode::Invalid, e.to_string()));
        });
        let time_zone =
            input.time_zone.as_deref().map_or(Ok(TimeZoneName::default()), TimeZoneName::parse).map_err(|e| {
                errors.push(FieldError::new("time_zone", crate::FieldCode::Invalid, e.to_string()));
            });
        if !input.accept_terms {
            errors.push(FieldError::new(
                "accept_terms",
                crate::FieldCode::MustAccept,
                "the terms of use must be accepted",
            ));
        }
        if !input.accept_privacy {
            errors.push(FieldError::new(
                "accept_privacy",
                crate::FieldCode::MustAccept,
                "the privacy policy must be accepted",
            ));
        }
        let (Ok(email), Ok(password), Ok(name), Ok(language), Ok(time_zone), true) =
            (email, password, name, language, time_zone, errors.is_empty())
        else {
            return Err(RegisterError::Invalid(errors));
        };

        let now = to_millis(self.ports.clock.now());
        let password_hash = self.ports.hasher.hash(&password)?;
        let user = User {
            id: UserId::new(),
            email,
            name,
            password_hash,
            role: Role::User,
            status: UserStatus::Active,
            consent: Consent {
                terms: true,
                privacy: true,
                marketing: input.accept_marketing,
                at: now,
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
            },
            tokens_valid_after: None,
            session_generation: 0,
            language,
            time_zone,
            email_verified: false,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let user = self.ports.users.create(&user).await.map_err(|err| match err {
            RepoError::Duplicate { .. } => RegisterError::EmailTaken,
            other => other.into(),
        })?;
        let subscription = self.ports.subscriptions.create(&Subscription::free(user.id, now)).await?;
        let consents =
            ConsentChange { terms: Some(true), privacy: Some(true), marketing: Some(input.accept_marketing) };
        if let Err(err) = self.ports.legal.record(user.id, consents, ConsentSource::Registration, meta).await {
            // The account exists: the user accepts again through /api/legal/consents before
            // starting bots, which the start check demands.
            tracing::error!(error = ?err, user_id = %user.id, "recording the consents given at registration failed");
        }
        self.audit(Some(user.id), AuditAction::Register, meta, None).await;
        self.send_verification(&user);
        tracing::info!(user_id = %user.id, "user registered");
        Ok(Profile::of(&user, &subscription))
    }
}
