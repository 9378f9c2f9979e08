//! `POST /api/webhooks/{stripe,mercadopago}`: verify the signature on the raw bytes, claim the
//! provider event id (a unique index: each event is applied at most once, even when delivered
//! many times at once), apply it through the state machine, and record the outcome for audit.
//! Mercado Pago bodies carry only ids: the payment or preapproval is read from its API.

use domain::shared::ids::UserId;
use domain::subscriptions::{
    Activation, EventOutcome, PaymentEventRecord, PaymentGateway, PaymentProvider, ProviderPaymentStatus,
    ProviderSubscription, SubscriptionStatus, TransitionError, WebhookEvent, WebhookRequest, WebhookSubject,
};
use domain::RepoError;
use time::{Duration, OffsetDateTime};

use super::duplicates::PaidBy;
use super::{SubscriptionError, SubscriptionService};

/// What a delivery did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The subscription changed.
    Applied,
    /// Valid, but nothing changed (already so, or older than the state applied).
    Unchanged,
    /// Not about anything we track.
    Ignored,
    /// Already received: nothing done.
    Duplicate,
}

/// The currency botfleet's Mercado Pago payments are charged in.
const MERCADO_PAGO_CURRENCY: &str = "BRL";

/// A claim left `processing` longer than this is taken over (its worker died).
const STALE_CLAIM: Duration = Duration::minutes(5);

/// A delivery's outcome, the user it concerned and why.
pub(super) type Applied = (WebhookOutcome, Option<UserId>, Option<String>);

/// Whether an activation was refused as the user's second paid subscription.
fn is_second(err: &SubscriptionError) -> bool {
    matches!(err, SubscriptionError::Mismatch(TransitionError::SecondSubscription(_)))
}

fn ignored(user: Option<UserId>, why: &str) -> Applied {
    (WebhookOutcome::Ignored, user, Some(why.to_owned()))
}

fn is_live(status: SubscriptionStatus) -> bool {
    matches!(status, SubscriptionStatus::Active | SubscriptionStatus::Trialing)
}

impl SubscriptionService {
    /// Handles one delivery from `provider`. Errors: `NotConfigured`, `InvalidSignature`,
    /// `MalformedWebhook`, `ProviderUnavailable`.
    pub async fn handle_webhook(
        &self,
        provider: PaymentProvider,
        request: &WebhookRequest,
    ) -> Result<WebhookOutcome, SubscriptionError> {
        let gateway = self.ports.gateways.get(provider)?.clone();
        let now = self.ports.clock.now();
        // Only here is an unreadable payload the sender's fault (400); elsewhere it is the
        // provider's answer that we could not read (`ProviderUnavailable`, see `From`).
        let event = gateway.verify_webhook(request, now).map_err(|err| match err {
            domain::subscriptions::PaymentError::Malformed(why) => SubscriptionError::MalformedWebhook(why),
            other => other.into(),
        })?;
        let Some(record) = self.claim(&event, now).await? else {
            return Ok(WebhookOutcome::Duplicate);
        };
        let result = self.apply_event(&*gateway, &event, now).await;
        let (outcome, user, detail) = match &result {
            Ok((outcome, user, detail)) => (
                match outcome {
                    WebhookOutcome::Applied => EventOutcome::Applied,
                    WebhookOutcome::Unchanged | WebhookOutcome::Duplicate => EventOutcome::Unchanged,
                    WebhookOutcome::Ignored => EventOutcome::Ignored,
                },
                *user,
                detail.clone(),
            ),
            Err(err) => (EventOutcome::Failed, None, Some(err.code().to_owned())),
        };
        self.settle(record, outcome, user, detail).await;
        result.map(|(outcome, _, _)| outcome)
    }

