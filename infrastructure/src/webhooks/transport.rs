//! [`WebhookTransport`] over HTTP(S) with reqwest: no proxies, no redirects followed, a 10 s
//! time-out, a bounded read of the response, and connections only to addresses the
//! [`GuardedResolver`] checked (IP-literal hosts are checked here, as no lookup happens).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::webhooks::{
    AttemptResult, DestinationError, EndpointUrl, WebhookRequest, WebhookTransport, RESPONSE_SNIPPET_BYTES,
};
use reqwest::redirect::Policy;
use url::{Host, Url};

use super::resolver::{check_addresses, resolve_checked, GuardedResolver};

/// How long one delivery may take, from connecting to the end of the bounded read.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// POSTs webhook deliveries.
#[derive(Debug, Clone)]
pub struct HttpWebhookTransport {
    client: reqwest::Client,
    allow_private: bool,
}

/// The URL's host, parsed.
fn host_of(url: &EndpointUrl) -> Result<(Url, Host<String>), DestinationError> {
    let parsed = Url::parse(url.as_str()).map_err(|e| DestinationError::Malformed(e.to_string()))?;
    let host = parsed.host().map(|h| h.to_owned()).ok_or_else(|| DestinationError::Malformed("no host".into()))?;
    Ok((parsed, host))
}

/// `err` and its sources, as one line (reqwest's own text leaves out the cause).
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl HttpWebhookTransport {
    /// A transport; `allow_private` lets deliveries reach private, loopback and link-local
    /// addresses (`BOTFLEET_WEBHOOKS_ALLOW_PRIVATE`: tests, on-premise receivers).
    pub fn new(allow_private: bool) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(Policy::none())
            .timeout(RESPONSE_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("botfleet-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(std::sync::Arc::new(GuardedResolver { allow_private }))
            .build()?;
        Ok(Self { client, allow_private })
    }

    /// Checks the URL's host: an IP literal directly, a name through DNS.
    async fn check_host(&self, url: &EndpointUrl) -> Result<Url, DestinationError> {
        let (parsed, host) = host_of(url)?;
        match host {
            Host::Ipv4(ip) => check_addresses(&[IpAddr::V4(ip)], self.allow_private)?,
            Host::Ipv6(ip) => check_addresses(&[IpAddr::V6(ip)], self.allow_private)?,
            Host::Domain(name) => drop(resolve_checked(&name, self.allow_private).await?),
        }
        Ok(parsed)
    }

    /// Sends and reads at most [`RESPONSE_SNIPPET_BYTES`] of the body.
    async fn send(&self, url: Url, request: &WebhookRequest) -> Result<(u16, String), String> {
        let mut builder =
            self.client.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let mut response = builder.send().await.map_err(|e| chain(&e))?;
        let status = response.status().as_u16();
        let mut snippet = Vec::new();
        // Read no more than the snippet: a huge or endless body is not our concern.
        while snippet.len() < RESPONSE_SNIPPET_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => snippet.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(err) => return Err(format!("reading the response: {}", chain(&err))),
            }
        }
        snippet.truncate(RESPONSE_SNIPPET_BYTES);
        Ok((status, String::from_utf8_lossy(&snippet).into_owned()))
    }
}

#[async_trait]
impl WebhookTransport for HttpWebhookTransport {
    async fn check(&self, url: &EndpointUrl) -> Result<(), DestinationError> {
        self.check_host(url).await.map(drop)
    }

    async fn post(&self, request: &WebhookRequest) -> AttemptResult {
        let started = Instant::now();
        let failed = |error: String| AttemptResult {
            status: None,
            latency: started.elapsed(),
            response: None,
            error: Some(error),
        };
        let url = match self.check_host(&request.url).await {
            Ok(url) => url,
            Err(err) => return failed(format!("refused: {err}")),
        };
        match self.send(url, request).await {
            Ok((status, body)) => AttemptResult {
                status: Some(status),
                latency: started.elapsed(),
                response: Some(body).filter(|b| !b.is_empty()),
                error: None,
            },
            Err(error) => failed(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{body_string, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn request(server: &MockServer, route: &str) -> WebhookRequest {
        WebhookRequest {
            url: EndpointUrl::parse(&format!("{}{route}", server.uri()), true).unwrap(),
            body: r#"{"id":"e1"}"#.into(),
            headers: vec![("Botfleet-Event-Id", "e1".into())],
        }
    }

    #[tokio::test]
    async fn posts_the_body_and_headers_and_keeps_512_bytes_of_the_answer() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .and(header("content-type", "application/json"))
            .and(header("botfleet-event-id", "e1"))
            .and(body_string(r#"{"id":"e1"}"#))
            .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(5_000)))
            .expect(1)
            .mount(&server)
            .await;
        let result = HttpWebhookTransport::new(true).unwrap().post(&request(&server, "/hook")).await;
        assert_eq!(result.status, Some(200), "{result:?}");
        assert_eq!(result.response.as_deref().map(str::len), Some(RESPONSE_SNIPPET_BYTES));
        assert_eq!(result.error, None);
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let server = MockServer::start().await;
        let elsewhere = format!("{}/elsewhere", server.uri());
        Mock::given(path("/hook"))
            .respond_with(ResponseTemplate::new(307).insert_header("location", elsewhere.as_str()))
            .mount(&server)
            .await;
        Mock::given(path("/elsewhere")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
        let result = HttpWebhookTransport::new(true).unwrap().post(&request(&server, "/hook")).await;
        assert_eq!(result.status, Some(307));
    }

    #[tokio::test]
    async fn loopback_is_refused_before_connecting_unless_allowed() {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
        let transport = HttpWebhookTransport::new(false).unwrap();
        let result = transport.post(&request(&server, "/hook")).await;
        assert_eq!(result.status, None);
        assert!(result.error.as_deref().unwrap_or_default().contains("loopback"), "{result:?}");
        let named = EndpointUrl::parse("https://localhost/hook", false).unwrap();
        assert!(transport.check(&named).await.is_err());
        let mapped = EndpointUrl::parse("https://[::ffff:127.0.0.1]/hook", false).unwrap();
        assert!(matches!(transport.check(&mapped).await, Err(DestinationError::Forbidden { .. })));
        let metadata = EndpointUrl::parse("https://169.254.169.254/latest", false).unwrap();
        assert!(matches!(transport.check(&metadata).await, Err(DestinationError::Forbidden { .. })));
    }

    #[tokio::test]
    async fn a_closed_port_is_an_error_without_a_status() {
        let url = EndpointUrl::parse("http://127.0.0.1:9/hook", true).unwrap();
        let request = WebhookRequest { url, body: "{}".into(), headers: Vec::new() };
        let result = HttpWebhookTransport::new(true).unwrap().post(&request).await;
        assert_eq!(result.status, None);
        assert!(result.error.is_some());
    }
}
