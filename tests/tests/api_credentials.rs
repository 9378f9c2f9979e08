//! Exchange credentials through the running server, on both stores: what is shown and never
//! shown, one per exchange, validation, ownership (another user's id is a 404 on every endpoint
//! that takes one), the audit trail, encryption at rest and survival across a restart.

use botfleet_tests::app::{spawn_app, spawn_on_disk, Store};
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_credential_is_stored_and_shown_without_its_secret,
    one_credential_per_exchange,
    bad_input_names_the_fields,
    another_users_credential_is_not_found,
    credential_changes_are_audited_without_secrets,
);

const KEY: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789wxYZ";
const SECRET: &str = "s3cr3t-ZyXwVuTsRqPoNmLkJiHgFeDcBa-9876543210";

fn binance() -> Value {
    json!({"exchange": "binance", "api_key": KEY, "api_secret": SECRET, "testnet": true})
}

#[track_caller]
fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "the secret leaked: {text}");
    assert!(!text.contains(KEY), "the whole key leaked: {text}");
}

async fn a_credential_is_stored_and_shown_without_its_secret(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("cred-a@example.com").await;

    let created = app.post("/api/credentials", Some(&user.access), &binance()).await;
    assert_no_secret(&created.text);
    let body = created.ok(201).clone();
    assert_eq!(body["exchange"], "binance");
    assert_eq!(body["key_last4"], "wxYZ");
    assert_eq!(body["testnet"], true);
    assert_eq!(body["status"], "unverified");
    let id = body["id"].as_str().unwrap();

    let one = app.get(&format!("/api/credentials/{id}"), Some(&user.access)).await;
    assert_no_secret(&one.text);
    assert_eq!(one.ok(200)["id"], id);

    let list = app.get("/api/credentials", Some(&user.access)).await;
    assert_no_secret(&list.text);
    let list = list.ok(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);

    let export = app.get("/api/users/me/export", Some(&user.access)).await;
    assert_no_secret(&export.text);
    export.ok(200);

    app.delete(&format!("/api/credentials/{id}"), Some(&user.access), None).await.ok(204);
    app.get(&format!("/api/credentials/{id}"), Some(&user.access)).await.problem(404, "not_found");
    assert_eq!(app.get("/api/credentials", Some(&user.access)).await.ok(200)["total"], 0);
}

async fn one_credential_per_exchange(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("cred-b@example.com").await;
    app.post("/api/credentials", Some(&user.access), &binance()).await.ok(201);
    let again = app.post("/api/credentials", Some(&user.access), &binance()).await;
    again.problem(409, "credential_exists");
    assert_no_secret(&again.text);

    let mb = json!({"exchange": "mercado_bitcoin", "api_key": "mb-login-1234", "api_secret": "mb-password-5678"});
    app.post("/api/credentials", Some(&user.access), &mb).await.ok(201);
    let list = app.get("/api/credentials", Some(&user.access)).await;
    assert_eq!(list.ok(200)["total"], 2);

    let other = app.user("cred-b2@example.com").await;
    app.post("/api/credentials", Some(&other.access), &binance()).await.ok(201);
}

async fn bad_input_names_the_fields(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("cred-c@example.com").await;
    let bad = json!({"exchange": "kraken", "api_key": "", "api_secret": ""});
    let answer = app.post("/api/credentials", Some(&user.access), &bad).await;
    let problem = answer.problem(422, "validation_failed");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["exchange", "api_key", "api_secret"] {
        assert!(fields.contains(&field), "{field} not named in {problem}");
    }

    let missing = app.post("/api/credentials", Some(&user.access), &json!({"exchange": "binance"})).await;
    assert_eq!(missing.problem(422, "validation_failed")["errors"][0]["field"], "api_key");
    app.post("/api/credentials", None, &binance()).await.problem(401, "missing_token");
}

async fn another_users_credential_is_not_found(store: Store) {
    let app = spawn_app(store).await;
    let owner = app.user("cred-owner@example.com").await;
    let thief = app.user("cred-thief@example.com").await;
    let created = app.post("/api/credentials", Some(&owner.access), &binance()).await;
    let id = created.ok(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/api/credentials/{id}");

    // Indistinguishable from an id that does not exist at all.
    let read = app.get(&path, Some(&thief.access)).await;
    let nowhere = app.get("/api/credentials/01ARZ3NDEKTSV4RRFFQ69G5FAV", Some(&thief.access)).await;
    assert_eq!(read.problem(404, "not_found")["detail"], nowhere.problem(404, "not_found")["detail"]);
    app.delete(&path, Some(&thief.access), None).await.problem(404, "not_found");
    assert_eq!(app.get("/api/credentials", Some(&thief.access)).await.ok(200)["total"], 0);

    // Still there for its owner, and a malformed id is simply not found.
    app.get(&path, Some(&owner.access)).await.ok(200);
    app.get("/api/credentials/not-an-id", Some(&owner.access)).await.problem(400, "invalid_path");
}

async fn credential_changes_are_audited_without_secrets(store: Store) {
    let app = spawn_app(store).await;
    let user = app.user("cred-d@example.com").await;
    let created = app.post("/api/credentials", Some(&user.access), &binance()).await;
    let id = created.ok(201)["id"].as_str().unwrap().to_owned();
    app.delete(&format!("/api/credentials/{id}"), Some(&user.access), None).await.ok(204);

    let export = app.get("/api/users/me/export", Some(&user.access)).await;
    assert_no_secret(&export.text);
    let actions: Vec<String> = export.ok(200)["audit"]
        .as_array()
        .expect("the export carries the audit trail")
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for action in ["credential_added", "credential_removed", "login_succeeded", "register"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}

/// Credentials are encrypted on disk and come back after a restart of the embedded store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_encrypted_at_rest_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (id, email) = {
        let app = spawn_on_disk(dir.path()).await;
        let user = app.user("cred-disk@example.com").await;
        let created = app.post("/api/credentials", Some(&user.access), &binance()).await;
        (created.ok(201)["id"].as_str().unwrap().to_owned(), user.email)
    };
    let mut on_disk = String::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            on_disk.push_str(&String::from_utf8_lossy(&std::fs::read(path).unwrap()));
        }
    }
    assert!(on_disk.contains(&id), "the journal holds the credential");
    assert_no_secret(&on_disk);

    let app = reopen(dir.path()).await;
    let (access, _) = app.login(&email, botfleet_tests::app::PASSWORD).await;
    let one = app.get(&format!("/api/credentials/{id}"), Some(&access)).await;
    assert_eq!(one.ok(200)["key_last4"], "wxYZ");
}

/// Reopens the data directory once the previous server has released it.
async fn reopen(dir: &std::path::Path) -> botfleet_tests::app::TestApp {
    for _ in 0..100 {
        let settings = botfleet_tests::app::settings(Store::Embedded, &[("BOTFLEET_DATA_DIR", dir.to_str().unwrap())]);
        if let Ok(state) = api::bootstrap::state(settings).await {
            drop(state);
            return spawn_on_disk(dir).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the data directory stayed locked after the first server stopped");
}
