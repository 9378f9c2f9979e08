//! Reads a user's books: one per mode, exchange and quote currency, from the bots (capital,
//! realized profit to date, holdings marked at their last checked price) and the trades closed in
//! the window (bot records `position_closed`, read newest first and only back to the window's
//! start: the first time in one pass over the user's records of the window, through the
//! `record.user_id, kind, at` index; then per bot, the records added since, through the
//! `bot_id, kind, at` index).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use domain::analytics::{Book, ClosedTrade};
use domain::bots::{Bot, BotEvent, BotFilter, BotRecord, RecordFilter};
use domain::contexts::ContextMode;
use domain::exchange::ExchangeId;
use domain::shared::ids::{BotId, UserId};
use domain::shared::keyset::Keyset;
use domain::PageRequest;
use futures::stream::{self, StreamExt, TryStreamExt};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::trade_cache::{Reach, ReadTrade};
use super::{AnalyticsError, AnalyticsService};

/// Which book: never mixing live with paper, exchanges, nor quote currencies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BookKey {
    /// Live or paper.
    pub mode: ContextMode,
    /// The exchange.
    pub exchange: ExchangeId,
    /// The quote currency (`BRL`, `USDT`).
    pub quote: String,
}

/// A book and how it was read.
#[derive(Clone, Debug)]
pub struct LoadedBook {
    /// Which.
    pub key: BookKey,
    /// Its figures.
    pub book: Book,
    /// How many bots it adds up.
    pub bots: usize,
}

const PAGE: u64 = PageRequest::MAX_LIMIT;
/// The first page of a bot whose trades are cached.
const FIRST_PAGE: u64 = 16;
/// How many bots' records are read at once.
const READ_AHEAD: usize = 8;

/// A bot's holdings marked at its last checked price, less what they cost (zero without a price:
/// marked at cost). Errors: a figure beyond a `Decimal`'s range (a corrupt book).
fn unrealized(bot: &Bot) -> Result<Decimal, AnalyticsError> {
    let Some(price) = bot.last_price else { return Ok(Decimal::ZERO) };
    bot.funds
        .holdings
        .checked_mul(price)
        .and_then(|value| value.checked_sub(bot.funds.invested))
        .ok_or_else(|| anyhow::anyhow!("bot {}: holdings marked at {price} overflow", bot.id).into())
}

fn add(total: &mut Decimal, more: Decimal) -> Result<(), AnalyticsError> {
    *total = total.checked_add(more).ok_or_else(|| anyhow::anyhow!("a book's total overflows"))?;
    Ok(())
}

/// The trade a `position_closed` record holds, on `symbol` (`None` for another record).
fn closed_trade(record: &BotRecord, symbol: &str) -> Option<ReadTrade> {
    let BotEvent::PositionClosed(position) = &record.event else { return None };
    let trade = ClosedTrade {
        id: position.id.to_string(),
        symbol: symbol.to_owned(),
        opened_at: position.opened_at,
        closed_at: position.closed_at.unwrap_or(record.at),
        realized_profit: position.realized_profit,
    };
    Some(ReadTrade { record: record.id.clone(), at: record.at, trade })
}

impl AnalyticsService {
    /// Every bot of `owner`, page by page.
    async fn all_bots(&self, owner: UserId) -> Result<Vec<Bot>, AnalyticsError> {
        let mut bots = Vec::new();
        loop {
            let page = PageRequest::new(bots.len() as u64, PAGE);
            let got = self.ports.bots.list(owner, &BotFilter::default(), page).await?;
            let done = (got.items.len() as u64) < PAGE;
            bots.extend(got.items);
            if done {
                return Ok(bots);
            }
        }
    }

