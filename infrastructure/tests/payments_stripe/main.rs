//! The Stripe payment gateway against a local wiremock server: request shape, idempotency keys,
//! response and webhook mapping of documented payloads, signatures and provider errors.

mod checkout;
mod errors;
mod subscriptions;
mod support;
mod webhooks;
