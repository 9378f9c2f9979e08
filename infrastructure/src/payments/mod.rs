//! Payment-provider adapters implementing `domain::subscriptions::PaymentGateway`: Stripe and
//! Mercado Pago. See `docs/payments.md` for their settings, signatures and idempotency.

mod idempotency;
pub mod mercadopago;
mod settings;
pub mod stripe;
