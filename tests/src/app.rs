//! `spawn_app`: the real server (the same state the binary builds) on a free loopback port, on
//! the embedded store or on a fresh MongoDB database, with a client and request helpers.

use std::path::Path;

use actix_web::dev::ServerHandle;
use api::{Application, Settings};
use domain::identity::Role;
use infrastructure::repositories::Repositories;
use serde_json::{json, Value};

/// Which store a test server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// The embedded store, in memory.
    Embedded,
    /// A fresh database on the test MongoDB (see [`crate::mongo::mongo_uri`]).
    Mongo,
}

/// A running server and a client for it.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without proxies or redirects.
    pub client: reqwest::Client,
    handle: ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// A fixed 32-byte JWT secret and AES key, so a restarted test server can read what the first wrote.
pub const TEST_JWT_SECRET: &str = "test-jwt-secret-0123456789-abcdefghijklmnop";
/// Base64 of 32 bytes.
pub const TEST_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// A loopback address nothing listens on.
pub const CLOSED_PORT: &str = "http://127.0.0.1:9";

/// Settings for a test server: fixed secrets, port 0, one worker; `extra` pairs win.
pub fn settings(store: Store, extra: &[(&str, &str)]) -> Settings {
    let mongo_database = crate::mongo::fresh_database_name();
    let mongo_uri = if store == Store::Mongo { crate::mongo::mongo_uri() } else { String::new() };
    let mut pairs: Vec<(&str, &str)> = extra.to_vec();
    pairs.extend_from_slice(&[
        ("BOTFLEET_HTTP_ADDR", "127.0.0.1:0"),
        ("BOTFLEET_HTTP_WORKERS", "2"),
        ("BOTFLEET_JWT_SECRET", TEST_JWT_SECRET),
        ("BOTFLEET_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
        ("BOTFLEET_LOG_LEVEL", "warn"),
        ("BOTFLEET_ENVIRONMENT", "test"),
        ("BOTFLEET_PAPER_CONTROL", "true"),
        // No test may reach a real exchange: live adapters point at a closed loopback port
        // unless a test points them at a fake.
        ("BOTFLEET_BINANCE_BASE_URL", CLOSED_PORT),
        ("BOTFLEET_BINANCE_TESTNET_URL", CLOSED_PORT),
        ("BOTFLEET_MERCADO_BITCOIN_BASE_URL", CLOSED_PORT),
    ]);
    match store {
        Store::Embedded => pairs.push(("BOTFLEET_DATA_DIR", ":memory:")),
        Store::Mongo => {
            pairs.push(("MONGODB_URI", &mongo_uri));
            pairs.push(("BOTFLEET_MONGODB_DATABASE", &mongo_database));
        }
    }
    Settings::from_pairs(&pairs).expect("test settings are valid")
}

/// Starts a server on `store`.
pub async fn spawn_app(store: Store) -> TestApp {
    spawn_with(settings(store, &[])).await
}

/// Starts a server on the embedded store persisted in `dir`.
pub async fn spawn_on_disk(dir: &Path) -> TestApp {
    let dir = dir.to_str().expect("a UTF-8 temp dir").to_owned();
    spawn_with(settings(Store::Embedded, &[("BOTFLEET_DATA_DIR", &dir)])).await
}

/// Starts a server with `settings`.
pub async fn spawn_with(settings: Settings) -> TestApp {
    let state = api::bootstrap::state(settings).await.expect("the state builds");
    serve(state)
}

/// Starts a server with `settings` and returns its repositories too, to arrange what the API
/// cannot (an admin account, a lease held by another instance).
pub async fn spawn_with_repositories(settings: Settings) -> (TestApp, Repositories) {
    let repositories = api::bootstrap::open_store(&settings).await.expect("the store opens");
    let state = api::bootstrap::state_on(settings, &repositories).await.expect("the state builds");
    (serve(state), repositories)
}

/// Starts a server with `settings` whose use cases all read `clock` (a test sets the time of
/// day), and returns its repositories too.
pub async fn spawn_with_clock(settings: Settings, clock: std::sync::Arc<dyn domain::Clock>) -> (TestApp, Repositories) {
    let repositories = api::bootstrap::open_store(&settings).await.expect("the store opens");
    let state = api::bootstrap::state_on_clock(settings, &repositories, clock).await.expect("the state builds");
    (serve(state), repositories)
}

/// Starts a second server with `settings` over the repositories of a running one (`repositories`
/// is what [`spawn_with_repositories`] returned): e.g. the same data under new operator settings.
pub async fn spawn_on_repositories(settings: Settings, repositories: &Repositories) -> TestApp {
    serve(api::bootstrap::state_on(settings, repositories).await.expect("the state builds"))
}

fn serve(state: api::AppState) -> TestApp {
    let application = Application::build(state).expect("the server binds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder()
        .no_proxy()
        // The server closes a connection idle for 5 s (actix's keep-alive): a pooled connection
        // reused just as it closes fails with `IncompleteMessage`, so the pool drops it first.
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    TestApp { address, client, handle }
}

/// An answer: status and JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body as JSON.
    pub body: Value,
    /// Body as text.
    pub text: String,
}

impl Answer {
    /// Asserts a problem+json answer with `status` and `code`, returning the body.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(content_type, "application/problem+json", "body: {}", self.text);
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        &self.body
    }

    /// Asserts `status` and returns the body.
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        &self.body
    }
}

