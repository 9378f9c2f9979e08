//! A problem with one input field, named by its path, for validation that reports every error at
//! once (bot configs, indicator specs).

use serde::Serialize;

/// One field that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// The field's path as the client sent it (`config.purchase_amount`, `indicators[1].period`).
    pub field: String,
    /// What is wrong, for people.
    pub message: String,
}

impl FieldIssue {
    /// An issue with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// The same issue under `prefix` (`config` + `amount` gives `config.amount`).
    pub fn under(self, prefix: &str) -> Self {
        let field = if self.field.starts_with('[') {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}.{}", self.field)
        };
        Self { field, ..self }
    }
}

/// Collects issues while a value is checked.
#[derive(Debug, Default)]
pub struct Issues(Vec<FieldIssue>);

impl Issues {
    /// No issue yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an issue with `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) {
        if !ok {
            self.0.push(FieldIssue::new(field, message));
        }
    }

    /// Records an issue.
    pub fn push(&mut self, issue: FieldIssue) {
        self.0.push(issue);
    }

    /// Records issues found under `prefix`.
    pub fn extend_under(&mut self, prefix: &str, issues: Vec<FieldIssue>) {
        self.0.extend(issues.into_iter().map(|i| i.under(prefix)));
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self) -> Result<(), Vec<FieldIssue>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}
