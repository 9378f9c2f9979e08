//! Use cases: read one bot, list them with filters, delete one, and read its records: signals,
//! DCA executions, positions (open ones from the bot, closed ones from its records).

use domain::bots::{Bot, BotEvent, BotFilter, BotKind, BotRecord, BotStatus, Position, RecordFilter};
use domain::shared::ids::{BotId, ContextId, UserId};
use domain::{Page, PageRequest};

use super::{bot_not_found, BotService, BotServiceError};
use crate::reports::Windowed;

/// List filters, each one the bots must match (`None`: any).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BotListQuery {
    /// Their context.
    pub context_id: Option<ContextId>,
    /// Their kind.
    pub kind: Option<BotKind>,
    /// Their status.
    pub status: Option<BotStatus>,
}

/// A position as listed: open or scheduled (from the bot) or closed (from its records).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionView {
    /// The position.
    pub position: Position,
    /// Its entry price (fees included), while it holds something.
    pub entry_price: Option<rust_decimal::Decimal>,
}

impl BotListQuery {
    fn filter(&self) -> BotFilter {
        BotFilter { context: self.context_id, kind: self.kind, status: self.status }
    }
}

impl BotService {
    /// The owner's bot. Errors: `NotFound`.
    pub async fn get(&self, owner: UserId, id: BotId) -> Result<Bot, BotServiceError> {
        self.ports.bots.get(owner, id).await.map_err(bot_not_found)
    }

    /// The owner's bots matching `query`, oldest first.
    pub async fn list(
        &self,
        owner: UserId,
        query: &BotListQuery,
        page: PageRequest,
    ) -> Result<Page<Bot>, BotServiceError> {
        Ok(self.ports.bots.list(owner, &query.filter(), page).await?)
    }

    /// Deletes a bot that is not running and has no pending order (its records stay for audit).
    /// Errors: `NotFound`, `Running`, `OrdersPending`.
    pub async fn delete(&self, owner: UserId, id: BotId) -> Result<(), BotServiceError> {
        let bot = self.get(owner, id).await?;
        if !matches!(bot.status, BotStatus::Created | BotStatus::Stopped) {
            return Err(BotServiceError::Running { status: bot.status.as_str() });
        }
        if !bot.pending.is_empty() {
            return Err(BotServiceError::OrdersPending);
        }
        self.ports.bots.delete(owner, bot.id).await.map_err(bot_not_found)?;
        self.touched(owner);
        Ok(())
    }

    /// The bot's records of `kind` inside the owner's history window, newest first.
    async fn records(
        &self,
        bot: &Bot,
        kind: &'static str,
        page: PageRequest,
    ) -> Result<Windowed<BotRecord>, BotServiceError> {
        let window = self.ports.subscriptions.history_window(bot.user_id).await?;
        let filter = RecordFilter { kind: Some(kind), from: window.from, to: None };
        Ok(Windowed { page: self.ports.records.of_bots(bot.user_id, &[bot.id], &filter, page).await?, window })
    }

    /// A candle bot's analyses inside the plan's history window, newest first.
    /// Errors: `NotFound`, `NotForKind`.
    pub async fn signals(
        &self,
        owner: UserId,
        id: BotId,
        page: PageRequest,
    ) -> Result<Windowed<BotRecord>, BotServiceError> {
        let bot = self.of_kind(owner, id, BotKind::Candle).await?;
        self.records(&bot, "signal", page).await
    }

    /// A DCA bot's purchases inside the plan's history window, newest first.
    /// Errors: `NotFound`, `NotForKind`.
    pub async fn executions(
        &self,
        owner: UserId,
        id: BotId,
        page: PageRequest,
    ) -> Result<Windowed<BotRecord>, BotServiceError> {
        let bot = self.of_kind(owner, id, BotKind::Dca).await?;
        self.records(&bot, "execution", page).await
    }

    async fn of_kind(&self, owner: UserId, id: BotId, kind: BotKind) -> Result<Bot, BotServiceError> {
        let bot = self.get(owner, id).await?;
        if bot.kind() != kind {
            return Err(BotServiceError::NotForKind { kind });
        }
        Ok(bot)
    }

    /// Open and scheduled positions (current state: all of them), then the closed ones inside
    /// the plan's history window, newest first (`page` applies to the closed ones).
    pub async fn positions(
        &self,
        owner: UserId,
        id: BotId,
        page: PageRequest,
    ) -> Result<(Vec<PositionView>, Windowed<PositionView>), BotServiceError> {
        let bot = self.get(owner, id).await?;
        let open =
            bot.positions.iter().map(|p| PositionView { entry_price: p.entry_price(), position: p.clone() }).collect();
        let Windowed { page: closed, window } = self.records(&bot, "position_closed", page).await?;
        let closed = Page {
            items: closed
                .items
                .into_iter()
                .filter_map(|r| match r.event {
                    BotEvent::PositionClosed(p) => Some(PositionView { entry_price: None, position: p }),
                    _ => None,
                })
                .collect(),
            total: closed.total,
            offset: closed.offset,
            limit: closed.limit,
        };
        Ok((open, Windowed { page: closed, window }))
    }
}
