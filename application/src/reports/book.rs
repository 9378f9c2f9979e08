//! The scope of a report: the caller's bots (what each record's bot is: its strategy, market
//! and mode) and the history window of their plan, read once per report.

use std::collections::BTreeMap;

use domain::bots::{BotEvent, BotFilter, BotKind, BotRecord, Position, RecordFilter};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::shared::ids::{BotId, UserId};
use domain::subscriptions::HistoryWindow;

use super::{read_all, ReportError, ReportService, Trade};

/// What a report needs to know of one of the caller's bots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotEntry {
    /// Id.
    pub id: BotId,
    /// Its name.
    pub name: String,
    /// Its strategy.
    pub kind: BotKind,
    /// Live or paper (never summed together).
    pub mode: ContextMode,
    /// Its exchange.
    pub exchange: ExchangeId,
    /// Its market (the quote currency its money is counted in).
    pub symbol: Symbol,
    /// Its open and scheduled positions (current state, never cut by the window).
    pub open: Vec<Position>,
}

/// The caller's bots and their plan's history window.
#[derive(Clone, Debug)]
pub struct Scope {
    /// Whose.
    pub owner: UserId,
    bots: BTreeMap<BotId, BotEntry>,
    /// The window every history read of the report is cut to.
    pub window: HistoryWindow,
}

impl Scope {
    /// The caller's bots, by id.
    pub fn bots(&self) -> impl Iterator<Item = &BotEntry> {
        self.bots.values()
    }

    /// The ids of the bots `keep` selects.
    pub fn ids(&self, keep: impl Fn(&BotEntry) -> bool) -> Vec<BotId> {
        self.bots.values().filter(|b| keep(b)).map(|b| b.id).collect()
    }

    /// A closed-position record as a trade of its bot (other records, and records of bots no
    /// longer there, are none).
    pub fn trade(&self, record: BotRecord) -> Option<Trade> {
        let bot = self.bots.get(&record.bot_id)?;
        match record.event {
            BotEvent::PositionClosed(position) => Some(Trade {
                bot_id: bot.id,
                bot_name: bot.name.clone(),
                strategy: bot.kind,
                mode: bot.mode,
                exchange: bot.exchange,
                symbol: bot.symbol.clone(),
                closed_at: position.closed_at.unwrap_or(record.at),
                recorded_at: record.at,
                position,
            }),
            _ => None,
        }
    }
}

impl ReportService {
    /// The owner's bots and window. Errors: `Unexpected`.
    pub(crate) async fn scope(&self, owner: UserId) -> Result<Scope, ReportError> {
        let window = self.ports.subscriptions.history_window(owner).await?;
        let filter = BotFilter::default();
        let all = read_all(|page| self.ports.bots.list(owner, &filter, page)).await?;
        let bots = all
            .into_iter()
            .map(|b| {
                let entry = BotEntry {
                    id: b.id,
                    kind: b.kind(),
                    name: b.name,
                    mode: b.mode,
                    exchange: b.exchange,
                    symbol: b.symbol,
                    open: b.positions,
                };
                (entry.id, entry)
            })
            .collect();
        Ok(Scope { owner, bots, window })
    }

    /// Every closed position of `bots` recorded inside `from..to`, newest first.
    pub(crate) async fn all_trades(
        &self,
        scope: &Scope,
        bots: &[BotId],
        from: Option<time::OffsetDateTime>,
    ) -> Result<Vec<Trade>, ReportError> {
        let filter = RecordFilter { kind: Some("position_closed"), from, to: None };
        let records = read_all(|page| self.ports.records.of_bots(scope.owner, bots, &filter, page)).await?;
        Ok(records.into_iter().filter_map(|r| scope.trade(r)).collect())
    }
}
