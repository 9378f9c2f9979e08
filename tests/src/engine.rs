//! The engine without a server, for the sync and recovery tests: an [`Engine`] over the
//! repositories of a fresh store (embedded or MongoDB), a clock the test drives, and a
//! [`ScriptedGateway`] as the paper exchange of Mercado Bitcoin; plus DCA bots created through
//! the domain, started and stored.

pub mod checks;
mod conflicts;
mod gateway;
mod scripted_market;
mod scripted_port;

use std::sync::Arc;

use application::contexts::{ContextPorts, ContextService};
use application::engine::{Engine, EnginePorts, FORGOTTEN_AFTER, PENDING_GRACE};
use application::exchanges::ExchangeDirectory;
use application::subscriptions::{PaymentGateways, SubscriptionPorts, SubscriptionService};
use domain::bots::{Bot, BotConfig, BotRecord, Command, DcaConfig, DcaFrequency};
use domain::contexts::{ContextMode, TradingContext};
use domain::exchange::ExchangeId;
use domain::market::Symbol;
use domain::orders::{Order, OrderFilter};
use domain::shared::clock::FixedClock;
use domain::shared::ids::{BotId, UserId};
use domain::subscriptions::{EntitlementTable, Plan, Subscription};
use domain::PageRequest;
use infrastructure::crypto::AesGcmCipher;
use infrastructure::repositories::{open_embedded, Repositories, StoreRunningBots, StoreUsageCounter};
use infrastructure::store::mongo::MongoStore;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::datetime;
use time::OffsetDateTime;

pub use conflicts::{concurrent_name, Change, ConflictingBots};
pub use gateway::{Hook, InFlight, Placement, ScriptedGateway};

use crate::app::{Store, TEST_ENCRYPTION_KEY};

/// Where the rig's clock starts.
pub const START: OffsetDateTime = datetime!(2026-03-02 10:00:00 UTC);

/// The price the scripted exchange starts at (BRL per BTC).
pub const PRICE: Decimal = dec!(100000);

/// An engine over a fresh store and a scripted exchange, with one paper context whose owner is
/// on MAX (the plan allows every bot).
pub struct EngineRig {
    /// The repositories (bots unwrapped: writes here never conflict on purpose).
    pub repos: Repositories,
    /// The engine under test.
    pub engine: Engine,
    /// Its clock.
    pub clock: Arc<FixedClock>,
    /// The paper Mercado Bitcoin exchange it trades on.
    pub exchange: Arc<ScriptedGateway>,
    /// The engine's bot repository, which can be armed to lose races.
    pub bots: Arc<ConflictingBots>,
    /// The paper BTC-BRL context of the rig's user.
    pub context: TradingContext,
    mongo: Option<Arc<MongoStore>>,
}

impl std::fmt::Debug for EngineRig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineRig").field("context", &self.context.id).finish_non_exhaustive()
    }
}

async fn open(store: Store) -> (Repositories, Option<Arc<MongoStore>>) {
    match store {
        Store::Embedded => (open_embedded(None).await.expect("the in-memory store opens"), None),
        Store::Mongo => {
            let mongo = crate::mongo::fresh_store().await;
            let repos = Repositories::on(mongo.clone()).await.expect("the test MongoDB answers and takes the indexes");
            (repos, Some(mongo))
        }
    }
}

impl EngineRig {
    /// A rig on `store`.
    pub async fn new(store: Store) -> Self {
        let (repos, mongo) = open(store).await;
        let clock = Arc::new(FixedClock::new(START));
        let symbol = Symbol::parse("BTC-BRL").expect("a valid symbol");
        let exchange = Arc::new(ScriptedGateway::new(ExchangeId::MercadoBitcoin, symbol.clone(), PRICE));
        let directory = Arc::new(ExchangeDirectory::default().with(
            ExchangeId::MercadoBitcoin,
            ContextMode::Paper,
            exchange.clone(),
        ));
        let contexts = context_service(&repos, directory.clone(), clock.clone());
        let context =
            TradingContext::new(UserId::new(), ExchangeId::MercadoBitcoin, &symbol, ContextMode::Paper, START);
        let context = repos.contexts.create(&context).await.expect("the context is stored");
        on_plan(&repos, context.user_id, Plan::Max).await;
        let bots = Arc::new(ConflictingBots::new(repos.bots.clone()));
        let engine = Engine::new(EnginePorts {
            bots: bots.clone(),
            records: repos.bot_records.clone(),
            orders: repos.orders.clone(),
            contexts,
            exchanges: directory,
            leases: repos.leases.clone(),
            clock: clock.clone(),
            instance: "engine-rig".into(),
            pending_grace: PENDING_GRACE,
            forgotten_after: FORGOTTEN_AFTER,
            failpoint: None,
        });
        Self { repos, engine, clock, exchange, bots, context, mongo }
    }

