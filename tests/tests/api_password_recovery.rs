//! Password recovery end to end on both stores, against a real SMTP server on loopback
//! (aiosmtpd, see `tests/src/smtp.rs`): the mail in the user's language, the reset with the
//! token from its link, every session ended, single use, expiry, no account enumeration, the
//! rate limit, and no password or token in answers or logs.

use botfleet_tests::app::{settings, spawn_with, spawn_with_repositories, Store, TestApp, PASSWORD};
use botfleet_tests::smtp::{captured_logs, token_in, SmtpSink};
use domain::identity::{AuditAction, AuditFilter};
use domain::PageRequest;
use infrastructure::store::{Doc, Query};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

botfleet_tests::on_both_stores!(
    a_reset_mailed_in_portuguese_sets_the_password_and_ends_every_session,
    an_english_user_gets_the_mail_in_english_and_a_token_works_once,
    an_expired_or_superseded_token_is_refused,
    unknown_emails_get_the_same_answer_and_no_mail,
    asking_too_often_is_rate_limited,
    without_smtp_the_feature_says_it_is_off,
);

const NEW_PASSWORD: &str = "brand new passphrase 77";

async fn app_with_mail(store: Store, sink: &SmtpSink) -> TestApp {
    let extra = sink.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_with(settings(store, &pairs)).await
}

