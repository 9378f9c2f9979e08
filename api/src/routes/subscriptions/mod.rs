//! `/api/plans` and `/api/subscriptions`: plans, the caller's subscription and usage, checkout at
//! Stripe or Mercado Pago (card, PIX, boleto; in `checkout`), plan changes (in `change`), cancellation.

use actix_web::{get, post, web, HttpResponse};
use application::subscriptions::{PlanOffer, SubscriptionOverview, Usage};
use domain::subscriptions::Entitlements;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::RouteModule;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::wire::{self, BotKind};
use crate::state::AppState;

/// The OpenAPI tag of these routes.
pub const TAG: &str = "subscriptions";

/// This module's routes.
pub const MODULE: RouteModule = RouteModule {
    tag: TAG,
    description: "Plans (FREE, PRO, MAX), the caller's subscription and usage, checkout and cancellation.",
    configure,
};

mod change;
mod checkout;
mod invoices;

pub use invoices::InvoiceResponse;

fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_plans)
        .service(my_subscription)
        .service(checkout::checkout)
        .service(invoices::invoices)
        .service(change::preview_change)
        .service(change::change_plan)
        .service(change::undo_change)
        .service(start_trial)
        .service(cancel);
}

/// What a plan allows. A `null` limit is unlimited. Only what the server enforces is listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntitlementsResponse {
    /// Trading contexts (`null`: unlimited).
    pub contexts: Option<u32>,
    /// Bots across contexts (`null`: unlimited).
    pub bots: Option<u32>,
    /// Bot kinds allowed: `smart`, `candle`, `dca`, `channel`.
    pub bot_kinds: Vec<BotKind>,
    /// Advanced indicators (VWAP, MFI, volume profile, ATR, OBV).
    pub advanced_indicators: bool,
    /// Days of history every history read reaches (`null`: all of it).
    pub history_days: Option<u32>,
    /// The performance series beside BTC buy-and-hold over the same window.
    pub market_comparison: bool,
    /// Advanced metrics (Sharpe, Sortino, drawdown, profit factor, hold times, expectancy).
    pub advanced_metrics: bool,
    /// The PDF report.
    pub pdf_reports: bool,
    /// Messages a day to the assistant, the user's local day (`null`: unlimited).
    pub chat_messages_per_day: Option<u32>,
}

impl From<&Entitlements> for EntitlementsResponse {
    fn from(e: &Entitlements) -> Self {
        Self {
            contexts: e.contexts.max(),
            bots: e.bots.max(),
            bot_kinds: e.bot_kinds.iter().copied().map(Into::into).collect(),
            advanced_indicators: e.advanced_indicators,
            history_days: e.history_days,
            market_comparison: e.market_comparison,
            advanced_metrics: e.advanced_metrics,
            pdf_reports: e.pdf_reports,
            chat_messages_per_day: e.chat_messages_per_day.max(),
        }
    }
}

/// A plan on offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    /// `FREE`, `PRO` or `MAX`.
    pub plan: wire::Plan,
    /// Monthly price, a decimal string.
    #[schema(value_type = String, example = "19.90")]
    pub monthly_price: Decimal,
    /// A year (`period: annual`) through Mercado Pago (PIX, boleto, or a yearly card
    /// preapproval), a decimal string. Stripe bills its own annual price, set in Stripe.
    #[schema(value_type = String, example = "199.00")]
    pub annual_price: Decimal,
    /// The annual price a month (rounded to the centavo).
    #[schema(value_type = String, example = "16.58")]
    pub annual_monthly_equivalent: Decimal,
    /// Twelve monthly prices less the annual one.
    #[schema(value_type = String, example = "39.80")]
    pub annual_saving: Decimal,
    /// Always `BRL`.
    pub currency: String,
    /// What it allows.
    pub entitlements: EntitlementsResponse,
    /// Days of free trial (`POST /api/subscriptions/trial`), once per user; present on the
    /// trial's plan only when this server offers trials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_days: Option<u32>,
    /// Where a year can be bought on this server: one entry per configured provider and method
    /// (`mercadopago` `pix`, `boleto`, `card`; `stripe` `card` when its annual prices are set).
    /// Empty for FREE, and when no provider offers it.
    pub annual_offered_by: Vec<AnnualOffer>,
}

/// A provider and method selling a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualOffer {
    /// `stripe` or `mercadopago`.
    pub provider: wire::PaymentProvider,
    /// `pix`, `boleto` or `card`.
    pub method: wire::PaymentMethod,
}

impl From<PlanOffer> for PlanResponse {
    fn from(p: PlanOffer) -> Self {
        Self {
            plan: p.plan.into(),
            monthly_price: p.monthly_price_brl,
            annual_price: cents(p.annual_price_brl),
            annual_monthly_equivalent: cents(p.annual_monthly_equivalent_brl),
            annual_saving: cents(p.annual_saving_brl),
            currency: "BRL".into(),
            entitlements: EntitlementsResponse::from(&p.entitlements),
            trial_days: p.trial_days,
            annual_offered_by: p
                .annual_offered_by
                .into_iter()
                .map(|(provider, method)| AnnualOffer { provider: provider.into(), method: method.into() })
                .collect(),
        }
    }
}

/// `amount` with its centavos (`970.00`).
fn cents(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}

