//! `/api/notifications/preferences`: which channels (in-app, e-mail, Telegram) carry each event
//! type for the caller; the defaults until they choose.

use std::collections::HashSet;

use actix_web::{get, put, web, HttpResponse};
use application::notifications::{PreferenceView, TypePreference};
use application::{FieldCode, FieldError};
use domain::notifications::{Category, Channel, ChannelSet, EventType};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::inbox::TAG;
use crate::auth::Authenticated;
use crate::error::{ApiError, TrackedJson};
use crate::state::AppState;

/// The most entries one change may hold.
const MAX_CHANGES: usize = 100;

pub(super) fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_notification_preferences).service(put_notification_preferences);
}

/// One event type as the caller has it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypePreferenceResponse {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// What it is about (`safety` and `money`: every channel by default; `trading`: in-app;
    /// `fill`: none; `account`: in-app and e-mail).
    pub category: Category,
    /// The channels that carry it for a user who never chose.
    #[schema(value_type = Vec<Channel>)]
    pub default_channels: ChannelSet,
    /// The channels that carry it for the caller.
    #[schema(value_type = Vec<Channel>)]
    pub channels: ChannelSet,
}

impl From<TypePreference> for TypePreferenceResponse {
    fn from(t: TypePreference) -> Self {
        Self {
            event_type: t.event_type,
            category: t.category,
            default_channels: t.default_channels,
            channels: t.channels,
        }
    }
}

/// Every event type with its channels.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreferencesResponse {
    /// One entry per event type.
    pub types: Vec<TypePreferenceResponse>,
    /// When the caller last changed them; `null` while they are the defaults.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<OffsetDateTime>,
}

impl From<PreferenceView> for PreferencesResponse {
    fn from(v: PreferenceView) -> Self {
        Self { types: v.types.into_iter().map(Into::into).collect(), updated_at: v.updated_at }
    }
}

/// The channels of one event type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceChange {
    /// The event type.
    #[serde(rename = "type")]
    #[schema(value_type = EventType)]
    pub event_type: String,
    /// Every channel that should carry it, each once (an empty list: none).
    #[schema(value_type = BTreeSet<Channel>, max_items = 3)]
    pub channels: Vec<String>,
}

/// A change of some types' channels; the types not named keep theirs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePreferencesRequest {
    /// The types to change, each at most once.
    #[schema(value_type = BTreeSet<PreferenceChange>, max_items = 100)]
    pub preferences: Vec<PreferenceChange>,
}

impl UpdatePreferencesRequest {
    /// The changes, or every refused field (`preferences[1].type`, `preferences[0].channels[2]`).
    pub fn try_into_domain(self) -> Result<Vec<(EventType, ChannelSet)>, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.preferences.len() > MAX_CHANGES {
            let message = format!("at most {MAX_CHANGES} entries");
            errors.push(FieldError::new("preferences", FieldCode::Length, message));
        }
        let mut seen = HashSet::new();
        let mut changes = Vec::new();
        for (i, change) in self.preferences.iter().enumerate() {
            let event_type = EventType::parse(&change.event_type);
            match event_type {
                None => errors.push(FieldError::new(
                    format!("preferences[{i}].type"),
                    FieldCode::UnknownVariant,
                    "not an event type (see GET /api/notifications/preferences)",
                )),
                Some(t) if !seen.insert(t) => errors.push(FieldError::new(
                    format!("preferences[{i}].type"),
                    FieldCode::DuplicateField,
                    "this type is named twice",
                )),
                Some(_) => {}
            }
            let mut channels = Vec::new();
            for (j, name) in change.channels.iter().enumerate() {
                match Channel::ALL.into_iter().find(|c| c.as_str() == name) {
                    Some(c) if channels.contains(&c) => errors.push(FieldError::new(
                        format!("preferences[{i}].channels[{j}]"),
                        FieldCode::DuplicateField,
                        "this channel is named twice",
                    )),
                    Some(c) => channels.push(c),
                    None => errors.push(FieldError::new(
                        format!("preferences[{i}].channels[{j}]"),
                        FieldCode::UnknownVariant,
                        "not a channel: in_app, email or telegram",
                    )),
                }
            }
            if let Some(t) = event_type {
                changes.push((t, ChannelSet::of(&channels)));
            }
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }
}

/// Every event type with its category, its default channels and the caller's channels.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "The caller's preferences", body = PreferencesResponse))
)]
#[get("/api/notifications/preferences")]
pub async fn get_notification_preferences(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let view = state.notification_preferences.get(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(PreferencesResponse::from(view)))
}

/// Set the channels of some event types (the others keep theirs); answers every type. Sending
/// the same change again changes nothing. The live stream is not filtered by preferences: it
/// carries every event.
#[utoipa::path(
    tag = TAG,
    request_body = UpdatePreferencesRequest,
    responses((status = 200, description = "The caller's preferences, changed", body = PreferencesResponse))
)]
#[put("/api/notifications/preferences")]
pub async fn put_notification_preferences(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: TrackedJson<UpdatePreferencesRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = body.into_inner().try_into_domain().map_err(ApiError::validation)?;
    let view = state.notification_preferences.update(auth.0.user_id, &changes).await?;
    Ok(HttpResponse::Ok().json(PreferencesResponse::from(view)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> UpdatePreferencesRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn unknown_types_and_channels_are_named() {
        let body = request(serde_json::json!({"preferences": [
            {"type": "order.filled", "channels": ["in_app", "sms"]},
            {"type": "order.exploded", "channels": []},
            {"type": "order.filled", "channels": []},
        ]}));

        let errors = body.try_into_domain().unwrap_err();

        let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("preferences[0].channels[1]", FieldCode::UnknownVariant),
                ("preferences[1].type", FieldCode::UnknownVariant),
                ("preferences[2].type", FieldCode::DuplicateField),
            ]
        );
    }

    #[test]
    fn a_valid_change_converts() {
        let body = request(serde_json::json!({"preferences": [{"type": "bot.tripped", "channels": ["email"]}]}));

        let changes = body.try_into_domain().unwrap();

        assert_eq!(changes, [(EventType::BotTripped, ChannelSet::of(&[Channel::Email]))]);
    }
}
