//! Why an assistant use case refused or failed.

use domain::assistant::{ModelError, ProposalError};
use domain::subscriptions::Plan;
use domain::RepoError;
use time::OffsetDateTime;

use super::guide::Language;
use crate::{FieldError, Unexpected};

/// The quota's refusal in `lang`.
fn quota_text(lang: Language, plan: Plan, limit: u32, resets_at: &OffsetDateTime) -> String {
    let at = resets_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    match lang {
        Language::En => {
            format!("the {plan} plan allows {limit} assistant messages a day; the quota resets at {at}")
        }
        Language::Pt => {
            format!("o plano {plan} permite {limit} mensagens ao assistente por dia; a cota renova em {at}")
        }
    }
}

/// An assistant use case's failure.
#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    /// Bad input, each field named.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// No such conversation or proposal of the caller's.
    #[error("{resource} not found")]
    NotFound {
        /// `conversation` or `proposal`.
        resource: &'static str,
    },
    /// The plan's messages of the day are used up.
    #[error("{}", quota_text(*.language, *.plan, *.limit, .resets_at))]
    QuotaExhausted {
        /// The plan in force.
        plan: Plan,
        /// Its daily limit.
        limit: u32,
        /// When the user's next local day starts (UTC).
        resets_at: OffsetDateTime,
        /// Whole seconds from now until then (at least 1).
        retry_after_secs: u64,
        /// The language the refusal is written in (the message's, else the profile's).
        language: Language,
    },
    /// The proposal cannot be confirmed (again, or any more).
    #[error(transparent)]
    Proposal(#[from] ProposalError),
    /// The language model did not answer.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The confirmed action was refused by its use case (same refusal as the REST API's).
    #[error(transparent)]
    Action(crate::bots::BotServiceError),
    /// A store or internal failure.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<RepoError> for AssistantError {
    fn from(err: RepoError) -> Self {
        AssistantError::Unexpected(err.into())
    }
}

/// `NotFound` as a missing `resource`.
pub(crate) fn missing(resource: &'static str) -> impl Fn(RepoError) -> AssistantError {
    move |err| match err {
        RepoError::NotFound => AssistantError::NotFound { resource },
        other => other.into(),
    }
}
