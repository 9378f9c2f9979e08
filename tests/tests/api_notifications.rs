//! In-app notifications and preferences through the running server on both stores: events
//! raised through the queue reach the inbox via the relay; only the types on `in_app` are
//! listed; read, read-all and the unread count; another user's notification is 404; the
//! preferences round trip, are idempotent and name each bad field; the data export (LGPD)
//! carries the events, the preferences, the webhook endpoints (never a secret) and the Telegram
//! link.

use botfleet_tests::app::{settings, spawn_with_repositories, Store};
use botfleet_tests::notifications::{
    anomaly, apart, item_ids, order_filled, payment_failed, raise, user_of, wait_unread,
};
use botfleet_tests::orders::fields;
use serde_json::json;

botfleet_tests::on_both_stores!(
    the_inbox_lists_in_app_types_newest_first_and_marks_them_read,
    preferences_round_trip_are_idempotent_and_name_bad_fields,
    the_data_export_carries_events_preferences_endpoints_and_the_telegram_link,
);

async fn the_inbox_lists_in_app_types_newest_first_and_marks_them_read(store: Store) {
    let (app, repos) = spawn_with_repositories(settings(store, &[])).await;
    let (ana, bob) = (app.user("ana@example.com").await, app.user("bob@example.com").await);
    let (ana_id, bob_id) = (user_of(&ana), user_of(&bob));
    // A few milliseconds apart: ids (ULIDs) made in the same millisecond are not ordered.
    let first = anomaly(ana_id, "gap");
    let fill = apart(|| order_filled(ana_id)).await;
    let last = apart(|| payment_failed(ana_id)).await;
    raise(&repos, &[first.clone(), fill.clone(), last.clone(), anomaly(bob_id, "spike")]).await;

    assert_eq!(wait_unread(&app, &ana, 2).await, 2, "the fill is on no channel by default");
    let list = app.get("/api/notifications", Some(&ana.access)).await.ok(200).clone();
    assert_eq!(item_ids(&list), [last.id.to_string(), first.id.to_string()], "newest first");
    assert_eq!((list["total"].as_u64(), list["unread_count"].as_u64()), (Some(2), Some(2)));
    let item = &list["items"][0];
    assert_eq!(
        (item["type"].as_str(), item["data"]["reason"].as_str()),
        (Some("payment.failed"), Some("card declined"))
    );
    assert!(item["seq"].as_u64().unwrap() > list["items"][1]["seq"].as_u64().unwrap());
    assert!(item["read_at"].is_null());

    let filtered = app.get("/api/notifications?type=market.anomaly", Some(&ana.access)).await;
    assert_eq!(item_ids(filtered.ok(200)), [first.id.to_string()]);
    let bad = app.get("/api/notifications?type=order.exploded", Some(&ana.access)).await;
    assert_eq!(bad.problem(400, "invalid_query")["errors"][0]["field"], "type");
    let paged = app.get("/api/notifications?limit=1&offset=1", Some(&ana.access)).await;
    assert_eq!(item_ids(paged.ok(200)), [first.id.to_string()]);

    let read_path = format!("/api/notifications/{}/read", first.id);
    let read = app.post(&read_path, Some(&ana.access), &json!({})).await.ok(200).clone();
    assert!(read["read_at"].is_string());
    let again = app.post(&read_path, Some(&ana.access), &json!({})).await;
    assert_eq!(again.ok(200)["read_at"], read["read_at"], "marking again keeps the first read_at");
    assert_eq!(wait_unread(&app, &ana, 1).await, 1);
    let unread = app.get("/api/notifications?unread=true", Some(&ana.access)).await;
    assert_eq!(item_ids(unread.ok(200)), [last.id.to_string()]);

    app.post(&read_path, Some(&bob.access), &json!({})).await.problem(404, "not_found");
    app.post(&format!("/api/notifications/{}/read", fill.id), Some(&bob.access), &json!({}))
        .await
        .problem(404, "not_found");
    app.post("/api/notifications/not-an-id/read", Some(&ana.access), &json!({})).await.problem(400, "invalid_path");
    app.get("/api/notifications", None).await.problem(401, "missing_token");

    let all = app.post("/api/notifications/read-all", Some(&ana.access), &json!({})).await;
    assert_eq!(all.ok(200)["marked"], 2, "the unread payment and the fill, which the inbox does not list");
    assert_eq!(wait_unread(&app, &ana, 0).await, 0);
    assert_eq!(wait_unread(&app, &bob, 1).await, 1, "bob's own notification is untouched");
}

