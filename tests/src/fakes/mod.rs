//! Stateful fakes of the exchanges' and payment providers' HTTP APIs (wiremock servers), for the
//! exchange contract suite and the payment flows.

pub mod binance;
pub mod mercado_bitcoin;
pub mod mercadopago;
pub mod stripe;
