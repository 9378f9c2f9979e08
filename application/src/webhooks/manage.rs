//! Use cases: register an endpoint (its secret shown once), list and read them, change the URL,
//! the events or whether it is on, rotate the secret, delete one.

use std::collections::BTreeSet;

use base64::Engine as _;
use domain::notifications::EventType;
use domain::shared::ids::UserId;
use domain::shared::secret::Secret;
use domain::webhooks::{DestinationError, EndpointUrl, EventSelection, UrlError, WebhookEndpoint, WebhookEndpointId};
use domain::{Page, PageRequest};
use rand::RngCore;

use super::{EndpointView, WebhookError, WebhookService, MAX_ENDPOINTS};
use crate::{FieldCode, FieldError};

/// The longest description, in characters.
const MAX_DESCRIPTION: usize = 200;

/// A new endpoint as submitted.
#[derive(Clone, Debug)]
pub struct CreateEndpointInput {
    /// Where to POST.
    pub url: String,
    /// `["*"]` for every event type, or type names.
    pub events: Vec<String>,
    /// A note.
    pub description: Option<String>,
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UpdateEndpointInput {
    /// A new URL.
    pub url: Option<String>,
    /// A new event selection.
    pub events: Option<Vec<String>>,
    /// A new note (an empty one clears it).
    pub description: Option<String>,
    /// Switch it on or off.
    pub enabled: Option<bool>,
}

/// A registered endpoint with its signing secret: the only time the secret is shown.
#[derive(Debug)]
pub struct EndpointCreated {
    /// The endpoint.
    pub endpoint: EndpointView,
    /// `whsec_...`.
    pub secret: Secret,
}

/// A fresh signing secret: `whsec_` and 32 random bytes in unpadded base64url.
fn new_secret() -> Secret {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    Secret::new(format!("whsec_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// The event selection `names` state: `["*"]` or known type names, at least one.
fn parse_events(names: &[String], errors: &mut Vec<FieldError>) -> Option<EventSelection> {
    if names.is_empty() {
        errors.push(FieldError::new("events", FieldCode::Required, "list `*` or at least one event type"));
        return None;
    }
    if names.iter().any(|n| n == "*") {
        if names.len() > 1 {
            errors.push(FieldError::new("events", FieldCode::Invalid, "`*` (every event type) stands alone"));
            return None;
        }
        return Some(EventSelection::All);
    }
    let mut types = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        match EventType::parse(name) {
            Some(t) if !types.insert(t) => errors.push(FieldError::new(
                format!("events[{i}]"),
                FieldCode::DuplicateField,
                format!("`{name}` is listed twice"),
            )),
            Some(_) => {}
            None => errors.push(FieldError::new(
                format!("events[{i}]"),
                FieldCode::UnknownVariant,
                format!("`{name}` is not an event type (see GET /api/notifications/preferences or the docs)"),
            )),
        }
    }
    Some(EventSelection::Only(types))
}

fn check_description(description: &str, errors: &mut Vec<FieldError>) {
    if description.chars().count() > MAX_DESCRIPTION || description.chars().any(char::is_control) {
        let message = format!("at most {MAX_DESCRIPTION} characters, no control characters");
        errors.push(FieldError::new("description", FieldCode::InvalidLength, message));
    }
}

impl WebhookService {
    /// The URL `raw` names, checked where it leads (after DNS resolution).
    async fn destination(&self, raw: &str, errors: &mut Vec<FieldError>) -> Option<EndpointUrl> {
        let url = match EndpointUrl::parse(raw, self.config.allow_http) {
            Ok(url) => url,
            Err(err) => {
                let code = if err == UrlError::NotHttps { FieldCode::NotAllowed } else { FieldCode::Url };
                errors.push(FieldError::new("url", code, err.to_string()));
                return None;
            }
        };
        match self.ports.transport.check(&url).await {
            Ok(()) => Some(url),
            Err(err) => {
                let code = match err {
                    DestinationError::Forbidden { .. } => FieldCode::NotAllowed,
                    DestinationError::Malformed(_) => FieldCode::Url,
                    DestinationError::Unresolvable => FieldCode::Unresolvable,
                };
                errors.push(FieldError::new("url", code, err.to_string()));
                None
            }
        }
    }

    /// Registers an endpoint with a fresh secret, shown in the answer only.
    /// Errors: `Invalid` (`url`, `events`, `description`), `LimitReached`.
    pub async fn create(&self, owner: UserId, input: CreateEndpointInput) -> Result<EndpointCreated, WebhookError> {
        let mut errors = Vec::new();
        let events = parse_events(&input.events, &mut errors);
        if let Some(d) = &input.description {
            check_description(d, &mut errors);
        }
        let url = self.destination(&input.url, &mut errors).await;
        let (Some(url), Some(events), true) = (url, events, errors.is_empty()) else {
            return Err(WebhookError::Invalid(errors));
        };
        if self.ports.endpoints.count_of(owner).await? >= MAX_ENDPOINTS {
            return Err(WebhookError::LimitReached { limit: MAX_ENDPOINTS });
        }
        let secret = new_secret();
        let now = self.now();
        let endpoint = WebhookEndpoint {
            id: WebhookEndpointId::new(),
            user_id: owner,
            url,
            events,
            description: input.description.filter(|d| !d.is_empty()),
            secret: self.ports.cipher.encrypt(&secret)?,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let stored = self.ports.endpoints.create(&endpoint).await?;
        Ok(EndpointCreated { endpoint: EndpointView::from(&stored), secret })
    }

    /// The owner's endpoints, oldest first.
    pub async fn list(&self, owner: UserId, page: PageRequest) -> Result<Page<EndpointView>, WebhookError> {
        let page = self.ports.endpoints.list(owner, page).await?;
        Ok(page.map(|e| EndpointView::from(&e)))
    }

    /// One of the owner's endpoints. Errors: `NotFound`.
    pub async fn get(&self, owner: UserId, id: WebhookEndpointId) -> Result<EndpointView, WebhookError> {
        let endpoint = self.ports.endpoints.get(owner, id).await.map_err(WebhookError::from_lookup)?;
        Ok(EndpointView::from(&endpoint))
    }

    /// Changes an endpoint. Errors: `NotFound`, `Invalid`.
    pub async fn update(
        &self,
        owner: UserId,
        id: WebhookEndpointId,
        input: UpdateEndpointInput,
    ) -> Result<EndpointView, WebhookError> {
        let mut endpoint = self.ports.endpoints.get(owner, id).await.map_err(WebhookError::from_lookup)?;
        let mut errors = Vec::new();
        let events = input.events.as_deref().map(|names| parse_events(names, &mut errors));
        if let Some(d) = &input.description {
            check_description(d, &mut errors);
        }
        let url = match &input.url {
            Some(raw) => Some(self.destination(raw, &mut errors).await),
            None => None,
        };
        if !errors.is_empty() {
            return Err(WebhookError::Invalid(errors));
        }
        let now = self.now();
        if let Some(Some(url)) = url {
            endpoint.url = url;
        }
        if let Some(Some(events)) = events {
            endpoint.events = events;
        }
        if let Some(description) = input.description {
            endpoint.description = Some(description).filter(|d| !d.is_empty());
        }
        if let Some(enabled) = input.enabled {
            endpoint.set_enabled(enabled, now);
        }
        endpoint.updated_at = now;
        let stored = self.ports.endpoints.update(&endpoint).await?;
        Ok(EndpointView::from(&stored))
    }

    /// Replaces an endpoint's secret with a fresh one, shown in the answer only; deliveries are
    /// signed with the new one from now on. Errors: `NotFound`.
    pub async fn rotate_secret(&self, owner: UserId, id: WebhookEndpointId) -> Result<EndpointCreated, WebhookError> {
        let mut endpoint = self.ports.endpoints.get(owner, id).await.map_err(WebhookError::from_lookup)?;
        let secret = new_secret();
        endpoint.secret = self.ports.cipher.encrypt(&secret)?;
        endpoint.updated_at = self.now();
        let stored = self.ports.endpoints.update(&endpoint).await?;
        Ok(EndpointCreated { endpoint: EndpointView::from(&stored), secret })
    }

    /// Deletes an endpoint and its deliveries. Errors: `NotFound`.
    pub async fn delete(&self, owner: UserId, id: WebhookEndpointId) -> Result<(), WebhookError> {
        self.ports.endpoints.delete(owner, id).await.map_err(WebhookError::from_lookup)?;
        self.ports.deliveries.delete_of_endpoint(owner, id).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_selection_is_a_star_or_known_types() {
        let mut errors = Vec::new();
        assert_eq!(parse_events(&names(&["*"]), &mut errors), Some(EventSelection::All));
        let only = parse_events(&names(&["order.filled", "bot.tripped"]), &mut errors);
        assert_eq!(only, Some(EventSelection::Only([EventType::OrderFilled, EventType::BotTripped].into())));
        assert!(errors.is_empty());
        parse_events(&names(&["order.filled", "nope"]), &mut errors);
        parse_events(&names(&[]), &mut errors);
        parse_events(&names(&["*", "order.filled"]), &mut errors);
        parse_events(&names(&["bot.tripped", "order.filled", "bot.tripped"]), &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        let expected = [
            ("events[1]", "unknown_variant"),
            ("events", "required"),
            ("events", "invalid"),
            ("events[2]", "duplicate_field"),
        ];
        assert_eq!(fields, expected);
    }

    #[test]
    fn secrets_are_prefixed_random_and_long() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.expose().starts_with("whsec_") && a.expose().len() == 6 + 43);
        assert_ne!(a.expose(), b.expose());
    }
}
