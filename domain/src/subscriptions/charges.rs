//! One-off charges: a PIX or boleto payment (Mercado Pago Payments API) that buys a plan for one
//! billing period. Each is recorded before the provider is called, under an external reference
//! that names it (`botfleet:<user>:<PLAN>:<period>:<charge id>`), so a payment whose webhook was
//! lost is found again by searching the provider for that reference.

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{PaymentProvider, Plan};
use crate::shared::error::RepoError;
use crate::shared::ids::UserId;
use crate::shared::page::{Page, PageRequest};

crate::ulid_id!(
    /// Identifies a charge.
    ChargeId
);

/// How long a bought period lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingPeriod {
    /// 30 days.
    Monthly,
    /// 365 days.
    Annual,
}

impl BillingPeriod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            BillingPeriod::Monthly => "monthly",
            BillingPeriod::Annual => "annual",
        }
    }

    /// The time one payment buys.
    pub fn length(self) -> Duration {
        match self {
            BillingPeriod::Monthly => Duration::days(30),
            BillingPeriod::Annual => Duration::days(365),
        }
    }

    /// Parses the wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        [BillingPeriod::Monthly, BillingPeriod::Annual].into_iter().find(|p| p.as_str() == raw)
    }
}

/// How the payer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// PIX instant transfer (QR code or copy-and-paste code).
    Pix,
    /// Boleto bancário (Bradesco), paid at a bank until its due date.
    Boleto,
    /// Card, through the provider's hosted checkout (a recurring subscription).
    Card,
    /// Nothing paid: a plan granted by an operator (amount 0, no provider).
    Comp,
}

impl PaymentMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Pix => "pix",
            PaymentMethod::Boleto => "boleto",
            PaymentMethod::Card => "card",
            PaymentMethod::Comp => "comp",
        }
    }
}

/// Where a charge stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeStatus {
    /// Waiting for the payer.
    Pending,
    /// Paid: the period was granted.
    Approved,
    /// Not paid before it expired (or cancelled, rejected): nothing granted.
    Expired,
    /// The refund (or chargeback) of an approved charge, recorded as its own entry with the
    /// amount negated.
    Refunded,
    /// A comp: the plan granted by an operator for the period, nothing paid.
    Granted,
}

/// How the payer pays a pending charge: PIX codes or the boleto slip, as the provider made them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInstructions {
    /// PIX copy-and-paste (EMV) code.
    pub qr_code: Option<String>,
    /// PIX QR code image, base64.
    pub qr_code_base64: Option<String>,
    /// The provider's page for the payment (PIX ticket page, boleto slip URL).
    pub url: Option<String>,
    /// Boleto barcode.
    pub barcode: Option<String>,
    /// Boleto digitable line.
    pub digitable_line: Option<String>,
}

/// One charge of a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    /// Id.
    pub id: ChargeId,
    /// Who pays.
    pub user_id: UserId,
    /// Who collects it; none for a comp (nothing is collected).
    pub provider: Option<PaymentProvider>,
    /// PIX, boleto, card, or comp.
    pub method: PaymentMethod,
    /// The plan bought.
    pub plan: Plan,
    /// The period bought.
    pub period: BillingPeriod,
    /// Amount charged.
    pub amount: Decimal,
    /// ISO 4217 currency (`BRL`).
    pub currency: String,
    /// The provider's payment id, once created.
    pub provider_payment_id: Option<String>,
    /// Unique among charges: the charge id for PIX and boleto, `<provider>:<payment id>` for a
    /// card payment (so a payment reported twice is listed once).
    pub dedup_key: String,
    /// Where it stands.
    pub status: ChargeStatus,
    /// How to pay it, once created.
    pub instructions: PaymentInstructions,
    /// Unpaid after this, it cannot be paid any more.
    pub expires_at: OffsetDateTime,
    /// When the provider approved it.
    pub paid_at: Option<OffsetDateTime>,
    /// The period it paid for, once approved.
    pub period_start: Option<OffsetDateTime>,
    /// End of that period.
    pub period_end: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// The coupon code whose discount `amount` includes (Mercado Pago coupons), when one was used.
    pub coupon: Option<String>,
    /// An invoice of a plan change's proration (Stripe `billing_reason: subscription_update` with
    /// proration lines), not a period's payment: `amount` is its total, negative for a credit.
    pub proration: bool,
    /// The one-off difference of a Mercado Pago upgrade (`plan` is the plan after it), not a
    /// period's payment.
    pub upgrade: Option<super::UpgradeOf>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// What a new charge is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCharge {
    /// Who pays.
    pub user_id: UserId,
    /// PIX or boleto.
    pub method: PaymentMethod,
    /// The plan.
    pub plan: Plan,
    /// The period.
    pub period: BillingPeriod,
    /// Amount in BRL.
    pub amount: Decimal,
    /// Last moment it can be paid.
    pub expires_at: OffsetDateTime,
}

