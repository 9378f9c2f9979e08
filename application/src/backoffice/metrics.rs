//! The operators' platform metrics: users by plan and subscription status, MRR by provider and
//! currency, sign-ups, cancellations and orders per day, running bots by kind, and who holds each
//! workflow's lease. Computed from store counts at most once per [`METRICS_TTL`] per instance,
//! so the JSON route and every Prometheus scrape in between read the same snapshot (the leases
//! excepted: read at every call).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use domain::backoffice::{LeaseHolder, PlatformCounts};
use domain::bots::BotKind;
use domain::identity::UserStatus;
use domain::leases::workflow_lease;
use domain::subscriptions::{BillingPeriod, PaymentProvider, Plan, SubscriptionStatus};
use domain::{Clock, RepoError};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime, Time};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// How long a snapshot is served before the next request computes a new one.
pub const METRICS_TTL: Duration = Duration::from_secs(60);
/// How many UTC days (today included) the per-day series cover.
pub const METRICS_DAYS: i64 = 30;
/// Paid subscriptions read per page for the MRR.
const PAGE: u64 = 500;
/// How far back a charge prices a subscription: a year paid at once, and a month of slack.
pub const PRICING_WINDOW: time::Duration = time::Duration::days(400);

/// Every subscription status, in the API's order.
pub const SUBSCRIPTION_STATUSES: [SubscriptionStatus; 7] = [
    SubscriptionStatus::Active,
    SubscriptionStatus::Trialing,
    SubscriptionStatus::PastDue,
    SubscriptionStatus::Unpaid,
    SubscriptionStatus::Canceled,
    SubscriptionStatus::Incomplete,
    SubscriptionStatus::Paused,
];
/// Every account status.
pub const USER_STATUSES: [UserStatus; 3] = [UserStatus::Active, UserStatus::Blocked, UserStatus::Deleted];

/// Monthly recurring revenue of one provider in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mrr {
    /// Who bills it.
    pub provider: PaymentProvider,
    /// ISO 4217 currency (never converted).
    pub currency: String,
    /// The monthly amounts summed (an annual charge counts a twelfth), rounded to the cent (two
    /// decimal places, `19.90`).
    pub amount: Decimal,
    /// The subscriptions summed.
    pub subscriptions: u64,
}

/// One UTC day's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayFigures {
    /// The day.
    pub day: Date,
    /// Users created.
    pub signups: u64,
    /// `subscription.canceled` events (a cancellation scheduled, or a paid plan ended).
    pub cancellations: u64,
    /// Orders created.
    pub orders: u64,
}

/// One snapshot of the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformMetrics {
    /// When it was computed.
    pub computed_at: OffsetDateTime,
    /// Subscriptions (one per user) by plan and status: every pair, zeros included.
    pub subscriptions: Vec<(Plan, SubscriptionStatus, u64)>,
    /// Accounts by status.
    pub accounts: Vec<(UserStatus, u64)>,
    /// MRR by provider and currency.
    pub mrr: Vec<Mrr>,
    /// Active paid subscriptions with no approved charge to price them, by provider (`None`:
    /// none recorded): left out of the MRR rather than guessed.
    pub unpriced: Vec<(Option<PaymentProvider>, u64)>,
    /// The last [`METRICS_DAYS`] UTC days, oldest first.
    pub days: Vec<DayFigures>,
    /// Running bots by kind, every kind.
    pub running_bots: Vec<(BotKind, u64)>,
    /// Each workflow's lease holder, if its lease was ever taken.
    pub leases: Vec<(&'static str, Option<LeaseHolder>)>,
}

/// Computes and caches [`PlatformMetrics`].
pub struct PlatformMetricsService {
    counts: Arc<dyn PlatformCounts>,
    clock: Arc<dyn Clock>,
    workflows: Vec<&'static str>,
    cache: Mutex<Option<(Instant, Arc<PlatformMetrics>)>>,
}

impl std::fmt::Debug for PlatformMetricsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformMetricsService").field("workflows", &self.workflows).finish_non_exhaustive()
    }
}

impl PlatformMetricsService {
    /// The service over `counts`, reporting the leases of `workflows`.
    pub fn new(counts: Arc<dyn PlatformCounts>, clock: Arc<dyn Clock>, workflows: Vec<&'static str>) -> Self {
        Self { counts, clock, workflows, cache: Mutex::new(None) }
    }

    /// The snapshot, computed now if the last one is older than [`METRICS_TTL`]. Concurrent
    /// callers wait for one computation.
    /// The workflows' leases are read at every call (one read each), so that every instance
    /// names the same holder at once.
    pub async fn current(&self) -> Result<Arc<PlatformMetrics>, RepoError> {
        let cached = {
            let mut cache = self.cache.lock().await;
            match cache.as_ref() {
                Some((at, snapshot)) if at.elapsed() < METRICS_TTL => snapshot.clone(),
                _ => {
                    let snapshot = Arc::new(self.compute().await?);
                    *cache = Some((Instant::now(), snapshot.clone()));
                    return Ok(snapshot);
                }
            }
        };
        Ok(Arc::new(PlatformMetrics { leases: self.leases().await?, ..(*cached).clone() }))
    }

