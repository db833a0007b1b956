//! examples/typescript-client, as CI checks it: its generated types are current with
//! schema.graphql (graphql-codegen --check), it type-checks (tsc --noEmit), and, built, it lists
//! devices, creates a code and sees it SET over SSE against a gateway on the sandbox.
//! CI installs its npm dependencies with scripts/install-test-deps.sh.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Feed, TestGateway, KEY_1};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/typescript-client")
}

/// Runs a tool from the example's node_modules/.bin; panics with its output when it fails.
async fn npm_bin(tool: &str, args: &[&str]) {
    let dir = example();
    let output = tokio::process::Command::new(dir.join("node_modules/.bin").join(tool))
        .args(args)
        .current_dir(&dir)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{tool} runs: {e}"));
    assert!(
        output.status.success(),
        "{tool} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn should_keep_the_typescript_example_current_typed_and_working() {
    let dir = example();
    assert!(
        dir.join("node_modules/.bin/tsc").exists(),
        "examples/typescript-client/node_modules is missing: run scripts/install-test-deps.sh"
    );
    // The committed types match schema.graphql and the operations: a schema change that breaks
    // the example fails here, not in a frontend team's build.
    npm_bin("graphql-codegen", &["--config", "codegen.ts", "--check"]).await;
    npm_bin("tsc", &["--noEmit"]).await;
    npm_bin("tsc", &[]).await;

    let live = TestGateway::fed(Feed::Webhooks).await;
    let mut child = tokio::process::Command::new("node")
        .arg(dir.join("dist/main.js"))
        .env(
            "SEAM_GRAPHQL_URL",
            format!("http://{}/graphql", live.gateway.addr()),
        )
        .env("SEAM_API_KEY", KEY_1)
        .env("EXAMPLE_TIMEOUT_MS", "20000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut steps: Vec<Value> = Vec::new();
    let run = async {
        while let Some(line) = lines.next_line().await.expect("stdout reads") {
            let step: Value = serde_json::from_str(&line).expect("one JSON line per step");
            if step["step"] == "created" {
                // The sandbox sets a code on its lock after 2 s of its manual clock; the example's
                // subscription must be listening by then.
                live.wait_for_subscribers(1).await;
                live.advance(2).await;
            }
            steps.push(step);
        }
    };
    tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the example finishes within 30 s");
    let status = child.wait().await.expect("node runs");
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        tokio::io::AsyncReadExt::read_to_string(&mut err, &mut stderr)
            .await
            .expect("stderr");
    }
    assert!(status.success(), "the example failed: {stderr}\n{steps:#?}");

    let names = &steps[0]["names"];
    assert!(
        names
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n == "Front Door")),
        "{steps:#?}"
    );
    let created = steps
        .iter()
        .find(|s| s["step"] == "created")
        .expect("created");
    assert_eq!(created["status"], "SETTING", "{steps:#?}");
    assert!(
        created["createdAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{steps:#?}"
    );
    let set = steps
        .iter()
        .find(|s| {
            s["step"] == "status" && s["accessCodeId"] == created["id"] && s["status"] == "SET"
        })
        .expect("the SET change arrived");
    assert_eq!(set["eventType"], "access_code.set_on_device");
    assert_eq!(steps.last().expect("steps")["step"], "done");
}
