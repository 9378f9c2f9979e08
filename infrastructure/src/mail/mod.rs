//! E-mail adapters: the SMTP [`Mailer`](domain::identity::Mailer) over `lettre`.

mod smtp;

pub use smtp::{is_mailbox, SmtpConfig, SmtpMailer, SmtpSecurity};
