//! Operators and their authentication: creation (the CLI), TOTP enrolment, login with e-mail,
//! password and code, the server-side session with its CSRF token, and logout.

use domain::backoffice::{email_domain_allowed, Operator, OperatorRole, OperatorSession};
use domain::identity::{Email, PlainPassword, RequestMeta};
use domain::shared::ids::{OperatorId, OperatorSessionId};
use domain::shared::secret::Secret;
use domain::RepoError;
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;

use super::secrets::{self, generated_password, normalise_recovery_code, random_token, sha256_hex};
use super::{totp, Backoffice, BackofficeError};
use crate::{FieldCode, FieldError};

/// Attempts allowed per window, per IP and per e-mail, at login and enrolment.
pub const LOGIN_LIMIT: u64 = 5;
/// The login limits' window.
pub const LOGIN_WINDOW: time::Duration = time::Duration::minutes(15);

/// A created operator and, when none was given, the generated password (shown once).
#[derive(Debug)]
pub struct CreatedOperator {
    /// The operator.
    pub operator: Operator,
    /// The password generated for it; `None` when the caller chose one.
    pub generated_password: Option<Secret>,
}

/// A started TOTP enrolment: the URI to scan (shown once).
#[derive(Debug)]
pub struct Enrolment {
    /// `otpauth://totp/...`, holding the secret.
    pub otpauth_uri: Secret,
}

/// What a login form carries.
#[derive(Debug)]
pub struct LoginInput {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: Secret,
    /// The authenticator's 6-digit code or an unused recovery code.
    pub code: Secret,
}

/// A successful login: the session and the two values the client holds.
#[derive(Debug)]
pub struct LoggedIn {
    /// The operator.
    pub operator: Operator,
    /// The session as stored.
    pub session: OperatorSession,
    /// The cookie's value.
    pub session_token: Secret,
    /// What state-changing requests send in `X-CSRF-Token`.
    pub csrf_token: Secret,
}

/// An authenticated operator with the session the request came in.
#[derive(Clone, Debug)]
pub struct Staff {
    /// Who.
    pub operator: Operator,
    /// Which session.
    pub session: OperatorSession,
}

impl Staff {
    /// Whether `token` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        sha256_hex(token).as_bytes().ct_eq(self.session.csrf_hash.as_bytes()).into()
    }
}

fn field(name: &str, code: FieldCode, message: impl Into<String>) -> BackofficeError {
    BackofficeError::Invalid(vec![FieldError::new(name, code, message)])
}

impl Backoffice {
    /// The e-mail, normalised, if it is in a backoffice domain; else a refusal naming `email`.
    fn operator_email(&self, raw: &str) -> Result<Email, BackofficeError> {
        let email = Email::parse(raw).map_err(|e| field("email", FieldCode::Email, e.to_string()))?;
        if !email_domain_allowed(&email, &self.config.domains) {
            return Err(field(
                "email",
                FieldCode::NotAllowed,
                "operators' e-mails must be in BOTFLEET_BACKOFFICE_DOMAINS",
            ));
        }
        Ok(email)
    }

    /// Creates an operator (the `botfleet operator create` command). A missing password is
    /// generated. Errors: `Invalid` (e-mail outside the domains, weak password), `OperatorExists`.
    pub async fn create_operator(
        &self,
        email: &str,
        password: Option<String>,
        role: OperatorRole,
    ) -> Result<CreatedOperator, BackofficeError> {
        let email = self.operator_email(email)?;
        let generated = password.is_none();
        let raw = password.unwrap_or_else(generated_password);
        let plain =
            PlainPassword::new(raw.clone()).map_err(|e| field("password", FieldCode::WeakPassword, e.to_string()))?;
        let hash = self.ports.hasher.hash(&plain)?;
        let operator = Operator::new(OperatorId::new(), email, hash, role, self.ports.clock.now());
        let operator = match self.ports.operators.create(&operator).await {
            Err(RepoError::Duplicate { .. }) => return Err(BackofficeError::OperatorExists),
            other => other?,
        };
        Ok(CreatedOperator { operator, generated_password: generated.then(|| Secret::new(raw)) })
    }

