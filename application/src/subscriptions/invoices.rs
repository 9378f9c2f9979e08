//! The invoice list (`GET /api/subscriptions/invoices`): every charge of a user. PIX and boleto
//! charges are recorded by their checkout; a card subscription's payment is recorded here when
//! its webhook is applied (Stripe `invoice.paid`, an approved Mercado Pago preapproval payment),
//! once per provider payment whatever the number of deliveries.

use domain::shared::ids::UserId;
use domain::subscriptions::{Charge, PaidInvoice, PaymentProvider, ProviderPayment};
use domain::{Page, PageRequest, RepoError};

use super::{SubscriptionError, SubscriptionService};

/// Mercado Pago charges in reais.
const MERCADO_PAGO_CURRENCY: &str = "BRL";

impl SubscriptionService {
    /// A user's charges, newest first.
    pub async fn invoices(&self, user: UserId, page: PageRequest) -> Result<Page<Charge>, SubscriptionError> {
        Ok(self.ports.charges.list_for_user(user, page).await?)
    }

    /// Records a paid card invoice of `user`'s current plan; a payment already listed is left as
    /// it is. A failure is logged, not returned: the plan change it accompanies stands.
    pub(crate) async fn record_card_payment(&self, user: UserId, provider: PaymentProvider, invoice: &PaidInvoice) {
        if let Err(error) = self.try_record(user, provider, invoice).await {
            tracing::error!(?error, invoice = %invoice.id, "a paid card invoice could not be listed");
        }
    }

    /// Records a plan change's proration invoice (Stripe), listed once as a `proration` entry of
    /// its total (negative for a credit), not as a period's payment. Failures are logged.
    pub(crate) async fn record_proration(&self, user: UserId, provider: PaymentProvider, invoice: &PaidInvoice) {
        if let Err(error) = self.try_record_with(user, provider, invoice, Charge::proration_paid).await {
            tracing::error!(?error, invoice = %invoice.id, "a proration invoice could not be listed");
        }
    }

    /// [`record_card_payment`](Self::record_card_payment) for a Mercado Pago preapproval payment.
    pub(crate) async fn record_preapproval_payment(&self, user: UserId, payment: &ProviderPayment) {
        let invoice = PaidInvoice {
            id: payment.id.clone(),
            amount: payment.amount,
            currency: MERCADO_PAGO_CURRENCY.to_owned(),
            url: None,
            period_start: None,
            period_end: None,
        };
        self.record_card_payment(user, PaymentProvider::Mercadopago, &invoice).await;
    }

    async fn try_record(
        &self,
        user: UserId,
        provider: PaymentProvider,
        invoice: &PaidInvoice,
    ) -> Result<(), SubscriptionError> {
        self.try_record_with(user, provider, invoice, Charge::card_paid).await
    }

    async fn try_record_with(
        &self,
        user: UserId,
        provider: PaymentProvider,
        invoice: &PaidInvoice,
        entry: fn(UserId, PaymentProvider, domain::subscriptions::Plan, &PaidInvoice, time::OffsetDateTime) -> Charge,
    ) -> Result<(), SubscriptionError> {
        let subscription = self.ports.subscriptions.get_for_user(user).await?;
        let now = self.ports.clock.now();
        let period_end = invoice.period_end.or(subscription.current_period_end);
        let paid = PaidInvoice { period_end, ..invoice.clone() };
        let mut charge = entry(user, provider, subscription.plan, &paid, now);
        charge.period = self.paid_period(provider, &paid, subscription.provider_subscription_id.as_deref()).await;
        match self.ports.charges.create(&charge).await {
            Ok(_) | Err(RepoError::Duplicate { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Which period a card payment paid: the paid span when the provider states it (more than 62
    /// days is a year), otherwise the provider's billing period of the subscription; monthly,
    /// logged, when neither can be read.
    async fn paid_period(
        &self,
        provider: PaymentProvider,
        invoice: &PaidInvoice,
        subscription_id: Option<&str>,
    ) -> domain::subscriptions::BillingPeriod {
        use domain::subscriptions::BillingPeriod;
        if let (Some(start), Some(end)) = (invoice.period_start, invoice.period_end) {
            let year = end - start > time::Duration::days(62);
            return if year { BillingPeriod::Annual } else { BillingPeriod::Monthly };
        }
        let asked = match (self.ports.gateways.get(provider), subscription_id) {
            (Ok(gateway), Some(id)) => gateway.billing_period(id).await.ok(),
            _ => None,
        };
        asked.unwrap_or_else(|| {
            tracing::warn!(invoice = %invoice.id, "the paid period could not be read; listed as monthly");
            BillingPeriod::Monthly
        })
    }
}
