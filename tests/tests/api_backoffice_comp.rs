//! Comp grants through the running server on both stores: an ADMIN grants PRO for some days
//! (SUPPORT may not); the user is PRO at once, the grant is on their invoices as a `comp` entry
//! of amount 0, and the audit names the target; with no payment by its end it lapses to FREE with
//! the bots beyond FREE's limit paused; a grant over a paid card subscription is a 409; a revoke
//! ends it at once; bad bodies are 422 naming the field.

use botfleet_tests::app::{Session, Store, TestApp};
use botfleet_tests::backoffice::{backoffice_app, create_operator, enrol_and_login, Operator, DOMAIN};
use botfleet_tests::billing::me;
use botfleet_tests::bots::{bot, running_smart_bots};
use domain::backoffice::OperatorRole;
use domain::subscriptions::{PaymentProvider, SubscriptionStatus};
use infrastructure::repositories::Repositories;
use reqwest::Method;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

botfleet_tests::on_both_stores!(
    a_comp_grants_the_plan_lists_it_and_lapses_to_free,
    a_comp_is_refused_over_a_card_subscription_and_revoked_early,
);

async fn operator(app: &TestApp, repos: &Repositories, name: &str, role: OperatorRole, ip: &str) -> Operator {
    let email = format!("{name}@{DOMAIN}");
    create_operator(repos, &email, role).await;
    enrol_and_login(app, &email, ip).await
}

async fn invoices(app: &TestApp, user: &Session) -> Vec<Value> {
    let list = app.get("/api/subscriptions/invoices", Some(&user.access)).await.ok(200).clone();
    list["items"].as_array().unwrap().clone()
}

fn comp_path(user: &Session) -> String {
    format!("/backoffice/api/users/{}/comp", user.user_id)
}

