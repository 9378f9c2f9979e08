//! The Mercado Pago payment gateway against a local wiremock server: preapproval checkout, cancel,
//! reads, `x-signature` webhooks (which never take state from the body) and provider errors.

mod checkout;
mod errors;
mod reads;
mod support;
mod webhooks;
