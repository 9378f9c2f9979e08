//! The LGPD routes of the catalogue (section 12) through the running server on both stores: the
//! versioned texts, consents with a history entry (time, client IP, user agent) per change, and a
//! new terms version that must be accepted again before bots start.

use botfleet_tests::app::{settings, spawn_on_repositories, Store, TestApp};
use botfleet_tests::bots::{bot_app, command, create_bot, price, trader, OPS_TOKEN};
use domain::subscriptions::Plan;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    texts_are_public_and_versioned,
    every_consent_change_is_a_history_entry_with_ip_and_user_agent,
    a_new_terms_version_must_be_accepted_before_bots_start,
);

const AGENT: &str = "consent-tests/1.0";

async fn post_consents(app: &TestApp, token: &str, body: &Value) -> botfleet_tests::app::Answer {
    app.call(reqwest::Method::POST, "/api/legal/consents", Some(token), Some(body), &[("user-agent", AGENT)]).await
}

async fn texts_are_public_and_versioned(store: Store) {
    let (app, _repos) = bot_app(store, &[]).await;
    for (path, kind, title) in
        [("/api/legal/terms", "terms", "Terms of Use"), ("/api/legal/privacy", "privacy", "Privacy")]
    {
        let text = app.get(path, None).await.ok(200).clone();
        assert_eq!(text["kind"], kind);
        assert_eq!(text["version"], api::settings::DEFAULT_TERMS_VERSION);
        assert_eq!(text["content_type"], "text/markdown");
        assert!(text["text"].as_str().unwrap().contains(title), "{text}");
    }
}

async fn every_consent_change_is_a_history_entry_with_ip_and_user_agent(store: Store) {
    let (app, _repos) = bot_app(store, &[]).await;
    let ana = app.user("consents-ana@example.com").await;

    let first = app.get("/api/legal/consents", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(first["up_to_date"], true, "{first}");
    assert_eq!(first["history"]["total"], 1);
    let registration = &first["current"];
    assert_eq!(
        (registration["source"].as_str(), registration["terms_accepted"].as_bool()),
        (Some("registration"), Some(true))
    );
    assert_eq!(registration["terms_version"], first["terms_version_in_force"]);
    assert_eq!(registration["ip_address"], "127.0.0.1");

    let changed = post_consents(&app, &ana.access, &json!({"marketing_accepted": true})).await.ok(200).clone();
    assert_eq!(changed["history"]["total"], 2);
    let entry = &changed["history"]["items"][0];
    assert_eq!((entry["marketing_accepted"].as_bool(), entry["source"].as_str()), (Some(true), Some("update")));
    assert_eq!((entry["ip_address"].as_str(), entry["user_agent"].as_str()), (Some("127.0.0.1"), Some(AGENT)));
    assert_eq!(entry["terms_accepted"], true, "what is not sent stays as it was");
    let kept = time::OffsetDateTime::parse(
        entry["retain_until"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
        - time::OffsetDateTime::now_utc();
    assert!(kept > time::Duration::days(5 * 365 - 1), "kept five years: {entry}");
    let me = app.get("/api/auth/me", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(me["consent"]["marketing"], true, "the profile follows the history");

    // Withdrawing marketing through the profile is a history entry too.
    app.put("/api/auth/me", Some(&ana.access), &json!({"accept_marketing": false})).await.ok(200);
    let after = app.get("/api/legal/consents?limit=1", Some(&ana.access)).await.ok(200).clone();
    assert_eq!((after["history"]["total"].as_u64(), after["current"]["source"].as_str()), (Some(3), Some("profile")));
    assert_eq!(after["history"]["items"].as_array().unwrap().len(), 1);

    post_consents(&app, &ana.access, &json!({})).await.problem(422, "validation_failed");
    let stale = json!({"terms_accepted": true, "terms_version": "1999-01-01"});
    post_consents(&app, &ana.access, &stale).await.problem(409, "terms_version_outdated");
    app.get("/api/legal/consents", None).await.problem(401, "missing_token");
}

async fn a_new_terms_version_must_be_accepted_before_bots_start(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "terms-ana@example.com", Plan::Free).await;
    let config = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "1000"});
    let id = create_bot(&app, &ana, &ctx, "smart", config).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    command(&app, &ana, &id, "start").await;
    command(&app, &ana, &id, "stop").await;

    // The operator publishes new terms: the same data served with BOTFLEET_TERMS_VERSION=v2.
    let v2 = settings(
        store,
        &[
            ("BOTFLEET_TERMS_VERSION", "v2"),
            ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"),
            ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
        ],
    );
    let app = spawn_on_repositories(v2, &repos).await;
    assert_eq!(app.get("/api/legal/terms", None).await.ok(200)["version"], "v2");
    let refused = app.post(&format!("/api/bots/{id}/start"), Some(&ana.access), &json!({})).await;
    assert!(refused.problem(403, "terms_not_accepted")["detail"].as_str().unwrap().contains("v2"));
    let consents = app.get("/api/legal/consents", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(
        (consents["up_to_date"].as_bool(), consents["terms_version_in_force"].as_str()),
        (Some(false), Some("v2"))
    );

    // Changing something else accepts nothing; accepting v2 lets the bot start again.
    post_consents(&app, &ana.access, &json!({"marketing_accepted": true})).await.ok(200);
    app.post(&format!("/api/bots/{id}/start"), Some(&ana.access), &json!({})).await.problem(403, "terms_not_accepted");
    let accepted = post_consents(&app, &ana.access, &json!({"terms_accepted": true, "terms_version": "v2"})).await;
    assert_eq!(accepted.ok(200)["current"]["terms_version"], "v2");
    assert_eq!(command(&app, &ana, &id, "start").await["status"], "running");
}
