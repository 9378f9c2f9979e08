//! Adapter tests against local wiremock servers serving the documented payloads.
