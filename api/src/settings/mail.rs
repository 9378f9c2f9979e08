//! E-mail settings: the SMTP server (`BOTFLEET_SMTP_*`), the address the mailed links open
//! (`BOTFLEET_PUBLIC_URL`) and whether e-mail verification gates live trading
//! (`BOTFLEET_EMAIL_VERIFICATION`). Without `BOTFLEET_SMTP_HOST` e-mail is off.

use std::net::IpAddr;

use infrastructure::mail::{SmtpConfig, SmtpSecurity};

use super::{Env, Secret};

/// The variable naming the SMTP host; e-mail is off when it is unset.
pub const SMTP_HOST_VAR: &str = "BOTFLEET_SMTP_HOST";

/// E-mail.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// The SMTP server; `None` (no `BOTFLEET_SMTP_HOST`): e-mail is off.
    pub smtp: Option<SmtpConfig>,
    /// `BOTFLEET_PUBLIC_URL`: the frontend's address; links are `{it}/reset-password?token=…` and
    /// `{it}/verify-email?token=…`. Required with SMTP.
    pub public_url: String,
    /// `BOTFLEET_EMAIL_VERIFICATION` (default: on with SMTP, off without): new users are mailed a
    /// verification link and live trading needs a verified e-mail. On without SMTP is refused.
    pub email_verification: bool,
}

impl MailSettings {
    /// Reads the variables.
    pub(super) fn load(env: &mut Env) -> Self {
        let smtp = load_smtp(env);
        let public_url = env.string("BOTFLEET_PUBLIC_URL", "").trim_end_matches('/').to_owned();
        if smtp.is_some() && public_url.is_empty() {
            env.error("BOTFLEET_PUBLIC_URL", "is required with BOTFLEET_SMTP_HOST: the mailed links open it");
        } else if !public_url.is_empty() && !public_url.starts_with("https://") && !public_url.starts_with("http://") {
            env.error("BOTFLEET_PUBLIC_URL", format!("expected an http(s) URL, got `{public_url}`"));
        }
        let email_verification = env.bool("BOTFLEET_EMAIL_VERIFICATION", smtp.is_some());
        if email_verification && smtp.is_none() {
            env.error("BOTFLEET_EMAIL_VERIFICATION", "cannot be on without an SMTP server (BOTFLEET_SMTP_HOST)");
        }
        Self { smtp, public_url, email_verification }
    }
}

fn load_smtp(env: &mut Env) -> Option<SmtpConfig> {
    let host = env.raw(SMTP_HOST_VAR)?;
    let security = match env.string("BOTFLEET_SMTP_TLS", "starttls").to_ascii_lowercase().as_str() {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        other => {
            env.error("BOTFLEET_SMTP_TLS", format!("expected `starttls`, `tls` or `none`, got `{other}`"));
            SmtpSecurity::StartTls
        }
    };
    if security == SmtpSecurity::None && !is_loopback(&host) {
        env.error("BOTFLEET_SMTP_TLS", "`none` is only allowed for a loopback BOTFLEET_SMTP_HOST");
    }
    let default_port = match security {
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::None => 25,
    };
    let port = env.parse("BOTFLEET_SMTP_PORT", default_port, "a port number, 1 to 65535");
    if port == 0 {
        env.error("BOTFLEET_SMTP_PORT", "expected a port number, 1 to 65535");
    }
    let username = env.raw("BOTFLEET_SMTP_USERNAME");
    let password: Option<Secret> = env.secret("BOTFLEET_SMTP_PASSWORD");
    if password.is_some() && username.is_none() {
        env.error("BOTFLEET_SMTP_PASSWORD", "needs BOTFLEET_SMTP_USERNAME");
    }
    let from = env.string("BOTFLEET_SMTP_FROM", "");
    if from.is_empty() {
        env.error("BOTFLEET_SMTP_FROM", "is required with BOTFLEET_SMTP_HOST, e.g. `botfleet <no-reply@example.com>`");
    } else if !infrastructure::mail::is_mailbox(&from) {
        env.error(
            "BOTFLEET_SMTP_FROM",
            format!("expected an address like `botfleet <no-reply@example.com>`, got `{from}`"),
        );
    }
    Some(SmtpConfig { host, port, username, password, from, security })
}

/// `localhost` or a loopback IP address.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    const LOOPBACK: &[(&str, &str)] = &[
        ("BOTFLEET_SMTP_HOST", "127.0.0.1"),
        ("BOTFLEET_SMTP_PORT", "2525"),
        ("BOTFLEET_SMTP_TLS", "none"),
        ("BOTFLEET_SMTP_FROM", "botfleet <no-reply@botfleet.test>"),
        ("BOTFLEET_PUBLIC_URL", "http://app.botfleet.test/"),
    ];

    #[test]
    fn without_a_host_email_and_verification_are_off() {
        let mail = Settings::dev_with(&[]).unwrap().mail;
        assert!(mail.smtp.is_none() && !mail.email_verification);
        let err = Settings::dev_with(&[("BOTFLEET_EMAIL_VERIFICATION", "on")]).unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_EMAIL_VERIFICATION"]);
    }

    #[test]
    fn a_loopback_server_in_plain_text_turns_verification_on() {
        let mail = Settings::dev_with(LOOPBACK).unwrap().mail;
        let smtp = mail.smtp.expect("smtp");
        assert_eq!((smtp.host.as_str(), smtp.port), ("127.0.0.1", 2525));
        assert_eq!(mail.public_url, "http://app.botfleet.test");
        assert!(mail.email_verification);
    }

    #[test]
    fn plain_text_to_a_remote_host_and_a_bad_sender_are_refused_naming_the_variables() {
        let mut pairs = LOOPBACK.to_vec();
        pairs[0] = ("BOTFLEET_SMTP_HOST", "smtp.example.com");
        pairs[3] = ("BOTFLEET_SMTP_FROM", "not an address");
        let err = Settings::dev_with(&pairs).unwrap_err();
        assert_eq!(err.vars(), ["BOTFLEET_SMTP_TLS", "BOTFLEET_SMTP_FROM"]);
    }

    #[test]
    fn the_password_never_appears_in_debug_output() {
        let mut pairs = LOOPBACK.to_vec();
        pairs.extend([("BOTFLEET_SMTP_USERNAME", "mailer"), ("BOTFLEET_SMTP_PASSWORD", "hunter2-smtp")]);
        let settings = Settings::dev_with(&pairs).unwrap();
        assert!(!format!("{settings:?}").contains("hunter2-smtp"));
    }
}
