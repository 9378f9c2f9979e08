//! `spawn_app()`: the real server on a free loopback port, with a fresh state per test.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use api::{AppState, Application, Problem, ReadinessCheck, Settings};

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    handle: ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Fire and forget: the test runtime is going away anyway.
        drop(self.handle.stop(false));
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }
}

/// Settings for tests: dev mode (generated secrets), in-memory store, one worker, port 0.
/// `extra` pairs win over these defaults.
pub fn test_settings(extra: &[(&'static str, &'static str)]) -> Settings {
    let mut pairs = extra.to_vec();
    pairs.extend_from_slice(&[
        ("BOTFLEET_DEV_MODE", "true"),
        ("BOTFLEET_HTTP_ADDR", "127.0.0.1:0"),
        ("BOTFLEET_HTTP_WORKERS", "1"),
        ("BOTFLEET_DATA_DIR", ":memory:"),
    ]);
    Settings::from_pairs(&pairs).expect("test settings are valid")
}

/// The full production state (in-memory store) for `settings`.
pub async fn state(settings: Settings) -> AppState {
    api::bootstrap::state(settings).await.expect("the state builds")
}

pub async fn spawn_app() -> TestApp {
    spawn_with(state(test_settings(&[])).await).await
}

pub async fn spawn_with_settings(extra: &[(&'static str, &'static str)]) -> TestApp {
    spawn_with(state(test_settings(extra)).await).await
}

pub async fn spawn_with_readiness(check: Arc<dyn ReadinessCheck>) -> TestApp {
    spawn_with(state(test_settings(&[])).await.with_readiness(check)).await
}

pub async fn spawn_with(state: AppState) -> TestApp {
    let application = Application::build(state.clone()).expect("the server binds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    TestApp { address, client, state, handle }
}

/// Asserts a problem+json response and returns its body.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> Problem {
    assert_eq!(response.status().as_u16(), status, "status of {}", response.url());
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let header_id = response.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
    let problem: Problem = response.json().await.expect("a problem body");
    assert_eq!(problem.code, code, "{problem:?}");
    assert_eq!(problem.status, status);
    assert_eq!(problem.type_uri, format!("https://botfleet.dev/problems/{code}"));
    assert_eq!(problem.request_id, header_id, "the body and the header carry the same request id");
    problem
}
