//! The assistant: conversations stored per user, answered by a language model calling tools
//! over the use cases (when one is configured) or by the offline guide (deterministic intents in
//! Portuguese and English over the same tools). Tools read only the caller's data; actions are
//! only proposed, and run when their owner confirms them through the same use cases and
//! entitlement checks as the REST API. The daily message quota of each plan is enforced here.

mod confirm;
mod converse;
mod errors;
mod glossary_pt;
mod guide;
mod guide_answers;
mod model_loop;
mod quota;
mod settings_doc;
mod suggestions;
mod summaries;
mod tool_plan;
mod tool_read;
mod tools;
mod words_pt;

use std::sync::Arc;

use domain::assistant::{ConversationRepository, LanguageModel};
use domain::identity::UserRepository;
use domain::Clock;

pub use confirm::Confirmed;
pub use converse::{Reply, SentMessage};
pub use errors::AssistantError;
pub use guide::{Intent, Language};
pub use quota::ChatQuota;
pub use suggestions::{
    suggestions_for, SuggestionPorts, SuggestionReport, Suggestions, SUGGESTIONS_TITLE, SUGGESTIONS_TITLE_PT,
};
pub use tool_plan::tool_schemas_for;
pub use tools::{tool_schemas, Tool};

use crate::analysis::ContextAnalysis;
use crate::bots::BotService;
use crate::contexts::ContextService;
use crate::dashboard::DashboardService;
use crate::orders::OrderService;
use crate::reports::ReportService;
use crate::subscriptions::SubscriptionService;

/// What the assistant reads and acts through.
#[derive(Clone)]
pub struct AssistantPorts {
    /// Conversations, messages and proposals.
    pub conversations: Arc<dyn ConversationRepository>,
    /// The language model; `None`: the offline guide answers.
    pub model: Option<Arc<dyn LanguageModel>>,
    /// Bots (reads and the confirmed actions).
    pub bots: Arc<BotService>,
    /// Contexts.
    pub contexts: Arc<ContextService>,
    /// Orders.
    pub orders: Arc<OrderService>,
    /// Signals per context.
    pub analysis: Arc<ContextAnalysis>,
    /// The dashboard's figures.
    pub dashboard: Arc<DashboardService>,
    /// Trades and profit.
    pub reports: Arc<ReportService>,
    /// The plan, its entitlements and usage.
    pub subscriptions: Arc<SubscriptionService>,
    /// The users' profiles (their time zone: the quota's day).
    pub users: Arc<dyn UserRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AssistantPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssistantPorts").field("model", &self.model.as_ref().map(|m| m.name())).finish_non_exhaustive()
    }
}

/// The assistant's use cases.
#[derive(Debug)]
pub struct AssistantService {
    ports: AssistantPorts,
}

impl AssistantService {
    /// The assistant over `ports`.
    pub fn new(ports: AssistantPorts) -> Self {
        Self { ports }
    }

    /// Now, to the millisecond (as the stores keep instants, so what is answered is what is read
    /// back later).
    pub(crate) fn now(&self) -> time::OffsetDateTime {
        domain::shared::clock::to_millis(self.ports.clock.now())
    }

    /// Whether a language model answers (`false`: the offline guide).
    pub fn model_name(&self) -> Option<&str> {
        self.ports.model.as_deref().map(|m| m.name())
    }
}
