//! Use case: confirm a proposal. Only its owner can; it runs once (a compare-and-set on the
//! stored proposal), before it expires, through the very use cases of the REST API (ownership,
//! the bot's state and the plan's entitlements are checked there again). The outcome is kept on
//! the proposal; a refusal is answered as the REST API would answer it.

use domain::assistant::{Proposal, ProposalError, ProposalId, ProposedAction};
use domain::bots::Bot;
use domain::shared::ids::UserId;
use domain::RepoError;

use super::errors::missing;
use super::{AssistantError, AssistantService};
use crate::bots::CreateBotInput;

/// A confirmed proposal and the bot it acted on.
#[derive(Clone, Debug)]
pub struct Confirmed {
    /// The proposal, executed.
    pub proposal: Proposal,
    /// The bot as the action left it.
    pub bot: Bot,
}

impl AssistantService {
    /// The caller's proposal. Errors: `NotFound`.
    pub async fn proposal(&self, user: UserId, id: ProposalId) -> Result<Proposal, AssistantError> {
        self.ports.conversations.proposal(user, id).await.map_err(missing("proposal"))
    }

    /// Confirms and executes the caller's proposal `id`. Errors: `NotFound`; `Proposal`
    /// (confirmed already, expired); `Action`: the use case's refusal (the proposal is then kept
    /// as failed, with the reason).
    pub async fn confirm(&self, user: UserId, id: ProposalId) -> Result<Confirmed, AssistantError> {
        let mut proposal = self.proposal(user, id).await?;
        proposal.confirm(self.now())?;
        let repo = &self.ports.conversations;
        let mut proposal = match repo.save_proposal(&proposal).await {
            Ok(saved) => saved,
            Err(RepoError::Conflict) => return Err(ProposalError::AlreadyDecided.into()),
            Err(err) => return Err(err.into()),
        };
        let bots = &self.ports.bots;
        let outcome = match &proposal.action {
            ProposedAction::PauseBot { bot_id } => bots.pause(user, *bot_id).await,
            ProposedAction::ResumeBot { bot_id } => bots.resume(user, *bot_id).await,
            ProposedAction::ResetBreaker { bot_id } => bots.reset_breaker(user, *bot_id).await,
            ProposedAction::EmergencySell { bot_id } => bots.emergency_sell(user, *bot_id).await,
            ProposedAction::CreateBot { context_id, kind, name, config } => {
                match domain::bots::BotConfig::parse(*kind, config) {
                    Ok(config) => {
                        bots.create(user, CreateBotInput { context_id: *context_id, name: name.clone(), config }).await
                    }
                    Err(issues) => Err(crate::bots::invalid(issues)),
                }
            }
        };
        proposal.settle(outcome.as_ref().map(drop).map_err(ToString::to_string));
        let proposal = repo.save_proposal(&proposal).await?;
        match outcome {
            Ok(bot) => Ok(Confirmed { proposal, bot }),
            Err(err) => Err(AssistantError::Action(err)),
        }
    }
}
