//! The trades already read, per bot. `position_closed` records never change once written, so a
//! later read of the same bot only needs the records added since: it pages newest first down to
//! the newest record it knows. Entries unused for [`IDLE`] are dropped, and all of them when more
//! than [`MAX_TRADES`] trades are held, so memory stays bounded and a deleted account's trades do
//! not linger.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::analytics::ClosedTrade;
use domain::shared::ids::BotId;
use time::OffsetDateTime;

/// How long an unused entry is kept.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// The most trades held, over every bot.
pub const MAX_TRADES: usize = 2_000_000;

/// One trade as read: its record's id and time, and the trade.
#[derive(Clone, Debug)]
pub(super) struct ReadTrade {
    /// The record's id (unique).
    pub record: String,
    /// The record's time (what the window is applied to).
    pub at: OffsetDateTime,
    /// The trade.
    pub trade: ClosedTrade,
}

/// How far back an entry's trades go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reach {
    /// Every record of the bot was read.
    Everything,
    /// Every record at or after this instant was read.
    Since(OffsetDateTime),
}

impl Reach {
    /// Whether a read from `from` (`None`: everything) is covered.
    pub fn covers(self, from: Option<OffsetDateTime>) -> bool {
        match self {
            Reach::Everything => true,
            Reach::Since(reach) => from.is_some_and(|f| f >= reach),
        }
    }
}

#[derive(Debug)]
struct Entry {
    /// Newest first (shared with the reads that use it, never copied).
    trades: Arc<Vec<ReadTrade>>,
    reach: Reach,
    used: Instant,
}

/// The cache.
#[derive(Debug, Default)]
pub(super) struct TradeCache {
    entries: Mutex<HashMap<BotId, Entry>>,
}

impl TradeCache {
    /// The bot's cached trades (newest first) when they reach back to `from`.
    pub fn get(&self, bot: BotId, from: Option<OffsetDateTime>) -> Option<(Arc<Vec<ReadTrade>>, Reach)> {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = entries.get_mut(&bot).filter(|e| e.reach.covers(from))?;
        entry.used = Instant::now();
        Some((entry.trades.clone(), entry.reach))
    }

    /// Whether the bot's cached trades reach back to `from` (a [`Self::get`] would serve it).
    pub fn covers(&self, bot: BotId, from: Option<OffsetDateTime>) -> bool {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(&bot).is_some_and(|e| e.reach.covers(from))
    }

    /// Remembers the bot's trades (newest first) reaching back to `reach`.
    pub fn put(&self, bot: BotId, trades: Arc<Vec<ReadTrade>>, reach: Reach) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        entries.retain(|_, e| now.duration_since(e.used) < IDLE);
        entries.insert(bot, Entry { trades, reach, used: now });
        if entries.values().map(|e| e.trades.len()).sum::<usize>() > MAX_TRADES {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn an_entry_serves_reads_it_reaches_back_to() {
        let cache = TradeCache::default();
        let bot = BotId::new();
        let since = datetime!(2026-01-10 0:00 UTC);
        cache.put(bot, Arc::default(), Reach::Since(since));
        assert!(cache.get(bot, Some(since)).is_some());
        assert!(cache.get(bot, Some(datetime!(2026-01-09 0:00 UTC))).is_none(), "older than it read");
        assert!(cache.get(bot, None).is_none(), "everything was not read");
        cache.put(bot, Arc::default(), Reach::Everything);
        assert!(cache.get(bot, None).is_some());
        assert!(cache.get(BotId::new(), None).is_none());
    }
}
