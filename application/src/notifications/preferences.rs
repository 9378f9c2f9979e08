//! The user's notification preferences: every event type with its category, its default
//! channels and the channels that carry it for the user; changing some types' channels.

use std::sync::Arc;

use domain::notifications::{Category, ChannelSet, EventType, NotificationPreferences, PreferenceRepository};
use domain::shared::ids::UserId;
use domain::Clock;

use crate::Unexpected;

/// Why the preferences could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum PreferencesError {
    /// The store failed.
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(PreferencesError);

/// One event type as the user has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypePreference {
    /// The type.
    pub event_type: EventType,
    /// Its category.
    pub category: Category,
    /// The channels that carry it for a user who never chose.
    pub default_channels: ChannelSet,
    /// The channels that carry it for this user.
    pub channels: ChannelSet,
}

/// Every event type as the user has it, in the documentation's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreferenceView {
    /// One entry per type.
    pub types: Vec<TypePreference>,
    /// When the user last changed them; `None` for the defaults.
    pub updated_at: Option<time::OffsetDateTime>,
}

impl From<&NotificationPreferences> for PreferenceView {
    fn from(prefs: &NotificationPreferences) -> Self {
        let types = EventType::ALL
            .iter()
            .map(|t| TypePreference {
                event_type: *t,
                category: t.category(),
                default_channels: t.default_channels(),
                channels: prefs.channels(*t),
            })
            .collect();
        Self { types, updated_at: prefs.updated_at }
    }
}

/// The preference use cases.
pub struct NotificationSettings {
    preferences: Arc<dyn PreferenceRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for NotificationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationSettings").finish_non_exhaustive()
    }
}

impl NotificationSettings {
    /// The use cases over the preference store.
    pub fn new(preferences: Arc<dyn PreferenceRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { preferences, clock }
    }

    /// `user`'s preferences for every type.
    pub async fn get(&self, user: UserId) -> Result<PreferenceView, PreferencesError> {
        Ok(PreferenceView::from(&self.preferences.get(user).await?))
    }

    /// Sets the channels of each type in `changes` (the others keep theirs) and answers every
    /// type. A change that changes nothing is not stored, so repeating one is harmless.
    pub async fn update(
        &self,
        user: UserId,
        changes: &[(EventType, ChannelSet)],
    ) -> Result<PreferenceView, PreferencesError> {
        let stored = self.preferences.get(user).await?;
        let mut prefs = stored.clone();
        // Stores keep milliseconds: the answer says what a later read will say.
        let now = self.clock.now();
        let now = now.replace_millisecond(now.millisecond()).unwrap_or(now);
        for (event_type, channels) in changes {
            prefs.choose(*event_type, *channels, now);
        }
        if prefs.chosen == stored.chosen {
            return Ok(PreferenceView::from(&stored));
        }
        prefs.user_id = user;
        self.preferences.put(&prefs).await?;
        Ok(PreferenceView::from(&prefs))
    }
}

#[cfg(test)]
mod tests {
    use domain::notifications::{Channel, MockPreferenceRepository};
    use domain::shared::clock::FixedClock;
    use time::macros::datetime;

    use super::*;

    fn settings(repo: MockPreferenceRepository) -> NotificationSettings {
        NotificationSettings::new(Arc::new(repo), Arc::new(FixedClock::new(datetime!(2026-12-04 10:00 UTC))))
    }

    #[tokio::test]
    async fn every_type_is_listed_with_its_defaults() {
        let mut repo = MockPreferenceRepository::new();
        repo.expect_get().returning(|u| Ok(NotificationPreferences::defaults(u)));

        let view = settings(repo).get(UserId::new()).await.unwrap();

        assert_eq!(view.types.len(), EventType::ALL.len());
        let filled = view.types.iter().find(|t| t.event_type == EventType::OrderFilled).unwrap();
        assert_eq!(filled.category, Category::Fill);
        assert!(filled.channels.is_empty() && filled.default_channels.is_empty());
    }

    #[tokio::test]
    async fn a_change_is_stored_and_an_unchanged_repeat_is_not() {
        let user = UserId::new();
        let mut chosen = NotificationPreferences::defaults(user);
        chosen.choose(EventType::OrderFilled, ChannelSet::of(&[Channel::InApp]), datetime!(2026-12-04 09:00 UTC));
        let stored = chosen.clone();
        let mut repo = MockPreferenceRepository::new();
        repo.expect_get().times(1).returning(move |_| Ok(stored.clone()));
        repo.expect_put().never();

        let change = [(EventType::OrderFilled, ChannelSet::of(&[Channel::InApp]))];
        let view = settings(repo).update(user, &change).await.unwrap();

        let filled = view.types.iter().find(|t| t.event_type == EventType::OrderFilled).unwrap();
        assert_eq!(filled.channels, ChannelSet::of(&[Channel::InApp]));

        let mut repo = MockPreferenceRepository::new();
        repo.expect_get().returning(|u| Ok(NotificationPreferences::defaults(u)));
        repo.expect_put().times(1).withf(move |p| p.user_id == user && p.chosen.len() == 1).returning(|_| Ok(()));
        settings(repo).update(user, &change).await.unwrap();
    }
}
