//! Identity through the running server, on the embedded store and on MongoDB: registration,
//! login, token rotation and theft detection, logout, profile, password change, deletion,
//! export, rate limits and token validation.

use base64::Engine;
use botfleet_tests::app::{settings, spawn_app, spawn_with, Store, PASSWORD};
use serde_json::json;

botfleet_tests::on_both_stores!(
    registration_normalises_email_and_refuses_duplicates,
    registration_names_every_bad_field,
    login_answers_unknown_email_and_wrong_password_alike,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_revokes_the_session,
    password_change_ends_other_sessions,
    profile_update_records_consent,
    deleted_accounts_cannot_log_in_and_lose_their_credentials,
    export_contains_the_users_data_without_secrets,
    tokens_are_validated_strictly,
    register_is_rate_limited_per_ip,
    login_failures_are_limited_per_email,
);

async fn registration_normalises_email_and_refuses_duplicates(store: Store) {
    let app = spawn_app(store).await;
    let profile = app.register("  Ana@Example.COM ").await;
    assert_eq!(profile["email"], "ana@example.com");
    assert_eq!(profile["plan"], "FREE");
    assert_eq!(profile["subscription_status"], "active");
    assert_eq!(profile["consent"]["terms"], true);
    assert_eq!(profile["consent"]["marketing"], false);

    let again = json!({"email": "ANA@example.com", "password": PASSWORD, "name": "Other",
        "accept_terms": true, "accept_privacy": true});
    app.post("/api/auth/register", None, &again).await.problem(409, "email_taken");
}

async fn registration_names_every_bad_field(store: Store) {
    let app = spawn_app(store).await;
    let bad = json!({"email": "not-an-email", "password": "alllowercase", "name": " ",
        "accept_terms": false, "accept_privacy": false});
    let answer = app.post("/api/auth/register", None, &bad).await;
    let problem = answer.problem(422, "validation_failed");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password", "name", "accept_terms", "accept_privacy"]);
    let password_error = &problem["errors"][1];
    assert_eq!(password_error["code"], "weak_password");
    assert!(password_error["message"].as_str().unwrap().contains("two kinds"), "{password_error}");
    assert!(!answer.text.contains("alllowercase"), "a password must never be echoed: {}", answer.text);

    let short =
        json!({"email": "a@b.co", "password": "Ab1", "name": "A", "accept_terms": true, "accept_privacy": true});
    let answer = app.post("/api/auth/register", None, &short).await;
    assert_eq!(answer.problem(422, "validation_failed")["errors"][0]["message"], "must be at least 10 characters long");
}

async fn login_answers_unknown_email_and_wrong_password_alike(store: Store) {
    let app = spawn_app(store).await;
    app.register("bob@example.com").await;
    let wrong =
        app.post("/api/auth/login", None, &json!({"email": "bob@example.com", "password": "wrong password 1"})).await;
    let unknown =
        app.post("/api/auth/login", None, &json!({"email": "nobody@example.com", "password": PASSWORD})).await;
    let (a, b) = (wrong.problem(401, "invalid_credentials"), unknown.problem(401, "invalid_credentials"));
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["title"], b["title"]);

    let (access, refresh) = app.login("BOB@example.com", PASSWORD).await;
    assert!(!access.is_empty() && !refresh.is_empty());
    let me = app.get("/api/auth/me", Some(&access)).await;
    assert_eq!(me.ok(200)["email"], "bob@example.com");
}

async fn refresh_rotates_and_reuse_revokes_the_family(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("carol@example.com").await;

    let first = app.post("/api/auth/refresh", None, &json!({"refresh_token": user.refresh})).await;
    let first = first.ok(200).clone();
    let new_refresh = first["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, user.refresh);
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 900);
    app.get("/api/auth/me", first["access_token"].as_str()).await.ok(200);

    // The spent token again: theft. Its whole family dies, the fresh token included.
    let reuse = app.post("/api/auth/refresh", None, &json!({"refresh_token": user.refresh})).await;
    reuse.problem(401, "refresh_reused");
    let after = app.post("/api/auth/refresh", None, &json!({"refresh_token": new_refresh})).await;
    after.problem(401, "invalid_refresh_token");

    app.post("/api/auth/refresh", None, &json!({"refresh_token": "made-up"}))
        .await
        .problem(401, "invalid_refresh_token");
}

