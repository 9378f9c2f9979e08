//! Stateful fakes of the exchanges' and payment providers' HTTP APIs (wiremock servers), for the
//! exchange contract suite and the payment flows.

pub mod binance;
pub mod mercado_bitcoin;
pub mod mercadopago;
pub mod openai;
pub mod stripe;
pub mod telegram;

use std::sync::{Arc, Mutex};

use wiremock::{Request, Respond, ResponseTemplate};

/// A route of a stateful fake: answers a request from (and may change) the fake's state.
pub(crate) type Route<S> = fn(&mut S, &Request) -> ResponseTemplate;

/// A wiremock responder running a [`Route`] over shared state.
pub(crate) struct Handler<S>(pub(crate) Arc<Mutex<S>>, pub(crate) Route<S>);

impl<S: Send + 'static> Respond for Handler<S> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        (self.1)(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()), request)
    }
}

/// A check a strict fake runs before any route (authentication, idempotency key, content type):
/// `Some` answer refuses the request as the provider would.
pub(crate) type Guard = fn(&Request) -> Option<ResponseTemplate>;

/// A [`Handler`] behind a [`Guard`]: a refused request never reaches (or changes) the state.
pub(crate) struct Guarded<S>(pub(crate) Guard, pub(crate) Handler<S>);

impl<S: Send + 'static> Respond for Guarded<S> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        (self.0)(request).unwrap_or_else(|| self.1.respond(request))
    }
}

/// The value of header `name`, when present and readable.
pub(crate) fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}