    /// The owner of the rig's context.
    pub fn user(&self) -> UserId {
        self.context.user_id
    }

    /// A DCA bot buying `purchase` BRL every hour out of `allocated`, created through the domain,
    /// started now and stored.
    pub async fn dca_bot(&self, purchase: Decimal, allocated: Decimal) -> Bot {
        let config = BotConfig::Dca(DcaConfig {
            purchase_amount: purchase,
            frequency: DcaFrequency::Hourly,
            allocated_balance: allocated,
            take_profit_percent: dec!(50),
            stop_loss_percent: None,
            max_cycles: None,
            auto_restart: false,
            risk: Default::default(),
            circuit_breaker: Default::default(),
        });
        config.validate().expect("a valid DCA configuration");
        let now = self.clock_now();
        let mut bot = Bot::new(&self.context, "dca".into(), config, now);
        bot.command(Command::Start, "started by the test", now).expect("a created bot starts");
        self.repos.bots.create(&bot).await.expect("the bot is stored")
    }

    fn clock_now(&self) -> OffsetDateTime {
        domain::Clock::now(&*self.clock)
    }

    /// The stored bot.
    pub async fn bot(&self, id: BotId) -> Bot {
        self.repos.bots.find(id).await.expect("the bot is stored")
    }

    /// Every order of the rig's context, oldest first.
    pub async fn orders(&self) -> Vec<Order> {
        let filter = OrderFilter { context: Some(self.context.id), ..OrderFilter::default() };
        let page = self.repos.orders.list(self.user(), &filter, PageRequest::new(0, 500)).await.expect("orders list");
        let mut orders = page.items;
        orders.reverse();
        orders
    }

    /// The bot's records of one kind (`execution`, `position_closed`, …), newest first.
    pub async fn records(&self, bot: BotId, kind: &'static str) -> Vec<BotRecord> {
        self.repos.bot_records.list(bot, Some(kind), PageRequest::new(0, 500)).await.expect("records list").items
    }

    /// Asserts that no client order id reached `place_order` twice.
    pub fn assert_no_id_sent_twice(&self) {
        let sent: Vec<String> = self.exchange.placements().iter().map(|p| p.client_order_id.to_string()).collect();
        let mut unique = sent.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), sent.len(), "a client order id was sent twice: {sent:?}");
    }

    /// Ends the test: drops the MongoDB database (the embedded store just goes).
    pub async fn finish(self) {
        if let Some(mongo) = self.mongo {
            drop(self.repos);
            mongo.drop_database().await.expect("the test database can be dropped");
        }
    }
}

/// Puts `user` on `plan`, active (what a paid checkout would do), directly in the store: the
/// engine opens positions only for bots their owner's plan allows.
pub async fn on_plan(repos: &Repositories, user: UserId, plan: Plan) {
    let mut subscription = Subscription::free(user, START);
    subscription.plan = plan;
    repos.subscriptions.create(&subscription).await.expect("the subscription is stored");
}

/// The context service the engine needs, wired as `api::bootstrap` wires it over `repos`, with
/// the plans' default entitlements, no payment gateway and the test encryption key (nothing here
/// stores a credential).
pub fn context_service(
    repos: &Repositories,
    exchanges: Arc<ExchangeDirectory>,
    clock: Arc<dyn domain::Clock>,
) -> Arc<ContextService> {
    let subscriptions = Arc::new(SubscriptionService::new(SubscriptionPorts {
        subscriptions: repos.subscriptions.clone(),
        payment_events: repos.payment_events.clone(),
        charges: repos.charges.clone(),
        coupons: repos.coupons.clone(),
        gateways: PaymentGateways::default(),
        usage: Arc::new(StoreUsageCounter::new(repos.store.clone())),
        enforcers: Vec::new(),
        table: EntitlementTable::default(),
        clock: clock.clone(),
        leases: repos.leases.clone(),
    }));
    Arc::new(ContextService::new(ContextPorts {
        contexts: repos.contexts.clone(),
        credentials: repos.credentials.clone(),
        cipher: Arc::new(AesGcmCipher::from_env_value(&TEST_ENCRYPTION_KEY.into()).expect("the test key is valid")),
        subscriptions,
        exchanges,
        bots: Arc::new(StoreRunningBots::new(repos.store.clone())),
        email_gate: Arc::new(application::identity::VerifiedEmailGate::off()),
        clock,
    }))
}