/// A logged-in user.
#[derive(Clone, Debug)]
pub struct Session {
    /// User id.
    pub user_id: String,
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Access token.
    pub access: String,
    /// Refresh token.
    pub refresh: String,
}

/// A password that satisfies the policy.
pub const PASSWORD: &str = "correct horse 42";

impl TestApp {
    /// `address + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sends `method path` with an optional bearer token, JSON body and extra headers.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    /// POSTs raw bytes (webhooks) with `headers`; `path` may carry a query string.
    pub async fn post_raw(&self, path: &str, body: Vec<u8>, headers: &[(String, String)]) -> Answer {
        let mut request = self.client.post(self.url(path)).header("content-type", "application/json").body(body);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(reqwest::Method::GET, path, token, None, &[]).await
    }

    /// POST a JSON body with a token.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.call(reqwest::Method::POST, path, token, Some(body), &[]).await
    }

    /// PUT a JSON body with a token.
    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.call(reqwest::Method::PUT, path, token, Some(body), &[]).await
    }

    /// DELETE with a token and an optional JSON body.
    pub async fn delete(&self, path: &str, token: Option<&str>, body: Option<&Value>) -> Answer {
        self.call(reqwest::Method::DELETE, path, token, body, &[]).await
    }

    /// Registers `email` with [`PASSWORD`], asserting 201.
    pub async fn register(&self, email: &str) -> Value {
        let body = json!({
            "email": email, "password": PASSWORD, "name": "Test User",
            "accept_terms": true, "accept_privacy": true
        });
        // Each registration comes from its own (trusted-proxy-free) peer: loopback. Tests that
        // register many users send distinct X-Forwarded-For values, which are ignored unless
        // trusted, so they stay under the per-IP limit by using few users per server.
        self.post("/api/auth/register", None, &body).await.ok(201).clone()
    }

    /// Logs in, asserting 200.
    pub async fn login(&self, email: &str, password: &str) -> (String, String) {
        let answer = self.post("/api/auth/login", None, &json!({"email": email, "password": password})).await;
        let body = answer.ok(200);
        (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
    }

    /// Registers and logs in a new user whom `repositories` (this server's) then make an admin.
    pub async fn admin(&self, email: &str, repositories: &Repositories) -> Session {
        let session = self.user(email).await;
        let id = session.user_id.parse().expect("a user id");
        let mut user = repositories.users.get(id).await.expect("the user exists");
        user.role = Role::Admin;
        repositories.users.update(&user).await.expect("the user is promoted");
        session
    }

    /// Registers and logs in a new user.
    pub async fn user(&self, email: &str) -> Session {
        let profile = self.register(email).await;
        let (access, refresh) = self.login(email, PASSWORD).await;
        Session {
            user_id: profile["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
            access,
            refresh,
        }
    }
}

/// Generates one `#[tokio::test]` per store for each listed scenario `async fn(Store)`.
#[macro_export]
macro_rules! on_both_stores {
    ($($scenario:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                super::$scenario($crate::app::Store::Embedded).await;
            })*
        }
        mod mongo {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                super::$scenario($crate::app::Store::Mongo).await;
            })*
        }
    };
}
