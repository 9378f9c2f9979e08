//! The entry gate: the engine itself never opens a position for a bot its owner's plan or its
//! context no longer allows, whatever its stored status says (a downgrade the enforcer missed, a
//! status edited by hand). Before a running bot is evaluated for entries under its lease, the
//! gate reads its owner's plan verdicts and its context's status, once per owner and per context
//! in a run; a refused bot is paused with the reason, so protective exits keep guarding what it
//! holds and only entries stop. A failure to read them keeps the bot out of this run (closed).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use domain::bots::Bot;
use domain::contexts::ContextStatus;
use domain::shared::ids::{ContextId, UserId};

use super::Engine;
use crate::bots::OwnerVerdicts;
use crate::contexts::ContextError;
use crate::AppError;

/// What one run has read for the gate: each owner's plan verdicts and each context's refusal.
#[derive(Debug, Default)]
pub(super) struct EntryGate {
    owners: HashMap<UserId, OwnerVerdicts>,
    contexts: HashMap<ContextId, Option<String>>,
}

impl Engine {
    /// Why `bot` may not open a position now, if it may not: its owner's plan does not allow it
    /// (kind, place among the owner's bots, advanced indicators) or its context is not active.
    pub(super) async fn entry_refusal(&self, gate: &mut EntryGate, bot: &Bot) -> Result<Option<String>, AppError> {
        let verdicts = match gate.owners.entry(bot.user_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let access = self.ports.contexts.subscriptions().access(bot.user_id).await?;
                slot.insert(OwnerVerdicts::load(&*self.ports.bots, bot.user_id, access.entitlements).await?)
            }
        };
        if let Some(refusal) = verdicts.refusal(bot) {
            return Ok(Some(refusal.to_string()));
        }
        let refusal = match gate.contexts.entry(bot.context_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(match self.ports.contexts.get(bot.user_id, bot.context_id).await {
                Ok(context) if context.status == ContextStatus::Active => None,
                Ok(context) => Some(format!("its context is paused: {}", context.status_reason.unwrap_or_default())),
                Err(ContextError::NotFound) => Some("its context no longer exists".to_owned()),
                Err(err) => return Err(err.into()),
            }),
        };
        Ok(refusal.clone())
    }
}
