//! HTTP hygiene and token rules through the running server, on both stores: headers on every
//! answer (`nosniff`, `no-store`, CSP, no framing), RFC 6750 challenges on 401, tokens from the
//! future refused, the exact cut-off of a password change, e-mails normalised (NFKC + case
//! folding) before uniqueness, and `/metrics` behind the ops token when so configured.

use botfleet_tests::app::{settings, spawn_app, spawn_with, Answer, Store, PASSWORD, TEST_JWT_SECRET};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

botfleet_tests::on_both_stores!(
    every_answer_carries_the_hygiene_headers,
    unauthorized_answers_carry_a_bearer_challenge,
    tokens_from_the_future_are_refused,
    a_password_change_ends_tokens_of_the_same_second,
    lookalike_emails_cannot_register_twice,
    metrics_can_require_the_ops_token,
);

fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

async fn every_answer_carries_the_hygiene_headers(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("hy@example.com").await;
    let login = app.post("/api/auth/login", None, &json!({"email": "hy@example.com", "password": PASSWORD})).await;
    let answers = [
        ("login (tokens)", login),
        ("me (personal data)", app.get("/api/auth/me", Some(&user.access)).await),
        ("401", app.get("/api/auth/me", None).await),
        ("404", app.get("/api/nothing-here", None).await),
        ("plans", app.get("/api/plans", None).await),
    ];
    for (what, answer) in &answers {
        assert_eq!(header(answer, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header(answer, "cache-control"), "no-store", "{what}");
        assert_eq!(header(answer, "x-frame-options"), "DENY", "{what}");
        assert!(header(answer, "content-security-policy").contains("frame-ancestors 'none'"), "{what}");
    }

    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, 200, "{}", docs.text);
    let csp = header(&docs, "content-security-policy");
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header(&docs, "x-frame-options"), "DENY");
    assert_eq!(header(&docs, "x-content-type-options"), "nosniff");
    // The policy allows no inline script, so the page must have none.
    let inline_scripts =
        docs.text.match_indices("<script").filter(|(at, _)| !docs.text[*at..].starts_with("<script src")).count();
    assert_eq!(inline_scripts, 0, "the docs page has inline scripts the CSP would block:\n{}", docs.text);
}

async fn unauthorized_answers_carry_a_bearer_challenge(store: Store) {
    let app = spawn_app(store).await;
    let missing = app.get("/api/auth/me", None).await;
    missing.problem(401, "missing_token");
    assert_eq!(header(&missing, "www-authenticate"), r#"Bearer realm="botfleet""#);

    let bad = app.get("/api/auth/me", Some("not.a.jwt")).await;
    bad.problem(401, "invalid_token");
    assert!(header(&bad, "www-authenticate").starts_with(r#"Bearer realm="botfleet", error="invalid_token""#));

    let wrong_password = app.post("/api/auth/login", None, &json!({"email": "no@example.com", "password": "x"})).await;
    assert_eq!(wrong_password.status, 401, "{}", wrong_password.text);
    assert!(header(&wrong_password, "www-authenticate").starts_with("Bearer"));
}

/// A token the server would accept but for its times: signed with the test secret.
fn forged(user_id: &str, iat: i64, nbf: Option<i64>, generation: u64) -> String {
    let mut claims = json!({
        "sub": user_id, "email": "fu@example.com", "plan": "FREE", "jti": ulid::Ulid::new().to_string(),
        "iat": iat, "exp": iat + 600, "gen": generation, "iss": "botfleet", "aud": "botfleet-api",
    });
    if let Some(nbf) = nbf {
        claims["nbf"] = json!(nbf);
    }
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes())).unwrap()
}

async fn tokens_from_the_future_are_refused(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("fu@example.com").await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    // The control: the same forgery with sane times is accepted, so the refusals below are the times'.
    app.get("/api/auth/me", Some(&forged(&user.user_id, now - 1, None, 0))).await.ok(200);
    app.get("/api/auth/me", Some(&forged(&user.user_id, now - 1, Some(now - 1), 0))).await.ok(200);

    app.get("/api/auth/me", Some(&forged(&user.user_id, now - 1, Some(now + 3600), 0)))
        .await
        .problem(401, "invalid_token");
    app.get("/api/auth/me", Some(&forged(&user.user_id, now + 3600, None, 0))).await.problem(401, "invalid_token");
}

async fn a_password_change_ends_tokens_of_the_same_second(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("pc@example.com").await;
    let change = json!({"current_password": PASSWORD, "new_password": "Another-Secret-Phrase-42"});
    let fresh = app.put("/api/auth/password", Some(&user.access), &change).await;
    let fresh = fresh.ok(200)["access_token"].as_str().unwrap().to_owned();

    // A token of the old generation dated exactly now (the same second as the change) is refused;
    // before session generations, `iat` in whole seconds let it through.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    app.get("/api/auth/me", Some(&forged(&user.user_id, now, None, 0))).await.problem(401, "invalid_token");
    app.get("/api/auth/me", Some(&user.access)).await.problem(401, "invalid_token");
    app.get("/api/auth/me", Some(&fresh)).await.ok(200);
}

async fn lookalike_emails_cannot_register_twice(store: Store) {
    // Each attempt from another client address, so the per-IP registration limit stays out of it.
    let app = spawn_with(settings(store, &[("BOTFLEET_TRUSTED_PROXIES", "127.0.0.1/32")])).await;
    app.register("alice@example.com").await;
    for (i, lookalike) in
        ["\u{FF21}lice@example.com", "ALICE@example.com", "alice@\u{FF45}xample.com"].iter().enumerate()
    {
        let body = json!({"email": lookalike, "password": PASSWORD, "name": "Mallory",
            "accept_terms": true, "accept_privacy": true});
        let ip = format!("198.51.100.{i}");
        app.call(reqwest::Method::POST, "/api/auth/register", None, Some(&body), &[("x-forwarded-for", ip.as_str())])
            .await
            .problem(409, "email_taken");
    }
    // And the fullwidth spelling logs in to the one account.
    app.post("/api/auth/login", None, &json!({"email": "\u{FF21}LICE@example.com", "password": PASSWORD}))
        .await
        .ok(200);
}

async fn metrics_can_require_the_ops_token(store: Store) {
    const OPS: &str = "ops-token-for-metrics-0123456789";
    let open = spawn_app(store).await;
    assert_eq!(open.get("/metrics", None).await.status, 200);

    let app =
        spawn_with(settings(store, &[("BOTFLEET_OPS_TOKEN", OPS), ("BOTFLEET_METRICS_REQUIRE_TOKEN", "true")])).await;
    app.get("/metrics", None).await.problem(401, "missing_token");
    app.get("/metrics", Some("not-the-ops-token-0123456789")).await.problem(401, "invalid_token");
    let user = app.user("me@example.com").await;
    app.get("/metrics", Some(&user.access)).await.problem(401, "invalid_token");
    let scrape = app.get("/metrics", Some(OPS)).await;
    assert_eq!(scrape.status, 200, "{}", scrape.text);
    assert!(scrape.text.contains("http_requests_total"), "{}", scrape.text);
}
