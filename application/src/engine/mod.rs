//! The execution engine: evaluates running bots market by market, places what they decide with
//! the placement protocol, syncs open orders with the exchanges, and recovers after a crash.
//! docs/engine.md describes the order life cycle, the protocol and the workflows.
//!
//! One bot never stops another: a panic or an internal error on one bot pauses it with the
//! reason and the run goes on (`isolate`); no entry is placed for a bot its owner's plan or
//! context no longer allows (`gate`).
//!
//! Writes of bots and orders go through optimistic locking; a conflict re-reads and retries up to
//! three times with exponential backoff, then the work is left for the next run. Applying an
//! order's state to its bot is idempotent (cumulative totals), so a retry or a crash between two
//! writes never counts a fill twice.

mod act;
mod activity;
mod anomalies;
mod claims;
mod command;
mod evaluate;
mod failpoint;
mod gate;
mod holds;
mod isolate;
mod manual;
mod market;
mod place;
mod reconcile;
mod recover;
mod stop;
mod sync;
mod withdrawals;

use std::sync::Arc;
use std::time::Duration;

use domain::bots::{Bot, BotRecord, BotRecordRepository, BotRepository};
use domain::leases::LeaseRepository;
use domain::orders::OrderRepository;
use domain::shared::ids::BotId;
use domain::{Clock, RepoError};

pub use activity::ActivityListener;
pub use anomalies::{AnomalyPolicy, AnomalyReport, MAX_SPREAD_PERCENT};
pub use evaluate::{CycleReport, Workload};
pub use failpoint::{CrashPoint, FailAction, Failpoint, FailpointError, COMPILED as FAILPOINTS_COMPILED};
pub use holds::{ANOMALY_HOLD, UNTRUSTED_BOOKS};
pub use market::MarketSnapshot;
pub use reconcile::BalanceReport;
pub use recover::RecoveryReport;
pub use stop::STOP_WAIT;
pub use sync::{SyncReport, FORGOTTEN_AFTER, MISSING_CONFIRMATION, PENDING_GRACE};
pub use withdrawals::{WithdrawalReport, SHORTFALL_REASON};

use crate::contexts::ContextService;
use crate::exchanges::ExchangeDirectory;
use crate::AppError;

/// The ports the engine needs.
#[derive(Clone)]
pub struct EnginePorts {
    /// Bots.
    pub bots: Arc<dyn BotRepository>,
    /// Bot records.
    pub records: Arc<dyn BotRecordRepository>,
    /// Orders.
    pub orders: Arc<dyn OrderRepository>,
    /// Contexts (credentials of a context).
    pub contexts: Arc<ContextService>,
    /// Exchanges.
    pub exchanges: Arc<ExchangeDirectory>,
    /// Leases (a bot is acted on by one instance at a time).
    pub leases: Arc<dyn LeaseRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// This instance's name in leases.
    pub instance: String,
    /// How long a pending order may be unknown to its exchange before sync deems it never sent
    /// ([`PENDING_GRACE`] by default). It must outlast an order placement's time-out: a shorter
    /// grace could reject an order whose placement is still in flight.
    pub pending_grace: time::Duration,
    /// How old an acknowledged order must be before sync ends it as forgotten (canceled, flagged)
    /// when its exchange answers "not found" ([`FORGOTTEN_AFTER`] by default), provided every read
    /// for [`MISSING_CONFIRMATION`] answered so. Younger, a not-found is taken for a transient
    /// error and the order stays open.
    pub forgotten_after: time::Duration,
    /// Tests only: the crash point armed by `BOTFLEET_TEST_FAILPOINT` (`None` in production).
    pub failpoint: Option<Failpoint>,
}

impl std::fmt::Debug for EnginePorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnginePorts")
            .field("instance", &self.instance)
            .field("pending_grace", &self.pending_grace)
            .field("forgotten_after", &self.forgotten_after)
            .field("failpoint", &self.failpoint)
            .finish_non_exhaustive()
    }
}

/// The engine.
#[derive(Debug, Clone)]
pub struct Engine {
    ports: EnginePorts,
    anomaly: AnomalyPolicy,
    /// Told of every change stored to a user's orders, books or marks (every listener, in turn).
    activity: Vec<Arc<dyn ActivityListener>>,
    /// The bots a task of this instance acts on (see [`Engine::lease`]).
    claims: claims::Claims<BotId>,
    /// The manual orders whose placement is in flight: sync leaves them alone.
    placing: claims::Claims<domain::exchange::ClientOrderId>,
    /// Where the events no bot's write carries (market anomalies) are queued.
    events: crate::notify::EventSink,
}

