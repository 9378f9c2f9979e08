//! Use case: the dashboard summary (`GET /api/dashboard/summary`). Per mode and quote currency
//! (never converted into each other: botfleet has no exchange rate to do it with), per strategy
//! and per context: capital invested, cost basis in positions, realized and unrealized P&L, fees,
//! win rate, trades, active bots and pending orders. docs/dashboard.md gives every formula.
//!
//! The stores' figures (bots' books, trade counts, open orders) are cached per user for
//! [`SUMMARY_TTL`] and dropped when the engine applies a fill; prices are read on every call,
//! through the market service (and the live exchanges' shared market-data cache).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use domain::bots::{Bot, BotEvent, BotRecordRepository, BotRepository};
use domain::contexts::ContextRepository;
use domain::orders::OrderRepository;
use domain::shared::ids::UserId;
use domain::{Clock, Page, PageRequest, RepoError};
use futures::future::join_all;

use super::summary_book::{Book, MarketKey};
use super::summary_figures::{MarketPrice, Summary};
use crate::exchanges::mode_name;
use crate::market::MarketService;
use crate::user_cache::UserCache;
use crate::Unexpected;

/// How long the heavy figures are served from the cache: the catalogue's 60 s.
pub const SUMMARY_TTL: time::Duration = time::Duration::seconds(60);

/// The per-user cache of the summary's [`Book`] (one per user), dropped on a fill.
pub type SummaryCache = UserCache<(), Book>;

/// How long a ticker read may take before its market is reported unpriced.
pub const PRICE_TIMEOUT: Duration = Duration::from_secs(3);

/// What the summary reads.
#[derive(Clone)]
pub struct SummaryPorts {
    /// Bots (their books and trade counts).
    pub bots: Arc<dyn BotRepository>,
    /// Bot records (the wins of bots that closed trades before wins were counted).
    pub records: Arc<dyn BotRecordRepository>,
    /// Orders (the open ones).
    pub orders: Arc<dyn OrderRepository>,
    /// Contexts (the mode of each order's context, and contexts without bots).
    pub contexts: Arc<dyn ContextRepository>,
    /// Tickers.
    pub market: Arc<MarketService>,
    /// Time (`as_of`, when prices were read, the cache's age).
    pub clock: Arc<dyn Clock>,
    /// The per-user cache, which the engine also tells of fills.
    pub cache: Arc<SummaryCache>,
}

impl std::fmt::Debug for SummaryPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryPorts").finish_non_exhaustive()
    }
}

/// Why the summary cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// The store failed (a price that cannot be read is not an error: its figures are `null`).
    #[error(transparent)]
    Unexpected(Unexpected),
}

crate::unexpected_from!(SummaryError);

/// The dashboard's read models (the summary).
#[derive(Debug)]
pub struct DashboardService {
    ports: SummaryPorts,
}

/// Every item of a paged list, page by page (`read` gets each page request).
async fn every_page<T, F, Fut>(mut read: F) -> Result<Vec<T>, RepoError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, RepoError>>,
{
    let mut all = Vec::new();
    loop {
        let page = read(PageRequest::new(all.len() as u64, PageRequest::MAX_LIMIT)).await?;
        let last = page.items.len() < PageRequest::MAX_LIMIT as usize;
        all.extend(page.items);
        if last || all.len() as u64 >= page.total {
            return Ok(all);
        }
    }
}

impl DashboardService {
    /// The service over `ports`.
    pub fn new(ports: SummaryPorts) -> Self {
        Self { ports }
    }

    /// `user`'s summary: the cached book (or a fresh one) marked at prices read now.
    pub async fn summary(&self, user: UserId) -> Result<Summary, SummaryError> {
        let book = self.ports.cache.get_or_load(user, (), || self.book(user)).await?;
        let prices = join_all(book.held_markets().into_iter().map(|m| self.price(m))).await;
        Ok(Summary::of(&book, prices))
    }

    /// Reads `user`'s contexts, bots and open orders and adds them up.
    async fn book(&self, user: UserId) -> Result<Book, SummaryError> {
        let p = &self.ports;
        let (contexts, bots, orders) = futures::try_join!(
            every_page(|page| p.contexts.list(user, page)),
            crate::bots::allowance::all_bots(&*p.bots, user),
            p.orders.open_of(user),
        )?;
        let mut counted = Vec::with_capacity(bots.len());
        for bot in bots {
            let wins = match bot.wins() {
                Some(wins) => wins,
                None => self.wins_from_records(&bot).await?,
            };
            counted.push((bot, wins));
        }
        Ok(Book::build(&contexts, &counted, &orders, p.clock.now()))
    }

    /// The winning trades of a bot that closed trades before wins were counted, from its
    /// `position_closed` records.
    async fn wins_from_records(&self, bot: &Bot) -> Result<u64, SummaryError> {
        let records = every_page(|page| self.ports.records.list(bot.id, Some("position_closed"), page)).await?;
        let wins = records.iter().filter(
            |r| matches!(&r.event, BotEvent::PositionClosed(p) if p.realized_profit > rust_decimal::Decimal::ZERO),
        );
        Ok(wins.count() as u64)
    }

    /// The last price of `market`, or why it could not be read.
    async fn price(&self, market: MarketKey) -> MarketPrice {
        let symbol = market.symbol.to_string();
        let read = self.ports.market.ticker(market.exchange.as_str(), &symbol, market.mode);
        let answer = tokio::time::timeout(PRICE_TIMEOUT, read).await;
        let read_at = self.ports.clock.now();
        let (price, exchange_at) = match answer {
            Ok(Ok(ticker)) => (Ok(ticker.last), Some(ticker.at)),
            Ok(Err(err)) => (Err(err.to_string()), None),
            Err(_) => (Err(format!("the exchange did not answer within {} s", PRICE_TIMEOUT.as_secs())), None),
        };
        if let Err(why) = &price {
            tracing::info!(exchange = %market.exchange, mode = mode_name(market.mode), symbol = %market.symbol, reason = %why, "a held market could not be priced");
        }
        MarketPrice { market, price, exchange_at, read_at }
    }
}
