//! The binary itself: where its options may go, SIGTERM, and OTLP export to a receiver the test
//! starts. Each test runs `seam-graphql` as a child process on ephemeral loopback ports.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::WsSub;

const BIN: &str = env!("CARGO_BIN_EXE_seam-graphql");

/// A running `seam-graphql`, killed when dropped.
struct Process {
    child: Child,
    /// Lines written to stdout so far.
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

/// The binary with `args` and a clean environment (no key: the embedded sandbox).
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    clean(&mut command);
    command
}

/// No Seam key, endpoint, secret, address, exporter or log filter from the test's environment;
/// output captured; killed when dropped.
fn clean(command: &mut Command) {
    command
        .env_remove("SEAM_API_KEY")
        .env_remove("SEAM_ENDPOINT")
        .env_remove("SEAM_WEBHOOK_SECRET")
        .env_remove("SEAM_GRAPHQL_LISTEN")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
}

impl Process {
    fn start(mut command: Command) -> Self {
        let mut child = command.spawn().expect("the binary starts");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let out = BufReader::new(child.stdout.take().expect("stdout"));
        let err = BufReader::new(child.stderr.take().expect("stderr"));
        for (mut lines, sink) in [
            (
                Box::new(out) as Box<dyn tokio::io::AsyncBufRead + Unpin + Send>,
                stdout.clone(),
            ),
            (Box::new(err), stderr.clone()),
        ] {
            tokio::spawn(async move {
                let mut line = String::new();
                while lines.read_line(&mut line).await.unwrap_or(0) > 0 {
                    sink.lock().expect("lines").push(line.trim_end().to_owned());
                    line.clear();
                }
            });
        }
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// The rest of the first stdout line starting with `prefix`, waiting up to 20 s for it.
    async fn line_after(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self
                .stdout
                .lock()
                .expect("lines")
                .iter()
                .find_map(|l| l.strip_prefix(prefix).map(str::to_owned));
            if let Some(rest) = found {
                return rest;
            }
            assert!(
                Instant::now() < deadline,
                "no `{prefix}` line; stdout {:?}, stderr {:?}",
                self.stdout.lock().expect("lines"),
                self.stderr.lock().expect("lines")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The gateway's address, from its banner.
    async fn gateway_addr(&self) -> String {
        let url = self.line_after("GraphiQL: http://").await;
        url.trim_end_matches("/graphql").to_owned()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("lines").join("\n")
    }

    fn sigterm(&self) {
        let pid = self.child.id().expect("still running");
        // The shell's own `kill`: a bare Debian has no /bin/kill (procps).
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .expect("sh runs");
        assert!(status.success());
    }
}

/// Runs the binary to its end; (exit code, stderr).
async fn run_to_end(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = command(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(20), command.output())
        .await
        .expect("ends within 20 s")
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn metric(addr: &str, series: &str) -> f64 {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().expect("number"))
}

async fn healthy(addr: &str) -> bool {
    reqwest::get(format!("http://{addr}/healthz"))
        .await
        .is_ok_and(|r| r.status().is_success())
}

#[tokio::test]
async fn must_refuse_gateway_options_given_before_another_subcommand() {
    let (code, stderr) = run_to_end(&["--listen", "127.0.0.1:0", "sandbox"], &[]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--listen"), "{stderr}");
    assert!(stderr.contains("sandbox"), "{stderr}");
    let (code, stderr) = run_to_end(&["--max-upstream-calls", "3", "print-schema"], &[]).await;
    assert_eq!(code, Some(2), "{stderr}");
}

#[tokio::test]
async fn can_take_gateway_options_after_serve_or_without_a_subcommand() {
    for args in [
        &["serve", "--listen", "127.0.0.1:0"][..],
        &["--listen", "127.0.0.1:0"][..],
        &["--log-format", "json", "serve", "--listen", "127.0.0.1:0"][..],
        &["serve", "--listen", "127.0.0.1:0", "--log-format", "json"][..],
    ] {
        let gateway = Process::start(command(args));
        let addr = gateway.gateway_addr().await;
        assert!(!addr.ends_with(":8080"), "{args:?} listened on {addr}");
        assert!(healthy(&addr).await, "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_serve_on_any_number_of_connection_threads_and_refuse_an_absurd_one() {
    let (code, stderr) = run_to_end(&["--connection-threads", "5000"], &[]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--connection-threads"), "{stderr}");
    // 0: connections on the main runtime's workers; 3: more lanes than this machine's cores.
    for (threads, lanes) in [("0", 0), ("3", 3)] {
        let args = ["--listen", "127.0.0.1:0", "--connection-threads", threads];
        let gateway = Process::start(command(&args));
        let addr = gateway.gateway_addr().await;
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("http://{addr}/graphql"))
            .json(&json!({ "query": r#"{ device(id: "august_device_1") { id } }"# }))
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("json");
        assert_eq!(
            answer["data"]["device"]["id"], "august_device_1",
            "{answer}"
        );
        let _sub = WsSub::subscribe(&format!("ws://{addr}/graphql/ws"), None, json!({})).await;
        let metrics = reqwest::get(format!("http://{addr}/metrics"))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        let listed = metrics
            .lines()
            .filter(|l| l.starts_with("seam_graphql_lane_connections_open{"))
            .count();
        assert_eq!(listed, lanes, "threads {threads}: {metrics}");
    }
}

#[tokio::test]
async fn should_give_the_sandbox_its_own_listen_option_and_keep_env_vars_working() {
    // The gateway's variable is not an option given to `sandbox`: no refusal.
    let mut sandbox = command(&["sandbox", "--listen", "127.0.0.1:0"]);
    sandbox.env("SEAM_GRAPHQL_LISTEN", "127.0.0.1:1");
    let sandbox = Process::start(sandbox);
    let url = sandbox.line_after("Seam sandbox listening on ").await;
    assert!(!url.ends_with(":4010"), "{url}");
    // And the gateway still reads it.
    let mut gateway = command(&[]);
    gateway.env("SEAM_GRAPHQL_LISTEN", "127.0.0.1:0");
    let gateway = Process::start(gateway);
    let addr = gateway.gateway_addr().await;
    assert!(healthy(&addr).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_close_websockets_with_1001_and_exit_cleanly_on_sigterm() {
    let mut cmd = command(&["serve", "--listen", "127.0.0.1:0"]);
    cmd.env("SEAM_GRAPHQL_SHUTDOWN_TIMEOUT_MS", "3000");
    let mut gateway = Process::start(cmd);
    let addr = gateway.gateway_addr().await;
    let mut sub = WsSub::subscribe(&format!("ws://{addr}/graphql/ws"), None, json!({})).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&addr, "seam_graphql_live_subscribers").await != 1.0 {
        assert!(
            Instant::now() < deadline,
            "the subscription never registered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let started = Instant::now();
    gateway.sigterm();
    assert_eq!(
        sub.closed(Duration::from_secs(5)).await,
        (1001, "server shutting down".to_owned())
    );
    let status = tokio::time::timeout(Duration::from_secs(5), gateway.child.wait())
        .await
        .expect("exits within the bound")
        .expect("status");
    assert!(status.success(), "{status:?}; {}", gateway.stderr());
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(
        gateway.stderr().contains("shutting down"),
        "{}",
        gateway.stderr()
    );
}

/// An OTLP/HTTP receiver: every span it was sent.
#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Vec<Span>>>);

async fn receive(State(receiver): State<Receiver>, body: Bytes) -> &'static [u8] {
    let request = ExportTraceServiceRequest::decode(body).expect("protobuf");
    let mut spans = receiver.0.lock().expect("spans");
    for resource in request.resource_spans {
        for scope in resource.scope_spans {
            spans.extend(scope.spans);
        }
    }
    // An empty ExportTraceServiceResponse.
    b""
}

impl Receiver {
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = axum::Router::new()
            .route("/v1/traces", post(receive))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    fn named(&self, name: &str) -> Vec<Span> {
        let spans = self.0.lock().expect("spans");
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    async fn wait_for(&self, name: &str) -> Vec<Span> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let found = self.named(name);
            if !found.is_empty() {
                return found;
            }
            let names: Vec<String> = self
                .0
                .lock()
                .expect("spans")
                .iter()
                .map(|s| s.name.clone())
                .collect();
            assert!(Instant::now() < deadline, "no span `{name}`; got {names:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// True when `span` descends from `ancestor` (same trace, through its parents).
    fn descends(&self, span: &Span, ancestor: &Span) -> bool {
        let spans = self.0.lock().expect("spans");
        let parents: HashMap<&[u8], &[u8]> = spans
            .iter()
            .map(|s| (s.span_id.as_slice(), s.parent_span_id.as_slice()))
            .collect();
        let mut at = span.parent_span_id.as_slice();
        while !at.is_empty() {
            if at == ancestor.span_id.as_slice() {
                return span.trace_id == ancestor.trace_id;
            }
            at = parents.get(at).copied().unwrap_or_default();
        }
        false
    }
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    span.attributes.iter().find(|a| a.key == key).and_then(|a| {
        match a.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) => Some(s.clone()),
            Value::IntValue(i) => Some(i.to_string()),
            other => Some(format!("{other:?}")),
        }
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_export_the_span_tree_of_a_request_and_a_webhook_over_otlp() {
    let receiver = Receiver::default();
    let endpoint = receiver.start().await;
    let mut cmd = command(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--otlp-endpoint",
        &endpoint,
    ]);
    cmd.env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("SEAM_SANDBOX_SET_DELAY_MS", "100");
    let gateway = Process::start(cmd);
    let addr = gateway.gateway_addr().await;

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .header("x-request-id", "otlp-test-1")
        .json(&json!({ "query": "query OneDevice { device(id: \"august_device_1\") { id } }" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert!(response.get("errors").is_none(), "{response}");

    let operation = receiver.wait_for("query OneDevice").await.remove(0);
    let request = receiver.wait_for("POST /graphql").await;
    let request = request
        .iter()
        .find(|s| hex(&s.trace_id) == trace_id)
        .expect("the request's span continues the caller's trace");
    assert_eq!(hex(&request.parent_span_id), "00f067aa0ba902b7");
    assert_eq!(
        operation.parent_span_id, request.span_id,
        "operation under request"
    );
    assert_eq!(
        attribute(&operation, "request_id").as_deref(),
        Some("otlp-test-1")
    );
    let batch = receiver.wait_for("load device").await.remove(0);
    assert!(
        receiver.descends(&batch, &operation),
        "batch under operation"
    );
    assert_eq!(attribute(&batch, "batch_size").as_deref(), Some("1"));
    let calls = receiver.wait_for("POST /devices/list").await;
    let call = calls
        .iter()
        .find(|c| receiver.descends(c, &batch))
        .expect("an upstream call under the batch");
    assert_eq!(
        attribute(call, "http.response.status_code").as_deref(),
        Some("200")
    );

    // A webhook, resolved for a subscriber: its lookup hangs under the webhook's span.
    let mut sub = WsSub::subscribe(&format!("ws://{addr}/graphql/ws"), None, json!({})).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&addr, "seam_graphql_live_subscribers").await != 1.0 {
        assert!(
            Instant::now() < deadline,
            "the subscription never registered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({
            "query": "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }",
            "variables": { "input": { "deviceId": "august_device_1", "name": "Traced" } }
        }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert!(created.get("errors").is_none(), "{created}");
    sub.next_change().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let webhooks = receiver.named("webhook seam");
        let lookups = receiver.named("POST /access_codes/get");
        let resolved = webhooks.iter().any(|w| {
            attribute(w, "outcome").as_deref() == Some("accepted")
                && lookups.iter().any(|l| receiver.descends(l, w))
        });
        if resolved {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no accepted webhook span with its lookup under it: {} webhooks, {} lookups",
            webhooks.len(),
            lookups.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Started with a soft limit of 256 open files (a service manager's default is often 1,024), the
/// gateway raises it to the hard limit, so it can hold thousands of websockets.
#[tokio::test]
async fn should_raise_its_open_files_limit_to_the_hard_limit() {
    let mut command = Command::new("sh");
    command
        .args(["-c", "ulimit -Sn 256 && exec \"$0\" \"$@\"", BIN])
        .args(["--listen", "127.0.0.1:0"]);
    clean(&mut command);
    let gateway = Process::start(command);
    gateway.gateway_addr().await;
    let pid = gateway.child.id().expect("running");
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let open_files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("an open files line")
        .split_whitespace()
        .collect();
    // "Max open files <soft> <hard> files"
    let (soft, hard) = (open_files[3], open_files[4]);
    assert_ne!(soft, "256", "still the limit it was started with");
    assert_eq!(soft, hard, "{limits}");
}
