//! The fast read of `position_closed` bot records, which the dashboard's analytics, the reports
//! and the trades export read by the thousand. A record's event is an internally tagged enum
//! (`{"event": "position_closed", ...the position's fields}`), which serde can only decode by
//! first buffering the whole object; a query that asks for this kind alone knows the variant, so
//! it decodes the event straight as a [`Position`] (which ignores the `event` tag as it ignores
//! any field it does not know). The stored form is unchanged: both reads give the same record.

use domain::bots::{BotEvent, BotRecord, Position};
use domain::shared::ids::{BotId, UserId};
use domain::RepoError;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::store::malformed;

/// The kind this read serves.
pub(super) const POSITION_CLOSED: &str = "position_closed";

/// A stored `position_closed` record, as read (the stored form is `RecordDocument`'s).
#[derive(Deserialize)]
pub(super) struct ClosedRecordDocument {
    #[serde(rename = "_id")]
    id: String,
    kind: String,
    record: ClosedRecord,
}

/// [`BotRecord`] with its event known to be a closed position.
#[derive(Deserialize)]
struct ClosedRecord {
    id: String,
    bot_id: BotId,
    user_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    event: Position,
}

impl ClosedRecordDocument {
    /// The record. Errors: `Unavailable` for a record of another kind (the query asked for
    /// `position_closed` only, so the store or the document is wrong).
    pub(super) fn into_record(self) -> Result<BotRecord, RepoError> {
        if self.kind != POSITION_CLOSED {
            return Err(malformed(format!("bot record {} of kind {} read as position_closed", self.id, self.kind)));
        }
        let ClosedRecord { id, bot_id, user_id, at, event } = self.record;
        Ok(BotRecord { id, bot_id, user_id, at, event: BotEvent::PositionClosed(event) })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use domain::bots::{ExitReason, PositionStatus};
    use domain::shared::ids::PositionId;

    fn stored(record: &BotRecord) -> String {
        let doc = json!({"_id": record.id, "bot_id": record.bot_id, "kind": record.kind(), "at": 1,
            "version": 1, "record": record});
        doc.to_string()
    }

    fn closed() -> BotRecord {
        let mut position = Position::new(PositionId::new(), datetime!(2026-01-01 10:00 UTC));
        position.status = PositionStatus::Closed;
        position.quantity = dec!(0.5);
        position.cost = dec!(50.05);
        position.sold_quantity = dec!(0.5);
        position.proceeds = dec!(48.9);
        position.realized_profit = dec!(-1.15);
        position.exit_reason = Some(ExitReason::StopLoss);
        position.closed_at = Some(datetime!(2026-01-02 11:30:00.123 UTC));
        BotRecord {
            id: "01JREC".into(),
            bot_id: BotId::new(),
            user_id: UserId::new(),
            at: datetime!(2026-01-02 11:30:00.123 UTC),
            event: BotEvent::PositionClosed(position),
        }
    }

    #[test]
    fn reads_the_same_record_as_the_generic_read() {
        let record = closed();
        let text = stored(&record);
        let fast: ClosedRecordDocument = serde_json::from_str(&text).unwrap();
        assert_eq!(fast.into_record().unwrap(), record);
    }

    #[test]
    fn a_record_of_another_kind_is_refused() {
        let mut record = closed();
        record.event = BotEvent::Finished { reason: "done".into() };
        let mut doc: serde_json::Value = serde_json::from_str(&stored(&record)).unwrap();
        // A finished event has no position's fields: only a lying `kind` could get it here.
        doc["record"]["event"] = serde_json::to_value(closed().event).unwrap();
        doc["kind"] = json!("finished");
        let fast: ClosedRecordDocument = serde_json::from_value(doc).unwrap();
        assert!(matches!(fast.into_record(), Err(RepoError::Unavailable(_))));
    }
}
