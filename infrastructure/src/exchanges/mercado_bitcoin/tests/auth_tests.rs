//! Token handling: one authorization per credential, renewal before expiry, one retry after a
//! refused token, the OAuth2 flow and its fallback, and no secret in `Debug`.

use domain::exchange::{ExchangeError, ExchangeGateway};
use wiremock::matchers::{body_json, body_string_contains, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use super::*;

fn balances_path() -> String {
    format!("/api/v4/accounts/{ACCOUNT}/balances")
}

#[tokio::test]
async fn token_is_cached_across_calls() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("POST"))
        .and(path("/api/v4/authorize"))
        .and(body_json(serde_json::json!({"login": "key-3f786850e387", "password": "secret-0bc78dc65837"})))
        .respond_with(json(&format!(r#"{{"access_token":"tok-1","expiration":{}}}"#, T0 + 3600)))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/accounts"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(json(ACCOUNTS))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(balances_path()))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(json(BALANCES))
        .expect(3)
        .mount(&s.server)
        .await;
    for _ in 0..3 {
        let balances = s.mb.balances(&creds()).await.unwrap();
        assert_eq!(balances.len(), 2);
    }
    assert!(s.mb.account_info(&creds()).await.unwrap().can_trade);
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 2).await;
    for (token, times) in [("tok-1", 1), ("tok-2", 1)] {
        Mock::given(method("GET"))
            .and(path(balances_path()))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(json(BALANCES))
            .expect(times)
            .mount(&s.server)
            .await;
    }
    s.mb.balances(&creds()).await.unwrap();
    // 30 s before expiry: inside the 60 s renewal margin.
    s.clock.advance(time::Duration::seconds(3570));
    s.mb.balances(&creds()).await.unwrap();
}

#[tokio::test]
async fn a_token_already_expired_is_not_reused() {
    let s = setup(AuthMode::Authorize).await;
    // The documented example's expiration (2022) is before the clock's start.
    // Every call authorizes again: the account lookup and the two balance reads.
    Mock::given(method("POST"))
        .and(path("/api/v4/authorize"))
        .respond_with(json(AUTHORIZE))
        .expect(3)
        .mount(&s.server)
        .await;
    Mock::given(method("GET")).and(path("/api/v4/accounts")).respond_with(json(ACCOUNTS)).mount(&s.server).await;
    Mock::given(method("GET")).and(path(balances_path())).respond_with(json(BALANCES)).expect(2).mount(&s.server).await;
    s.mb.balances(&creds()).await.unwrap();
    s.mb.balances(&creds()).await.unwrap();
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_the_call_retried() {
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 2).await;
    let expired = r#"{"error":{"code":401,"status":"Unauthorized","reason":"token","message":"expired"}}"#;
    Mock::given(method("GET"))
        .and(path(balances_path()))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(with_status(401, expired))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path(balances_path()))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(json(BALANCES))
        .expect(1)
        .mount(&s.server)
        .await;
    assert_eq!(s.mb.balances(&creds()).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_refused_twice_is_unauthorized_without_more_retries() {
    let s = setup(AuthMode::Authorize).await;
    mount_auth(&s.server, 3600, 2).await;
    Mock::given(method("GET"))
        .and(path(balances_path()))
        .respond_with(with_status(403, r#"{"code":"API|FORBIDDEN","message":"You need to be authenticated"}"#))
        .expect(2)
        .mount(&s.server)
        .await;
    assert!(matches!(s.mb.balances(&creds()).await, Err(ExchangeError::Unauthorized(_))));
}

#[tokio::test]
async fn refused_credentials_are_unauthorized_and_never_echoed() {
    let s = setup(AuthMode::Authorize).await;
    Mock::given(method("POST"))
        .and(path("/api/v4/authorize"))
        .respond_with(error(403, "API|FORBIDDEN"))
        .expect(1)
        .mount(&s.server)
        .await;
    let err = s.mb.account_info(&creds()).await.unwrap_err();
    assert!(matches!(err, ExchangeError::Unauthorized(_)), "{err:?}");
    let shown = format!("{err} {err:?} {:?}", s.mb);
    assert!(!shown.contains("key-3f786850e387") && !shown.contains("secret-0bc78dc65837"), "{shown}");
}

#[tokio::test]
async fn oauth2_client_credentials_are_used_when_available() {
    let s = setup(AuthMode::Auto).await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("scope=global"))
        .and(body_string_contains("client_id=key-3f786850e387"))
        .and(body_string_contains("client_secret=secret-0bc78dc65837"))
        .respond_with(json(r#"{"access_token":"oauth-tok","expires_in":3599,"scope":"global","token_type":"bearer"}"#))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v4/authorize"))
        .respond_with(json(AUTHORIZE))
        .expect(0)
        .mount(&s.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/accounts"))
        .and(header("authorization", "Bearer oauth-tok"))
        .respond_with(json(ACCOUNTS))
        .expect(1)
        .mount(&s.server)
        .await;
    let shown = format!("{:?}", s.mb);
    s.mb.account_info(&creds()).await.unwrap();
    assert!(!format!("{shown}{:?}", s.mb).contains("oauth-tok"));
}

#[tokio::test]
async fn authorize_is_the_fallback_when_oauth2_does_not_exist() {
    let s = setup(AuthMode::Auto).await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&s.server)
        .await;
    mount_auth(&s.server, 3600, 2).await;
    Mock::given(method("GET")).and(path(balances_path())).respond_with(json(BALANCES)).expect(2).mount(&s.server).await;
    s.mb.balances(&creds()).await.unwrap();
    s.clock.advance(time::Duration::hours(2));
    // The second authorization goes straight to /authorize: the missing endpoint is remembered.
    s.mb.balances(&creds()).await.unwrap();
}

#[tokio::test]
async fn testnet_credentials_are_refused_before_any_call() {
    let s = setup(AuthMode::Authorize).await;
    let testnet = ApiCredentials { testnet: true, ..creds() };
    let got = s.mb.balances(&testnet).await;
    assert!(matches!(got, Err(ExchangeError::Rejected { ref code, .. }) if code == "NO_TESTNET"), "{got:?}");
    assert!(s.server.received_requests().await.unwrap().is_empty());
}
