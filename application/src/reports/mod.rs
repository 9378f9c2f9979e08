//! Reports over a user's history, each cut to their plan's window (FREE 30 days, PRO 90, MAX
//! all): realized profit per strategy and per bot, a summary of positions, and closed positions
//! as trades. [`Windowed`] is the answer of every history read: a page and the window applied.

mod book;
mod errors;
mod positions;
mod profit;
mod trades;

use std::sync::Arc;

use domain::bots::{BotRecordRepository, BotRepository};
use domain::subscriptions::HistoryWindow;
use domain::{Clock, Page};

pub use book::{BotEntry, Scope};
pub use errors::ReportError;
pub use positions::{PositionStatusFilter, PositionSummary, PositionsQuery, PositionsReport, ReportPosition};
pub use profit::{BotProfit, ProfitFigures, ProfitQuery, ProfitReport, StrategyProfit};
pub use trades::{Trade, TradeScope, TradesQuery};

use crate::subscriptions::SubscriptionService;

/// A page of a history read and the window it was cut to (asking for older data is not an
/// error: the window is applied, and said).
#[derive(Clone, Debug, PartialEq)]
pub struct Windowed<T> {
    /// The page, inside the window.
    pub page: Page<T>,
    /// The window applied.
    pub window: HistoryWindow,
}

impl<T> Windowed<T> {
    /// Maps every item, keeping the paging figures and the window.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Windowed<U> {
        Windowed { page: self.page.map(f), window: self.window }
    }
}

/// The ports reports read.
#[derive(Clone)]
pub struct ReportPorts {
    /// The user's bots (kind, market, mode of each, and the open positions).
    pub bots: Arc<dyn BotRepository>,
    /// Their records (closed positions).
    pub records: Arc<dyn BotRecordRepository>,
    /// Plans (the history window).
    pub subscriptions: Arc<SubscriptionService>,
    /// Time (the `days` of the positions report count back from now).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ReportPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportPorts").finish_non_exhaustive()
    }
}

/// Reports over users' trading history.
#[derive(Debug)]
pub struct ReportService {
    ports: ReportPorts,
}

impl ReportService {
    /// A service over `ports`.
    pub fn new(ports: ReportPorts) -> Self {
        Self { ports }
    }
}

/// Reads every page of `read` (pages of the largest size), for the figures that add up a whole
/// window; `read` is given each page request in turn.
pub(crate) async fn read_all<T, F, Fut>(mut read: F) -> Result<Vec<T>, ReportError>
where
    F: FnMut(domain::PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, domain::RepoError>>,
{
    let mut all = Vec::new();
    loop {
        let page = read(domain::PageRequest::new(all.len() as u64, domain::PageRequest::MAX_LIMIT)).await?;
        let done = page.items.len() < domain::PageRequest::MAX_LIMIT as usize;
        all.extend(page.items);
        if done || all.len() as u64 >= page.total {
            return Ok(all);
        }
    }
}
