//! Trading-context use cases: create (with the catalogue's three checks), list, get, delete,
//! balance, and the limit enforcer that pauses contexts over a smaller plan. One use case per file.

mod create;
mod enforce;
mod errors;
mod read;

use std::sync::Arc;

use async_trait::async_trait;
use domain::contexts::ContextRepository;
use domain::credentials::{CredentialRepository, SecretCipher};
use domain::shared::ids::ContextId;
use domain::{Clock, RepoError};

pub use create::CreateContextInput;
pub use enforce::ContextLimitEnforcer;
pub use errors::{ContextError, CreateContextError};
pub use read::ContextBalance;

use crate::exchanges::ExchangeDirectory;
use crate::subscriptions::SubscriptionService;

/// Counts the running bots of a context (deleting a context with a running bot is refused).
#[async_trait]
pub trait RunningBots: Send + Sync {
    /// Running bots in `context`.
    async fn running_in(&self, context: ContextId) -> Result<u64, RepoError>;
}

/// The ports context use cases need.
#[derive(Clone)]
pub struct ContextPorts {
    /// Contexts.
    pub contexts: Arc<dyn ContextRepository>,
    /// Credentials (a live context needs one that is not invalid).
    pub credentials: Arc<dyn CredentialRepository>,
    /// Decrypts credentials for balance reads.
    pub cipher: Arc<dyn SecretCipher>,
    /// Plans and entitlements.
    pub subscriptions: Arc<SubscriptionService>,
    /// Exchanges.
    pub exchanges: Arc<ExchangeDirectory>,
    /// Running bots.
    pub bots: Arc<dyn RunningBots>,
    /// Live trading needs a verified e-mail (when verification is on).
    pub email_gate: Arc<crate::identity::VerifiedEmailGate>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ContextPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextPorts").field("exchanges", &self.exchanges).finish_non_exhaustive()
    }
}

/// Trading contexts of users.
#[derive(Debug)]
pub struct ContextService {
    ports: ContextPorts,
}

impl ContextService {
    /// A service over `ports`.
    pub fn new(ports: ContextPorts) -> Self {
        Self { ports }
    }

    /// The plans and entitlements it checks against (the engine's entry gate reads them too).
    pub(crate) fn subscriptions(&self) -> &SubscriptionService {
        &self.ports.subscriptions
    }
}
