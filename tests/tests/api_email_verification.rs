//! E-mail verification end to end on both stores, against a real SMTP server on loopback
//! (aiosmtpd, see `tests/src/smtp.rs`): the link mailed at registration, live trading refused
//! until it is followed (contexts and bot starts) while paper trading never asks, single use,
//! resending, and a server without SMTP where verification is off.

use botfleet_tests::app::{settings, spawn_with, spawn_with_repositories, Session, Store, TestApp};
use botfleet_tests::bots::{create_bot, set_plan};
use botfleet_tests::fakes::binance::{self, FakeBinance};
use botfleet_tests::smtp::{captured_logs, token_in, SmtpSink};
use domain::subscriptions::Plan;
use infrastructure::repositories::Repositories;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    live_trading_waits_for_the_verified_email_and_paper_does_not,
    a_resent_link_supersedes_the_old_one_and_resending_is_limited,
    without_smtp_verification_is_off_and_says_so,
);

async fn app_with_mail(store: Store, sink: &SmtpSink, fake: &FakeBinance) -> (TestApp, Repositories) {
    let uri = fake.uri();
    let mut extra = sink.settings();
    extra.extend([("BOTFLEET_BINANCE_BASE_URL", uri.clone()), ("BOTFLEET_BINANCE_TESTNET_URL", uri)]);
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_with_repositories(settings(store, &pairs)).await
}

/// The verification mails delivered to `to`, waiting (up to 10 s) for at least `count`.
async fn verifications(sink: &SmtpSink, to: &str, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let found: Vec<Value> = sink
            .messages_to(to)
            .into_iter()
            .filter(|m| m["text"].as_str().unwrap_or("").contains("/verify-email?"))
            .collect();
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("expected {count} verification mail(s) to {to}: {:?}", sink.messages());
}

async fn verify(app: &TestApp, token: &str) -> botfleet_tests::app::Answer {
    app.post("/api/auth/email/verify", None, &json!({ "token": token })).await
}

async fn set_verified(repos: &Repositories, user: &Session, verified: bool) {
    let mut stored = repos.users.get(user.user_id.parse().unwrap()).await.unwrap();
    stored.email_verified = verified;
    repos.users.update(&stored).await.unwrap();
}

async fn live_trading_waits_for_the_verified_email_and_paper_does_not(store: Store) {
    let logs_before = captured_logs().len();
    let (sink, fake) = (SmtpSink::start().await, FakeBinance::start().await);
    let (app, repos) = app_with_mail(store, &sink, &fake).await;
    let user = app.user("verify-live@example.com").await;
    set_plan(&repos, &user, Plan::Max).await;
    let me = app.get("/api/auth/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!((me["email_verified"].as_bool(), me["language"].as_str()), (Some(false), Some("pt-BR")));

    let mail = verifications(&sink, &user.email, 1).await.remove(0);
    assert_eq!(mail["subject"], "Confirme seu e-mail na botfleet");
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("48 horas"), "{text}");
    let token = token_in(text, "verify-email");

    let paper = json!({"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"});
    app.post("/api/contexts", Some(&user.access), &paper).await.ok(201);
    let live = json!({"exchange": "binance", "symbol": "BTC-USDT", "mode": "live"});
    app.post("/api/contexts", Some(&user.access), &live).await.problem(403, "email_unverified");

    assert_eq!(verify(&app, &token).await.status, 204);
    verify(&app, &token).await.problem(400, "verification_token_invalid");
    verify(&app, "made-up").await.problem(400, "verification_token_invalid");
    let me = app.get("/api/auth/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!(me["email_verified"], true);
    app.post("/api/auth/email/verify/resend", Some(&user.access), &json!({}))
        .await
        .problem(409, "email_already_verified");

    // Past the e-mail check, the credential check answers.
    app.post("/api/contexts", Some(&user.access), &live).await.problem(409, "credential_required");
    let key = json!({"exchange": "binance", "api_key": binance::API_KEY, "api_secret": binance::API_SECRET});
    app.post("/api/credentials", Some(&user.access), &key).await.ok(201);
    let context = app.post("/api/contexts", Some(&user.access), &live).await.ok(201).clone();
    let dca =
        json!({"purchase_amount": "10", "frequency": "1h", "allocated_balance": "100", "take_profit_percent": "5"});
    let bot = create_bot(&app, &user, context["id"].as_str().unwrap(), "dca", dca).await;
    let start = format!("/api/bots/{}/start", bot["id"].as_str().unwrap());

    // Starting a live bot checks too (an account stored unverified, e.g. an address change).
    set_verified(&repos, &user, false).await;
    app.post(&start, Some(&user.access), &json!({})).await.problem(403, "email_unverified");
    set_verified(&repos, &user, true).await;
    assert_eq!(app.post(&start, Some(&user.access), &json!({})).await.ok(200)["status"], "running");

    assert!(!captured_logs()[logs_before..].contains(&token), "the token reached the logs");
}

async fn a_resent_link_supersedes_the_old_one_and_resending_is_limited(store: Store) {
    let (sink, fake) = (SmtpSink::start().await, FakeBinance::start().await);
    let (app, _repos) = app_with_mail(store, &sink, &fake).await;
    let user = app.user("verify-resend@example.com").await;
    app.put("/api/auth/me", Some(&user.access), &json!({"language": "en"})).await.ok(200);
    let first = token_in(verifications(&sink, &user.email, 1).await[0]["text"].as_str().unwrap(), "verify-email");

    let resend = app.post("/api/auth/email/verify/resend", Some(&user.access), &json!({})).await;
    assert_eq!((resend.status, &resend.body), (202, &Value::Null));
    let mail = verifications(&sink, &user.email, 2).await.remove(1);
    assert_eq!(mail["subject"], "Confirm your botfleet e-mail");
    assert!(mail["text"].as_str().unwrap().starts_with("Hello, Test User."));
    assert!(mail["html"].as_str().unwrap().contains("<html lang=\"en\">"));
    let second = token_in(mail["text"].as_str().unwrap(), "verify-email");

    verify(&app, &first).await.problem(400, "verification_token_invalid");
    for sent in [3, 4] {
        app.post("/api/auth/email/verify/resend", Some(&user.access), &json!({})).await.ok(202);
        verifications(&sink, &user.email, sent).await;
    }
    let limited = app.post("/api/auth/email/verify/resend", Some(&user.access), &json!({})).await;
    limited.problem(429, "rate_limited");
    assert!(limited.headers.get("retry-after").is_some());
    // The latest link works; the one before it was superseded by the later resends.
    let latest = verifications(&sink, &user.email, 4).await;
    let latest = token_in(latest.last().unwrap()["text"].as_str().unwrap(), "verify-email");
    verify(&app, &second).await.problem(400, "verification_token_invalid");
    assert_eq!(verify(&app, &latest).await.status, 204);
}

async fn without_smtp_verification_is_off_and_says_so(store: Store) {
    let app = spawn_with(settings(store, &[])).await;
    let user = app.user("verify-off@example.com").await;
    let me = app.get("/api/auth/me", Some(&user.access)).await.ok(200).clone();
    assert_eq!(me["email_verified"], false);
    // Verification is off: live trading is not blocked by it (the credential check answers).
    let live = json!({"exchange": "binance", "symbol": "BTC-USDT", "mode": "live"});
    app.post("/api/contexts", Some(&user.access), &live).await.problem(409, "credential_required");
    let resend = app.post("/api/auth/email/verify/resend", Some(&user.access), &json!({})).await;
    resend.problem(503, "email_unavailable");
}
