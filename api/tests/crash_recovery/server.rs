//! The `botfleet` binary as a child process on an on-disk embedded store: started with the test
//! settings (and optionally a failpoint), followed through its JSON log lines, called over HTTP,
//! and killed or watched dying.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// The ops token of these servers.
pub const OPS_TOKEN: &str = "ops-token-for-crash-tests-0123456789";
/// The same fixed secrets as the tests crate's servers, so a restart reads what the first wrote.
const JWT_SECRET: &str = "test-jwt-secret-0123456789-abcdefghijklmnop";
const ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// A loopback address nothing listens on: no test reaches a real exchange.
const CLOSED_PORT: &str = "http://127.0.0.1:9";
/// How long a start, a run or a death may take before the test gives up (debug builds hash
/// passwords slowly; this is a hang guard, not an assertion about speed).
const PATIENCE: Duration = Duration::from_secs(180);

/// A running (or dying) server process.
pub struct Server {
    child: Child,
    lines: UnboundedReceiver<String>,
    seen: Vec<String>,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    client: reqwest::Client,
}

fn forward(stream: impl AsyncRead + Unpin + Send + 'static, to: UnboundedSender<String>) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if to.send(line).is_err() {
                break;
            }
        }
    });
}

impl Server {
    /// Starts the binary on `dir` with `failpoint` armed (or none) and waits until it listens and
    /// its start-up recovery has finished.
    pub async fn start(dir: &Path, failpoint: Option<&str>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_botfleet"));
        command
            .env_clear()
            .envs([
                ("BOTFLEET_DATA_DIR", dir.to_str().expect("a UTF-8 temp dir")),
                ("BOTFLEET_HTTP_ADDR", "127.0.0.1:0"),
                ("BOTFLEET_HTTP_WORKERS", "2"),
                ("BOTFLEET_JWT_SECRET", JWT_SECRET),
                ("BOTFLEET_ENCRYPTION_KEY", ENCRYPTION_KEY),
                ("BOTFLEET_ENVIRONMENT", "test"),
                ("BOTFLEET_PAPER_CONTROL", "true"),
                ("BOTFLEET_OPS_TOKEN", OPS_TOKEN),
                // Workflows run only on request, one cycle at a time.
                ("BOTFLEET_WORKFLOW_INTERVAL_SCALE", "100000"),
                // The restarted process is the same instance: it resumes the leases it held.
                ("BOTFLEET_INSTANCE_ID", "crash-test"),
                // Nothing can still be in flight once the process is dead: no grace to wait out.
                ("BOTFLEET_ORDER_PENDING_GRACE_SECS", "0"),
                ("BOTFLEET_LOG_FORMAT", "json"),
                ("BOTFLEET_LOG_LEVEL", "info"),
                ("BOTFLEET_BINANCE_BASE_URL", CLOSED_PORT),
                ("BOTFLEET_BINANCE_TESTNET_URL", CLOSED_PORT),
                ("BOTFLEET_MERCADO_BITCOIN_BASE_URL", CLOSED_PORT),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(failpoint) = failpoint {
            command.env("BOTFLEET_TEST_FAILPOINT", failpoint);
        }
        let mut child = command.spawn().expect("the botfleet binary starts");
        let (tx, lines) = unbounded_channel();
        forward(child.stdout.take().expect("piped stdout"), tx.clone());
        forward(child.stderr.take().expect("piped stderr"), tx);
        let client = reqwest::Client::builder().no_proxy().build().expect("a reqwest client");
        let mut server = Self { child, lines, seen: Vec::new(), address: String::new(), client };
        let listening = server.wait_for_log("listening", |l| l["message"] == "listening").await;
        server.address = format!("http://127.0.0.1:{}", listening["port"].as_u64().expect("a port"));
        let recovery = server
            .wait_for_log("the start-up recovery", |l| {
                l["message"] == "recovery finished"
                    || l["message"].as_str().is_some_and(|m| m.starts_with("recovery failed"))
            })
            .await;
        assert_eq!(recovery["message"], "recovery finished", "{recovery}");
        server
    }

    /// Waits for the first log line from now on that `matches`; panics with the log when the
    /// process ends or [`PATIENCE`] runs out first.
    pub async fn wait_for_log(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    self.seen.push(line.clone());
                    if let Ok(value) = serde_json::from_str::<Value>(&line) {
                        if matches(&value) {
                            return value;
                        }
                    }
                }
                Ok(None) => panic!("the server's output ended before {what}; it said:\n{}", self.seen.join("\n")),
                Err(_) => panic!("no sign of {what}; the server said:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Waits for the process to end by itself.
    pub async fn exited(&mut self) -> ExitStatus {
        match tokio::time::timeout(PATIENCE, self.child.wait()).await {
            Ok(status) => status.expect("the exit status is readable"),
            Err(_) => panic!("the server did not die; it said:\n{}", self.seen.join("\n")),
        }
    }

    /// The process id (to kill it while requests are in flight on other tasks).
    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server is running")
    }

    /// `kill -9`, then reaps the process; returns the signal that ended it.
    pub async fn kill(mut self) -> Option<i32> {
        self.child.kill().await.expect("the server can be killed");
        self.child.wait().await.expect("the exit status is readable").signal()
    }

    /// Sends `method path` with `token` (none when empty) and a JSON body; `Err` when the connection fails (the
    /// server died meanwhile).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), reqwest::Error> {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// `send`, asserting the server answered `status`; returns the body.
    pub async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, body) = self.send(method, path, token, body).await.expect("the server answers");
        assert_eq!(got, status, "{path}: {body}");
        body
    }

    /// GETs `path`, asserting 200.
    pub async fn get(&self, path: &str, token: &str) -> Value {
        self.expect(reqwest::Method::GET, path, token, None, 200).await
    }

    /// POSTs `body` to `path`, asserting `status`.
    pub async fn post(&self, path: &str, token: &str, body: Value, status: u16) -> Value {
        self.expect(reqwest::Method::POST, path, token, Some(body), status).await
    }

    /// Runs workflow `name` now and returns its report; panics unless it ran and succeeded.
    pub async fn run(&self, name: &str) -> Value {
        let answer = self.post(&format!("/api/system/workflows/{name}/run"), OPS_TOKEN, json!({}), 200).await;
        assert_eq!(answer["outcome"], "ok", "{name}: {answer}");
        serde_json::from_str(answer["summary"].as_str().expect("a summary")).expect("a JSON summary")
    }

    /// Starts a run of workflow `name` that is not expected to answer (the server dies in it).
    pub fn run_in_background(&self, name: &str) -> tokio::task::JoinHandle<Result<(u16, Value), reqwest::Error>> {
        let (client, url) = (self.client.clone(), format!("{}/api/system/workflows/{name}/run", self.address));
        tokio::spawn(async move {
            let response = client.post(url).bearer_auth(OPS_TOKEN).json(&json!({})).send().await?;
            let status = response.status().as_u16();
            Ok((status, response.json().await.unwrap_or(Value::Null)))
        })
    }
}
