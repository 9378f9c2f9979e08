//! Which channels carry which event types for a user: [`EventType::default_channels`] unless the
//! user chose otherwise for that type. Outbound webhooks are not a channel here: each endpoint
//! has its own event filter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::types::EventType;
use crate::shared::ids::UserId;

/// A way to tell the user.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The notification list (`GET /api/notifications`).
    InApp,
    /// An e-mail to the account's address.
    Email,
    /// A message to the user's linked Telegram chat.
    Telegram,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::InApp, Channel::Email, Channel::Telegram];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InApp => "in_app",
            Channel::Email => "email",
            Channel::Telegram => "telegram",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of channels; a list of names on the wire (`["in_app", "email"]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChannelSet(u8);

impl ChannelSet {
    /// No channel.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// The set of `channels`.
    pub fn of(channels: &[Channel]) -> Self {
        Self(channels.iter().fold(0, |bits, c| bits | c.bit()))
    }

    /// Whether it holds `channel`.
    pub fn contains(self, channel: Channel) -> bool {
        self.0 & channel.bit() != 0
    }

    /// Whether it holds none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Its channels, in [`Channel::ALL`]'s order.
    pub fn channels(self) -> Vec<Channel> {
        Channel::ALL.into_iter().filter(|c| self.contains(*c)).collect()
    }
}

impl Serialize for ChannelSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.channels().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ChannelSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::of(&Vec::<Channel>::deserialize(d)?))
    }
}

/// A user's choices: the channels of each event type they changed; every other type keeps its
/// defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPreferences {
    /// The user.
    pub user_id: UserId,
    /// The types the user changed, with the channels they chose.
    pub chosen: BTreeMap<EventType, ChannelSet>,
    /// Last change; `None` for the defaults of a user who never chose.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

impl NotificationPreferences {
    /// The defaults of a user who never chose.
    pub fn defaults(user_id: UserId) -> Self {
        Self { user_id, chosen: BTreeMap::new(), updated_at: None }
    }

    /// The channels that carry `event_type` for this user.
    pub fn channels(&self, event_type: EventType) -> ChannelSet {
        self.chosen.get(&event_type).copied().unwrap_or_else(|| event_type.default_channels())
    }

    /// Whether `channel` carries `event_type` for this user.
    pub fn allows(&self, event_type: EventType, channel: Channel) -> bool {
        self.channels(event_type).contains(channel)
    }

    /// The types `channel` carries for this user.
    pub fn types_on(&self, channel: Channel) -> Vec<EventType> {
        EventType::ALL.iter().copied().filter(|t| self.allows(*t, channel)).collect()
    }

    /// Sets the channels of `event_type`; a choice equal to the default is forgotten, so a later
    /// change of the defaults reaches the type.
    pub fn choose(&mut self, event_type: EventType, channels: ChannelSet, at: OffsetDateTime) {
        if channels == event_type.default_channels() {
            self.chosen.remove(&event_type);
        } else {
            self.chosen.insert(event_type, channels);
        }
        self.updated_at = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn defaults_until_chosen() {
        let mut prefs = NotificationPreferences::defaults(UserId::new());
        assert!(!prefs.allows(EventType::OrderFilled, Channel::InApp));
        prefs.choose(EventType::OrderFilled, ChannelSet::of(&[Channel::InApp]), datetime!(2026-12-04 10:00 UTC));
        assert!(prefs.allows(EventType::OrderFilled, Channel::InApp));
        assert!(!prefs.allows(EventType::OrderFilled, Channel::Email));
        assert!(prefs.types_on(Channel::InApp).contains(&EventType::OrderFilled));
        prefs.choose(EventType::OrderFilled, ChannelSet::empty(), datetime!(2026-12-04 10:01 UTC));
        assert!(prefs.chosen.is_empty(), "a choice equal to the default is forgotten");
    }

    #[test]
    fn a_channel_set_is_a_list_of_names() {
        let set = ChannelSet::of(&[Channel::Telegram, Channel::InApp]);
        assert_eq!(serde_json::to_value(set).unwrap(), serde_json::json!(["in_app", "telegram"]));
        let back: ChannelSet = serde_json::from_value(serde_json::json!(["email"])).unwrap();
        assert_eq!(back, ChannelSet::of(&[Channel::Email]));
        assert!(serde_json::from_value::<ChannelSet>(serde_json::json!(["sms"])).is_err());
    }
}
