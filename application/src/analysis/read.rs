//! Use cases: a context's recorded signals, for its owner only (another user's context, like an
//! unknown one, is not found).

use domain::contexts::ContextSignal;
use domain::shared::ids::{ContextId, UserId};
use domain::{PageRequest, RepoError};

use super::{AnalysisError, ContextAnalysis};
use crate::reports::Windowed;

fn not_found(err: RepoError) -> AnalysisError {
    match err {
        RepoError::NotFound => AnalysisError::ContextNotFound,
        other => other.into(),
    }
}

impl ContextAnalysis {
    /// The owner's signals of `context` inside their plan's history window, newest candle
    /// first. Refused with [`AnalysisError::ContextNotFound`] when the context is not the owner's.
    pub async fn signals(
        &self,
        owner: UserId,
        context: ContextId,
        page: PageRequest,
    ) -> Result<Windowed<ContextSignal>, AnalysisError> {
        self.ports.contexts.get(owner, context).await.map_err(not_found)?;
        let window = self.ports.subscriptions.history_window(owner).await?;
        Ok(Windowed { page: self.ports.signals.list(owner, context, window.from, page).await?, window })
    }

    /// The owner's newest signal of `context`, if any. Errors as [`Self::signals`].
    pub async fn latest(&self, owner: UserId, context: ContextId) -> Result<Option<ContextSignal>, AnalysisError> {
        self.ports.contexts.get(owner, context).await.map_err(not_found)?;
        Ok(self.ports.signals.latest(owner, context).await?)
    }
}
