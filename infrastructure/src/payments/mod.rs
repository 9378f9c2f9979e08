//! Payment-provider adapters implementing `domain::subscriptions::PaymentGateway`.

pub mod mercadopago;
pub mod stripe;
