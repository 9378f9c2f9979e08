//! The engine's word to read models that cache per user (the dashboard summary, the performance
//! series): one of the user's orders or bots' books changed (a fill landed, an order was placed or
//! ended), or a bot's mark (its last checked price) did, so what they cached for that user is
//! stale. A port, so that the engine knows nothing of its listeners; the engine tells every
//! listener it was given (a fan-out), so each cache registers itself instead of being chained to
//! another by hand.

use std::sync::Arc;

use domain::shared::ids::UserId;

use super::Engine;

/// Told after the engine stored a change to a user's orders or to the books of one of their
/// bots. Implementations must be cheap (the engine calls them inline) and cannot fail.
pub trait ActivityListener: Send + Sync + std::fmt::Debug {
    /// `user`'s orders or books changed.
    fn changed(&self, user: UserId);

    /// A bot of `user` was evaluated and stored with a new mark (its last checked price) but
    /// no change to its books. Nothing by default: a read model that marks holdings at current
    /// prices on every read (the summary) has nothing stale.
    fn marked(&self, user: UserId) {
        let _ = user;
    }
}

impl Engine {
    /// The same engine also telling `listener` of every change it stores to a user's orders,
    /// books or marks; listeners added before keep being told.
    pub fn with_activity_listener(mut self, listener: Arc<dyn ActivityListener>) -> Self {
        self.activity.push(listener);
        self
    }

    /// Tells every listener that `user`'s orders or books changed.
    pub(super) fn touched(&self, user: UserId) {
        self.activity.iter().for_each(|listener| listener.changed(user));
    }

    /// Tells every listener that a bot of `user` has a new mark.
    pub(super) fn marked(&self, user: UserId) {
        self.activity.iter().for_each(|listener| listener.marked(user));
    }
}