    /// The trades of `bot` whose record is at or after `from` (all when `None`): the cached ones
    /// and the records added since, or, the first time, every record back to `from`. A record
    /// seen twice (a page shifted by a new record) counts once.
    async fn trades(&self, bot: &Bot, from: Option<OffsetDateTime>) -> Result<Vec<ClosedTrade>, AnalyticsError> {
        let cached = self.cache.get(bot.id, from);
        let symbol = bot.symbol.to_string();
        let known = cached.as_ref().and_then(|(trades, _)| trades.first().map(|t| t.record.clone()));
        let (mut fresh, mut seen, mut offset) = (Vec::new(), HashSet::new(), 0);
        // A cached bot usually has few new records: a small first page.
        let mut size = if cached.is_some() { FIRST_PAGE } else { PAGE };
        let reach = 'pages: loop {
            let page = self.ports.records.list(bot.id, Some("position_closed"), PageRequest::new(offset, size)).await?;
            let ended = (page.items.len() as u64) < size;
            for record in page.items {
                if known.as_ref() == Some(&record.id) {
                    break 'pages None;
                }
                if let (None, Some(f)) = (&cached, from) {
                    if record.at < f {
                        break 'pages Some(Reach::Since(f));
                    }
                }
                if !seen.insert(record.id.clone()) {
                    continue;
                }
                if let Some(trade) = closed_trade(&record, &symbol) {
                    fresh.push(trade);
                }
            }
            if ended {
                // Read to the end: everything (a cached bot whose newest known record is gone
                // is read again whole).
                break Some(Reach::Everything);
            }
            offset += size;
            size = PAGE;
        };
        let (all, reach) = match (reach, cached) {
            (None, Some((old, reach))) if fresh.is_empty() => (old, reach),
            (None, Some((old, reach))) => (Arc::new(fresh.into_iter().chain(old.iter().cloned()).collect()), reach),
            // (A known record implies a cached entry: `None, None` does not happen.)
            (reach, _) => (Arc::new(fresh), reach.unwrap_or(Reach::Everything)),
        };
        let trades = all.iter().filter(|t| from.is_none_or(|f| t.at >= f)).map(|t| t.trade.clone()).collect();
        self.cache.put(bot.id, all, reach);
        Ok(trades)
    }

    /// The trades of every bot of `owner` (`bots`, none of them cached) whose record is at or
    /// after `from` (all when `None`), read in one pass over the owner's records of the window
    /// (the store serves it from the `record.user_id, kind, at` index alone, so no older record
    /// and no record's text but those read is looked at), and cached per bot. Records of bots
    /// deleted since are left out.
    async fn first_reads(
        &self,
        owner: UserId,
        bots: &[Bot],
        from: Option<OffsetDateTime>,
    ) -> Result<HashMap<BotId, Vec<ClosedTrade>>, AnalyticsError> {
        if bots.is_empty() {
            return Ok(HashMap::new());
        }
        let mut read: HashMap<BotId, Vec<ReadTrade>> = bots.iter().map(|b| (b.id, Vec::new())).collect();
        let symbols: HashMap<BotId, String> = bots.iter().map(|b| (b.id, b.symbol.to_string())).collect();
        let (mut seen, mut keyset) = (HashSet::new(), Keyset::default());
        loop {
            // Keyset paging: each page costs the same however deep the read goes.
            let filter = RecordFilter { kind: Some("position_closed"), from, to: keyset.before };
            let page = self.ports.records.of_owner(owner, &filter, keyset.page(PAGE)).await?;
            let ended = (page.len() as u64) < PAGE;
            keyset = keyset.after(&page.iter().map(|r| r.at).collect::<Vec<_>>(), PAGE);
            for record in page {
                // A record seen twice (a page shifted by a new record) counts once; the store
                // compares whole milliseconds, the window its exact start.
                if !seen.insert(record.id.clone()) || from.is_some_and(|f| record.at < f) {
                    continue;
                }
                let (Some(trades), Some(symbol)) = (read.get_mut(&record.bot_id), symbols.get(&record.bot_id)) else {
                    continue;
                };
                if let Some(trade) = closed_trade(&record, symbol) {
                    trades.push(trade);
                }
            }
            if ended {
                break;
            }
        }
        let reach = from.map_or(Reach::Everything, Reach::Since);
        Ok(read
            .into_iter()
            .map(|(bot, trades)| {
                let trades = Arc::new(trades);
                let out = trades.iter().map(|t| t.trade.clone()).collect();
                self.cache.put(bot, trades, reach);
                (bot, out)
            })
            .collect())
    }

    /// The books of `owner` with the trades closed from `from` on.
    pub(super) async fn books(
        &self,
        owner: UserId,
        from: Option<OffsetDateTime>,
    ) -> Result<Vec<LoadedBook>, AnalyticsError> {
        let bots = self.all_bots(owner).await?;
        // When no bot is cached (after a restart), one pass over the user's records of the
        // window; otherwise each bot from its cache and the records added since (a bot not
        // cached, one created since say, on its own).
        let mut first = if bots.iter().any(|b| self.cache.covers(b.id, from)) {
            HashMap::new()
        } else {
            self.first_reads(owner, &bots, from).await?
        };
        // A few bots' records at once: a remote store's round trips overlap.
        let trades: Vec<Vec<ClosedTrade>> = stream::iter(&bots)
            .map(|bot| {
                let read = first.remove(&bot.id);
                async move {
                    match read {
                        Some(trades) => Ok(trades),
                        None => self.trades(bot, from).await,
                    }
                }
            })
            .buffered(READ_AHEAD)
            .try_collect()
            .await?;
        let mut books: BTreeMap<BookKey, LoadedBook> = BTreeMap::new();
        for (bot, trades) in bots.into_iter().zip(trades) {
            let key = BookKey { mode: bot.mode, exchange: bot.exchange, quote: bot.symbol.quote().to_string() };
            let entry = books.entry(key.clone()).or_insert_with(|| LoadedBook { key, book: Book::default(), bots: 0 });
            entry.bots += 1;
            add(&mut entry.book.capital, bot.funds.allocated)?;
            add(&mut entry.book.realized, bot.funds.realized_profit)?;
            add(&mut entry.book.unrealized, unrealized(&bot)?)?;
            entry.book.trades.extend(trades);
        }
        Ok(books.into_values().collect())
    }
}
