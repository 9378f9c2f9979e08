//! The field codes' table and the transitional `AppError` bridge.

use super::FieldCode;

#[test]
fn store_failures_keep_their_meaning_through_the_bridge() {
    use crate::{AppError, Unexpected};
    use domain::RepoError;
    let store = |err: AppError| match err.into_unexpected("test") {
        Unexpected::Store(RepoError::NotFound) => "not_found",
        Unexpected::Store(RepoError::Conflict) => "conflict",
        Unexpected::Store(RepoError::Unavailable(_)) => "unavailable",
        Unexpected::Store(RepoError::Duplicate { .. }) => "duplicate",
        Unexpected::Internal(_) => "internal",
    };
    assert_eq!(store(RepoError::Unavailable(anyhow::anyhow!("down")).into()), "unavailable");
    assert_eq!(store(RepoError::Conflict.into()), "conflict");
    assert_eq!(store(AppError::NotFound { resource: "bot" }), "not_found");
    assert_eq!(store(RepoError::Duplicate { index: "users_email".into() }.into()), "duplicate");
    assert_eq!(store(AppError::BotBusy("busy".into())), "internal");
}

#[test]
fn field_codes_are_unique_and_round_trip() {
    let mut seen = std::collections::HashSet::new();
    for &code in FieldCode::ALL {
        assert!(seen.insert(code.as_str()), "{code} appears twice");
        assert_eq!(FieldCode::parse(code.as_str()), Some(code));
    }
    assert_eq!(FieldCode::parse("too_clever"), None);
}
