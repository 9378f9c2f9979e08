//! `validator::ValidationErrors` -> the flat field list of a `validation_failed` problem.
//!
//! Nested structs become `config.take_profit`, list items `items[2].qty`. The rejected value
//! (validator's `value` parameter) is never copied into a message: it may be a password.

use application::{FieldCode, FieldError};
use validator::{ValidationError, ValidationErrors, ValidationErrorsKind};

/// Every field error in `errors`, sorted by field path then code.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect("", errors, &mut out);
    out.sort_by(|a, b| (&a.field, &a.code).cmp(&(&b.field, &b.code)));
    out
}

fn collect(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldError>) {
    for (name, kind) in errors.errors() {
        let path = join(prefix, name);
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|e| FieldError::new(path.clone(), code(e), message(e))));
            }
            ValidationErrorsKind::Struct(inner) => collect(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

/// `__all__` is validator's name for struct-level (schema) errors: they belong to the parent.
fn join(prefix: &str, name: &str) -> String {
    match (prefix.is_empty(), name) {
        (true, "__all__") => "body".to_owned(),
        (false, "__all__") => prefix.to_owned(),
        (true, name) => name.to_owned(),
        (false, name) => format!("{prefix}.{name}"),
    }
}

/// validator's code (`length`, `range`, ...) as ours; custom validators use codes of [`FieldCode`],
/// and an unknown one is reported as `invalid`.
fn code(e: &ValidationError) -> FieldCode {
    FieldCode::parse(&e.code).unwrap_or(FieldCode::Invalid)
}

fn message(e: &ValidationError) -> String {
    if let Some(message) = &e.message {
        return message.to_string();
    }
    let param = |name: &str| e.params.get(name).map(|v| v.to_string().trim_matches('"').to_owned());
    let bounds = |unit: &str| match (param("min"), param("max"), param("equal")) {
        (_, _, Some(eq)) => format!("must be exactly {eq}{unit}"),
        (Some(min), Some(max), _) => format!("must be between {min} and {max}{unit}"),
        (Some(min), None, _) => format!("must be at least {min}{unit}"),
        (None, Some(max), _) => format!("must be at most {max}{unit}"),
        (None, None, _) => "has an invalid length".to_owned(),
    };
    match e.code.as_ref() {
        "length" => bounds(" characters"),
        "range" => bounds(""),
        "email" => "must be a valid email address".to_owned(),
        "url" => "must be a valid URL".to_owned(),
        "required" => "is required".to_owned(),
        "regex" => "has an invalid format".to_owned(),
        "must_match" => format!("must match `{}`", param("other").unwrap_or_default()),
        "contains" => format!("must contain `{}`", param("needle").unwrap_or_default()),
        "does_not_contain" => format!("must not contain `{}`", param("needle").unwrap_or_default()),
        code => format!("is invalid ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

    #[derive(Validate)]
    struct Leg {
        #[validate(range(min = 1, max = 10))]
        qty: u32,
    }

    #[derive(Validate)]
    struct Config {
        #[validate(length(min = 3))]
        name: String,
    }

    #[derive(Validate)]
    struct Body {
        #[validate(email)]
        email: String,
        #[validate(length(min = 12, message = "use at least 12 characters"))]
        password: String,
        #[validate(nested)]
        config: Config,
        #[validate(nested)]
        items: Vec<Leg>,
    }

    #[test]
    fn nested_fields_and_list_items_get_paths() {
        let body = Body {
            email: "nope".into(),
            password: "hunter2".into(),
            config: Config { name: "x".into() },
            items: vec![Leg { qty: 1 }, Leg { qty: 1 }, Leg { qty: 99 }],
        };

        let fields = field_errors(&body.validate().unwrap_err());

        let summary: Vec<(&str, &str, &str)> =
            fields.iter().map(|f| (f.field.as_str(), f.code.as_str(), f.message.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("config.name", "length", "must be at least 3 characters"),
                ("email", "email", "must be a valid email address"),
                ("items[2].qty", "range", "must be between 1 and 10"),
                ("password", "length", "use at least 12 characters"),
            ]
        );
        assert!(fields.iter().all(|f| !f.message.contains("hunter2") && !f.message.contains("nope")));
    }
}