async fn preferences_round_trip_are_idempotent_and_name_bad_fields(store: Store) {
    let (app, repos) = spawn_with_repositories(settings(store, &[])).await;
    let ana = app.user("ana@example.com").await;
    let path = "/api/notifications/preferences";

    let defaults = app.get(path, Some(&ana.access)).await.ok(200).clone();
    let types = defaults["types"].as_array().unwrap();
    assert_eq!(types.len(), domain::notifications::EventType::ALL.len());
    let filled = types.iter().find(|t| t["type"] == "order.filled").unwrap();
    assert_eq!((filled["category"].as_str(), filled["channels"].clone()), (Some("fill"), json!([])));
    let tripped = types.iter().find(|t| t["type"] == "bot.tripped").unwrap();
    assert_eq!(tripped["default_channels"], json!(["in_app", "email", "telegram"]));
    assert!(defaults["updated_at"].is_null());

    let change = json!({"preferences": [
        {"type": "order.filled", "channels": ["in_app"]},
        {"type": "payment.failed", "channels": []},
    ]});
    let changed = app.put(path, Some(&ana.access), &change).await.ok(200).clone();
    let channels_of = |body: &serde_json::Value, t: &str| {
        body["types"].as_array().unwrap().iter().find(|x| x["type"] == t).unwrap()["channels"].clone()
    };
    assert_eq!(channels_of(&changed, "order.filled"), json!(["in_app"]));
    assert_eq!(channels_of(&changed, "payment.failed"), json!([]));
    assert_eq!(channels_of(&changed, "bot.tripped"), json!(["in_app", "email", "telegram"]), "untouched");
    let repeated = app.put(path, Some(&ana.access), &change).await.ok(200).clone();
    assert_eq!(repeated, changed, "a repeated change changes nothing, not even updated_at");
    assert_eq!(app.get(path, Some(&ana.access)).await.ok(200), &changed);

    // The inbox follows: fills are listed now, failed payments are not.
    let ana_id = user_of(&ana);
    let (fill, payment) = (order_filled(ana_id), payment_failed(ana_id));
    raise(&repos, &[fill.clone(), payment]).await;
    assert_eq!(wait_unread(&app, &ana, 1).await, 1);
    let list = app.get("/api/notifications", Some(&ana.access)).await;
    assert_eq!(item_ids(list.ok(200)), [fill.id.to_string()]);

    let bad = json!({"preferences": [
        {"type": "order.exploded", "channels": ["in_app"]},
        {"type": "bot.tripped", "channels": ["email", "sms"]},
    ]});
    let answer = app.put(path, Some(&ana.access), &bad).await;
    answer.problem(422, "validation_failed");
    assert_eq!(
        fields(&answer),
        [
            ("preferences[0].type".to_owned(), "unknown_variant".to_owned()),
            ("preferences[1].channels[1]".to_owned(), "unknown_variant".to_owned()),
        ]
    );
    let unknown_field = app.put(path, Some(&ana.access), &json!({"preferences": [], "mute": true})).await;
    unknown_field.problem(422, "validation_failed");
    assert_eq!(app.get(path, Some(&ana.access)).await.ok(200), &changed, "a refused change changes nothing");
}

/// `GET /api/users/me/export` holds every event of the user (the fill too, which no channel shows
/// by default), the preferences as changed, the webhook endpoints without their secrets and the
/// linked Telegram chat; nothing of another user's.
async fn the_data_export_carries_events_preferences_endpoints_and_the_telegram_link(store: Store) {
    let (app, repos) = spawn_with_repositories(settings(store, &[("BOTFLEET_WEBHOOKS_ALLOW_PRIVATE", "true")])).await;
    let (ana, bob) = (app.user("ana@example.com").await, app.user("bob@example.com").await);
    let (ana_id, bob_id) = (user_of(&ana), user_of(&bob));
    let export = async || app.get("/api/users/me/export", Some(&ana.access)).await.ok(200).clone();
    let nothing = export().await;
    assert_eq!((&nothing["notifications"], &nothing["webhook_endpoints"]), (&json!([]), &json!([])), "{nothing}");
    assert_eq!(nothing["telegram"], serde_json::Value::Null);

    let (gap, fill) = (anomaly(ana_id, "gap"), apart(|| order_filled(ana_id)).await);
    raise(&repos, &[gap.clone(), fill.clone(), anomaly(bob_id, "spike")]).await;
    wait_unread(&app, &ana, 1).await;
    let change = json!({"preferences": [{"type": "payment.failed", "channels": ["email"]}]});
    app.put("/api/notifications/preferences", Some(&ana.access), &change).await.ok(200);
    let hook = json!({"url": "https://127.0.0.1:9/hook", "events": ["market.anomaly"], "description": "ops"});
    let created = app.post("/api/webhook-endpoints", Some(&ana.access), &hook).await.ok(201).clone();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let linked_at = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let link = domain::notifications::TelegramLink { user_id: ana_id, chat_id: 424_242, linked_at };
    repos.telegram.link(&link).await.unwrap();

    let body = export().await;
    let text = body.to_string();
    assert_eq!(item_ids(&json!({"items": body["notifications"]})), [fill.id.to_string(), gap.id.to_string()], "{body}");
    assert_eq!(body["notifications"][0]["type"], "order.filled");
    let types = body["notification_preferences"]["types"].as_array().unwrap();
    let failed = types.iter().find(|t| t["type"] == "payment.failed").unwrap();
    assert_eq!(failed["channels"], json!(["email"]), "as changed");
    let endpoint = &body["webhook_endpoints"][0];
    assert_eq!((&endpoint["id"], &endpoint["url"]), (&created["id"], &json!("https://127.0.0.1:9/hook")));
    assert_eq!(endpoint["events"], json!(["market.anomaly"]));
    assert!(!text.contains(&secret) && !text.contains("whsec_"), "the signing secret never leaves: {endpoint}");
    assert_eq!(body["telegram"]["chat_id"], 424_242);
    assert_eq!(
        body["telegram"]["linked_at"],
        json!(linked_at.format(&time::format_description::well_known::Rfc3339).unwrap())
    );
    assert!(!text.contains("spike"), "nothing of another user's");
}
