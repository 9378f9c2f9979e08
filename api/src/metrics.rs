//! `Metrics`: the process's Prometheus registry, shared by the HTTP layer and any later component
//! (workflows, exchange gateways) that registers its own collectors into it.

use std::fmt;
use std::time::Duration;

use actix_web::http::Method;
use prometheus::{Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder};

/// The `route` label of requests that matched no route, so raw paths never become labels.
pub const UNMATCHED_ROUTE: &str = "<unmatched>";

/// The registry plus the HTTP collectors. Cheap to clone (everything inside is shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests_total: IntCounterVec,
    http_request_duration_seconds: HistogramVec,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with `http_requests_total`, `http_request_duration_seconds`,
    /// `botfleet_build_info` and `botfleet_unreadable_bot_documents_total` registered.
    ///
    /// # Panics
    /// Only if those built-in definitions were invalid: a bug the unit tests catch.
    pub fn new() -> Self {
        Self::try_new().expect("the built-in HTTP metric definitions are valid")
    }

    fn try_new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let labels = ["method", "route", "status"];
        let http_requests_total = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served, by method, route template and status."),
            &labels,
        )?;
        let http_request_duration_seconds = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency in seconds, by method, route template and status.",
            ),
            &labels,
        )?;
        let build_info = IntGauge::with_opts(
            Opts::new("botfleet_build_info", "Always 1; the `version` label is the running version.")
                .const_label("version", env!("CARGO_PKG_VERSION")),
        )?;
        build_info.set(1);
        registry.register(Box::new(http_requests_total.clone()))?;
        registry.register(Box::new(http_request_duration_seconds.clone()))?;
        registry.register(Box::new(build_info))?;
        registry.register(Box::new(infrastructure::repositories::UNREADABLE_BOTS.clone()))?;
        registry.register(Box::new(infrastructure::notifications::metrics::PENDING.clone()))?;
        registry.register(Box::new(infrastructure::notifications::metrics::DELIVERIES.clone()))?;
        registry.register(Box::new(infrastructure::notifications::metrics::RELAYED.clone()))?;
        Ok(Self { registry, http_requests_total, http_request_duration_seconds })
    }

    /// Registers another component's collector (counter, gauge, histogram, or a custom one).
    /// Fails if a metric with the same name is already registered.
    pub fn register(&self, collector: impl prometheus::core::Collector + 'static) -> prometheus::Result<()> {
        self.registry.register(Box::new(collector))
    }

    /// The underlying registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Records one served request. `route` must be a template (`/api/bots/{id}`) or
    /// [`UNMATCHED_ROUTE`], never a raw path.
    pub fn observe_http(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        let labels = [method_label(method), route, status.as_str()];
        self.http_requests_total.with_label_values(&labels).inc();
        self.http_request_duration_seconds.with_label_values(&labels).observe(elapsed.as_secs_f64());
    }

    /// Everything in the Prometheus text exposition format (`text/plain; version=0.0.4`).
    pub fn render(&self) -> prometheus::Result<String> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Standard methods keep their name; anything else is `OTHER`, so clients cannot mint labels.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_requests_are_rendered_with_their_labels() {
        let metrics = Metrics::new();

        metrics.observe_http(&Method::GET, "/api/bots/{id}", 200, Duration::from_millis(12));
        let text = metrics.render().unwrap();

        assert!(text.contains(r#"http_requests_total{method="GET",route="/api/bots/{id}",status="200"} 1"#), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket"));
        assert!(text.contains("botfleet_build_info"));
    }

    #[test]
    fn other_components_can_register_collectors() {
        let metrics = Metrics::new();
        let running = IntGauge::new("workflows_running", "Running workflows.").unwrap();

        metrics.register(running.clone()).unwrap();
        running.set(3);

        assert!(metrics.render().unwrap().contains("workflows_running 3"));
        assert!(metrics.register(IntGauge::new("workflows_running", "dup").unwrap()).is_err());
    }

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
    }
}
