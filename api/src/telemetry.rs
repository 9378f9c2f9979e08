//! Logging: one global tracing subscriber, human-readable locally and JSON in production, filtered
//! by `BOTFLEET_LOG_LEVEL`.

use std::sync::OnceLock;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

use crate::settings::{DevSecrets, LogFormat, LogSettings, Settings};

static INITIALISED: OnceLock<()> = OnceLock::new();

/// Installs the global subscriber. Only the first call in a process has an effect, so tests and
/// the binary can both call it.
///
/// Also bridges `log` records from dependencies into tracing.
pub fn init(log: &LogSettings) -> anyhow::Result<()> {
    if INITIALISED.get().is_some() {
        return Ok(());
    }
    let filter = EnvFilter::try_new(&log.level).context("BOTFLEET_LOG_LEVEL is not a valid tracing filter")?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(true);
    let installed = match log.format {
        LogFormat::Pretty => builder.try_init(),
        // One object per line; the request span's fields (request_id, route) ride along.
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
    };
    // Another subscriber may already be installed (e.g. by a test harness): keep it.
    if let Err(err) = installed {
        eprintln!("tracing subscriber not installed: {err}");
    }
    let _ = INITIALISED.set(());
    Ok(())
}

/// Logs the start-up facts worth seeing once, and the loud warning for generated dev secrets.
pub fn log_startup(settings: &Settings, dev_secrets: &DevSecrets) {
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        addr = %settings.http.addr,
        workers = settings.http.workers,
        store = store_kind(settings),
        dev_mode = settings.dev_mode,
        cors_origins = settings.http.cors_origins.len(),
        "starting botfleet"
    );
    if let Some(failpoint) = settings.engine.failpoint {
        tracing::warn!(
            failpoint = %failpoint,
            "TEST FAILPOINT ARMED (BOTFLEET_TEST_FAILPOINT): the process dies when an order placement reaches it"
        );
    }
    for var in &settings.generated_secrets {
        match dev_secrets {
            DevSecrets::Kept(path) => tracing::warn!(
                variable = var,
                "DEV MODE: {var} is not set; using a generated one kept in {}. Never run production like this.",
                path.display()
            ),
            _ => tracing::warn!(
                variable = var,
                "DEV MODE: {var} is not set, so a random one was generated for this run. Access tokens and \
                 credentials encrypted with it will NOT survive a restart. Never run production like this."
            ),
        }
    }
}

fn store_kind(settings: &Settings) -> &'static str {
    match settings.store {
        crate::settings::StoreSettings::Mongo { .. } => "mongodb",
        crate::settings::StoreSettings::Embedded { .. } => "embedded",
        crate::settings::StoreSettings::InMemory => "in-memory",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_idempotent() {
        let log = LogSettings { format: LogFormat::Json, level: "info".into() };

        assert!(init(&log).is_ok());
        assert!(init(&log).is_ok());
    }

    #[test]
    fn store_kind_names_each_store() {
        let mut settings = Settings::from_pairs(&[("BOTFLEET_DEV_MODE", "true")]).unwrap();
        assert_eq!(store_kind(&settings), "embedded");

        settings.store = crate::settings::StoreSettings::InMemory;
        assert_eq!(store_kind(&settings), "in-memory");
    }
}