async fn forgot(app: &TestApp, email: &str) -> botfleet_tests::app::Answer {
    app.post("/api/auth/password/forgot", None, &json!({ "email": email })).await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> botfleet_tests::app::Answer {
    app.post("/api/auth/password/reset", None, &json!({ "token": token, "password": password })).await
}

/// The reset mails delivered to `to` (registration also mails a verification link).
fn resets_to(sink: &SmtpSink, to: &str) -> Vec<Value> {
    sink.messages_to(to).into_iter().filter(|m| m["text"].as_str().unwrap_or("").contains("/reset-password?")).collect()
}

async fn wait_for_resets(sink: &SmtpSink, to: &str, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let found = resets_to(sink, to);
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("expected {count} reset mail(s) to {to}: {:?}", sink.messages());
}

async fn a_reset_mailed_in_portuguese_sets_the_password_and_ends_every_session(store: Store) {
    let logs_before = captured_logs().len();
    let sink = SmtpSink::start().await;
    let extra = sink.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repositories) = spawn_with_repositories(settings(store, &pairs)).await;
    let user = app.user("rec-pt@example.com").await;

    assert_eq!(forgot(&app, "REC-pt@example.com").await.status, 202, "the address is normalised");
    let mail = wait_for_resets(&sink, "rec-pt@example.com", 1).await.remove(0);
    assert_eq!(mail["subject"], "Redefinição de senha da botfleet");
    assert_eq!(mail["from"], "botfleet <no-reply@botfleet.test>");
    assert!(mail["content_types"].as_array().unwrap().iter().any(|t| t == "text/html"), "{mail}");
    let text = mail["text"].as_str().unwrap();
    assert!(text.starts_with("Olá, Test User.") && text.contains("30 minutos"), "{text}");
    let token = token_in(text, "reset-password");
    assert_eq!(token.len(), 43, "256 bits in base64url: {token}");
    assert_eq!(token_in(mail["html"].as_str().unwrap(), "reset-password"), token, "both bodies carry the link");

    // The registration rules apply, naming `password`, and do not burn the token.
    let weak = reset(&app, &token, "short").await;
    assert_eq!(weak.problem(422, "validation_failed")["errors"][0]["field"], "password");
    assert_eq!(weak.body["errors"][0]["code"], "weak_password");
    assert_eq!(reset(&app, &token, NEW_PASSWORD).await.status, 204);

    let old = app.post("/api/auth/login", None, &json!({"email": user.email, "password": PASSWORD})).await;
    old.problem(401, "invalid_credentials");
    let (access, _) = app.login(&user.email, NEW_PASSWORD).await;
    app.post("/api/auth/refresh", None, &json!({"refresh_token": user.refresh}))
        .await
        .problem(401, "invalid_refresh_token");
    app.get("/api/auth/me", Some(&user.access)).await.problem(401, "invalid_token");
    let me = app.get("/api/auth/me", Some(&access)).await.ok(200).clone();
    assert_eq!(me["email_verified"], true, "the reset link proves the mailbox");

    let filter = AuditFilter { action: Some(AuditAction::PasswordReset) };
    let user_id = user.user_id.parse().unwrap();
    let audited = repositories.audit.list_for_user(user_id, &filter, PageRequest::default()).await.unwrap();
    assert_eq!(audited.total, 1, "the reset is audited");
    for answer in [&weak, &old] {
        assert!(!answer.text.contains(&token) && !answer.text.contains(NEW_PASSWORD), "{}", answer.text);
    }
    let logs = &captured_logs()[logs_before..];
    for secret in [token.as_str(), NEW_PASSWORD] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

async fn an_english_user_gets_the_mail_in_english_and_a_token_works_once(store: Store) {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(store, &sink).await;
    let user = app.user("rec-en@example.com").await;
    let me = app.put("/api/auth/me", Some(&user.access), &json!({"language": "en"})).await.ok(200).clone();
    assert_eq!(me["language"], "en");
    let bad = app.put("/api/auth/me", Some(&user.access), &json!({"language": "fr"})).await;
    assert_eq!(bad.problem(422, "validation_failed")["errors"][0]["field"], "language");

    let answer = forgot(&app, &user.email).await;
    assert_eq!((answer.status, &answer.body), (202, &Value::Null), "an empty 202");
    let mail = wait_for_resets(&sink, &user.email, 1).await.remove(0);
    assert_eq!(mail["subject"], "Reset your botfleet password");
    let text = mail["text"].as_str().unwrap();
    assert!(text.starts_with("Hello, Test User.") && text.contains("30 minutes"), "{text}");
    let token = token_in(text, "reset-password");

    assert_eq!(reset(&app, &token, NEW_PASSWORD).await.status, 204);
    reset(&app, &token, "another passphrase 88").await.problem(400, "reset_token_invalid");
    reset(&app, "not-a-token", NEW_PASSWORD).await.problem(400, "reset_token_invalid");
    app.login(&user.email, NEW_PASSWORD).await;
}

async fn an_expired_or_superseded_token_is_refused(store: Store) {
    let sink = SmtpSink::start().await;
    let extra = sink.settings();
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (app, repositories) = spawn_with_repositories(settings(store, &pairs)).await;
    let user = app.user("rec-exp@example.com").await;

    forgot(&app, &user.email).await;
    let first = token_in(wait_for_resets(&sink, &user.email, 1).await[0]["text"].as_str().unwrap(), "reset-password");
    forgot(&app, &user.email).await;
    let second = token_in(wait_for_resets(&sink, &user.email, 2).await[1]["text"].as_str().unwrap(), "reset-password");
    assert_ne!(first, second);
    reset(&app, &first, NEW_PASSWORD).await.problem(400, "reset_token_invalid");

    // Only the hash is stored; age the token past its 30 minutes by its hash.
    let hash = hex::encode(Sha256::digest(second.as_bytes()));
    let stored = repositories.email_tokens.find_by_hash(&hash).await.unwrap().expect("stored under its SHA-256");
    assert_eq!(stored.expires_at - stored.created_at, time::Duration::minutes(30));
    let mut set = Doc::new();
    let past = (time::OffsetDateTime::now_utc() - time::Duration::seconds(1)).unix_timestamp() * 1000;
    set.insert("expires_at".to_owned(), past.into());
    let query = Query::all().eq("token_hash", hash.as_str());
    assert_eq!(repositories.store.update_many_set("email_tokens", &query, set).await.unwrap(), 1);
    reset(&app, &second, NEW_PASSWORD).await.problem(400, "reset_token_expired");
    app.login(&user.email, PASSWORD).await;
}

async fn unknown_emails_get_the_same_answer_and_no_mail(store: Store) {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(store, &sink).await;
    let known = app.user("rec-known@example.com").await;
    let before = sink.wait_for(1).await.len();

    let started = std::time::Instant::now();
    let unknown = forgot(&app, "nobody@example.com").await;
    let unknown_took = started.elapsed();
    let started = std::time::Instant::now();
    let found = forgot(&app, &known.email).await;
    let known_took = started.elapsed();
    assert_eq!((unknown.status, &unknown.body), (found.status, &found.body), "the same answer");
    assert!(unknown_took.as_millis() < 1_000 && known_took.as_millis() < 1_000, "{unknown_took:?} {known_took:?}");

    wait_for_resets(&sink, &known.email, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), before + 1, "nothing was sent to the unknown address");
    assert!(sink.messages_to("nobody@example.com").is_empty());
}

async fn asking_too_often_is_rate_limited(store: Store) {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(store, &sink).await;
    for _ in 0..3 {
        assert_eq!(forgot(&app, "flood@example.com").await.status, 202);
    }
    let limited = forgot(&app, "flood@example.com").await;
    limited.problem(429, "rate_limited");
    assert!(limited.headers.get("retry-after").is_some(), "{:?}", limited.headers);
    // Per IP too: 5 a minute from this client, whatever the address.
    forgot(&app, "other-1@example.com").await;
    forgot(&app, "other-2@example.com").await.problem(429, "rate_limited");
}

async fn without_smtp_the_feature_says_it_is_off(store: Store) {
    let app = spawn_with(settings(store, &[])).await;
    forgot(&app, "any@example.com").await.problem(503, "email_unavailable");
}
