//! Use case: the caller's closed positions as trades (entry cost, proceeds, realized profit,
//! exit reason, opened and closed times), filtered by market and time, newest first, inside
//! their plan's history window. [`TradeScope`] reads them page by page (the CSV export).

use domain::bots::{BotKind, Position, RecordFilter};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{BotId, UserId};
use domain::{Page, PageRequest};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::errors::instant;
use super::{ReportError, ReportService, Scope, Windowed};

/// A closed position of one of the caller's bots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trade {
    /// Its bot.
    pub bot_id: BotId,
    /// The bot's name.
    pub bot_name: String,
    /// The bot's strategy.
    pub strategy: BotKind,
    /// Live or paper.
    pub mode: ContextMode,
    /// The exchange.
    pub exchange: ExchangeId,
    /// The market; money is in its quote currency.
    pub symbol: Symbol,
    /// When it closed.
    pub closed_at: OffsetDateTime,
    /// When its record was written: the order trades are read in (newest first).
    pub recorded_at: OffsetDateTime,
    /// The position as it closed.
    pub position: Position,
}

impl Trade {
    /// What it cost, quote fees included: its proceeds less its realized profit (the position's
    /// own `cost` is taken down to zero as it is sold).
    pub fn cost(&self) -> Decimal {
        self.position.proceeds - self.position.realized_profit
    }

    /// Whether it won: its realized profit, net of every fee, is above zero.
    pub fn won(&self) -> bool {
        self.position.realized_profit > Decimal::ZERO
    }
}

/// The trades' filters as the client sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TradesQuery {
    /// Only this market (`BTC-BRL`).
    pub symbol: Option<String>,
    /// Closed at or after this RFC 3339 instant (moved up to the window's start).
    pub from: Option<String>,
    /// Closed before this RFC 3339 instant.
    pub to: Option<String>,
}

/// The caller's trades a query selects, to read page by page.
#[derive(Clone, Debug)]
pub struct TradeScope {
    scope: Scope,
    bots: Vec<BotId>,
    filter: RecordFilter,
}

impl TradeScope {
    /// The window applied.
    pub fn window(&self) -> domain::subscriptions::HistoryWindow {
        self.scope.window
    }

    /// One page of the trades, newest first.
    pub async fn page(&self, reports: &ReportService, page: PageRequest) -> Result<Page<Trade>, ReportError> {
        self.page_before(reports, None, page).await
    }

    /// One page of the trades recorded before `before` (all when `None`), newest first: with
    /// the `recorded_at` of the last trade read, the next page of a read that stays as fast
    /// however deep it goes (keyset paging).
    pub async fn page_before(
        &self,
        reports: &ReportService,
        before: Option<OffsetDateTime>,
        page: PageRequest,
    ) -> Result<Page<Trade>, ReportError> {
        let mut filter = self.filter.clone();
        filter.to = match (filter.to, before) {
            (Some(to), Some(before)) => Some(to.min(before)),
            (to, before) => to.or(before),
        };
        let records = reports.ports.records.of_bots(self.scope.owner, &self.bots, &filter, page).await?;
        // A record of a bot deleted since the scope was read is left out of the page.
        Ok(Page {
            total: records.total,
            offset: records.offset,
            limit: records.limit,
            items: records.items.into_iter().filter_map(|r| self.scope.trade(r)).collect(),
        })
    }
}

impl ReportService {
    /// What `query` selects of the owner's trades. Errors: `InvalidQuery` naming `symbol`,
    /// `from` or `to` (`to` must be after `from`).
    pub async fn trade_scope(&self, owner: UserId, query: &TradesQuery) -> Result<TradeScope, ReportError> {
        let symbol = match query.symbol.as_deref() {
            Some(raw) => Some(
                Symbol::parse(raw.trim())
                    .map_err(|_| ReportError::invalid("symbol", "must be a market as BASE-QUOTE, e.g. BTC-BRL"))?,
            ),
            None => None,
        };
        let from = query.from.as_deref().map(|f| instant("from", f)).transpose()?;
        let to = query.to.as_deref().map(|t| instant("to", t)).transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            if to <= from {
                return Err(ReportError::invalid("to", "must be after `from`"));
            }
        }
        let scope = self.scope(owner).await?;
        let bots = scope.ids(|b| symbol.as_ref().is_none_or(|s| *s == b.symbol));
        let filter = RecordFilter { kind: Some("position_closed"), from: scope.window.clamp(from), to };
        Ok(TradeScope { scope, bots, filter })
    }

    /// A page of the owner's trades `query` selects, newest first, inside their window.
    /// Errors: as [`Self::trade_scope`].
    pub async fn trades(
        &self,
        owner: UserId,
        query: &TradesQuery,
        page: PageRequest,
    ) -> Result<Windowed<Trade>, ReportError> {
        let scope = self.trade_scope(owner, query).await?;
        Ok(Windowed { page: scope.page(self, page).await?, window: scope.window() })
    }
}
