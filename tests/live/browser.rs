//! GraphiQL in a real browser: Debian's chromium, driven by playwright-core (tests/js/graphiql.mjs),
//! against a gateway on the sandbox. A devices query, the status subscription in a second tab, a
//! mutation, and the subscription showing SET once the sandbox's clock moves; nothing fetched from
//! anywhere but the gateway. The screenshot is kept at `target/test-artifacts/graphiql.png`.
//! CI installs chromium and playwright-core with scripts/install-test-deps.sh.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncReadExt;

use crate::support::{Feed, TestGateway};

const CHROMIUM: &str = "/usr/bin/chromium";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_query_subscribe_and_mutate_from_graphiql_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let js = root.join("tests/js");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: run scripts/install-test-deps.sh (apt-get install chromium)"
    );
    assert!(
        js.join("node_modules/playwright-core").is_dir(),
        "tests/js/node_modules/playwright-core is missing: run scripts/install-test-deps.sh"
    );
    let artifacts = root.join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifact directory");
    let screenshot = artifacts.join("graphiql.png");
    let _ = std::fs::remove_file(&screenshot);

    let live = TestGateway::fed(Feed::Webhooks).await;
    let gateway = format!("http://{}", live.gateway.addr());
    let mut child = tokio::process::Command::new("node")
        .arg(js.join("graphiql.mjs"))
        .arg(&gateway)
        .arg(live.sandbox.base_url())
        .arg(&screenshot)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("the browser run ends within 60 s")
        .expect("node runs");
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).await.expect("stdout");
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr).await.expect("stderr");
    }
    assert!(
        status.success(),
        "the browser run failed: {stderr}\n{stdout}"
    );
    let summary: Value = serde_json::from_str(stdout.trim()).expect("one JSON summary");

    assert!(
        summary["devices"]
            .as_array()
            .is_some_and(|names| names.iter().any(|n| n == "Front Door")),
        "{summary:#}"
    );
    let set = &summary["set"];
    assert_eq!(set["status"], "SET", "{summary:#}");
    assert_eq!(set["accessCodeId"], summary["created"], "{summary:#}");
    // The page's own files, the query and mutation, and the subscription's socket: all on the
    // gateway, none elsewhere.
    let requests: Vec<&str> = summary["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        summary["foreign"].as_array().is_some_and(Vec::is_empty),
        "{summary:#}"
    );
    let host = live.gateway.addr().to_string();
    assert!(
        requests
            .iter()
            .all(|u| u.starts_with(&format!("http://{host}/"))
                || u.starts_with(&format!("ws://{host}/"))),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|u| u.contains("/graphiql/assets/")),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|u| u.ends_with("/graphql/ws")),
        "{requests:#?}"
    );
    assert!(
        summary["pageErrors"].as_array().is_some_and(Vec::is_empty),
        "{summary:#}"
    );
    let png = std::fs::metadata(&screenshot).expect("the screenshot is kept");
    assert!(png.len() > 10_000, "a real screenshot: {} bytes", png.len());
}
