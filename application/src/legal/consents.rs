//! Use cases: change one's consents (a new history entry, the profile's flags kept in step),
//! record the consents given elsewhere (registration, profile), list the history, and withdraw
//! every consent when the account is deleted. Entries are never changed nor deleted.

use domain::identity::RequestMeta;
use domain::legal::{ConsentChange, ConsentRecord, ConsentSource, DocumentKind};
use domain::shared::ids::UserId;
use domain::{Page, PageRequest, RepoError};

use super::ConsentError;
use super::LegalService;
use crate::FieldError;

/// Attempts at writing the profile's flags when another write races.
const ATTEMPTS: u32 = 3;

/// A change asked for through `POST /api/legal/consents`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentUpdate {
    /// The consents to set; absent ones stay as they are.
    pub change: ConsentChange,
    /// The terms version the client showed, when it says; must be the one in force.
    pub terms_version: Option<String>,
    /// The privacy version the client showed, when it says; must be the one in force.
    pub privacy_version: Option<String>,
}

impl LegalService {
    /// Records `update` for an active user and returns the new entry. Errors: `Invalid` when
    /// nothing is asked, `VersionOutdated` when the client accepted a version that is no longer
    /// in force, `UserNotFound`.
    pub async fn update(
        &self,
        user: UserId,
        update: ConsentUpdate,
        meta: &RequestMeta,
    ) -> Result<ConsentRecord, ConsentError> {
        let ConsentChange { terms, privacy, marketing } = update.change;
        if terms.is_none() && privacy.is_none() && marketing.is_none() {
            return Err(ConsentError::Invalid(vec![FieldError::new(
                "terms_accepted",
                crate::FieldCode::Required,
                "send at least one of terms_accepted, privacy_accepted, marketing_accepted",
            )]));
        }
        self.check_version(DocumentKind::Terms, terms, update.terms_version.as_deref())?;
        self.check_version(DocumentKind::Privacy, privacy, update.privacy_version.as_deref())?;
        let record = self.record(user, update.change, ConsentSource::Update, meta).await?;
        self.sync_profile(&record).await?;
        Ok(record)
    }

    fn check_version(
        &self,
        kind: DocumentKind,
        accepted: Option<bool>,
        shown: Option<&str>,
    ) -> Result<(), ConsentError> {
        let current = &self.texts.get(kind).version;
        match (accepted, shown) {
            (Some(true), Some(shown)) if shown.trim() != current.as_str() => {
                Err(ConsentError::VersionOutdated { kind, shown: shown.to_owned(), current: current.to_string() })
            }
            _ => Ok(()),
        }
    }

    /// Appends the entry `change` makes from the user's current consents (registration,
    /// profile changes); the profile's flags are the caller's business.
    pub async fn record(
        &self,
        user: UserId,
        change: ConsentChange,
        source: ConsentSource,
        meta: &RequestMeta,
    ) -> Result<ConsentRecord, ConsentError> {
        let previous = match self.ports.consents.latest(user).await? {
            Some(latest) => Some(latest),
            None if source == ConsentSource::Registration => None,
            None => Some(self.current(user).await?),
        };
        let now = domain::shared::clock::to_millis(self.ports.clock.now());
        let record = ConsentRecord::next(previous.as_ref(), user, change, &self.texts, source, meta, now);
        self.ports.consents.append(&record).await?;
        Ok(record)
    }

    /// The last entry of a deleted account: every consent withdrawn. The history stays.
    pub async fn withdraw_all(&self, user: UserId, meta: &RequestMeta) -> Result<(), ConsentError> {
        if self.ports.consents.latest(user).await?.is_some_and(|r| r.source == ConsentSource::AccountDeleted) {
            return Ok(());
        }
        let now = domain::shared::clock::to_millis(self.ports.clock.now());
        Ok(self.ports.consents.append(&ConsentRecord::withdrawn(user, meta, now)).await?)
    }

    /// The user's history, newest first.
    pub async fn history(&self, user: UserId, page: PageRequest) -> Result<Page<ConsentRecord>, ConsentError> {
        Ok(self.ports.consents.history(user, page).await?)
    }

    async fn sync_profile(&self, record: &ConsentRecord) -> Result<(), ConsentError> {
        for attempt in 1..=ATTEMPTS {
            let mut user = match self.ports.users.get(record.user_id).await {
                Ok(user) if user.is_active() => user,
                Ok(_) | Err(RepoError::NotFound) => return Err(ConsentError::UserNotFound),
                Err(err) => return Err(err.into()),
            };
            user.consent = record.as_profile_consent();
            user.updated_at = record.at;
            match self.ports.users.update(&user).await {
                Ok(_) => return Ok(()),
                Err(RepoError::Conflict) if attempt < ATTEMPTS => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}