async fn a_comp_grants_the_plan_lists_it_and_lapses_to_free(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let admin = operator(&app, &repos, "ada", OperatorRole::Admin, "10.0.31.1").await;
    let support = operator(&app, &repos, "sam", OperatorRole::Support, "10.0.31.2").await;
    let user = app.user("comp-a@example.com").await;
    let path = comp_path(&user);
    let body = json!({"plan": "PRO", "days": 30, "reason": "compensation for the outage"});

    support.call(&app, Method::POST, &path, Some(&body)).await.problem(403, "permission_denied");
    for (bad, field) in [
        (json!({"plan": "FREE", "days": 30, "reason": "x"}), "plan"),
        (json!({"plan": "PRO", "days": 0, "reason": "x"}), "days"),
        (json!({"plan": "PRO", "days": 367, "reason": "x"}), "days"),
        (json!({"plan": "PRO", "days": 30, "reason": "   "}), "reason"),
    ] {
        let refused = admin.call(&app, Method::POST, &path, Some(&bad)).await;
        assert_eq!(refused.problem(422, "validation_failed")["errors"][0]["field"], field, "{bad}");
    }
    assert_eq!(me(&app, &user).await["plan"], "FREE", "nothing refused changed anything");
    let unknown = format!("/backoffice/api/users/{}/comp", ulid::Ulid::new());
    admin.call(&app, Method::POST, &unknown, Some(&body)).await.problem(404, "not_found");

    let granted = admin.call(&app, Method::POST, &path, Some(&body)).await.ok(200).clone();
    assert_eq!((granted["plan"].as_str(), granted["status"].as_str()), (Some("PRO"), Some("active")), "{granted}");
    let end = OffsetDateTime::parse(granted["current_period_end"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((end - OffsetDateTime::now_utc() - Duration::days(30)).abs() < Duration::minutes(1), "{end}");
    let now = me(&app, &user).await;
    assert_eq!((now["plan"].as_str(), now["provider"].clone()), (Some("PRO"), Value::Null), "{now}");
    assert!(now["status_reason"].as_str().is_some_and(|r| r.contains("compensation for the outage")), "{now}");
    let listed = invoices(&app, &user).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let entry = &listed[0];
    assert_eq!(
        (entry["method"].as_str(), entry["status"].as_str(), entry["amount"].as_str(), entry["plan"].as_str()),
        (Some("comp"), Some("granted"), Some("0.00"), Some("PRO")),
        "{entry}"
    );
    assert_eq!(entry["provider"], Value::Null);
    let entry_end = OffsetDateTime::parse(entry["period_end"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((entry_end - end).abs() < Duration::seconds(1), "{entry_end} {end}");
    assert_eq!(granted["invoice"]["id"], entry["id"]);
    let audit = admin.get(&app, &format!("/backoffice/api/audit?target=user:{}", user.user_id)).await.ok(200).clone();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"users.comp_grant"), "{audit}");

    // PRO lets the user run three bots; the thirty days pass with no payment.
    let bots = running_smart_bots(&app, &user, 3).await;
    let owner = user.user_id.parse().unwrap();
    let mut stored = repos.subscriptions.get_for_user(owner).await.unwrap();
    stored.current_period_end = Some(OffsetDateTime::now_utc() - Duration::seconds(1));
    repos.subscriptions.update(&stored).await.unwrap();
    let lapsed = me(&app, &user).await;
    assert_eq!((lapsed["plan"].as_str(), lapsed["usage"]["bots"]["limit"].as_u64()), (Some("FREE"), Some(2)));
    assert!(lapsed["status_reason"].as_str().is_some_and(|r| r.contains("complimentary plan ended")), "{lapsed}");
    let mut statuses = Vec::new();
    for id in &bots {
        statuses.push(bot(&app, &user, id).await["status"].clone());
    }
    assert_eq!(statuses, [json!("running"), json!("running"), json!("paused")], "FREE keeps the two oldest bots");
    admin.call(&app, Method::DELETE, &path, None).await.problem(409, "no_comp");
}

async fn a_comp_is_refused_over_a_card_subscription_and_revoked_early(store: Store) {
    let (app, repos) = backoffice_app(store).await;
    let admin = operator(&app, &repos, "abe", OperatorRole::SuperAdmin, "10.0.32.1").await;
    let payer = app.user("comp-b@example.com").await;
    let owner = payer.user_id.parse().unwrap();
    let mut paid = repos.subscriptions.get_for_user(owner).await.unwrap();
    paid.plan = domain::subscriptions::Plan::Pro;
    paid.status = SubscriptionStatus::Active;
    paid.provider = Some(PaymentProvider::Stripe);
    paid.provider_subscription_id = Some("sub_comp_b".into());
    paid.current_period_end = Some(OffsetDateTime::now_utc() + Duration::days(20));
    repos.subscriptions.update(&paid).await.unwrap();
    let body = json!({"plan": "MAX", "days": 10, "reason": "beta tester"});
    let refused = admin.call(&app, Method::POST, &comp_path(&payer), Some(&body)).await;
    assert!(refused.problem(409, "comp_refused")["detail"].as_str().unwrap().contains("card subscription"));
    assert_eq!(me(&app, &payer).await["provider"], "stripe", "the paid plan is untouched");
    assert!(invoices(&app, &payer).await.is_empty());

    let user = app.user("comp-c@example.com").await;
    let path = comp_path(&user);
    admin.call(&app, Method::DELETE, &path, None).await.problem(409, "no_comp");
    admin.call(&app, Method::POST, &path, Some(&body)).await.ok(200);
    assert_eq!(me(&app, &user).await["plan"], "MAX");
    let revoked = admin.call(&app, Method::DELETE, &path, None).await.ok(200).clone();
    assert_eq!((revoked["plan"].as_str(), revoked["current_period_end"].clone()), (Some("FREE"), Value::Null));
    let now = me(&app, &user).await;
    assert!(now["status_reason"].as_str().is_some_and(|r| r.contains("revoked")), "{now}");
    let listed = invoices(&app, &user).await;
    let end = OffsetDateTime::parse(listed[0]["period_end"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!(end <= OffsetDateTime::now_utc(), "the entry's period ends at the revoke: {end}");
}