    /// Counts an attempt against the IP's and the e-mail's login limits.
    async fn count_attempt(&self, email: &str, meta: &RequestMeta, now: OffsetDateTime) -> Result<(), BackofficeError> {
        let ip_key = format!("bo_login_ip:{}", meta.ip.as_deref().unwrap_or("unknown"));
        let email_key = format!("bo_login_email:{}", email.trim().to_lowercase());
        let by_ip = self.ports.hits.hit(&ip_key, now, LOGIN_WINDOW).await?;
        let by_email = self.ports.hits.hit(&email_key, now, LOGIN_WINDOW).await?;
        if by_ip > LOGIN_LIMIT || by_email > LOGIN_LIMIT {
            let retry_after_secs = u64::try_from(LOGIN_WINDOW.whole_seconds()).unwrap_or(900);
            return Err(BackofficeError::TooManyAttempts { retry_after_secs });
        }
        Ok(())
    }

    /// The active operator with this e-mail and password, spending the same hashing work on an
    /// unknown e-mail. Errors: `Invalid` (domain), `WrongCredentials`.
    async fn check_password(&self, email: &str, password: &Secret) -> Result<Operator, BackofficeError> {
        let email = self.operator_email(email)?;
        let password = PlainPassword::unchecked(password.expose().to_owned());
        let Some(operator) = self.ports.operators.find_by_email(&email).await? else {
            self.ports.hasher.verify_dummy(&password);
            return Err(BackofficeError::WrongCredentials);
        };
        if !self.ports.hasher.verify(&password, &operator.password_hash) || !operator.active {
            return Err(BackofficeError::WrongCredentials);
        }
        Ok(operator)
    }

    /// Starts (or restarts) TOTP enrolment for an operator not enrolled yet: a new secret,
    /// returned as an `otpauth://` URI. Errors: `TooManyAttempts`, `Invalid`,
    /// `WrongCredentials`, `AlreadyEnrolled`.
    pub async fn start_enrolment(
        &self,
        email: &str,
        password: &Secret,
        meta: &RequestMeta,
    ) -> Result<Enrolment, BackofficeError> {
        self.count_attempt(email, meta, self.ports.clock.now()).await?;
        let mut operator = self.check_password(email, password).await?;
        if operator.totp_enrolled {
            return Err(BackofficeError::AlreadyEnrolled);
        }
        let secret = totp::new_secret();
        let uri = totp::otpauth_uri(&secret, operator.email.as_str())?;
        operator.totp_secret = Some(self.ports.cipher.encrypt(&Secret::new(secret))?);
        operator.updated_at = self.ports.clock.now();
        self.ports.operators.update(&operator).await?;
        Ok(Enrolment { otpauth_uri: Secret::new(uri) })
    }

    /// Confirms enrolment with a code of the new secret; returns the recovery codes (shown
    /// once, stored hashed). Errors: as [`Self::start_enrolment`], `WrongCredentials` for a
    /// wrong code or when no enrolment was started.
    pub async fn confirm_enrolment(
        &self,
        input: LoginInput,
        meta: &RequestMeta,
    ) -> Result<Vec<Secret>, BackofficeError> {
        let now = self.ports.clock.now();
        self.count_attempt(&input.email, meta, now).await?;
        let mut operator = self.check_password(&input.email, &input.password).await?;
        if operator.totp_enrolled {
            return Err(BackofficeError::AlreadyEnrolled);
        }
        if !self.accept_totp(&mut operator, input.code.expose(), now)? {
            return Err(BackofficeError::WrongCredentials);
        }
        let codes: Vec<String> = (0..secrets::RECOVERY_CODES).map(|_| secrets::recovery_code()).collect();
        operator.recovery_codes = codes.iter().map(|c| sha256_hex(&normalise_recovery_code(c))).collect();
        operator.totp_enrolled = true;
        operator.updated_at = now;
        self.save_after_code(&operator).await?;
        Ok(codes.into_iter().map(Secret::new).collect())
    }

