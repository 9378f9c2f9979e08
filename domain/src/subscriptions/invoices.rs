//! The invoice list: every charge of a user, one-off (PIX, boleto) or a card subscription's
//! payment (a Stripe invoice, a Mercado Pago preapproval payment), recorded once per provider
//! payment as a [`Charge`] whose `dedup_key` names it.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{BillingPeriod, Charge, ChargeId, ChargeStatus, PaymentInstructions, PaymentMethod, PaymentProvider, Plan};
use crate::shared::ids::UserId;

/// A card payment of a recurring subscription, as the provider reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidInvoice {
    /// The provider's id (Stripe `in_…`, Mercado Pago payment id).
    pub id: String,
    /// Amount paid, in `currency`.
    pub amount: Decimal,
    /// ISO 4217 currency, upper case.
    pub currency: String,
    /// The receipt or hosted-invoice page, when the provider gives one.
    pub url: Option<String>,
    /// Start of the period it paid for.
    pub period_start: Option<OffsetDateTime>,
    /// End of the period it paid for.
    pub period_end: Option<OffsetDateTime>,
}

impl Charge {
    /// The key that makes a provider payment appear once on the invoice list.
    pub fn card_key(provider: PaymentProvider, payment_id: &str) -> String {
        let name = match provider {
            PaymentProvider::Stripe => "stripe",
            PaymentProvider::Mercadopago => "mercadopago",
        };
        format!("{name}:{payment_id}")
    }

    /// A paid card invoice of `user` on `plan`, approved at `paid_at`.
    pub fn card_paid(
        user: UserId,
        provider: PaymentProvider,
        plan: Plan,
        invoice: &PaidInvoice,
        paid_at: OffsetDateTime,
    ) -> Self {
        let id = ChargeId::new();
        Self {
            id,
            user_id: user,
            provider: Some(provider),
            method: PaymentMethod::Card,
            plan,
            period: BillingPeriod::Monthly,
            amount: invoice.amount,
            currency: invoice.currency.to_ascii_uppercase(),
            provider_payment_id: Some(invoice.id.clone()),
            dedup_key: Self::card_key(provider, &invoice.id),
            status: ChargeStatus::Approved,
            instructions: PaymentInstructions { url: invoice.url.clone(), ..Default::default() },
            expires_at: paid_at,
            paid_at: Some(paid_at),
            period_start: invoice.period_start,
            period_end: invoice.period_end,
            created_at: paid_at,
            updated_at: paid_at,
            coupon: None,
            proration: false,
            upgrade: None,
            version: 0,
        }
    }
}

/// What an entry of the invoice list is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A payment (PIX, boleto, a card subscription's period).
    Payment,
    /// A plan change's proration invoice (Stripe); negative for a credit.
    Proration,
    /// A refund or chargeback (negative).
    Refund,
    /// A plan granted by an operator (amount 0).
    Comp,
    /// The one-off difference of an upgrade of a Mercado Pago card subscription (PIX).
    UpgradeDifference,
}

impl EntryKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Payment => "payment",
            EntryKind::Proration => "proration",
            EntryKind::Refund => "refund",
            EntryKind::Comp => "comp",
            EntryKind::UpgradeDifference => "upgrade_difference",
        }
    }
}

impl Charge {
    /// What this entry is.
    pub fn kind(&self) -> EntryKind {
        if self.status == ChargeStatus::Refunded {
            EntryKind::Refund
        } else if self.method == PaymentMethod::Comp {
            EntryKind::Comp
        } else if self.upgrade.is_some() {
            EntryKind::UpgradeDifference
        } else if self.proration {
            EntryKind::Proration
        } else {
            EntryKind::Payment
        }
    }

    /// A Stripe proration invoice of `user` on `plan` (the plan after the change), paid at
    /// `paid_at`: listed once, like a card payment, with its total (negative for a credit).
    pub fn proration_paid(
        user: UserId,
        provider: PaymentProvider,
        plan: Plan,
        invoice: &PaidInvoice,
        paid_at: OffsetDateTime,
    ) -> Self {
        Self { proration: true, ..Self::card_paid(user, provider, plan, invoice, paid_at) }
    }
}

impl Charge {
    /// The refund (or chargeback) entry of this approved charge, recorded at `at`: the same
    /// plan, method and period, the amount negated, listed once (`refund:<charge's key>`).
    pub fn refund_entry(&self, at: OffsetDateTime) -> Self {
        Self {
            id: ChargeId::new(),
            amount: -self.amount,
            dedup_key: format!("refund:{}", self.dedup_key),
            status: ChargeStatus::Refunded,
            instructions: PaymentInstructions::default(),
            expires_at: at,
            paid_at: Some(at),
            created_at: at,
            updated_at: at,
            version: 0,
            ..self.clone()
        }
    }
}

impl Charge {
    /// The invoice entry of a comp: `plan` granted to `user` from `at` until `until`, amount 0,
    /// no provider, method `comp`, status `granted`.
    pub fn comp(user: UserId, plan: Plan, until: OffsetDateTime, at: OffsetDateTime) -> Self {
        let id = ChargeId::new();
        Self {
            id,
            user_id: user,
            provider: None,
            method: PaymentMethod::Comp,
            plan,
            period: BillingPeriod::Monthly,
            amount: Decimal::ZERO,
            currency: "BRL".into(),
            provider_payment_id: None,
            dedup_key: format!("comp:{id}"),
            coupon: None,
            proration: false,
            upgrade: None,
            status: ChargeStatus::Granted,
            instructions: PaymentInstructions::default(),
            expires_at: at,
            paid_at: Some(at),
            period_start: Some(at),
            period_end: Some(until),
            created_at: at,
            updated_at: at,
            version: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_invoice_is_keyed_by_its_provider_payment() {
        let invoice = PaidInvoice {
            id: "in_1".into(),
            amount: Decimal::new(1990, 2),
            currency: "brl".into(),
            url: Some("https://invoice.stripe.com/i/1".into()),
            period_start: None,
            period_end: None,
        };
        let at = OffsetDateTime::UNIX_EPOCH;
        let charge = Charge::card_paid(UserId::new(), PaymentProvider::Stripe, Plan::Pro, &invoice, at);
        assert_eq!((charge.dedup_key.as_str(), charge.currency.as_str()), ("stripe:in_1", "BRL"));
        assert_eq!(
            (charge.method, charge.status, charge.paid_at),
            (PaymentMethod::Card, ChargeStatus::Approved, Some(at))
        );
        let other = Charge::card_paid(UserId::new(), PaymentProvider::Mercadopago, Plan::Pro, &invoice, at);
        assert_ne!(other.dedup_key, charge.dedup_key);
    }
}