/// How long a bot's lease lasts while the engine acts on it.
pub const BOT_LEASE: Duration = Duration::from_secs(30);

/// Attempts of a write that meets a version conflict (the first try and three retries).
const ATTEMPTS: u32 = 4;

impl Engine {
    /// An engine over `ports`.
    pub fn new(ports: EnginePorts) -> Self {
        Self {
            ports,
            anomaly: AnomalyPolicy::default(),
            activity: Vec::new(),
            claims: Default::default(),
            placing: Default::default(),
            events: Default::default(),
        }
    }

    /// The same engine queuing the events no bot's write carries (market anomalies) into `events`.
    pub fn with_events(mut self, events: crate::notify::EventSink) -> Self {
        self.events = events;
        self
    }

    /// The same engine judging market anomalies by `policy` (the default otherwise).
    pub fn with_anomaly_policy(mut self, policy: AnomalyPolicy) -> Self {
        self.anomaly = policy;
        self
    }

    /// The exchange connection of a context: its gateway and the credentials to call it with.
    pub(super) async fn connection(
        &self,
        context: &domain::contexts::TradingContext,
    ) -> Result<(Arc<dyn domain::exchange::ExchangeGateway>, domain::exchange::ApiCredentials), AppError> {
        let gateway = self.ports.exchanges.gateway(context.exchange, context.mode)?;
        let creds = self.ports.contexts.credentials_for(context).await?;
        Ok((gateway, creds))
    }

    fn lease_name(bot: BotId) -> String {
        format!("bot:{bot}")
    }

    /// Takes `bot`'s lease: this instance's claim on it, then the store's lease. `None` when
    /// another task of this instance or another instance acts on it. The claim ends when dropped;
    /// give the store's lease back with [`Engine::release`] before.
    async fn lease(&self, bot: BotId) -> Result<Option<claims::Claim<BotId>>, RepoError> {
        // The store's lease is renewed for its own holder: only the claim keeps this instance's
        // other tasks out (a sync must never read an order whose placement is in flight).
        let Some(claim) = self.claims.try_claim(bot) else { return Ok(None) };
        let now = self.ports.clock.now();
        let leased =
            self.ports.leases.try_acquire(&Self::lease_name(bot), &self.ports.instance, BOT_LEASE, now).await?;
        Ok(leased.then_some(claim))
    }

    async fn release(&self, bot: BotId) {
        if let Err(err) = self.ports.leases.release(&Self::lease_name(bot), &self.ports.instance).await {
            tracing::warn!(bot = %bot, error = ?err, "could not release a bot lease; it expires by itself");
        }
    }

    /// Reads bot `id`, applies `change` and writes it back; on a version conflict re-reads and
    /// retries (three times, 10/20/40 ms apart). `change` must be idempotent over re-reads.
    async fn modify<T>(
        &self,
        id: BotId,
        mut change: impl FnMut(&mut Bot) -> Result<T, AppError>,
    ) -> Result<(Bot, T), AppError> {
        let mut wait = Duration::from_millis(10);
        for attempt in 1..=ATTEMPTS {
            let mut bot = self.ports.bots.find(id).await?;
            let out = change(&mut bot)?;
            match self.ports.bots.update(&bot).await {
                Ok(saved) => return Ok((saved, out)),
                Err(RepoError::Conflict) if attempt < ATTEMPTS => {
                    tracing::debug!(bot = %id, attempt, "bot changed concurrently; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(err) => return Err(err.into()),
            }
        }
        unreachable!("the last attempt returns")
    }

    async fn record(&self, bot: &Bot, events: Vec<domain::bots::BotEvent>) {
        if events.is_empty() {
            return;
        }
        let now = self.ports.clock.now();
        let records: Vec<BotRecord> = events.into_iter().map(|e| BotRecord::new(bot, e, now)).collect();
        if let Err(err) = self.ports.records.append(&records).await {
            tracing::error!(bot = %bot.id, error = ?err, "could not store bot records");
        }
    }
}
