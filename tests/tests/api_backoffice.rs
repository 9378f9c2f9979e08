//! The operators' backoffice through the running server on both stores: its own login (password
//! and TOTP, codes checked against our own RFC 6238), the cookie session with its flags, expiry
//! and revocation, the CSRF token bound to the session, the domain list, the role table walked
//! route by route, blocking a user (their next request refused, their bots paused and no longer
//! trading on the paper exchange), the audit trail of every request, and no secret in any answer.

use api::routes::backoffice::{Access, BackofficeRoute, ROUTES};
use botfleet_tests::app::{Answer, Store, TestApp};
use botfleet_tests::backoffice::{
    backoffice_app, backoffice_app_mailing, code, cookie_of, create_operator, enrol_and_login, login, now, send,
    Operator, DOMAIN, OPERATOR_PASSWORD,
};
use botfleet_tests::bots::{command, create_bot, price, run, trader};
use botfleet_tests::smtp::{token_in, SmtpSink};
use domain::backoffice::OperatorRole;
use domain::orders::OrderFilter;
use domain::shared::ids::UserId;
use domain::subscriptions::Plan;
use domain::PageRequest;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use rust_decimal_macros::dec;
use serde_json::json;

botfleet_tests::on_both_stores!(
    login_needs_a_fresh_totp_code_and_sets_a_strict_cookie,
    sessions_end_by_logout_and_by_expiry,
    state_changes_need_the_sessions_own_csrf_token,
    operators_outside_the_domains_are_refused,
    login_attempts_are_limited_across_instances,
    every_route_answers_every_role_as_the_table_says,
    blocking_refuses_the_user_and_stops_their_bots,
    every_request_is_audited_and_no_secret_is_answered,
    support_mails_a_password_reset_but_not_to_a_blocked_user,
    the_expiry_workflow_drops_audit_entries_older_than_a_year,
);

fn email(name: &str) -> String {
    format!("{name}@{DOMAIN}")
}

async fn operator(app: &TestApp, repos: &Repositories, name: &str, role: OperatorRole, ip: &str) -> Operator {
    create_operator(repos, &email(name), role).await;
    enrol_and_login(app, &email(name), ip).await
}

async fn login_needs_a_fresh_totp_code_and_sets_a_strict_cookie(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let ana = email("ana");
    create_operator(&repos, &ana, OperatorRole::Support).await;

    // Not enrolled yet: the right password is told to enrol first.
    let early = login(&app, "10.0.0.1", &ana, OPERATOR_PASSWORD, "123456").await;
    early.problem(403, "totp_enrolment_required");
    let op = enrol_and_login(&app, &ana, "10.0.0.2").await;
    // No code at all: refused naming the field.
    let body = json!({"email": ana, "password": OPERATOR_PASSWORD});
    let none = send(&app, Method::POST, "/backoffice/api/auth/login", "10.0.0.3", None, None, Some(&body)).await;
    assert_eq!(none.problem(422, "validation_failed")["errors"][0]["field"], "code");
    // A wrong code, then the code just used (replayed): both refused like a wrong password.
    let wrong = format!("{:06}", (code(&op.secret, now() + 30).parse::<u32>().unwrap() + 1) % 1_000_000);
    login(&app, "10.0.0.3", &ana, OPERATOR_PASSWORD, &wrong).await.problem(401, "invalid_credentials");
    let replay = login(&app, "10.0.0.4", &ana, OPERATOR_PASSWORD, &code(&op.secret, now() + 30)).await;
    replay.problem(401, "invalid_credentials");
    // A recovery code works once.
    let recovery = &op.recovery[0];
    login(&app, "10.0.0.4", &ana, OPERATOR_PASSWORD, recovery).await.ok(200);
    login(&app, "10.0.0.5", &ana, OPERATOR_PASSWORD, recovery).await.problem(401, "invalid_credentials");

    // The cookie the login set: strict flags, scoped to the backoffice, 8 hours.
    let second = login(&app, "10.0.0.5", &ana, OPERATOR_PASSWORD, &op.recovery[1]).await;
    let set_cookie = second.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/backoffice", "Max-Age=28800"] {
        assert!(set_cookie.split("; ").any(|part| part == flag), "{flag} missing from {set_cookie}");
    }
    let me =
        send(&app, Method::GET, "/backoffice/api/auth/me", "10.0.0.5", Some(&cookie_of(&second)), None, None).await;
    assert_eq!(me.ok(200)["operator"]["email"], ana);
    assert_eq!(me.body["operator"]["role"], "support");
    // A user's bearer token is no way in.
    let user = app.user("customer@example.com").await;
    let bearer = app.get("/backoffice/api/auth/me", Some(&user.access)).await;
    bearer.problem(401, "backoffice_session_required");
}