/// Every plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    /// Cheapest first.
    pub items: Vec<PlanResponse>,
}

/// One limit and its use.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageResponse {
    /// In use.
    pub used: u64,
    /// The limit (`null`: unlimited).
    pub limit: Option<u32>,
}

impl From<Usage> for UsageResponse {
    fn from(u: Usage) -> Self {
        Self { used: u.used, limit: u.limit.max() }
    }
}

/// Usage against each limit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageSummary {
    /// Trading contexts.
    pub contexts: UsageResponse,
    /// Bots.
    pub bots: UsageResponse,
    /// Messages sent to the assistant today (the user's local day, in their `time_zone`), against the plan's daily quota.
    pub chat_messages_today: UsageResponse,
}

/// A plan change waiting for the end of the paid period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledChangeResponse {
    /// The plan from `effective_at` on.
    pub plan: wire::Plan,
    /// The end of the period paid for the current plan.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub effective_at: OffsetDateTime,
    /// The billing period from `effective_at` on when it changes too (annual -> monthly); `null`
    /// keeps the current one.
    pub period: Option<wire::BillingPeriod>,
}

/// The caller's subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionResponse {
    /// The plan subscribed to.
    pub plan: wire::Plan,
    /// The plan whose entitlements apply now: FREE while unpaid, incomplete or paused.
    pub effective_plan: wire::Plan,
    /// `active`, `trialing`, `past_due`, `unpaid`, `canceled`, `incomplete` or `paused`.
    pub status: wire::SubscriptionStatus,
    /// Why it is in that state (e.g. why it was downgraded).
    pub status_reason: Option<String>,
    /// `stripe` or `mercadopago`; `null` on FREE.
    pub provider: Option<wire::PaymentProvider>,
    /// End of the paid period.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub current_period_end: Option<OffsetDateTime>,
    /// The paid plan ends at `current_period_end` (then FREE).
    pub cancel_at_period_end: bool,
    /// A downgrade waiting for the end of the paid period (undo with `DELETE /api/subscriptions/change`).
    pub scheduled_change: Option<ScheduledChangeResponse>,
    /// What the effective plan allows.
    pub entitlements: EntitlementsResponse,
    /// Usage against each limit.
    pub usage: UsageSummary,
}

impl SubscriptionResponse {
    /// The overview, with `chat_messages_today` messages sent to the assistant today.
    pub fn new(o: SubscriptionOverview, chat_messages_today: u64) -> Self {
        let s = o.subscription;
        Self {
            plan: s.plan.into(),
            effective_plan: o.effective_plan.into(),
            status: s.status.into(),
            status_reason: s.status_reason,
            provider: s.provider.map(Into::into),
            current_period_end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            scheduled_change: s.scheduled_change.map(|c| ScheduledChangeResponse {
                plan: c.plan.into(),
                effective_at: c.at,
                period: c.period.map(Into::into),
            }),
            entitlements: EntitlementsResponse::from(&o.entitlements),
            usage: UsageSummary {
                contexts: o.contexts.into(),
                bots: o.bots.into(),
                chat_messages_today: UsageResponse {
                    used: chat_messages_today,
                    limit: o.entitlements.chat_messages_per_day.max(),
                },
            },
        }
    }
}

/// Every plan with its monthly price and entitlements. Public.
#[utoipa::path(tag = TAG, responses((status = 200, description = "Plans, cheapest first", body = PlanList)))]
#[get("/api/plans")]
pub async fn list_plans(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(PlanList { items: state.subscriptions.plans().into_iter().map(Into::into).collect() })
}

/// The caller's plan, billing state and usage against each limit.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The subscription", body = SubscriptionResponse),
    )
)]
#[get("/api/subscriptions/me")]
pub async fn my_subscription(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    let overview = state.subscriptions.overview(auth.0.user_id).await?;
    let quota = state.assistant.quota(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(SubscriptionResponse::new(overview, quota.used)))
}

/// Cancel the paid subscription: Stripe at the period end (access kept until then), Mercado Pago
/// at once.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 200, description = "The subscription after cancelling", body = SubscriptionResponse),
    )
)]
#[post("/api/subscriptions/cancel")]
pub async fn cancel(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    state.subscriptions.cancel(auth.0.user_id).await?;
    let overview = state.subscriptions.overview(auth.0.user_id).await?;
    let quota = state.assistant.quota(auth.0.user_id).await?;
    Ok(HttpResponse::Ok().json(SubscriptionResponse::new(overview, quota.used)))
}

/// Start the free trial of PRO (no card needed), once per user: PRO until `current_period_end`,
/// then FREE unless a plan is paid for by then.
#[utoipa::path(
    tag = TAG,
    responses(
        (status = 201, description = "The subscription, trialing", body = SubscriptionResponse),
    )
)]
#[post("/api/subscriptions/trial")]
pub async fn start_trial(state: web::Data<AppState>, auth: Authenticated) -> Result<HttpResponse, ApiError> {
    state.subscriptions.start_trial(auth.0.user_id).await?;
    let overview = state.subscriptions.overview(auth.0.user_id).await?;
    let quota = state.assistant.quota(auth.0.user_id).await?;
    Ok(HttpResponse::Created().json(SubscriptionResponse::new(overview, quota.used)))
}
