//! The account e-mails (password reset, e-mail verification) in each language: plain-text and
//! HTML bodies compiled into the binary from `mails/`, filled by [`render`].

use domain::identity::{Language, TokenPurpose};

/// Subject, plain-text and HTML templates of one message in one language.
struct Template {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

fn template(purpose: TokenPurpose, language: Language) -> Template {
    match (purpose, language) {
        (TokenPurpose::PasswordReset, Language::PtBr) => Template {
            subject: "Redefinição de senha da botfleet",
            text: include_str!("mails/password_reset.pt-BR.txt"),
            html: include_str!("mails/password_reset.pt-BR.html"),
        },
        (TokenPurpose::PasswordReset, Language::En) => Template {
            subject: "Reset your botfleet password",
            text: include_str!("mails/password_reset.en.txt"),
            html: include_str!("mails/password_reset.en.html"),
        },
        (TokenPurpose::EmailVerification, Language::PtBr) => Template {
            subject: "Confirme seu e-mail na botfleet",
            text: include_str!("mails/email_verification.pt-BR.txt"),
            html: include_str!("mails/email_verification.pt-BR.html"),
        },
        (TokenPurpose::EmailVerification, Language::En) => Template {
            subject: "Confirm your botfleet e-mail",
            text: include_str!("mails/email_verification.en.txt"),
            html: include_str!("mails/email_verification.en.html"),
        },
    }
}

/// A rendered message: subject, plain text, HTML.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The message for `purpose` in `language`, addressed to `name`, carrying `link`.
pub(crate) fn render(purpose: TokenPurpose, language: Language, name: &str, link: &str) -> Rendered {
    let t = template(purpose, language);
    let lifetime = purpose.lifetime();
    let fill = |body: &str, name: &str, link: &str| {
        body.replace("{name}", name)
            .replace("{link}", link)
            .replace("{minutes}", &lifetime.whole_minutes().to_string())
            .replace("{hours}", &lifetime.whole_hours().to_string())
    };
    Rendered {
        subject: t.subject.to_owned(),
        text: fill(t.text, name, link),
        html: fill(t.html, &escape_html(name), &escape_html(link)),
    }
}

/// Escapes the characters that would end an HTML text node or attribute.
pub(crate) fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_filled_in_its_language_and_the_name_is_escaped_in_html() {
        let link = "https://app.example/reset-password?token=abc_-1";
        for purpose in [TokenPurpose::PasswordReset, TokenPurpose::EmailVerification] {
            for language in Language::ALL {
                let mail = render(purpose, language, "Ana <b>", link);
                for body in [&mail.text, &mail.html] {
                    assert!(body.contains(link), "{purpose:?} {language}: the link is in the body");
                    assert!(!body.contains('{'), "{purpose:?} {language}: a placeholder was left: {body}");
                }
                assert!(mail.text.contains("Ana <b>"));
                assert!(mail.html.contains("Ana &lt;b&gt;") && !mail.html.contains("Ana <b>"));
                let greeting = if language == Language::PtBr { "Olá" } else { "Hello" };
                assert!(mail.text.starts_with(greeting), "{language}: {}", mail.text);
            }
        }
        assert!(render(TokenPurpose::PasswordReset, Language::En, "A", link).text.contains("30 minutes"));
        assert!(render(TokenPurpose::EmailVerification, Language::PtBr, "A", link).text.contains("48 horas"));
    }
}