async fn sessions_end_by_logout_and_by_expiry(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let op = operator(&app, &repos, "bea", OperatorRole::Admin, "10.0.1.1").await;
    op.get(&app, "/backoffice/api/auth/me").await.ok(200);

    let logout = op.post(&app, "/backoffice/api/auth/logout").await;
    assert_eq!(logout.status, 204);
    assert!(logout.headers.get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    op.get(&app, "/backoffice/api/auth/me").await.problem(401, "backoffice_session_required");

    // A session past its 8 hours is refused though never revoked.
    let answer = login(&app, "10.0.1.2", &op.email, OPERATOR_PASSWORD, &op.recovery[0]).await;
    let cookie = cookie_of(&answer);
    let me = send(&app, Method::GET, "/backoffice/api/auth/me", "10.0.1.2", Some(&cookie), None, None).await;
    me.ok(200);
    let past = codec_millis(time::OffsetDateTime::now_utc() - time::Duration::seconds(1));
    let mut set = serde_json::Map::new();
    set.insert("expires_at".into(), past.into());
    let query = infrastructure::store::Query::all().eq("revoked_at", serde_json::Value::Null);
    let changed = repos.store.update_many_set("operator_sessions", &query, set).await.unwrap();
    assert_eq!(changed, 1, "one live session to age");
    let expired = send(&app, Method::GET, "/backoffice/api/auth/me", "10.0.1.2", Some(&cookie), None, None).await;
    expired.problem(401, "backoffice_session_required");
}

fn codec_millis(at: time::OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

async fn state_changes_need_the_sessions_own_csrf_token(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let ana = operator(&app, &repos, "ana", OperatorRole::Admin, "10.0.2.1").await;
    let bea = operator(&app, &repos, "bea", OperatorRole::Admin, "10.0.2.2").await;
    let user = app.user("victim@example.com").await;
    let block = format!("/backoffice/api/users/{}/block", user.user_id);

    let body = json!({});
    let without = send(&app, Method::POST, &block, &ana.ip, Some(&ana.cookie), None, Some(&body)).await;
    without.problem(403, "csrf_token_invalid");
    let foreign = send(&app, Method::POST, &block, &ana.ip, Some(&ana.cookie), Some(&bea.csrf), Some(&body)).await;
    foreign.problem(403, "csrf_token_invalid");
    // Neither changed anything: the user still works.
    app.get("/api/auth/me", Some(&user.access)).await.ok(200);
    ana.post(&app, &block).await.ok(200);
    app.get("/api/auth/me", Some(&user.access)).await.problem(401, "invalid_token");
}

async fn operators_outside_the_domains_are_refused(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let settings = botfleet_tests::app::settings(Store::Embedded, &botfleet_tests::backoffice::extra());
    let backoffice =
        api::bootstrap::backoffice(&settings, &repos, std::sync::Arc::new(infrastructure::clock::SystemClock)).unwrap();
    let refused = backoffice.create_operator("eve@evil.example", None, OperatorRole::SuperAdmin).await;
    assert!(matches!(refused, Err(application::backoffice::BackofficeError::Invalid(ref e)) if e[0].field == "email"));

    let answer = login(&app, "10.0.3.1", "eve@evil.example", OPERATOR_PASSWORD, "123456").await;
    assert_eq!(answer.problem(422, "validation_failed")["errors"][0]["field"], "email");
    // A user of the platform with that e-mail is no operator either.
    let body = json!({"email": "eve@staff.example.org", "password": OPERATOR_PASSWORD});
    let enrol = send(&app, Method::POST, "/backoffice/api/auth/totp/enroll", "10.0.3.2", None, None, Some(&body)).await;
    assert_eq!(enrol.problem(422, "validation_failed")["errors"][0]["field"], "email");
}

async fn login_attempts_are_limited_across_instances(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let settings = botfleet_tests::app::settings(store, &botfleet_tests::backoffice::extra());
    let other = botfleet_tests::app::spawn_on_repositories(settings, &repos).await;
    create_operator(&repos, &email("cid"), OperatorRole::Support).await;
    // Five wrong attempts for one e-mail, from five addresses, spread over two instances...
    for i in 0..5 {
        let server = if i % 2 == 0 { &app } else { &other };
        let answer = login(server, &format!("10.0.4.{i}"), &email("cid"), "wrong-password-1", "123456").await;
        answer.problem(401, "invalid_credentials");
    }
    // ...and the sixth is refused on either, with the right password.
    let sixth = login(&other, "10.0.4.9", &email("cid"), OPERATOR_PASSWORD, "123456").await;
    sixth.problem(429, "rate_limited");
    assert_eq!(sixth.headers.get("retry-after").unwrap(), "900");
    // Per IP too: five e-mails from one address.
    for i in 0..5 {
        login(&app, "10.0.5.1", &email(&format!("x{i}")), "wrong-password-1", "123456")
            .await
            .problem(401, "invalid_credentials");
    }
    login(&other, "10.0.5.1", &email("y"), "wrong-password-1", "123456").await.problem(429, "rate_limited");
}

/// The path of `route` with its parameters filled.
fn fill(path: &str, user: &str) -> String {
    let other = ulid::Ulid::new().to_string();
    path.replace("{id}", user).replace("{bot_id}", &other).replace("{invoice_id}", &other)
}

async fn every_route_answers_every_role_as_the_table_says(store: Store) {
    // With a mail server, so the password-reset route can succeed.
    let sink = SmtpSink::start().await;
    let (app, repos) = backoffice_app_mailing(store, &sink).await;
    let user = app.user("subject@example.com").await;
    let mut operators = Vec::new();
    for (i, role) in OperatorRole::ALL.into_iter().enumerate() {
        let op = operator(&app, &repos, role.as_str(), role, &format!("10.0.6.{i}")).await;
        operators.push((role, op));
    }
    let mut walked = 0;
    // Logging out ends the sessions the walk uses: it goes last.
    let (last, first): (Vec<&BackofficeRoute>, Vec<&BackofficeRoute>) =
        ROUTES.iter().partition(|r| r.action == "auth.logout");
    for route in first.into_iter().chain(last) {
        let Access::Requires(permission) = route.access else { continue };
        let path = fill(route.path, &user.user_id);
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let body = (route.method != "GET").then(|| json!({}));
        // Without a session: refused before anything.
        let anonymous = send(&app, method.clone(), &path, "10.0.6.9", None, None, body.as_ref()).await;
        anonymous.problem(401, "backoffice_session_required");
        for (role, op) in &operators {
            let answer: Answer = op.call(&app, method.clone(), &path, body.as_ref()).await;
            let denied = answer.status == 403 && answer.body["code"] == "permission_denied";
            assert_eq!(denied, !permission.granted_to(*role), "{} {} as {role:?}: {}", route.method, path, answer.text);
            // Granted means past the guard: no other 401 or 403 either.
            if permission.granted_to(*role) {
                assert!(![401, 403].contains(&answer.status), "{} {} as {role:?}: {}", route.method, path, answer.text);
            }
            assert!(answer.status < 500, "{} {} as {role:?}: {}", route.method, path, answer.text);
            walked += 1;
        }
    }
    assert_eq!(walked, 3 * ROUTES.iter().filter(|r| r.access != Access::Public).count());
}

async fn blocking_refuses_the_user_and_stops_their_bots(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let admin = operator(&app, &repos, "ada", OperatorRole::Admin, "10.0.7.1").await;
    let (kept, kept_ctx) = trader(&app, &repos, "kept@example.com", Plan::Pro).await;
    let (blocked, blocked_ctx) = trader(&app, &repos, "blocked@example.com", Plan::Pro).await;
    price(&app, &kept.access, dec!(301000)).await;
    let config = json!({"base_price": "300000", "top_price": "330000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20", "allocated_balance": "2000"});
    let kept_bot =
        create_bot(&app, &kept, &kept_ctx, "channel", config.clone()).await["id"].as_str().unwrap().to_owned();
    let blocked_bot =
        create_bot(&app, &blocked, &blocked_ctx, "channel", config).await["id"].as_str().unwrap().to_owned();
    command(&app, &kept, &kept_bot, "start").await;
    command(&app, &blocked, &blocked_bot, "start").await;
    run(&app, "channel_bots").await;

    let report = admin.post(&app, &format!("/backoffice/api/users/{}/block", blocked.user_id)).await;
    assert_eq!(report.ok(200)["bots_paused"], 1);
    assert!(report.body["sessions_revoked"].as_u64().unwrap() >= 1);
    // The user's next request, a refresh and a login are all refused.
    app.get("/api/auth/me", Some(&blocked.access)).await.problem(401, "invalid_token");
    let refresh = app.post("/api/auth/refresh", None, &json!({"refresh_token": blocked.refresh})).await;
    assert_eq!(refresh.status, 401, "{}", refresh.text);
    let body = json!({"email": blocked.email, "password": blocked.password});
    app.post("/api/auth/login", None, &body).await.problem(403, "account_blocked");

    // The market moves: the other user's bot trades, the blocked one's does not.
    price(&app, &kept.access, dec!(307000)).await;
    run(&app, "channel_bots").await;
    let orders = |id: &str| {
        let id: UserId = id.parse().unwrap();
        let repos = repos.clone();
        async move { repos.orders.list(id, &OrderFilter::default(), PageRequest::first()).await.unwrap().total }
    };
    assert!(orders(&kept.user_id).await > 0, "the control bot traded");
    assert_eq!(orders(&blocked.user_id).await, 0, "the blocked user's bot placed no order");
    let detail = admin.get(&app, &format!("/backoffice/api/users/{}", blocked.user_id)).await;
    assert_eq!(detail.ok(200)["user"]["status"], "blocked");
    assert_eq!(detail.body["bots"][0]["status"], "paused");
    assert_eq!(detail.body["bots"][0]["status_reason"], application::backoffice::BLOCKED_REASON);

    // Unblocked, they log in again; their bot waits for them to resume it.
    admin.post(&app, &format!("/backoffice/api/users/{}/unblock", blocked.user_id)).await.ok(200);
    app.post("/api/auth/login", None, &body).await.ok(200);
}

async fn every_request_is_audited_and_no_secret_is_answered(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let root = operator(&app, &repos, "root", OperatorRole::SuperAdmin, "10.0.8.1").await;
    let support = operator(&app, &repos, "sam", OperatorRole::Support, "10.0.8.2").await;
    let user = app.user("audited@example.com").await;
    let user_id: UserId = user.user_id.parse().unwrap();
    let credential = botfleet_tests::contract::fixtures::credential(user_id, domain::exchange::ExchangeId::Binance, 7);
    repos.credentials.create(&credential).await.unwrap();

    let mut answers = Vec::new();
    answers.push(root.get(&app, "/backoffice/api/users?email_prefix=audited&sort=email_asc").await);
    assert_eq!(answers[0].ok(200)["total"], 1);
    answers.push(support.get(&app, &format!("/backoffice/api/users/{}", user.user_id)).await);
    answers[1].ok(200);
    let denied = support.post(&app, &format!("/backoffice/api/users/{}/block", user.user_id)).await;
    denied.problem(403, "permission_denied");
    answers.push(denied);
    answers.push(root.post(&app, &format!("/backoffice/api/users/{}/block", user.user_id)).await);
    answers.push(root.post(&app, &format!("/backoffice/api/users/{}/unblock", user.user_id)).await);

    let trail = root.get(&app, &format!("/backoffice/api/audit?target=user:{}", user.user_id)).await;
    let items = trail.ok(200)["items"].as_array().unwrap().clone();
    let seen: Vec<(String, String, String)> = items
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["operator_email"].as_str().unwrap().into(),
                e["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("users.read", support.email.as_str(), "ok"),
        ("users.block", support.email.as_str(), "denied"),
        ("users.block", root.email.as_str(), "ok"),
        ("users.unblock", root.email.as_str(), "ok"),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned(), expected.2.to_owned());
        assert!(seen.contains(&expected), "{expected:?} not in {seen:?}");
    }
    assert!(items.iter().all(|e| e["ip"].is_string() && e["role"].is_string() && e["status"].is_u64()));
    // Reads are audited too, the list and the logins included.
    let all = root.get(&app, "/backoffice/api/audit?limit=200").await;
    let actions: Vec<&str> =
        all.ok(200)["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["users.list", "auth.login", "auth.totp_enroll", "auth.totp_confirm"] {
        assert!(actions.contains(&action), "{action} not audited: {actions:?}");
    }
    answers.push(all);
    let export = root.get(&app, "/backoffice/api/audit/export").await;
    assert_eq!(export.status, 200);
    assert!(export
        .text
        .starts_with("id,at,operator_id,operator_email,role,action,target,ip,user_agent,status,outcome\r\n"));
    assert!(export.text.contains(&format!("users.block,user:{}", user.user_id)));
    answers.push(export);
    // The audit trail cannot be changed through the API, whatever the role.
    let id = items[0]["id"].as_str().unwrap();
    for method in [Method::DELETE, Method::PUT, Method::PATCH] {
        let answer = root.call(&app, method, &format!("/backoffice/api/audit/{id}"), Some(&json!({}))).await;
        assert!(answer.status == 404 || answer.status == 405, "{}", answer.text);
    }

    // Nothing secret in any answer: the user's password and tokens, the credential's key and
    // secret as stored, the operators' passwords, codes and cookies.
    let secrets = [
        user.password.as_str(),
        user.access.as_str(),
        user.refresh.as_str(),
        OPERATOR_PASSWORD,
        root.cookie.as_str(),
        support.cookie.as_str(),
        root.secret.as_str(),
        credential.api_key.ciphertext.as_str(),
        credential.api_secret.ciphertext.as_str(),
    ];
    for answer in &answers {
        for secret in secrets {
            assert!(!answer.text.contains(secret), "a backoffice answer holds a secret: {}", answer.text);
        }
        for code in &root.recovery {
            assert!(!answer.text.contains(code.as_str()));
        }
    }
}

async fn support_mails_a_password_reset_but_not_to_a_blocked_user(store: Store) {
    let sink = SmtpSink::start().await;
    let (app, repos) = backoffice_app_mailing(store, &sink).await;
    let support = operator(&app, &repos, "sam", OperatorRole::Support, "10.0.9.1").await;
    let admin = operator(&app, &repos, "ada", OperatorRole::Admin, "10.0.9.2").await;
    let user = app.user("locked-out@example.com").await;
    let path = format!("/backoffice/api/users/{}/password-reset", user.user_id);

    let answer = support.post(&app, &path).await;
    assert_eq!(answer.status, 202, "{}", answer.text);
    let mut resets = Vec::new();
    for _ in 0..200 {
        resets = sink.messages_to(&user.email);
        resets.retain(|m| m["text"].as_str().unwrap_or("").contains("/reset-password?"));
        if !resets.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(resets.len(), 1, "one reset mail to the user: {:?}", sink.messages());
    let token = token_in(resets[0]["text"].as_str().unwrap(), "reset-password");
    assert!(!answer.text.contains(&token), "the operator never sees the token");
    // The link is the user's way back in.
    let reset = json!({"token": token, "password": "brand new passphrase 77"});
    assert_eq!(app.post("/api/auth/password/reset", None, &reset).await.status, 204);

    // A blocked account gets no reset link: unblock first.
    admin.post(&app, &format!("/backoffice/api/users/{}/block", user.user_id)).await.ok(200);
    support.post(&app, &path).await.problem(403, "account_blocked");
    // Unknown users are a 404, not a mail.
    let unknown = format!("/backoffice/api/users/{}/password-reset", ulid::Ulid::new());
    support.post(&app, &unknown).await.problem(404, "not_found");

    let trail = admin
        .get(&app, &format!("/backoffice/api/audit?action=users.password_reset&target=user:{}", user.user_id))
        .await;
    let outcomes: Vec<&str> =
        trail.ok(200)["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, vec!["failed", "ok"], "newest first");
}

async fn the_expiry_workflow_drops_audit_entries_older_than_a_year(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let now = time::OffsetDateTime::now_utc();
    let entry = |days: i64, target: &str| domain::backoffice::OperatorAuditEntry {
        id: domain::shared::ids::AuditId::new(),
        operator_id: None,
        operator_email: None,
        role: None,
        action: "users.read".into(),
        target: Some(target.into()),
        ip: None,
        user_agent: None,
        at: now - time::Duration::days(days),
        status: 200,
        outcome: domain::backoffice::Outcome::Ok,
    };
    repos.operator_audit.append(&entry(366, "user:old")).await.unwrap();
    repos.operator_audit.append(&entry(364, "user:kept")).await.unwrap();

    run(&app, "operator_audit_expiry").await;
    let left = repos.operator_audit.list(&Default::default(), PageRequest::first()).await.unwrap();
    let targets: Vec<&str> = left.items.iter().filter_map(|e| e.target.as_deref()).collect();
    assert_eq!(targets, ["user:kept"], "only the entry within a year stays");
}
