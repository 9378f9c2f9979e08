//! Test binary `notifications`: Events, notifications, outbound webhooks, the live stream, e-mail verification and password recovery.
//!
//! One binary per area (see `tests/Cargo.toml`): each scenario file of `tests/tests/` is a module
//! of exactly one suite, which the `architecture` test checks.

#[path = "../tests/api_email_verification.rs"]
mod api_email_verification;
#[path = "../tests/api_events_emit.rs"]
mod api_events_emit;
#[path = "../tests/api_events_stream.rs"]
mod api_events_stream;
#[path = "../tests/api_notification_channels.rs"]
mod api_notification_channels;
#[path = "../tests/api_notifications.rs"]
mod api_notifications;
#[path = "../tests/api_password_recovery.rs"]
mod api_password_recovery;
#[path = "../tests/api_webhook_endpoints.rs"]
mod api_webhook_endpoints;
#[path = "../tests/events_recovery.rs"]
mod events_recovery;
