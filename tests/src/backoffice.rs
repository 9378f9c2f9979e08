//! Helpers of the backoffice scenarios: a server with backoffice domains and trusted proxies
//! (so each operator logs in from its own address), operators created as the CLI does, an
//! RFC 6238 implementation of our own (HMAC-SHA1 over base32, independent of the server's
//! `totp-rs`), enrolment, login, and requests with the session cookie and CSRF token.

use domain::backoffice::OperatorRole;
use hmac::{Hmac, Mac};
use infrastructure::repositories::Repositories;
use serde_json::{json, Value};
use sha1::Sha1;
use time::OffsetDateTime;

use crate::app::{settings, Answer, Store, TestApp};
use crate::bots::bot_app;

/// The backoffice domain of these servers.
pub const DOMAIN: &str = "staff.example";
/// The operators' password.
pub const OPERATOR_PASSWORD: &str = "Operator-Pass-2026";
/// The session cookie's name.
pub const COOKIE: &str = "botfleet_backoffice";

/// The settings the backoffice scenarios add.
pub fn extra() -> Vec<(&'static str, &'static str)> {
    vec![("BOTFLEET_BACKOFFICE_DOMAINS", DOMAIN), ("BOTFLEET_TRUSTED_PROXIES", "127.0.0.1/32")]
}

/// A server (workflows on request) with the backoffice on.
pub async fn backoffice_app(store: Store) -> (TestApp, Repositories) {
    bot_app(store, &extra()).await
}

/// A server with the backoffice on that mails to `sink`.
pub async fn backoffice_app_mailing(store: Store, sink: &crate::smtp::SmtpSink) -> (TestApp, Repositories) {
    let mail = sink.settings();
    let mut pairs = extra();
    pairs.extend(mail.iter().map(|(k, v)| (*k, v.as_str())));
    bot_app(store, &pairs).await
}

/// Creates an operator in `repos` the way `botfleet operator create` does.
pub async fn create_operator(repos: &Repositories, email: &str, role: OperatorRole) {
    let settings = settings(Store::Embedded, &extra());
    let clock = std::sync::Arc::new(infrastructure::clock::SystemClock);
    let backoffice = api::bootstrap::backoffice(&settings, repos, clock).expect("the backoffice builds");
    backoffice.create_operator(email, Some(OPERATOR_PASSWORD.into()), role).await.expect("the operator is created");
}

/// Decodes RFC 4648 base32 (no padding).
fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut width, mut out) = (0u64, 0u32, Vec::new());
    for c in text.trim_end_matches('=').chars() {
        let value = ALPHABET.find(c.to_ascii_uppercase()).expect("a base32 character") as u64;
        bits = (bits << 5) | value;
        width += 5;
        if width >= 8 {
            width -= 8;
            out.push((bits >> width) as u8);
            bits &= (1 << width) - 1;
        }
    }
    out
}

/// The RFC 6238 code (SHA-1, 6 digits, 30 s) of `secret` at `unix` seconds.
pub fn code(secret: &str, unix: i64) -> String {
    let counter = (unix / 30) as u64;
    let mut mac = Hmac::<Sha1>::new_from_slice(&base32(secret)).expect("any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let value = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", value % 1_000_000)
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The secret in an `otpauth://` URI.
pub fn secret_of(uri: &str) -> String {
    let query = uri.split_once('?').expect("a query").1;
    let pair = query.split('&').find(|p| p.starts_with("secret=")).expect("a secret");
    pair["secret=".len()..].to_owned()
}

/// A logged-in operator: the cookie's value, the CSRF token, its secret and recovery codes,
/// and the address it comes from.
#[derive(Clone, Debug)]
pub struct Operator {
    /// E-mail.
    pub email: String,
    /// The session cookie's value.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The TOTP secret (base32).
    pub secret: String,
    /// The unused recovery codes.
    pub recovery: Vec<String>,
    /// The `X-Forwarded-For` it sends.
    pub ip: String,
}

/// A backoffice request from `ip` with the given cookie and CSRF token.
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    ip: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    let cookie = cookie.map(|c| format!("{COOKIE}={c}"));
    let mut headers = vec![("x-forwarded-for", ip)];
    if let Some(cookie) = &cookie {
        headers.push(("cookie", cookie.as_str()));
    }
    if let Some(csrf) = csrf {
        headers.push(("x-csrf-token", csrf));
    }
    app.call(method, path, None, body, &headers).await
}

/// The session cookie's value set by an answer.
pub fn cookie_of(answer: &Answer) -> String {
    let header = answer.headers.get("set-cookie").expect("a Set-Cookie header").to_str().unwrap();
    let (pair, _) = header.split_once(';').expect("cookie attributes");
    pair.strip_prefix(&format!("{COOKIE}=")).expect("the session cookie").to_owned()
}

/// `POST /backoffice/api/auth/login` from `ip`.
pub async fn login(app: &TestApp, ip: &str, email: &str, password: &str, code: &str) -> Answer {
    let body = json!({"email": email, "password": password, "code": code});
    send(app, reqwest::Method::POST, "/backoffice/api/auth/login", ip, None, None, Some(&body)).await
}

/// Enrols `email` (created beforehand) from `ip` and logs it in with the next step's code.
pub async fn enrol_and_login(app: &TestApp, email: &str, ip: &str) -> Operator {
    let body = json!({"email": email, "password": OPERATOR_PASSWORD});
    let path = "/backoffice/api/auth/totp/enroll";
    let enrolment = send(app, reqwest::Method::POST, path, ip, None, None, Some(&body)).await;
    let secret = secret_of(enrolment.ok(200)["otpauth_uri"].as_str().unwrap());
    let confirm = json!({"email": email, "password": OPERATOR_PASSWORD, "code": code(&secret, now())});
    let path = "/backoffice/api/auth/totp/confirm";
    let confirmed = send(app, reqwest::Method::POST, path, ip, None, None, Some(&confirm)).await;
    let recovery: Vec<String> = confirmed.ok(200)["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    // The confirmation spent this step's code: the next step's is the first one accepted.
    let answer = login(app, ip, email, OPERATOR_PASSWORD, &code(&secret, now() + 30)).await;
    let csrf = answer.ok(200)["csrf_token"].as_str().unwrap().to_owned();
    Operator { email: email.to_owned(), cookie: cookie_of(&answer), csrf, secret, recovery, ip: ip.to_owned() }
}

impl Operator {
    /// A request with this operator's cookie and CSRF token.
    pub async fn call(&self, app: &TestApp, method: reqwest::Method, path: &str, body: Option<&Value>) -> Answer {
        send(app, method, path, &self.ip, Some(&self.cookie), Some(&self.csrf), body).await
    }

    /// GET.
    pub async fn get(&self, app: &TestApp, path: &str) -> Answer {
        self.call(app, reqwest::Method::GET, path, None).await
    }

    /// POST an empty JSON object.
    pub async fn post(&self, app: &TestApp, path: &str) -> Answer {
        self.call(app, reqwest::Method::POST, path, Some(&json!({}))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_codes_match_the_rfc_6238_vectors() {
        // Appendix B's SHA-1 seed "12345678901234567890"; 6-digit codes are the 8-digit ones' tails.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(code(secret, 59), "287082");
        assert_eq!(code(secret, 1_111_111_109), "081804");
        assert_eq!(code(secret, 2_000_000_000), "279037");
    }
}
