//! The in-app inbox: the user's events of the types their preferences put on `in_app`, newest
//! first, with the unread count; marking one or all read. Another user's event is "not found".

use std::sync::Arc;

use domain::notifications::{Channel, EventFilter, EventRepository, EventType, PreferenceRepository, StoredEvent};
use domain::shared::ids::{EventId, UserId};
use domain::{Clock, Page, PageRequest};

use crate::Unexpected;

/// Why an inbox read or change failed.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// No such event for this user (also another user's).
    #[error("notification not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(InboxError);

/// Which of the inbox's notifications to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxQuery {
    /// Only the unread ones.
    pub unread_only: bool,
    /// Only these types (still only those on `in_app`); `None` for all.
    pub types: Option<Vec<EventType>>,
}

/// One page of the inbox and how many of its notifications are unread in all.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxPage {
    /// The page, newest first.
    pub page: Page<StoredEvent>,
    /// Unread notifications of the inbox (every in-app type, whatever the filter).
    pub unread_count: u64,
}

/// The in-app inbox use cases.
pub struct Inbox {
    events: Arc<dyn EventRepository>,
    preferences: Arc<dyn PreferenceRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox").finish_non_exhaustive()
    }
}

impl Inbox {
    /// The inbox over the event log and the preferences.
    pub fn new(
        events: Arc<dyn EventRepository>,
        preferences: Arc<dyn PreferenceRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { events, preferences, clock }
    }

    /// The types `user` has on `in_app`.
    async fn in_app_types(&self, user: UserId) -> Result<Vec<EventType>, InboxError> {
        Ok(self.preferences.get(user).await?.types_on(Channel::InApp))
    }

    /// One page of `user`'s inbox matching `query`, newest first, with the unread count.
    pub async fn list(&self, user: UserId, query: &InboxQuery, page: PageRequest) -> Result<InboxPage, InboxError> {
        let in_app = self.in_app_types(user).await?;
        let types = match &query.types {
            Some(asked) => in_app.iter().copied().filter(|t| asked.contains(t)).collect(),
            None => in_app.clone(),
        };
        let unread_count = self.count(user, &in_app).await?;
        if types.is_empty() {
            // No type is shown: an empty page (an empty type list would read as "every type").
            let page = Page { items: Vec::new(), total: 0, offset: page.offset(), limit: page.limit() };
            return Ok(InboxPage { page, unread_count });
        }
        let filter = EventFilter { types: Some(types), unread_only: query.unread_only };
        let page = self.events.list(user, &filter, page).await?;
        Ok(InboxPage { page, unread_count })
    }

    /// How many notifications of `user`'s inbox are unread.
    pub async fn unread_count(&self, user: UserId) -> Result<u64, InboxError> {
        let in_app = self.in_app_types(user).await?;
        self.count(user, &in_app).await
    }

    async fn count(&self, user: UserId, types: &[EventType]) -> Result<u64, InboxError> {
        if types.is_empty() {
            return Ok(0);
        }
        Ok(self.events.unread_count(user, types).await?)
    }

    /// Marks one of `user`'s notifications read (again is harmless) and returns it as stored.
    pub async fn mark_read(&self, user: UserId, id: EventId) -> Result<StoredEvent, InboxError> {
        if !self.events.mark_read(user, id, self.clock.now()).await? {
            return Err(InboxError::NotFound);
        }
        self.events.get(user, id).await?.ok_or(InboxError::NotFound)
    }

    /// Marks every unread notification of `user`'s read; how many changed.
    pub async fn mark_all_read(&self, user: UserId) -> Result<u64, InboxError> {
        Ok(self.events.mark_all_read(user, self.clock.now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use domain::notifications::{ChannelSet, MockEventRepository, MockPreferenceRepository, NotificationPreferences};
    use domain::shared::clock::FixedClock;
    use time::macros::datetime;

    use super::*;

    fn inbox(events: MockEventRepository, prefs: NotificationPreferences) -> Inbox {
        let mut preferences = MockPreferenceRepository::new();
        preferences.expect_get().returning(move |_| Ok(prefs.clone()));
        Inbox::new(Arc::new(events), Arc::new(preferences), Arc::new(FixedClock::new(datetime!(2026-12-04 10:00 UTC))))
    }

    #[tokio::test]
    async fn lists_only_the_types_on_in_app() {
        let user = UserId::new();
        let mut events = MockEventRepository::new();
        events
            .expect_list()
            .withf(|_, f, _| {
                let types = f.types.as_ref().unwrap();
                types.contains(&EventType::BotTripped) && !types.contains(&EventType::OrderFilled) && f.unread_only
            })
            .returning(|_, _, p| Ok(Page { items: vec![], total: 0, offset: p.offset(), limit: p.limit() }));
        events.expect_unread_count().returning(|_, _| Ok(3));
        let inbox = inbox(events, NotificationPreferences::defaults(user));

        let query = InboxQuery { unread_only: true, types: None };
        let read = inbox.list(user, &query, PageRequest::new(0, 10)).await.unwrap();

        assert_eq!(read.unread_count, 3);
    }

    #[tokio::test]
    async fn a_type_filter_outside_in_app_lists_nothing_without_asking_for_every_type() {
        let user = UserId::new();
        let mut events = MockEventRepository::new();
        events.expect_list().never();
        events.expect_unread_count().returning(|_, _| Ok(1));
        let inbox = inbox(events, NotificationPreferences::defaults(user));

        let query = InboxQuery { unread_only: false, types: Some(vec![EventType::OrderFilled]) };
        let read = inbox.list(user, &query, PageRequest::new(0, 10)).await.unwrap();

        assert!(read.page.items.is_empty());
        assert_eq!(read.page.total, 0);
    }

    #[tokio::test]
    async fn nothing_on_in_app_counts_zero() {
        let user = UserId::new();
        let mut prefs = NotificationPreferences::defaults(user);
        for t in EventType::ALL {
            prefs.choose(*t, ChannelSet::empty(), datetime!(2026-12-04 10:00 UTC));
        }
        let mut events = MockEventRepository::new();
        events.expect_unread_count().never();

        assert_eq!(inbox(events, prefs).unread_count(user).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn marking_another_users_event_is_not_found() {
        let mut events = MockEventRepository::new();
        events.expect_mark_read().returning(|_, _, _| Ok(false));
        let inbox = inbox(events, NotificationPreferences::defaults(UserId::new()));

        let err = inbox.mark_read(UserId::new(), EventId::new()).await.unwrap_err();

        assert!(matches!(err, InboxError::NotFound));
    }
}
