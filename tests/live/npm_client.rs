//! The real npm clients against the gateway: `graphql-ws` (tests/js/subscribe.mjs) and
//! `graphql-sse` in both of its modes (tests/js/sse.mjs).
//! CI runs scripts/install-test-deps.sh first; without node the test fails saying so.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncReadExt;

use crate::support::{Feed, TestGateway, KEY_1};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_status_changes_to_the_npm_graphql_ws_client() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        node_ok,
        "`node` is not installed or not on PATH: this test runs the npm graphql-ws client. \
         Install Node.js 18+ and run scripts/install-test-deps.sh"
    );
    assert!(
        js.join("node_modules/graphql-ws").is_dir(),
        "tests/js/node_modules is missing: run scripts/install-test-deps.sh"
    );

    let live = TestGateway::fed(Feed::Webhooks).await;
    let child = tokio::process::Command::new("node")
        .arg(js.join("subscribe.mjs"))
        .arg(live.ws_url())
        .arg(KEY_1)
        .arg("2")
        .arg(json!({ "d": "august_device_2" }).to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    live.wait_for_subscribers(1).await;
    let id = live
        .create_code(KEY_1, "august_device_2", "From node")
        .await;
    live.advance(2).await;

    let (changes, _) = json_lines_of(child, "node").await;
    let summary: Vec<String> = changes
        .iter()
        .map(|r| {
            let c = &r["data"]["accessCodeStatusChanged"];
            assert_eq!(c["accessCodeId"], id.as_str(), "{r}");
            format!(
                "{} {}->{}",
                c["eventType"].as_str().unwrap_or("?"),
                c["previousStatus"].as_str().unwrap_or("null"),
                c["status"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "access_code.created null->SETTING",
            "access_code.set_on_device SETTING->SET"
        ]
    );
    // The client disposed of its socket: the gateway let go of the subscription.
    crate::support::wait_until(|| live.gateway.live_subscribers() == 0, "node unsubscribed").await;
}

/// The real npm `graphql-sse` client (tests/js/sse.mjs) in `mode`: a query, then two status
/// changes of a code created while it listens; then the client completes and the gateway lets go.
async fn graphql_sse_client(mode: &str) {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    assert!(
        js.join("node_modules/graphql-sse").is_dir(),
        "tests/js/node_modules/graphql-sse is missing: run scripts/install-test-deps.sh"
    );
    let live = TestGateway::fed(Feed::Webhooks).await;
    let url = format!("http://{}/graphql", live.gateway.addr());
    let child = tokio::process::Command::new("node")
        .arg(js.join("sse.mjs"))
        .arg(&url)
        .arg(KEY_1)
        .arg(mode)
        .arg("2")
        .arg(json!({ "d": "august_device_2" }).to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    live.wait_for_subscribers(1).await;
    let id = live
        .create_code(KEY_1, "august_device_2", "From graphql-sse")
        .await;
    live.advance(2).await;

    let (lines, stdout) = json_lines_of(child, &format!("node ({mode})")).await;
    assert_eq!(lines.len(), 4, "{mode}: {stdout}");
    assert!(
        lines[0]["data"]["devices"]["nodes"][0]["id"].is_string(),
        "{mode}: the query's result: {}",
        lines[0]
    );
    assert_eq!(lines[1], json!({ "subscribing": true }));
    let summary: Vec<String> = lines[2..]
        .iter()
        .map(|r| {
            let c = &r["data"]["accessCodeStatusChanged"];
            assert_eq!(c["accessCodeId"], id.as_str(), "{r}");
            format!(
                "{} {}->{}",
                c["eventType"].as_str().unwrap_or("?"),
                c["previousStatus"].as_str().unwrap_or("null"),
                c["status"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "access_code.created null->SETTING",
            "access_code.set_on_device SETTING->SET"
        ],
        "{mode}"
    );
    crate::support::wait_until(
        || live.gateway.live_subscribers() == 0,
        "graphql-sse unsubscribed",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_status_changes_to_the_npm_graphql_sse_client_in_distinct_connections_mode() {
    graphql_sse_client("distinct").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_stream_status_changes_to_the_npm_graphql_sse_client_in_single_connection_mode() {
    graphql_sse_client("single").await;
}

/// Waits (30 s at most) for a node client to exit successfully; its stdout, one JSON result per
/// line, parsed, and as text for messages.
async fn json_lines_of(mut child: tokio::process::Child, what: &str) -> (Vec<Value>, String) {
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("node exits within 30 s")
        .expect("node runs");
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).await.expect("stdout");
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr).await.expect("stderr");
    }
    assert!(status.success(), "{what} failed: {stderr}\n{stdout}");
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON result per line"))
        .collect();
    (lines, stdout)
}