impl Charge {
    /// A pending Mercado Pago charge in BRL, before the provider is called.
    pub fn pending(new: NewCharge, at: OffsetDateTime) -> Self {
        let id = ChargeId::new();
        Self {
            id,
            dedup_key: id.to_string(),
            user_id: new.user_id,
            provider: Some(PaymentProvider::Mercadopago),
            method: new.method,
            plan: new.plan,
            period: new.period,
            amount: new.amount,
            currency: "BRL".into(),
            provider_payment_id: None,
            status: ChargeStatus::Pending,
            instructions: PaymentInstructions::default(),
            expires_at: new.expires_at,
            paid_at: None,
            period_start: None,
            period_end: None,
            created_at: at,
            updated_at: at,
            coupon: None,
            proration: false,
            upgrade: None,
            version: 0,
        }
    }

    /// The reference the provider stores with the payment: `botfleet:<user>:<PLAN>:<period>:<id>`.
    pub fn external_reference(&self) -> String {
        format!("botfleet:{}:{}:{}:{}", self.user_id, self.plan, self.period.as_str(), self.id)
    }
}

/// The charge named by an external reference made by [`Charge::external_reference`].
pub fn parse_charge_reference(raw: &str) -> Option<ChargeId> {
    let parts: Vec<&str> = raw.split(':').collect();
    let ["botfleet", user, plan, period, id] = parts.as_slice() else { return None };
    UserId::parse(user)?;
    plan.parse::<Plan>().ok()?;
    BillingPeriod::parse(period)?;
    ChargeId::parse(id)
}

/// Stores charges. Collection `charges`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ChargeRepository: Send + Sync {
    /// Inserts. Errors: `Duplicate` (index `charges_dedup`: a charge with this `dedup_key` exists).
    async fn create(&self, charge: &Charge) -> Result<Charge, RepoError>;
    /// The charge. Errors: `NotFound`.
    async fn get(&self, id: ChargeId) -> Result<Charge, RepoError>;
    /// Replaces under a version check. Errors: `Conflict`, `NotFound`.
    async fn update(&self, charge: &Charge) -> Result<Charge, RepoError>;
    /// The charge listed under `dedup_key` (a refund entry is `refund:<charge's key>`).
    /// Errors: `NotFound`.
    async fn find_by_dedup_key(&self, key: &str) -> Result<Charge, RepoError>;
    /// Pending charges, oldest first: what reconciliation looks for at the provider.
    async fn list_pending(&self, page: PageRequest) -> Result<Page<Charge>, RepoError>;
    /// A user's charges, newest first.
    async fn list_for_user(&self, user: UserId, page: PageRequest) -> Result<Page<Charge>, RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip_and_refuse_others() {
        let new = NewCharge {
            user_id: UserId::new(),
            method: PaymentMethod::Pix,
            plan: Plan::Pro,
            period: BillingPeriod::Annual,
            amount: Decimal::new(19900, 2),
            expires_at: OffsetDateTime::UNIX_EPOCH,
        };
        let charge = Charge::pending(new, OffsetDateTime::UNIX_EPOCH);
        let reference = charge.external_reference();
        assert!(reference.ends_with(&format!(":PRO:annual:{}", charge.id)), "{reference}");
        assert_eq!(parse_charge_reference(&reference), Some(charge.id));
        assert_eq!(parse_charge_reference(&format!("botfleet:{}:PRO", charge.user_id)), None);
        assert_eq!(parse_charge_reference(&reference.replace("annual", "weekly")), None);
        assert_eq!(BillingPeriod::Monthly.length(), Duration::days(30));
    }
}
