//! Actions the assistant proposes and the user confirms: a proposal is pending until its owner
//! confirms it (once) or it expires; only a confirmation executes it.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{ConversationId, ProposalId};
use crate::bots::BotKind;
use crate::shared::ids::{BotId, ContextId, UserId};

/// How long a proposal may be confirmed.
pub const PROPOSAL_TTL: Duration = Duration::minutes(30);

/// What a proposal does when confirmed, through the same use cases as the REST API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProposedAction {
    /// `POST /api/bots/{id}/pause`.
    PauseBot {
        /// The bot.
        bot_id: BotId,
    },
    /// `POST /api/bots/{id}/resume`.
    ResumeBot {
        /// The bot.
        bot_id: BotId,
    },
    /// `POST /api/bots/{id}/circuit-breaker/reset`.
    ResetBreaker {
        /// The bot.
        bot_id: BotId,
    },
    /// `POST /api/bots/{id}/emergency-sell`.
    EmergencySell {
        /// The bot.
        bot_id: BotId,
    },
    /// `POST /api/bots` (the bot is created, not started).
    CreateBot {
        /// Its context.
        context_id: ContextId,
        /// Its kind.
        kind: BotKind,
        /// Its name.
        name: String,
        /// Its configuration, validated again at confirmation.
        config: serde_json::Value,
    },
}

impl ProposedAction {
    /// The wire name of the action.
    pub fn kind(&self) -> &'static str {
        match self {
            ProposedAction::PauseBot { .. } => "pause_bot",
            ProposedAction::ResumeBot { .. } => "resume_bot",
            ProposedAction::ResetBreaker { .. } => "reset_breaker",
            ProposedAction::EmergencySell { .. } => "emergency_sell",
            ProposedAction::CreateBot { .. } => "create_bot",
        }
    }
}

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for its owner's confirmation.
    Pending,
    /// Confirmed and carried out.
    Executed,
    /// Confirmed, but the use case refused it (the reason is kept).
    Failed,
}

/// Why a proposal cannot be confirmed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// It was confirmed already.
    #[error("the proposal was already confirmed")]
    AlreadyDecided,
    /// Its time to be confirmed is over.
    #[error("the proposal expired; ask the assistant again")]
    Expired,
}

/// An action proposed in a conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// Id (what the confirmation carries).
    pub id: ProposalId,
    /// Its owner: only they may confirm it.
    pub user_id: UserId,
    /// Where it was proposed.
    pub conversation_id: ConversationId,
    /// What it does.
    pub action: ProposedAction,
    /// What it does, in words, as shown to the user.
    pub summary: String,
    /// Where it stands.
    pub status: ProposalStatus,
    /// Why a confirmed action failed.
    pub outcome: Option<String>,
    /// Proposed.
    pub created_at: OffsetDateTime,
    /// Confirmed.
    pub decided_at: Option<OffsetDateTime>,
    /// Optimistic-concurrency version, 1 when first stored (a confirmation is a compare-and-set
    /// on it).
    pub version: u64,
}

impl Proposal {
    /// A pending proposal.
    pub fn new(
        user_id: UserId,
        conversation_id: ConversationId,
        action: ProposedAction,
        summary: String,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: ProposalId::new(),
            user_id,
            conversation_id,
            action,
            summary,
            status: ProposalStatus::Pending,
            outcome: None,
            created_at: now,
            decided_at: None,
            version: 1,
        }
    }

    /// When it stops being confirmable.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.created_at + PROPOSAL_TTL
    }

    /// Takes the confirmation (the caller then executes the action and records the outcome).
    /// Errors: `AlreadyDecided`, `Expired`.
    pub fn confirm(&mut self, now: OffsetDateTime) -> Result<(), ProposalError> {
        if self.status != ProposalStatus::Pending || self.decided_at.is_some() {
            return Err(ProposalError::AlreadyDecided);
        }
        if now >= self.expires_at() {
            return Err(ProposalError::Expired);
        }
        self.decided_at = Some(now);
        Ok(())
    }

    /// Records how the confirmed action went.
    pub fn settle(&mut self, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.status = ProposalStatus::Executed,
            Err(reason) => {
                self.status = ProposalStatus::Failed;
                self.outcome = Some(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(now: OffsetDateTime) -> Proposal {
        let action = ProposedAction::PauseBot { bot_id: BotId::new() };
        Proposal::new(UserId::new(), ConversationId::new(), action, "Pause".into(), now)
    }

    #[test]
    fn a_proposal_is_confirmed_once_and_only_before_it_expires() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut p = pending(now);
        p.confirm(now + Duration::minutes(29)).unwrap();
        assert_eq!(p.confirm(now + Duration::minutes(29)), Err(ProposalError::AlreadyDecided));
        p.settle(Err("not running".into()));
        assert_eq!((p.status, p.outcome.as_deref()), (ProposalStatus::Failed, Some("not running")));
        assert_eq!(pending(now).confirm(now + PROPOSAL_TTL), Err(ProposalError::Expired));
    }

    #[test]
    fn actions_have_wire_names() {
        let json = serde_json::to_value(ProposedAction::ResetBreaker { bot_id: BotId::new() }).unwrap();
        assert_eq!(json["type"], "reset_breaker");
        assert_eq!(ProposedAction::EmergencySell { bot_id: BotId::new() }.kind(), "emergency_sell");
    }
}
