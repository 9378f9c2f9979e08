//! Test binary `dashboard`: The dashboard, analytics, reports and exports, history windows and market signals.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/analytics_reference.rs"]
mod analytics_reference;
#[path = "../tests/api_context_signals.rs"]
mod api_context_signals;
#[path = "../tests/api_dashboard_accounts.rs"]
mod api_dashboard_accounts;
#[path = "../tests/api_dashboard_fresh.rs"]
mod api_dashboard_fresh;
#[path = "../tests/api_dashboard_instances.rs"]
mod api_dashboard_instances;
#[path = "../tests/api_dashboard_performance.rs"]
mod api_dashboard_performance;
#[path = "../tests/api_dashboard_summary.rs"]
mod api_dashboard_summary;
#[path = "../tests/api_history_window.rs"]
mod api_history_window;
#[path = "../tests/api_market_anomaly.rs"]
mod api_market_anomaly;
#[path = "../tests/api_report_pdf.rs"]
mod api_report_pdf;
#[path = "../tests/api_reports.rs"]
mod api_reports;