    /// Claims the event; `None` when another delivery has it (or had it).
    async fn claim(
        &self,
        event: &WebhookEvent,
        now: OffsetDateTime,
    ) -> Result<Option<PaymentEventRecord>, SubscriptionError> {
        let fresh = PaymentEventRecord::claim(event.provider, &event.event_id, &event.event_type, now);
        match self.ports.payment_events.create(&fresh).await {
            Ok(record) => return Ok(Some(record)),
            Err(RepoError::Duplicate { .. }) => {}
            Err(err) => return Err(err.into()),
        }
        let existing = self.ports.payment_events.get(event.provider, &event.event_id).await?;
        let abandoned = existing.outcome == EventOutcome::Processing && existing.updated_at + STALE_CLAIM < now;
        if existing.outcome != EventOutcome::Failed && !abandoned {
            return Ok(None);
        }
        let retry = PaymentEventRecord {
            outcome: EventOutcome::Processing,
            deliveries: existing.deliveries + 1,
            updated_at: now,
            ..existing
        };
        match self.ports.payment_events.update(&retry).await {
            Ok(record) => Ok(Some(record)),
            Err(RepoError::Conflict) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    async fn settle(
        &self,
        record: PaymentEventRecord,
        outcome: EventOutcome,
        user: Option<UserId>,
        detail: Option<String>,
    ) {
        let done = PaymentEventRecord { outcome, user_id: user, detail, updated_at: self.ports.clock.now(), ..record };
        if let Err(err) = self.ports.payment_events.update(&done).await {
            tracing::error!(error = ?err, event = %done.event_id, "recording a webhook's outcome failed");
        }
    }

    async fn apply_event(
        &self,
        gateway: &dyn PaymentGateway,
        event: &WebhookEvent,
        now: OffsetDateTime,
    ) -> Result<Applied, SubscriptionError> {
        let provider = event.provider;
        let sent_at = event.created_at.unwrap_or(now);
        match &event.subject {
            WebhookSubject::CheckoutCompleted {
                subscription_id: Some(id),
                customer_id,
                user_id,
                plan,
                invoice_id,
                currency,
            } => {
                let p = gateway.subscription(id).await?;
                let (Some(user), Some(plan)) = (user_id.or(p.user_id), plan.or(p.plan)) else {
                    return Ok(ignored(None, "no botfleet user or plan in the checkout"));
                };
                let customer_id = customer_id.clone().or(p.customer_id.clone());
                let activation = Activation {
                    provider,
                    subscription_id: id.clone(),
                    customer_id,
                    plan,
                    period_end: p.current_period_end,
                    observed_at: now,
                };
                // A trialing subscription paid nothing; an incomplete one's first payment failed.
                let unpaid = matches!(p.status, SubscriptionStatus::Trialing | SubscriptionStatus::Incomplete);
                let paid = match (invoice_id, currency) {
                    (Some(payment_id), Some(currency)) if !unpaid => Some(PaidBy { payment_id, currency }),
                    _ => None,
                };
                if !is_live(p.status) {
                    // A second subscription an update already cancelled still has its first
                    // payment to give back.
                    if self.is_duplicate(user, &activation).await? {
                        return self.end_duplicate(user, &activation, paid).await;
                    }
                    return Ok(ignored(Some(user), "the subscription is not active at the provider yet"));
                }
                let applied = match self.activate(user, &activation).await {
                    Err(err) if is_second(&err) => return self.end_duplicate(user, &activation, paid).await,
                    applied => applied?,
                };
                if p.status != SubscriptionStatus::Trialing || applied.0 == WebhookOutcome::Ignored {
                    return Ok(applied);
                }
                // Stripe's trial at checkout: trialing until the first invoice, the one trial used.
                self.transition(user, |s, now| Ok::<_, TransitionError>(s.provider_trial_started(now))).await?;
                Ok(applied)
            }
            WebhookSubject::CheckoutCompleted { subscription_id: None, .. } => {
                Ok(ignored(None, "checkout without a subscription"))
            }
            WebhookSubject::SubscriptionUpdated(p) => self.sync(p, p.observed_at.unwrap_or(sent_at)).await,
            WebhookSubject::SubscriptionDeleted(p) => {
                let ended = ProviderSubscription { status: SubscriptionStatus::Canceled, ..p.clone() };
                self.sync(&ended, p.observed_at.unwrap_or(sent_at)).await
            }
            WebhookSubject::InvoicePaid { subscription_id, period_end, invoice, proration } => {
                let Some(user) = self.owner_of(provider, subscription_id).await? else {
                    return Ok(ignored(None, "unknown subscription"));
                };
                let applied =
                    self.transition(user, |s, now| s.invoice_paid(subscription_id, *period_end, sent_at, now)).await?;
                if let Some(invoice) = invoice.as_ref().filter(|_| applied.0 != WebhookOutcome::Ignored) {
                    if *proration {
                        self.record_proration(user, provider, invoice).await;
                    } else {
                        self.record_card_payment(user, provider, invoice).await;
                    }
                }
                Ok(applied)
            }
            WebhookSubject::InvoicePaymentFailed { subscription_id } => {
                let Some(user) = self.owner_of(provider, subscription_id).await? else {
                    return Ok(ignored(None, "unknown subscription"));
                };
                self.transition(user, |s, now| s.payment_failed(subscription_id, sent_at, now)).await
            }
            WebhookSubject::PaymentChanged { payment_id } => {
                let payment = gateway.payment(payment_id).await?;
                if let Some(applied) = self.settle_payment(&payment).await? {
                    return Ok(applied);
                }
                let Some(id) = payment.subscription_id.clone() else {
                    return Ok(ignored(payment.user_id, "a payment without a subscription"));
                };
                match payment.status {
                    ProviderPaymentStatus::Pending => {
                        Ok((WebhookOutcome::Unchanged, payment.user_id, Some("payment pending".into())))
                    }
                    ProviderPaymentStatus::Refunded => self.preapproval_payment_refunded(&payment).await,
                    ProviderPaymentStatus::Failed => match self.owner_of(provider, &id).await? {
                        Some(user) => self.transition(user, |s, now| s.payment_failed(&id, now, now)).await,
                        None => Ok(ignored(payment.user_id, "unknown subscription")),
                    },
                    ProviderPaymentStatus::Approved if payment.refunded > rust_decimal::Decimal::ZERO => {
                        self.preapproval_payment_partly_refunded(&payment).await
                    }
                    ProviderPaymentStatus::Approved => {
                        let p = gateway.subscription(&id).await?;
                        if let Some(user) = self.owner_of(provider, &id).await? {
                            let applied = self
                                .transition(user, |s, now| s.invoice_paid(&id, p.current_period_end, now, now))
                                .await?;
                            if applied.0 != WebhookOutcome::Ignored {
                                self.record_preapproval_payment(user, &payment).await;
                            }
                            return Ok(applied);
                        }
                        let (Some(user), Some(plan)) = (payment.user_id.or(p.user_id), payment.plan.or(p.plan)) else {
                            return Ok(ignored(None, "no botfleet user or plan in the payment"));
                        };
                        let a = Activation {
                            provider,
                            subscription_id: id.clone(),
                            customer_id: p.customer_id.clone(),
                            plan,
                            period_end: p.current_period_end,
                            observed_at: now,
                        };
                        // The first payment starts the subscription: its owner hears of both.
                        let applied = self
                            .transition(user, |s, now| {
                                let t = s.activate(&a, now)?;
                                if t.changed() {
                                    s.raise_payment(true, Some((payment.amount, MERCADO_PAGO_CURRENCY)), None, now);
                                }
                                Ok(t)
                            })
                            .await;
                        let applied = match applied {
                            Err(err) if is_second(&err) => {
                                let paid = PaidBy { payment_id: &payment.id, currency: MERCADO_PAGO_CURRENCY };
                                return self.end_duplicate(user, &a, Some(paid)).await;
                            }
                            applied => applied?,
                        };
                        if applied.0 != WebhookOutcome::Ignored {
                            self.record_preapproval_payment(user, &payment).await;
                        }
                        Ok(applied)
                    }
                }
            }
            WebhookSubject::PreapprovalChanged { preapproval_id } => {
                let p = gateway.subscription(preapproval_id).await?;
                self.sync(&p, now).await
            }
            WebhookSubject::CardRefunded(refund) => self.stripe_card_refunded(gateway, refund).await,
            WebhookSubject::Ignored => Ok(ignored(None, "event type not acted on")),
        }
    }

    /// Applies a provider subscription: to its owner, or as a new activation when it is live and
    /// names our user and plan (an update that overtook its checkout).
    pub(crate) async fn sync(
        &self,
        p: &ProviderSubscription,
        observed_at: OffsetDateTime,
    ) -> Result<Applied, SubscriptionError> {
        if let Some(user) = self.owner_of(p.provider, &p.id).await? {
            // A paid upgrade whose amount update failed: sent again first (see `upgrade_settle`).
            let repaired = self.with_upgrade_amount(user, p).await?;
            let p = repaired.as_ref().unwrap_or(p);
            return self.transition(user, |s, now| s.apply_provider(p, observed_at, now)).await;
        }
        match (p.user_id, p.plan) {
            (Some(user), Some(plan)) if is_live(p.status) && plan != domain::subscriptions::Plan::Free => {
                let a = Activation {
                    provider: p.provider,
                    subscription_id: p.id.clone(),
                    customer_id: p.customer_id.clone(),
                    plan,
                    period_end: p.current_period_end,
                    observed_at,
                };
                match self.activate(user, &a).await {
                    Err(err) if is_second(&err) => self.end_duplicate(user, &a, None).await,
                    applied => applied,
                }
            }
            _ => Ok(ignored(p.user_id, "unknown or inactive subscription")),
        }
    }

    async fn activate(&self, user: UserId, a: &Activation) -> Result<Applied, SubscriptionError> {
        self.transition(user, |s, now| s.activate(a, now)).await
    }

    async fn transition(
        &self,
        user: UserId,
        f: impl Fn(
            &mut domain::subscriptions::Subscription,
            OffsetDateTime,
        ) -> Result<domain::subscriptions::Transition, TransitionError>,
    ) -> Result<Applied, SubscriptionError> {
        match self.change(user, f).await {
            Ok((s, t)) if t.changed() => {
                Ok((WebhookOutcome::Applied, Some(user), Some(format!("{} {:?}", s.plan, s.status).to_lowercase())))
            }
            Ok(_) => Ok((WebhookOutcome::Unchanged, Some(user), None)),
            // A second subscription is the caller's to end (see `duplicates`).
            Err(SubscriptionError::Mismatch(err)) if !matches!(err, TransitionError::SecondSubscription(_)) => {
                Ok((WebhookOutcome::Ignored, Some(user), Some(err.to_string())))
            }
            Err(err) => Err(err),
        }
    }
}
