//! [`DeliveryId`]: the typed id of a webhook delivery, `<event id>:<endpoint id>` (both ULIDs).

use std::fmt;
use std::str::FromStr;

use super::endpoint::WebhookEndpointId;
use crate::shared::ids::EventId;

/// Identifies one event's delivery to one endpoint; written `<event id>:<endpoint id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeliveryId {
    /// The event delivered.
    pub event: EventId,
    /// The endpoint it goes to.
    pub endpoint: WebhookEndpointId,
}

impl DeliveryId {
    /// The id of `event`'s delivery to `endpoint`.
    pub fn new(event: EventId, endpoint: WebhookEndpointId) -> Self {
        Self { event, endpoint }
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.event, self.endpoint)
    }
}

/// The text is not two ULIDs joined by `:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a delivery id is `<event id>:<endpoint id>`")]
pub struct MalformedDeliveryId;

impl FromStr for DeliveryId {
    type Err = MalformedDeliveryId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (event, endpoint) = s.split_once(':').ok_or(MalformedDeliveryId)?;
        Ok(Self {
            event: EventId::parse(event).ok_or(MalformedDeliveryId)?,
            endpoint: WebhookEndpointId::parse(endpoint).ok_or(MalformedDeliveryId)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_round_trips_through_its_text() {
        let id = DeliveryId::new(EventId::new(), WebhookEndpointId::new());
        assert_eq!(id.to_string().parse::<DeliveryId>(), Ok(id));
        assert_eq!(id.to_string(), super::super::Delivery::id_of(id.event, id.endpoint));
        for bad in ["", "x", "x:y", &id.event.to_string(), &format!("{}:", id.event), &format!("{id}:x")] {
            assert_eq!(bad.parse::<DeliveryId>(), Err(MalformedDeliveryId), "{bad}");
        }
    }
}
