//! The bot aggregate: who owns it, where it trades, its configuration, life cycle, books,
//! circuit breaker, positions and pending orders. Strategies (one module per kind) decide; this
//! module keeps the books straight when orders are accepted, fill, or end.

use crate::notifications::Outbox;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::config::BotConfig;
use super::intent::{BotEvent, Evaluation, MarketView, OrderIntent, Phase, Purpose};
use super::position::{Dust, ExitReason, Position};
use super::state::KindState;
use super::status::{BotStatus, Command, StatusChange, TransitionRefused, HISTORY_LIMIT};
use super::{BotKind, CircuitBreaker, Funds, FundsError};
use crate::contexts::{ContextMode, TradingContext};
use crate::exchange::{ClientOrderId, ExchangeId, OrderSide};
use crate::market::Symbol;
use crate::shared::ids::{BotId, ContextId, PositionId, UserId};

/// An order the bot placed and that has not ended yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOrder {
    /// Our id of it.
    pub client_order_id: ClientOrderId,
    /// Side.
    pub side: OrderSide,
    /// What it is for.
    pub purpose: Purpose,
    /// Limit price, if any.
    pub limit_price: Option<Decimal>,
    /// Quote still blocked for it (buys).
    pub blocked: Decimal,
    /// Base still locked for it (sells).
    pub locked: Decimal,
    /// Base filled so far.
    pub filled_quantity: Decimal,
    /// Quote filled so far.
    pub filled_quote: Decimal,
    /// Fees charged so far (in `fee_asset`).
    #[serde(default)]
    pub fee: Decimal,
    /// The asset of the fees, once one was charged in the books' assets.
    #[serde(default)]
    pub fee_asset: Option<super::FeeAsset>,
    /// Placed.
    #[serde(with = "time::serde::rfc3339")]
    pub placed_at: OffsetDateTime,
}

