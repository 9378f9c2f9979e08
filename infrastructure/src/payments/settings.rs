//! Reading a provider's optional settings: all of its required values set, or none of them.
//!
//! A provider with none of its variables set is simply not configured (the server answers 503
//! "payments not configured" for it); one with only some of them set is a configuration mistake
//! and is refused at start-up, naming every missing variable.

/// A setting's value, trimmed (a trailing newline from a secret file is not part of a key); empty
/// counts as absent.
pub(crate) fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// `Ok(None)` when no value is set, `Ok(Some(values))` when all are, else `Err` with the names of
/// the missing ones, in order.
pub(crate) fn all_or_nothing<const N: usize>(
    values: [(&'static str, Option<String>); N],
) -> Result<Option<[String; N]>, Vec<&'static str>> {
    let values = values.map(|(name, value)| (name, present(value)));
    let missing: Vec<&'static str> = values.iter().filter(|(_, v)| v.is_none()).map(|(name, _)| *name).collect();
    if missing.len() == N {
        return Ok(None);
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(Some(values.map(|(_, v)| v.unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_set_is_not_configured() {
        assert_eq!(all_or_nothing([("A", None), ("B", Some("  ".to_owned()))]), Ok(None));
    }

    #[test]
    fn all_set_are_trimmed() {
        let got = all_or_nothing([("A", Some(" a\n".to_owned())), ("B", Some("b".to_owned()))]);
        assert_eq!(got, Ok(Some(["a".to_owned(), "b".to_owned()])));
    }

    #[test]
    fn some_set_names_every_missing_one() {
        let got = all_or_nothing([("A", None), ("B", Some("b".to_owned())), ("C", Some(String::new()))]);
        assert_eq!(got, Err(vec!["A", "C"]));
    }
}
