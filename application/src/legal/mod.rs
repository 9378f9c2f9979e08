//! Legal use cases (LGPD): the texts in force, the consent history (read, change, withdraw on
//! account deletion) and the check that the texts in force are accepted before bots start.

mod consents;
mod errors;

use std::sync::Arc;

use domain::identity::UserRepository;
use domain::legal::{ConsentRecord, ConsentRepository, LegalTexts};
use domain::shared::ids::UserId;
use domain::{Clock, RepoError};

pub use consents::ConsentUpdate;
pub use errors::ConsentError;

/// The ports legal use cases need.
#[derive(Clone)]
pub struct LegalPorts {
    /// The consent history.
    pub consents: Arc<dyn ConsentRepository>,
    /// Users (their profile keeps the current flags).
    pub users: Arc<dyn UserRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for LegalPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegalPorts").finish_non_exhaustive()
    }
}

/// Legal texts and consents.
#[derive(Debug)]
pub struct LegalService {
    ports: LegalPorts,
    texts: LegalTexts,
}

impl LegalService {
    /// A service over `ports` with the texts in force.
    pub fn new(ports: LegalPorts, texts: LegalTexts) -> Self {
        Self { ports, texts }
    }

    /// The texts in force.
    pub fn texts(&self) -> &LegalTexts {
        &self.texts
    }

    /// The user's consents now: the newest history entry, or, for an account older than the
    /// history, the flags of its profile with unknown versions. Errors: `UserNotFound`.
    pub async fn current(&self, user: UserId) -> Result<ConsentRecord, ConsentError> {
        if let Some(latest) = self.ports.consents.latest(user).await? {
            return Ok(latest);
        }
        match self.ports.users.get(user).await {
            Ok(u) => Ok(ConsentRecord::legacy(u.id, &u.consent)),
            Err(RepoError::NotFound) => Err(ConsentError::UserNotFound),
            Err(err) => Err(err.into()),
        }
    }

    /// `Ok` when the user accepted the terms of use and the privacy policy in force.
    /// Errors: `NotAccepted` naming the text.
    pub async fn require_current(&self, user: UserId) -> Result<(), ConsentError> {
        self.current(user).await?.require_current(&self.texts).map_err(|missing| ConsentError::NotAccepted { missing })
    }
}