async fn logout_revokes_the_session(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("dave@example.com").await;
    app.post("/api/auth/logout", None, &json!({"refresh_token": user.refresh})).await.ok(204);
    app.post("/api/auth/logout", None, &json!({"refresh_token": user.refresh})).await.ok(204);
    let refresh = app.post("/api/auth/refresh", None, &json!({"refresh_token": user.refresh})).await;
    refresh.problem(401, "invalid_refresh_token");
}

async fn password_change_ends_other_sessions(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("erin@example.com").await;
    let (other_access, other_refresh) = app.login(&user.email, PASSWORD).await;

    let wrong = json!({"current_password": "not it at all 1", "new_password": "a brand new one 9"});
    let answer = app.put("/api/auth/password", Some(&user.access), &wrong).await;
    assert_eq!(answer.problem(422, "validation_failed")["errors"][0]["field"], "current_password");
    let weak = json!({"current_password": PASSWORD, "new_password": "short"});
    let answer = app.put("/api/auth/password", Some(&user.access), &weak).await;
    assert_eq!(answer.problem(422, "validation_failed")["errors"][0]["field"], "new_password");

    // No pause: tokens carry the session generation, so those of the same second end too.
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new one 9"});
    let pair = app.put("/api/auth/password", Some(&user.access), &change).await.ok(200).clone();

    app.get("/api/auth/me", Some(&other_access)).await.problem(401, "invalid_token");
    app.get("/api/auth/me", Some(&user.access)).await.problem(401, "invalid_token");
    app.post("/api/auth/refresh", None, &json!({"refresh_token": other_refresh}))
        .await
        .problem(401, "invalid_refresh_token");
    app.get("/api/auth/me", pair["access_token"].as_str()).await.ok(200);
    let old = app.post("/api/auth/login", None, &json!({"email": user.email, "password": PASSWORD})).await;
    old.problem(401, "invalid_credentials");
    app.login(&user.email, "a brand new one 9").await;
}

async fn profile_update_records_consent(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("fay@example.com").await;
    let before = app.get("/api/auth/me", Some(&user.access)).await.ok(200).clone();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let update = json!({"name": "Fay F.", "accept_marketing": true});
    let after = app.put("/api/auth/me", Some(&user.access), &update).await.ok(200).clone();
    assert_eq!(after["name"], "Fay F.");
    assert_eq!(after["consent"]["marketing"], true);
    assert_ne!(after["consent"]["at"], before["consent"]["at"]);
    let answer = app.put("/api/auth/me", Some(&user.access), &json!({"name": ""})).await;
    assert_eq!(answer.problem(422, "validation_failed")["errors"][0]["field"], "name");
}

async fn deleted_accounts_cannot_log_in_and_lose_their_credentials(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("gus@example.com").await;
    let credential = json!({"exchange": "binance", "api_key": "key-gus-12345678", "api_secret": "secret-gus-12345678"});
    app.post("/api/credentials", Some(&user.access), &credential).await.ok(201);

    let answer = app.delete("/api/users/me", Some(&user.access), Some(&json!({"password": "wrong password 1"}))).await;
    answer.problem(422, "validation_failed");
    let report = app.delete("/api/users/me", Some(&user.access), Some(&json!({"password": PASSWORD}))).await;
    assert_eq!(report.ok(200)["credentials_wiped"], 1);

    app.get("/api/auth/me", Some(&user.access)).await.problem(401, "invalid_token");
    app.get("/api/credentials", Some(&user.access)).await.problem(401, "invalid_token");
    app.post("/api/auth/refresh", None, &json!({"refresh_token": user.refresh}))
        .await
        .problem(401, "invalid_refresh_token");
    let login = app.post("/api/auth/login", None, &json!({"email": user.email, "password": PASSWORD})).await;
    login.problem(401, "invalid_credentials");

    // The e-mail is free again; the new account starts empty.
    let again = app.user(&user.email).await;
    assert_ne!(again.user_id, user.user_id);
    let list = app.get("/api/credentials", Some(&again.access)).await;
    assert_eq!(list.ok(200)["total"], 0);
}

