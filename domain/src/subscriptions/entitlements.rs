//! What each plan allows: the one table where plan limits live.

use rust_decimal::Decimal;
use serde::Serialize;

use super::Plan;
use crate::bots::BotKind;

/// A countable allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Limit {
    /// At most this many.
    Limited(u32),
    /// No limit.
    Unlimited,
}

impl Limit {
    /// Whether `used` leaves room for one more.
    pub fn allows_one_more(self, used: u64) -> bool {
        match self {
            Limit::Limited(max) => used < u64::from(max),
            Limit::Unlimited => true,
        }
    }

    /// Whether `used` is over the limit (after a downgrade).
    pub fn exceeded_by(self, used: u64) -> u64 {
        match self {
            Limit::Limited(max) => used.saturating_sub(u64::from(max)),
            Limit::Unlimited => 0,
        }
    }

    /// The number, `None` when unlimited.
    pub fn max(self) -> Option<u32> {
        match self {
            Limit::Limited(max) => Some(max),
            Limit::Unlimited => None,
        }
    }
}

/// Everything a plan allows, and only what the product enforces today: a feature joins this table
/// in the change that builds and enforces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entitlements {
    /// Trading contexts a user may have.
    pub contexts: Limit,
    /// Bots a user may have, across all contexts.
    pub bots: Limit,
    /// Bot kinds a user may create and start.
    pub bot_kinds: Vec<BotKind>,
    /// Advanced indicators (VWAP, MFI, volume profile, ATR, OBV).
    pub advanced_indicators: bool,
    /// How many days back history reads reach (orders, trades, positions, signals, performance,
    /// reports, exports); `None`: all of it.
    pub history_days: Option<u32>,
    /// The market comparison: the performance series beside BTC buy-and-hold over the same window.
    pub market_comparison: bool,
    /// Advanced metrics (Sharpe, Sortino, drawdown, profit factor, hold times, expectancy).
    pub advanced_metrics: bool,
    /// The PDF report.
    pub pdf_reports: bool,
    /// Messages a user may send the assistant per day (the user's local day, in their time zone).
    pub chat_messages_per_day: Limit,
}

impl Entitlements {
    /// Whether `kind` is allowed.
    pub fn allows_kind(&self, kind: BotKind) -> bool {
        self.bot_kinds.contains(&kind)
    }
}

/// Plan prices and entitlements. Bot limits are configurable (defaults 2 / 10 / unlimited);
/// everything else is fixed here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitlementTable {
    bot_limits: [Limit; 3],
    /// Annual prices of PRO and MAX set by the operator (else ten months' price).
    annual_prices: [Option<Decimal>; 2],
}

impl Default for EntitlementTable {
    fn default() -> Self {
        Self { bot_limits: [Limit::Limited(2), Limit::Limited(10), Limit::Unlimited], annual_prices: [None, None] }
    }
}

impl EntitlementTable {
    /// The default table with custom bot limits per plan.
    pub fn with_bot_limits(free: Limit, pro: Limit, max: Limit) -> Self {
        Self { bot_limits: [free, pro, max], ..Self::default() }
    }

    /// The same table with the annual prices of PRO and MAX set (`None` keeps ten months' price).
    pub fn with_annual_prices(mut self, pro: Option<Decimal>, max: Option<Decimal>) -> Self {
        self.annual_prices = [pro, max];
        self
    }

    /// Monthly price in BRL.
    pub fn monthly_price_brl(&self, plan: Plan) -> Decimal {
        match plan {
            Plan::Free => Decimal::ZERO,
            Plan::Pro => Decimal::new(1990, 2),
            Plan::Max => Decimal::new(97, 0),
        }
    }

    /// Price of a year paid at once (PIX, boleto or a yearly card preapproval through Mercado
    /// Pago), in BRL: the configured one, else ten months' price (two months free).
    pub fn annual_price_brl(&self, plan: Plan) -> Decimal {
        let set = match plan {
            Plan::Free => None,
            Plan::Pro => self.annual_prices[0],
            Plan::Max => self.annual_prices[1],
        };
        set.unwrap_or_else(|| self.monthly_price_brl(plan) * Decimal::TEN)
    }

