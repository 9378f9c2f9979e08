//! The engine's word to read models that cache per user (the dashboard summary): one of the
//! user's orders or bots' books changed (a fill landed, an order was placed or ended), so what
//! they cached for that user is stale. A port, so that the engine knows nothing of its listeners.

use std::sync::Arc;

use domain::shared::ids::UserId;

use super::Engine;

/// Told after the engine stored a change to a user's orders or to the books of one of their
/// bots. Implementations must be cheap (the engine calls them inline) and cannot fail.
pub trait ActivityListener: Send + Sync + std::fmt::Debug {
    /// `user`'s orders or books changed.
    fn changed(&self, user: UserId);
}

impl Engine {
    /// The same engine telling `listener` of every change it stores to a user's orders or books.
    pub fn with_activity_listener(mut self, listener: Arc<dyn ActivityListener>) -> Self {
        self.activity = Some(listener);
        self
    }

    /// Tells the listener, if any, that `user`'s orders or books changed.
    pub(super) fn touched(&self, user: UserId) {
        if let Some(listener) = &self.activity {
            listener.changed(user);
        }
    }
}