async fn export_contains_the_users_data_without_secrets(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("hal@example.com").await;
    let credential =
        json!({"exchange": "mercado_bitcoin", "api_key": "mb-key-ABCDEFGH", "api_secret": "mb-secret-ZYXWVUTS"});
    app.post("/api/credentials", Some(&user.access), &credential).await.ok(201);

    let export = app.get("/api/users/me/export", Some(&user.access)).await;
    let body = export.ok(200);
    assert_eq!(body["profile"]["email"], "hal@example.com");
    assert_eq!(body["credentials"][0]["exchange"], "mercado_bitcoin");
    assert_eq!(body["credentials"][0]["key_last4"], "EFGH");
    assert_eq!(body["sessions"].as_array().unwrap().len(), 1);
    let actions: Vec<&str> = body["audit"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    for expected in ["register", "login_succeeded", "credential_added"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    for secret in ["mb-key-ABCDEFGH", "mb-secret-ZYXWVUTS", PASSWORD, &user.refresh, "argon2"] {
        assert!(!export.text.contains(secret), "the export leaks `{secret}`");
    }
}

async fn tokens_are_validated_strictly(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("ivy@example.com").await;
    app.get("/api/auth/me", None).await.problem(401, "missing_token");
    app.get("/api/auth/me", Some("not.a.jwt")).await.problem(401, "invalid_token");

    // The same claims with alg `none` and no signature.
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = user.access.split('.').nth(1).unwrap();
    let none = format!("{}.{claims}.", b64.encode(r#"{"alg":"none","typ":"JWT"}"#));
    app.get("/api/auth/me", Some(&none)).await.problem(401, "invalid_token");

    // Tampered claims with the original signature.
    let mut payload: serde_json::Value = serde_json::from_slice(&b64.decode(claims).unwrap()).unwrap();
    payload["email"] = json!("someone@else.com");
    let parts: Vec<&str> = user.access.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], b64.encode(payload.to_string()), parts[2]);
    app.get("/api/auth/me", Some(&tampered)).await.problem(401, "invalid_token");
}

async fn register_is_rate_limited_per_ip(store: Store) {
    let app = spawn_app(store).await;
    for i in 0..3 {
        app.register(&format!("rate{i}@example.com")).await;
    }
    let body = json!({"email": "rate3@example.com", "password": PASSWORD, "name": "R",
        "accept_terms": true, "accept_privacy": true});
    let answer = app.post("/api/auth/register", None, &body).await;
    answer.problem(429, "rate_limited");
    let retry_after: u64 = answer.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // X-Forwarded-For is not trusted without BOTFLEET_TRUSTED_PROXIES: it cannot dodge the limit.
    let spoofed = app
        .call(reqwest::Method::POST, "/api/auth/register", None, Some(&body), &[("x-forwarded-for", "203.0.113.9")])
        .await;
    spoofed.problem(429, "rate_limited");
}

async fn login_failures_are_limited_per_email(store: Store) {
    // Behind a trusted proxy each attempt comes from another client IP, so only the per-e-mail
    // failure limit (5 per 15 minutes) can stop the sixth attempt.
    let app = spawn_with(settings(store, &[("BOTFLEET_TRUSTED_PROXIES", "127.0.0.1/32")])).await;
    app.register("jay@example.com").await;
    let bad = json!({"email": "jay@example.com", "password": "wrong password 1"});
    let login = |body: serde_json::Value, ip: String| {
        let app = &app;
        async move {
            app.call(reqwest::Method::POST, "/api/auth/login", None, Some(&body), &[("x-forwarded-for", ip.as_str())])
                .await
        }
    };
    for i in 0..5 {
        login(bad.clone(), format!("198.51.100.{i}")).await.problem(401, "invalid_credentials");
    }
    let good = json!({"email": "jay@example.com", "password": PASSWORD});
    let refused = login(good.clone(), "198.51.100.77".into()).await;
    refused.problem(429, "rate_limited");
    assert!(refused.headers.contains_key("retry-after"));
    // Other e-mails are not affected.
    app.register("kim@example.com").await;
    login(json!({"email": "kim@example.com", "password": PASSWORD}), "198.51.100.78".into()).await.ok(200);
}
