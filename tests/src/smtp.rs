//! A real SMTP server for the e-mail tests: `aiosmtpd` (pinned in `scripts/test.sh`, installed
//! into `.venv`) running `tests/smtp_sink.py` on a free loopback port. Each delivered message is
//! read back as Python's `email` parser decoded it, so the tests check what a mail client sees.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A running sink; killed on drop.
#[derive(Debug)]
pub struct SmtpSink {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
    }
}

/// The Python with aiosmtpd: `BOTFLEET_TEST_PYTHON`, else the workspace's `.venv`.
fn python() -> PathBuf {
    std::env::var_os("BOTFLEET_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"))
}

impl SmtpSink {
    /// Starts the sink and waits until it accepts connections.
    ///
    /// # Panics
    /// When Python or aiosmtpd is missing: run the tests with `scripts/test.sh`, which installs it.
    pub async fn start() -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().expect("a temp dir for the messages");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp_sink.py");
        let child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {} (run scripts/test.sh to install aiosmtpd): {e}", python().display())
            });
        let mut sink = Self { port, child, dir };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return sink;
            }
            if let Ok(Some(status)) = sink.child.try_wait() {
                panic!("the SMTP sink exited ({status}); is aiosmtpd installed in .venv? run scripts/test.sh");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(sink.child.kill());
        panic!("the SMTP sink did not listen on 127.0.0.1:{port} within 10 s");
    }

    /// The server settings that send to this sink, links opening `http://app.botfleet.test`.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("BOTFLEET_SMTP_HOST", "127.0.0.1".to_owned()),
            ("BOTFLEET_SMTP_PORT", self.port.to_string()),
            ("BOTFLEET_SMTP_TLS", "none".to_owned()),
            ("BOTFLEET_SMTP_FROM", "botfleet <no-reply@botfleet.test>".to_owned()),
            ("BOTFLEET_PUBLIC_URL", "http://app.botfleet.test".to_owned()),
        ]
    }

    /// Every message delivered so far, decoded, in arrival order.
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("the sink's dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("a message file")).expect("JSON"))
            .collect()
    }

    /// Waits (up to 10 s) until `count` messages have arrived and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} message(s), got {}: {:?}", self.messages().len(), self.messages());
    }

    /// The messages delivered to `to`.
    pub fn messages_to(&self, to: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["rcpt_to"].as_array().is_some_and(|r| r.iter().any(|a| a == to)))
            .collect()
    }
}

/// The `token` query parameter of the first link in `text` that opens `page`.
pub fn token_in(text: &str, page: &str) -> String {
    let marker = format!("http://app.botfleet.test/{page}?token=");
    let start = text.find(&marker).unwrap_or_else(|| panic!("no {page} link in: {text}")) + marker.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// Everything the server logs (DEBUG and above, every target) from the first call on, in memory, so
/// a test can check that no secret was written. One capture per test binary.
pub fn captured_logs() -> String {
    use std::sync::{Arc, Mutex, OnceLock};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    let buffer = BUFFER.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("no other subscriber in this test binary");
        buffer
    });
    String::from_utf8_lossy(&buffer.0.lock().expect("log buffer")).into_owned()
}