    /// What `plan` allows.
    pub fn for_plan(&self, plan: Plan) -> Entitlements {
        let paid_kinds = BotKind::ALL.to_vec();
        match plan {
            Plan::Free => Entitlements {
                contexts: Limit::Limited(1),
                bots: self.bot_limits[0],
                bot_kinds: vec![BotKind::Smart],
                advanced_indicators: false,
                history_days: Some(30),
                market_comparison: false,
                advanced_metrics: false,
                pdf_reports: false,
                chat_messages_per_day: Limit::Limited(10),
            },
            Plan::Pro => Entitlements {
                contexts: Limit::Limited(3),
                bots: self.bot_limits[1],
                bot_kinds: paid_kinds,
                advanced_indicators: false,
                history_days: Some(90),
                market_comparison: true,
                advanced_metrics: false,
                pdf_reports: false,
                chat_messages_per_day: Limit::Limited(100),
            },
            Plan::Max => Entitlements {
                contexts: Limit::Unlimited,
                bots: self.bot_limits[2],
                bot_kinds: paid_kinds,
                advanced_indicators: true,
                history_days: None,
                market_comparison: true,
                advanced_metrics: true,
                pdf_reports: true,
                chat_messages_per_day: Limit::Unlimited,
            },
        }
    }

    /// The cheapest plan whose entitlements satisfy `allows`, for "upgrade to" hints.
    pub fn cheapest_plan_where(&self, allows: impl Fn(&Entitlements) -> bool) -> Option<Plan> {
        Plan::ALL.into_iter().find(|plan| allows(&self.for_plan(*plan)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_catalogue() {
        let t = EntitlementTable::default();
        assert_eq!(t.for_plan(Plan::Free).contexts, Limit::Limited(1));
        assert_eq!(t.for_plan(Plan::Pro).contexts, Limit::Limited(3));
        assert_eq!(t.for_plan(Plan::Max).contexts, Limit::Unlimited);
        assert!(!t.for_plan(Plan::Free).allows_kind(BotKind::Dca));
        assert!(t.for_plan(Plan::Pro).allows_kind(BotKind::Channel));
        assert!(!t.for_plan(Plan::Pro).advanced_indicators);
        assert!(t.for_plan(Plan::Max).advanced_indicators);
        let history: Vec<_> = Plan::ALL.iter().map(|p| t.for_plan(*p).history_days).collect();
        assert_eq!(history, [Some(30), Some(90), None]);
        assert!(!t.for_plan(Plan::Free).market_comparison && t.for_plan(Plan::Pro).market_comparison);
        assert!(!t.for_plan(Plan::Pro).advanced_metrics && t.for_plan(Plan::Max).advanced_metrics);
        assert!(!t.for_plan(Plan::Pro).pdf_reports && t.for_plan(Plan::Max).pdf_reports);
        let chat: Vec<_> = Plan::ALL.iter().map(|p| t.for_plan(*p).chat_messages_per_day).collect();
        assert_eq!(chat, [Limit::Limited(10), Limit::Limited(100), Limit::Unlimited]);
        assert_eq!(t.monthly_price_brl(Plan::Pro).to_string(), "19.90");
        assert_eq!(
            (t.annual_price_brl(Plan::Pro).to_string(), t.annual_price_brl(Plan::Max).to_string()),
            ("199.00".into(), "970".into())
        );
        assert_eq!(t.cheapest_plan_where(|e| e.contexts.allows_one_more(1)), Some(Plan::Pro));
        assert_eq!(t.cheapest_plan_where(|e| e.advanced_indicators), Some(Plan::Max));
    }

    #[test]
    fn limits_count() {
        assert!(Limit::Limited(1).allows_one_more(0));
        assert!(!Limit::Limited(1).allows_one_more(1));
        assert_eq!(Limit::Limited(3).exceeded_by(5), 2);
        assert!(Limit::Unlimited.allows_one_more(u64::MAX));
    }
}
