//! `Env`: typed reads of environment variables that collect every error instead of stopping at the
//! first, so one start-up attempt reports all bad settings.

use std::fmt;
use std::str::FromStr;

use super::Secret;

/// One bad setting: the variable and what was expected of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    /// The environment variable (`BOTFLEET_HTTP_ADDR`).
    pub var: &'static str,
    /// What is wrong and the expected form. Never contains a secret value.
    pub message: String,
}

/// Every bad setting found while loading; `Display` lists them one per line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct SettingsError(pub Vec<SettingError>);

impl SettingsError {
    /// The variables that were rejected, in the order they were read.
    pub fn vars(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.var).collect()
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration:")?;
        for e in &self.0 {
            write!(f, "\n  - {}: {}", e.var, e.message)?;
        }
        Ok(())
    }
}

/// How a variable is looked up: the process environment, or a map in tests.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Reads settings through a lookup function (the process environment, or a map in tests).
///
/// Every getter returns a usable value (the default when the variable is bad) and records the
/// error; [`Env::finish`] turns the recorded errors into a [`SettingsError`].
pub struct Env<'a> {
    lookup: Lookup<'a>,
    errors: Vec<SettingError>,
}

impl fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env").field("errors", &self.errors).finish_non_exhaustive()
    }
}

impl<'a> Env<'a> {
    /// A reader over `lookup`.
    pub fn new(lookup: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self { lookup: Box::new(lookup), errors: Vec::new() }
    }

    /// The trimmed value, `None` when unset or blank.
    pub fn raw(&self, var: &str) -> Option<String> {
        (self.lookup)(var).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// Records an error for `var`.
    pub fn error(&mut self, var: &'static str, message: impl Into<String>) {
        self.errors.push(SettingError { var, message: message.into() });
    }

    /// A string, or `default`.
    pub fn string(&self, var: &str, default: &str) -> String {
        self.raw(var).unwrap_or_else(|| default.to_owned())
    }

    /// A secret, `None` when unset. Errors about it must not quote it.
    pub fn secret(&self, var: &str) -> Option<Secret> {
        self.raw(var).map(Secret::new)
    }

    /// A value parsed with `FromStr`, or `None` when unset; `expected` describes the valid form.
    pub fn parse_opt<T: FromStr>(&mut self, var: &'static str, expected: &str) -> Option<T> {
        let raw = self.raw(var)?;
        match raw.parse() {
            Ok(value) => Some(value),
            Err(_) => {
                self.error(var, format!("expected {expected}, got `{raw}`"));
                None
            }
        }
    }

    /// A value parsed with `FromStr`, or `default`.
    pub fn parse<T: FromStr>(&mut self, var: &'static str, default: T, expected: &str) -> T {
        self.parse_opt(var, expected).unwrap_or(default)
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`), or `default`.
    pub fn bool(&mut self, var: &'static str, default: bool) -> bool {
        match self.raw(var).map(|v| v.to_ascii_lowercase()).as_deref() {
            None => default,
            Some("true" | "1" | "yes" | "on") => true,
            Some("false" | "0" | "no" | "off") => false,
            Some(other) => {
                self.error(var, format!("expected `true` or `false`, got `{other}`"));
                default
            }
        }
    }

    /// A comma-separated list (blank items ignored), each item parsed by `parse_item`, which
    /// returns the expected form on failure. Empty when unset.
    pub fn list<T>(&mut self, var: &'static str, parse_item: impl Fn(&str) -> Result<T, String>) -> Vec<T> {
        let Some(raw) = self.raw(var) else { return Vec::new() };
        let mut items = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match parse_item(item) {
                Ok(value) => items.push(value),
                Err(expected) => self.error(var, format!("item `{item}`: expected {expected}")),
            }
        }
        items
    }

    /// `value` if no error was recorded, else every recorded error.
    pub fn finish<T>(self, value: T) -> Result<T, SettingsError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(SettingsError(self.errors))
        }
    }
}