    /// Each workflow's lease holder, read now.
    async fn leases(&self) -> Result<Vec<(&'static str, Option<LeaseHolder>)>, RepoError> {
        let mut leases = Vec::new();
        for name in &self.workflows {
            leases.push((*name, self.counts.lease(&workflow_lease(name)).await?));
        }
        Ok(leases)
    }

    async fn compute(&self) -> Result<PlatformMetrics, RepoError> {
        let now = self.clock.now();
        let mut subscriptions = Vec::new();
        for plan in Plan::ALL {
            for status in SUBSCRIPTION_STATUSES {
                subscriptions.push((plan, status, self.counts.subscriptions(plan, status).await?));
            }
        }
        let mut accounts = Vec::new();
        for status in USER_STATUSES {
            accounts.push((status, self.counts.users(status).await?));
        }
        let (mrr, unpriced) = self.mrr().await?;
        let today = now.to_offset(time::UtcOffset::UTC).date();
        let mut days = Vec::new();
        for back in (0..METRICS_DAYS).rev() {
            let day = today - time::Duration::days(back);
            let from = day.with_time(Time::MIDNIGHT).assume_utc();
            let to = from + time::Duration::days(1);
            days.push(DayFigures {
                day,
                signups: self.counts.signups(from, to).await?,
                cancellations: self.counts.cancellations(from, to).await?,
                orders: self.counts.orders(from, to).await?,
            });
        }
        let mut running_bots = Vec::new();
        for kind in BotKind::ALL {
            running_bots.push((kind, self.counts.running_bots(kind).await?));
        }
        let leases = self.leases().await?;
        Ok(PlatformMetrics { computed_at: now, subscriptions, accounts, mrr, unpriced, days, running_bots, leases })
    }

    /// Every active paid subscription priced by its user's newest approved charge of the last
    /// [`PRICING_WINDOW`]: one pass over the subscriptions, a page at a time, each page priced
    /// with one read of its users' charges (no read per subscription). A complimentary plan (no
    /// provider: nothing billed) counts 0; a trial is not active, so it counts 0 too.
    async fn mrr(&self) -> Result<(Vec<Mrr>, Vec<(Option<PaymentProvider>, u64)>), RepoError> {
        let mut sums: BTreeMap<(&'static str, String), (PaymentProvider, Decimal, u64)> = BTreeMap::new();
        let mut unpriced: BTreeMap<&'static str, (PaymentProvider, u64)> = BTreeMap::new();
        let since = self.clock.now() - PRICING_WINDOW;
        for plan in Plan::ALL.into_iter().filter(|p| *p != Plan::Free) {
            let mut after = None;
            loop {
                let page = self.counts.active_paid(plan, after, PAGE).await?;
                // Comp grants bill nothing: left out of the sums and of the charges read.
                let billed: Vec<_> = page.iter().filter_map(|s| s.provider.map(|p| (s.user_id, p))).collect();
                let users: Vec<_> = billed.iter().map(|(user, _)| *user).collect();
                let charges: BTreeMap<_, _> = self.counts.latest_charges(&users, since).await?.into_iter().collect();
                for (user, provider) in billed {
                    let Some(charge) = charges.get(&user) else {
                        unpriced.entry(provider_name(provider)).or_insert((provider, 0)).1 += 1;
                        continue;
                    };
                    let monthly = match charge.period {
                        BillingPeriod::Monthly => charge.amount,
                        BillingPeriod::Annual => charge.amount / Decimal::from(12),
                    };
                    let entry = sums.entry((provider_name(provider), charge.currency.to_ascii_uppercase()));
                    let sum = entry.or_insert((provider, Decimal::ZERO, 0));
                    sum.1 += monthly;
                    sum.2 += 1;
                }
                if (page.len() as u64) < PAGE {
                    break;
                }
                after = page.last().map(|s| s.id);
            }
        }
        let mrr = sums
            .into_iter()
            .map(|((_, currency), (provider, amount, subscriptions))| {
                let mut amount = amount.round_dp(2);
                amount.rescale(2);
                Mrr { provider, currency, amount, subscriptions }
            })
            .collect();
        Ok((mrr, unpriced.into_values().map(|(provider, n)| (Some(provider), n)).collect()))
    }
}

/// The provider's wire name.
pub fn provider_name(provider: PaymentProvider) -> &'static str {
    match provider {
        PaymentProvider::Stripe => "stripe",
        PaymentProvider::Mercadopago => "mercadopago",
    }
}
