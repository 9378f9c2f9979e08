//! Operator management through the running server on both stores (SUPER_ADMIN only): create
//! (domain list, password shown once), list, change a role (applied at the next request),
//! disable (sessions end at once, login refused), reset TOTP (enrol again), never oneself, and
//! every action in the audit with its target.

use botfleet_tests::app::{Store, TestApp};
use botfleet_tests::backoffice::{
    backoffice_app, code, create_operator, enrol_and_login, login, now, Operator, DOMAIN,
};
use domain::backoffice::OperatorRole;
use infrastructure::repositories::Repositories;
use reqwest::Method;
use serde_json::json;

botfleet_tests::on_both_stores!(super_admin_manages_operators);

async fn operator(app: &TestApp, repos: &Repositories, name: &str, role: OperatorRole, ip: &str) -> Operator {
    let email = format!("{name}@{DOMAIN}");
    create_operator(repos, &email, role).await;
    enrol_and_login(app, &email, ip).await
}

async fn super_admin_manages_operators(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let root = operator(&app, &repos, "root", OperatorRole::SuperAdmin, "10.0.30.1").await;
    let sam = operator(&app, &repos, "sam", OperatorRole::Support, "10.0.30.2").await;
    let sam_id = app_me(&app, &sam).await;

    // Create: outside the domains refused naming the field; inside, a password shown once.
    let outside = json!({"email": "eve@elsewhere.example", "role": "admin"});
    let refused = root.call(&app, Method::POST, "/backoffice/api/operators", Some(&outside)).await;
    assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], "email");
    let bad_role = json!({"email": format!("ivo@{DOMAIN}"), "role": "root"});
    let refused = root.call(&app, Method::POST, "/backoffice/api/operators", Some(&bad_role)).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let body = json!({"email": format!("ivo@{DOMAIN}"), "role": "admin"});
    let created = root.call(&app, Method::POST, "/backoffice/api/operators", Some(&body)).await;
    let created = created.ok(201).clone();
    assert_eq!(
        (created["operator"]["role"].as_str(), created["operator"]["totp_enrolled"].as_bool()),
        (Some("admin"), Some(false))
    );
    let password = created["password"].as_str().unwrap();
    assert_eq!(password.chars().count(), 24);
    let again = root.call(&app, Method::POST, "/backoffice/api/operators", Some(&body)).await;
    again.problem(409, "operator_exists");
    // The new operator logs in with it once enrolled: the password works.
    let early = login(&app, "10.0.30.3", &format!("ivo@{DOMAIN}"), password, "123456").await;
    early.problem(403, "totp_enrolment_required");

    let list = root.get(&app, "/backoffice/api/operators").await;
    let emails: Vec<&str> =
        list.ok(200)["items"].as_array().unwrap().iter().map(|o| o["email"].as_str().unwrap()).collect();
    assert_eq!(emails, [format!("ivo@{DOMAIN}"), format!("root@{DOMAIN}"), format!("sam@{DOMAIN}")]);

    // Role: sam becomes ADMIN and may read the audit at the next request.
    sam.get(&app, "/backoffice/api/audit").await.problem(403, "permission_denied");
    let path = format!("/backoffice/api/operators/{sam_id}/role");
    let changed = root.call(&app, Method::POST, &path, Some(&json!({"role": "admin"}))).await;
    assert_eq!(changed.ok(200)["role"], "admin");
    sam.get(&app, "/backoffice/api/audit").await.ok(200);

    // Nobody manages themselves.
    let root_id = app_me(&app, &root).await;
    for action in ["disable", "totp-reset"] {
        let own = root.post(&app, &format!("/backoffice/api/operators/{root_id}/{action}")).await;
        own.problem(403, "forbidden");
    }
    let own = root
        .call(
            &app,
            Method::POST,
            &format!("/backoffice/api/operators/{root_id}/role"),
            Some(&json!({"role": "support"})),
        )
        .await;
    own.problem(403, "forbidden");

    // TOTP reset: sam's session ends and their next login must enrol again.
    let reset = root.post(&app, &format!("/backoffice/api/operators/{sam_id}/totp-reset")).await;
    assert_eq!(reset.ok(200)["totp_enrolled"], false);
    sam.get(&app, "/backoffice/api/auth/me").await.problem(401, "backoffice_session_required");
    let relogin = login(
        &app,
        "10.0.30.4",
        &sam.email,
        botfleet_tests::backoffice::OPERATOR_PASSWORD,
        &code(&sam.secret, now() + 60),
    )
    .await;
    relogin.problem(403, "totp_enrolment_required");
    let sam = enrol_and_login(&app, &sam.email, "10.0.30.5").await;

    // Disable: the session ends at once and login is refused.
    let disabled = root.post(&app, &format!("/backoffice/api/operators/{sam_id}/disable")).await;
    assert_eq!(disabled.ok(200)["active"], false);
    sam.get(&app, "/backoffice/api/auth/me").await.problem(401, "backoffice_session_required");
    let refused = login(
        &app,
        "10.0.30.6",
        &sam.email,
        botfleet_tests::backoffice::OPERATOR_PASSWORD,
        &code(&sam.secret, now() + 90),
    )
    .await;
    assert_eq!(refused.status, 401, "{}", refused.text);

    // Every action is audited with its target.
    let trail = root.get(&app, &format!("/backoffice/api/audit?target=operator:{sam_id}&limit=200")).await;
    let actions: Vec<&str> =
        trail.ok(200)["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["operators.role", "operators.totp_reset", "operators.disable"] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
    let created_audit = root.get(&app, "/backoffice/api/audit?action=operators.create").await;
    assert_eq!(created_audit.ok(200)["total"], 4, "two refused, one created, one duplicate");
    // The generated password is in no audit entry.
    assert!(!trail.text.contains(password) && !created_audit.text.contains(password));
}

/// The operator's id, read from their own session.
async fn app_me(app: &TestApp, op: &Operator) -> String {
    op.get(app, "/backoffice/api/auth/me").await.ok(200)["operator"]["id"].as_str().unwrap().to_owned()
}
