//! Ports of the bot aggregate: the bots themselves and their records (signals, DCA executions,
//! closed positions, alerts), kept apart so a bot stays small however long it runs.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Bot, BotEvent, BotKind, BotStatus};
use crate::exchange::ExchangeId;
use crate::market::Symbol;
use crate::shared::error::RepoError;
use crate::shared::ids::{BotId, ContextId, UserId};
use crate::shared::page::{Page, PageRequest};

/// Which of a user's bots to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BotFilter {
    /// In this context.
    pub context: Option<ContextId>,
    /// Of this kind.
    pub kind: Option<BotKind>,
    /// In this status.
    pub status: Option<BotStatus>,
}

/// Stores bots (collection `bots`, which usage counting reads).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait BotRepository: Send + Sync {
    /// Inserts.
    async fn create(&self, bot: &Bot) -> Result<Bot, RepoError>;
    /// The owner's bot. Errors: `NotFound` (also for another user's id).
    async fn get(&self, owner: UserId, id: BotId) -> Result<Bot, RepoError>;
    /// Any bot, for the engine. Errors: `NotFound`.
    async fn find(&self, id: BotId) -> Result<Bot, RepoError>;
    /// The owner's bots matching `filter`, oldest first.
    async fn list(&self, owner: UserId, filter: &BotFilter, page: PageRequest) -> Result<Page<Bot>, RepoError>;
    /// How many bots the owner has.
    async fn count(&self, owner: UserId) -> Result<u64, RepoError>;
    /// Every bot the engine evaluates (running, paused or tripped) of `kinds`, optionally in one market.
    async fn evaluated(&self, kinds: &[BotKind], market: Option<(ExchangeId, Symbol)>) -> Result<Vec<Bot>, RepoError>;
    /// Replaces under a version check; returns the bot with its new version. Errors: `Conflict`, `NotFound`.
    async fn update(&self, bot: &Bot) -> Result<Bot, RepoError>;
    /// [`Self::update`] of a bot whose evaluation changed only its mark and bookkeeping (its last
    /// checked price, trailing highs, ignored ticks), not its books, trades or status: what the
    /// per-user caches of the dashboard's figures need not hear of (the data version is not
    /// moved, `domain::shared::data_version`). The same write as `update` otherwise.
    async fn update_mark(&self, bot: &Bot) -> Result<Bot, RepoError> {
        self.update(bot).await
    }
    /// Deletes the owner's bot. Errors: `NotFound`.
    async fn delete(&self, owner: UserId, id: BotId) -> Result<(), RepoError>;
}

/// One recorded event of a bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotRecord {
    /// Record id (a ULID string: time-sortable).
    pub id: String,
    /// The bot.
    pub bot_id: BotId,
    /// Its owner.
    pub user_id: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What.
    pub event: BotEvent,
}

impl BotRecord {
    /// The record of `event` of `bot` at `at`.
    pub fn new(bot: &Bot, event: BotEvent, at: OffsetDateTime) -> Self {
        Self { id: ulid::Ulid::new().to_string(), bot_id: bot.id, user_id: bot.user_id, at, event }
    }

    /// The event's name (`signal`, `execution`, `position_closed`, …), the filter of `list`.
    pub fn kind(&self) -> &'static str {
        self.event.name()
    }
}

/// Which records to read (every field that is set must match).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// Only this kind (`signal`, `execution`, `position_closed`, …).
    pub kind: Option<&'static str>,
    /// Only recorded at or after this instant (a history window's start).
    pub from: Option<OffsetDateTime>,
    /// Only recorded before this instant.
    pub to: Option<OffsetDateTime>,
}

/// Stores bot records (collection `bot_records`).
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait BotRecordRepository: Send + Sync {
    /// Appends records.
    async fn append(&self, records: &[BotRecord]) -> Result<(), RepoError>;
    /// A bot's records of one kind (all when `None`), newest first.
    async fn list(
        &self,
        bot: BotId,
        kind: Option<&'static str>,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError>;
    /// The owner's records of any of `bots` matching `filter`, newest first (ties by id, newest
    /// first); the filter is applied by the store, so a history window never reads older records.
    async fn of_bots(
        &self,
        owner: UserId,
        bots: &[BotId],
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<BotRecord>, RepoError>;
    /// One page of the owner's records of every bot (deleted ones too) matching `filter`, newest
    /// first (ties by id, newest first), without a total: found through the
    /// `record.user_id, kind, at` index alone (where [`Self::of_bots`] must also look at each
    /// record's bot), and not counted (a count looks at every record left, each page again).
    async fn of_owner(
        &self,
        owner: UserId,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Vec<BotRecord>, RepoError>;
}