    /// Whether `code` is a fresh TOTP code of the operator's secret (marking its step used).
    fn accept_totp(&self, operator: &mut Operator, code: &str, now: OffsetDateTime) -> Result<bool, BackofficeError> {
        let Some(encrypted) = &operator.totp_secret else { return Ok(false) };
        let secret = self.ports.cipher.decrypt(encrypted)?;
        let unix = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        let step = totp::matching_step(secret.expose(), operator.email.as_str(), code.trim(), unix)?;
        Ok(step.is_some_and(|step| operator.accept_totp_step(step)))
    }

    /// Saves an operator whose code was just spent: a version conflict means another request
    /// spent it first (a replay racing the original), so this one is refused.
    async fn save_after_code(&self, operator: &Operator) -> Result<Operator, BackofficeError> {
        match self.ports.operators.update(operator).await {
            Err(RepoError::Conflict) => Err(BackofficeError::WrongCredentials),
            other => Ok(other?),
        }
    }

    /// Logs in with e-mail, password and a TOTP or recovery code, opening an 8-hour session.
    /// Errors: `TooManyAttempts` (5 per 15 minutes per IP and per e-mail), `Invalid` (e-mail
    /// outside the domains), `WrongCredentials` (also a wrong, used or replayed code),
    /// `EnrolmentRequired` (after a correct password).
    pub async fn login(&self, input: LoginInput, meta: &RequestMeta) -> Result<LoggedIn, BackofficeError> {
        let now = self.ports.clock.now();
        self.count_attempt(&input.email, meta, now).await?;
        let mut operator = self.check_password(&input.email, &input.password).await?;
        if !operator.totp_enrolled {
            return Err(BackofficeError::EnrolmentRequired);
        }
        let code = input.code.expose();
        let accepted = self.accept_totp(&mut operator, code, now)?
            || operator.spend_recovery_code(&sha256_hex(&normalise_recovery_code(code)));
        if !accepted {
            return Err(BackofficeError::WrongCredentials);
        }
        operator.updated_at = now;
        let operator = self.save_after_code(&operator).await?;
        let (session_token, csrf_token) = (random_token(), random_token());
        let session = OperatorSession {
            id: OperatorSessionId::new(),
            operator_id: operator.id,
            token_hash: sha256_hex(&session_token),
            csrf_hash: sha256_hex(&csrf_token),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            created_at: now,
            expires_at: now + OperatorSession::TTL,
            revoked_at: None,
        };
        self.ports.sessions.create(&session).await?;
        self.ports.hits.clear(&format!("bo_login_email:{}", input.email.trim().to_lowercase())).await?;
        Ok(LoggedIn {
            operator,
            session,
            session_token: Secret::new(session_token),
            csrf_token: Secret::new(csrf_token),
        })
    }

    /// The operator and live session of a session cookie. Errors: `SessionRequired`.
    pub async fn authenticate(&self, session_token: &str) -> Result<Staff, BackofficeError> {
        let session = self.ports.sessions.find_by_token_hash(&sha256_hex(session_token)).await?;
        let session = session.filter(|s| s.is_live(self.ports.clock.now())).ok_or(BackofficeError::SessionRequired)?;
        let operator = match self.ports.operators.get(session.operator_id).await {
            Err(RepoError::NotFound) => return Err(BackofficeError::SessionRequired),
            other => other?,
        };
        if !operator.active {
            return Err(BackofficeError::SessionRequired);
        }
        Ok(Staff { operator, session })
    }

    /// Ends the session.
    pub async fn logout(&self, staff: &Staff) -> Result<(), BackofficeError> {
        self.ports.sessions.revoke(staff.session.id, self.ports.clock.now()).await?;
        Ok(())
    }
}

/// Backoffice list requests allowed per operator per [`LIST_WINDOW`].
pub const LIST_LIMIT: u64 = 60;
/// The list limit's window.
pub const LIST_WINDOW: time::Duration = time::Duration::minutes(1);

impl Backoffice {
    /// Counts a list request of `operator` against [`LIST_LIMIT`]. Errors: `TooManyAttempts`.
    pub async fn limit_lists(&self, operator: OperatorId) -> Result<(), BackofficeError> {
        let count = self.ports.hits.hit(&format!("bo_list:{operator}"), self.ports.clock.now(), LIST_WINDOW).await?;
        if count > LIST_LIMIT {
            return Err(BackofficeError::TooManyAttempts { retry_after_secs: 60 });
        }
        Ok(())
    }
}