/// What a bot refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BotError {
    /// The life cycle refuses the command.
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    /// The configuration may change only while the bot is not running.
    #[error("the configuration can change only while the bot is not running (it is {0})")]
    Running(&'static str),
    /// The new configuration is of another kind.
    #[error("a bot's kind cannot change")]
    KindChanged,
    /// No such position.
    #[error("no open position {0}")]
    NoPosition(PositionId),
    /// The command does not apply to this kind.
    #[error("{0}")]
    NotForKind(&'static str),
    /// The books refuse a movement (a bug or an exchange report that contradicts our records).
    #[error("books: {0}")]
    Funds(#[from] FundsError),
    /// No pending order with that client id.
    #[error("no pending order {0}")]
    UnknownOrder(String),
}

/// A trading bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bot {
    /// Id.
    pub id: BotId,
    /// Owner.
    pub user_id: UserId,
    /// The trading context it runs in.
    pub context_id: ContextId,
    /// The context's exchange.
    pub exchange: ExchangeId,
    /// The context's market.
    pub symbol: Symbol,
    /// Live or paper, as its context.
    pub mode: ContextMode,
    /// Its owner's name for it.
    pub name: String,
    /// Configuration.
    pub config: BotConfig,
    /// Life-cycle status.
    pub status: BotStatus,
    /// Why it is in that status.
    pub status_reason: Option<String>,
    /// The latest status changes, oldest first.
    pub history: Vec<StatusChange>,
    /// Books.
    pub funds: Funds,
    /// Circuit breaker.
    pub breaker: CircuitBreaker,
    /// Open and scheduled positions.
    pub positions: Vec<Position>,
    /// Base left over from sales too small to sell on its own, with its cost; added to the next sale.
    #[serde(default)]
    pub dust: Dust,
    /// Orders not ended yet.
    pub pending: Vec<PendingOrder>,
    /// Its kind's own state.
    pub state: KindState,
    /// The last price that passed the sanity check.
    pub last_price: Option<Decimal>,
    /// Ticks refused by the sanity check.
    pub ignored_ticks: u64,
    /// Whether the soft stop loss halted buying.
    pub buying_halted: bool,
    /// Why the engine holds its entries (an anomaly of its market), if it does: it opens nothing
    /// until the hold is released, while every exit keeps working and its status is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_hold: Option<String>,
    /// Trades closed (positions sold).
    pub trades: u64,
    /// Of [`Bot::trades`], those that closed with a profit net of every fee (`realized_profit >
    /// 0`), counted as they close. `None` on a bot stored with trades before the count existed:
    /// its wins are then read from its `position_closed` records (see [`Bot::wins`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winning_trades: Option<u64>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Events its changes raised, not relayed to its owner's event log yet (stored with it).
    #[serde(default, skip_serializing_if = "Outbox::is_empty")]
    pub outbox: Outbox,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl Bot {
    /// A new bot in `context`, status created.
    pub fn new(context: &TradingContext, name: String, config: BotConfig, at: OffsetDateTime) -> Self {
        let allocated = config.allocated_balance();
        let breaker = CircuitBreaker::configured(config.breaker());
        let state = KindState::for_config(&config);
        Self {
            id: BotId::new(),
            user_id: context.user_id,
            context_id: context.id,
            exchange: context.exchange,
            symbol: context.symbol(),
            mode: context.mode,
            name,
            config,
            status: BotStatus::Created,
            status_reason: None,
            history: Vec::new(),
            funds: Funds::new(allocated),
            breaker,
            positions: Vec::new(),
            dust: Dust::default(),
            pending: Vec::new(),
            state,
            last_price: None,
            ignored_ticks: 0,
            buying_halted: false,
            entry_hold: None,
            trades: 0,
            winning_trades: Some(0),
            created_at: at,
            updated_at: at,
            outbox: Outbox::default(),
            version: 0,
        }
    }

    /// Gives back the spare capacity of its lists and texts. A bot read from a store has lists
    /// grown push by push (a list of one position keeps room for four, some 700 bytes) and the
    /// engine holds thousands of bots at once; stores call this on every bot they read.
    pub fn shrink_to_fit(&mut self) {
        self.name.shrink_to_fit();
        if let Some(reason) = self.status_reason.as_mut() {
            reason.shrink_to_fit();
        }
        self.history.shrink_to_fit();
        self.positions.shrink_to_fit();
        self.pending.shrink_to_fit();
        self.breaker.recent.shrink_to_fit();
    }

    /// Its winning trades, when counted: [`Bot::winning_trades`], or 0 for a bot that never
    /// closed a trade; `None` when trades closed before the count existed.
    pub fn wins(&self) -> Option<u64> {
        self.winning_trades.or((self.trades == 0).then_some(0))
    }

    /// The kind.
    pub fn kind(&self) -> BotKind {
        self.config.kind()
    }

    fn set_status(&mut self, to: BotStatus, reason: &str, at: OffsetDateTime) {
        if self.status != to {
            self.raise_status(self.status, to, reason, at);
            self.history.push(StatusChange { from: self.status, to, reason: reason.to_owned(), at });
            if self.history.len() > HISTORY_LIMIT {
                self.history.remove(0);
            }
        }
        self.status = to;
        self.status_reason = Some(reason.to_owned());
        self.updated_at = at;
    }

    /// Applies a life-cycle command. Starting arms the kind's schedule from `at`.
    pub fn command(&mut self, command: Command, reason: &str, at: OffsetDateTime) -> Result<(), BotError> {
        let to = command.target(self.status)?;
        if command == Command::Start {
            self.state.on_start(&self.config, at);
        }
        self.set_status(to, reason, at);
        Ok(())
    }

    /// Re-arms a tripped breaker (the API's reset) and resumes the bot; on a bot that is not
    /// tripped it only clears the consecutive-loss count.
    pub fn reset_breaker(&mut self, at: OffsetDateTime) {
        self.breaker.reset();
        if self.status == BotStatus::Tripped {
            self.set_status(BotStatus::Running, "circuit breaker reset", at);
        }
        self.updated_at = at;
    }

    /// Holds its entries for `reason` (exits go on); `false` when they are already held.
    pub fn hold_entries(&mut self, reason: &str, at: OffsetDateTime) -> bool {
        if self.entry_hold.is_some() {
            return false;
        }
        self.entry_hold = Some(reason.to_owned());
        self.updated_at = at;
        true
    }

    /// Releases the hold on its entries; `false` when there was none.
    pub fn release_entries(&mut self, at: OffsetDateTime) -> bool {
        if self.entry_hold.take().is_none() {
            return false;
        }
        self.updated_at = at;
        true
    }

    /// Stops the bot by itself (plan downgrade, completed plan), keeping its positions.
    pub fn halt(&mut self, to: BotStatus, reason: &str, at: OffsetDateTime) {
        self.set_status(to, reason, at);
    }

    /// Replaces the configuration (not while running; the kind stays). The allocation may change
    /// by what is not in use.
    pub fn reconfigure(&mut self, config: BotConfig, at: OffsetDateTime) -> Result<(), BotError> {
        if matches!(self.status, BotStatus::Running | BotStatus::Tripped) {
            return Err(BotError::Running(self.status.as_str()));
        }
        if config.kind() != self.kind() {
            return Err(BotError::KindChanged);
        }
        let delta = config.allocated_balance() - self.funds.allocated;
        if delta < Decimal::ZERO && -delta > self.funds.available {
            return Err(BotError::Funds(FundsError::InsufficientFunds {
                available: self.funds.available,
                wanted: -delta,
            }));
        }
        self.funds.allocated += delta;
        self.funds.available += delta;
        self.breaker.limits = config.breaker_limits();
        self.breaker.enabled = !config.breaker().is_off();
        self.config = config;
        self.updated_at = at;
        Ok(())
    }

    /// The position with `id`, if held.
    pub fn position(&self, id: PositionId) -> Option<&Position> {
        self.positions.iter().find(|p| p.id == id)
    }

    /// Whether a sale of `position` (or of everything) is pending.
    pub fn selling(&self, position: PositionId) -> bool {
        self.pending.iter().any(|o| match o.purpose {
            Purpose::Close { position: p, .. } => p.is_none() || p == Some(position),
            Purpose::Open { .. } => false,
        })
    }

    /// Whether a buy is pending.
    pub fn buying(&self) -> bool {
        self.pending.iter().any(|o| o.side == OrderSide::Buy)
    }

    /// Quote the strategy may spend now: available funds (a channel bot keeps its profits apart).
    pub fn spendable(&self) -> Decimal {
        let kept =
            if self.kind() == BotKind::Channel { self.funds.realized_profit.max(Decimal::ZERO) } else { Decimal::ZERO };
        (self.funds.available - kept).max(Decimal::ZERO)
    }

    /// Evaluates the bot for `phase` at the market `view`: the status gate, the sanity check, then
    /// its kind's rules. Nothing is placed here: the engine places what comes back.
    pub fn evaluate(&mut self, phase: Phase, view: &MarketView<'_>, at: OffsetDateTime) -> Evaluation {
        let mut out = Evaluation::default();
        if !self.status.is_evaluated() || view.price <= Decimal::ZERO {
            return out;
        }
        let risk = self.config.risk();
        if !risk.is_sane_tick(self.last_price, view.price) {
            self.ignored_ticks += 1;
            out.events.push(BotEvent::TickIgnored { previous: self.last_price.unwrap_or_default(), price: view.price });
            out.touch();
            return out;
        }
        // The last price is kept in memory and written with the next real change: writing every
        // bot at every tick would make idle bots cost a write per cycle.
        self.last_price = Some(view.price);
        let opens =
            self.status == BotStatus::Running && self.breaker.allows_new_positions() && self.entry_hold.is_none();
        super::exits::evaluate_exits(self, phase, view, &risk, at, &mut out);
        if opens && phase == Phase::Entry && view.trading {
            super::entries::evaluate_entries(self, view, at, &mut out);
        }
        if out.changed {
            self.updated_at = at;
        }
        out
    }

    /// Emergency sell: cancels every pending order and sells everything held at market, then
    /// stops. Works in every status but created.
    pub fn emergency_sell(&mut self, view: &MarketView<'_>, at: OffsetDateTime) -> Evaluation {
        let mut out = Evaluation {
            cancel: self.pending.iter().map(|o| o.client_order_id.clone()).collect(),
            ..Evaluation::default()
        };
        let held = self.funds.holdings - self.pending.iter().map(|o| o.locked).sum::<Decimal>();
        let quantity = view.filters.floor_quantity(held);
        if quantity > Decimal::ZERO && !view.filters.is_dust(quantity, view.bid) {
            out.place.push(super::exits::sell_intent(quantity, None, None, ExitReason::Emergency, "emergency sell"));
        }
        self.set_status(BotStatus::Stopped, "emergency sell", at);
        out.touch();
        out
    }

    /// Accepts an intent the engine is about to place under `client_order_id`: blocks its quote
    /// (buy) or locks its base (sell) and records it as pending. Call before sending it.
    pub fn accept(
        &mut self,
        intent: &OrderIntent,
        client_order_id: ClientOrderId,
        at: OffsetDateTime,
    ) -> Result<(), BotError> {
        let (blocked, locked) = match intent.side {
            OrderSide::Buy => {
                self.funds.block(intent.block)?;
                (intent.block, Decimal::ZERO)
            }
            OrderSide::Sell => {
                let q = intent.quantity.unwrap_or_default();
                self.funds.lock(q)?;
                (Decimal::ZERO, q)
            }
        };
        if let Purpose::Open { position } = intent.purpose {
            if self.position(position).is_none() {
                self.positions.push(Position::new(position, at));
            }
        }
        self.pending.push(PendingOrder {
            client_order_id,
            side: intent.side,
            purpose: intent.purpose,
            limit_price: intent.limit_price,
            blocked,
            locked,
            filled_quantity: Decimal::ZERO,
            filled_quote: Decimal::ZERO,
            fee: Decimal::ZERO,
            fee_asset: None,
            placed_at: at,
        });
        self.updated_at = at;
        Ok(())
    }
}
