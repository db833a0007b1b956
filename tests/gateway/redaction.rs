//! No PIN and no API key reaches a log line, at debug level, on the success and the error paths,
//! and no PIN Seam echoes in an error reaches the client.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::support::{
    config, data, error_codes, post_graphql, start_gateway, TestGateway, KEY_1, KEY_2,
};
use seam_graphql::UpstreamTarget;

/// Every log line any test of this binary writes, at debug level and above.
fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .try_init();
        logs
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn should_keep_pins_and_keys_out_of_every_log_line() {
    let logs = captured();
    let t = TestGateway::start().await;
    let create = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id code } } }";
    let input =
        json!({"input": {"deviceId": "august_device_1", "code": "918273", "name": "redaction"}});
    let r = t
        .gql_with(Some(&format!("Bearer {KEY_1}")), create, input.clone())
        .await;
    let id = data(&r)["createAccessCode"]["accessCode"]["id"].clone();
    assert_eq!(data(&r)["createAccessCode"]["accessCode"]["code"], "918273");
    // The duplicate makes Seam echo the PIN in its error message.
    let r = t.gql(create, input).await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
    let r = t
        .gql(
            "mutation($id: ID!) { updateAccessCode(input: {accessCodeId: $id, code: \"564738\"}) { accessCode { code } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data(&r)["updateAccessCode"]["accessCode"]["code"], "564738");
    t.gql_with(
        Some(&format!("Bearer {KEY_2}")),
        "{ device(id: \"august_device_1\") { id } }",
        json!({}),
    )
    .await;
    t.gql_with(
        Some("Bearer wrong_key_4711"),
        "{ device(id: \"august_device_1\") { id } }",
        json!({}),
    )
    .await;

    let text = String::from_utf8_lossy(&logs.lock().expect("log buffer")).into_owned();
    assert!(
        text.contains("access code created"),
        "nothing was captured, so nothing was checked"
    );
    assert!(
        text.contains("upstream call"),
        "upstream calls were not traced"
    );
    for secret in ["918273", "564738", KEY_1, KEY_2, "wrong_key_4711"] {
        assert!(!text.contains(secret), "`{secret}` appears in the logs");
    }
}

/// A Seam stand-in: one lock taking 4- and 6-digit PINs, and a 400 to every create that echoes the
/// PIN it was sent in every shape seen from Seam: glued to words, in `validation_errors` (values and
/// keys), in `data`, and inside an id (where only the gateway's knowledge of its PIN can catch it).
async fn start_echoing_upstream() -> String {
    let device = json!({
        "device_id": "echo_lock",
        "device_type": "yale_lock",
        "capabilities_supported": ["lock", "access_code"],
        "can_program_online_access_codes": true,
        "properties": {"online": true, "supported_code_lengths": [4, 6]},
    });
    let create = |Json(body): Json<Value>| async move {
        let pin = body["code"].as_str().unwrap_or_default().to_owned();
        let envelope = json!({"error": {
            "type": "invalid_input",
            "message": format!("code_{pin} is invalid; PIN:{pin}x rejected"),
            "validation_errors": {
                "code": {"_errors": [format!("{pin} is not allowed")]},
                pin.clone(): {"_errors": [format!("ba3a361f-4acb-{pin}-9cce-12b164e70554 holds it")]},
            },
            "data": {"code": pin, "rejected": [pin.parse::<u64>().unwrap_or(0)]},
        }, "ok": false});
        (axum::http::StatusCode::BAD_REQUEST, Json(envelope))
    };
    let app = Router::new()
        .route(
            "/devices/list",
            post(move || async move { Json(json!({"devices": [device], "ok": true})) }),
        )
        .route("/access_codes/create", post(create));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base_url
}

#[tokio::test]
async fn should_scrub_every_pin_seam_echoes_in_an_error() {
    let logs = captured();
    let gateway = start_gateway(
        &config(),
        UpstreamTarget {
            base_url: start_echoing_upstream().await,
            default_key: Some("k".into()),
        },
    )
    .await;
    let url = format!("http://{}/graphql", gateway.addr());
    let create = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";
    for pin in ["482913", "4122"] {
        let input = json!({"input": {"deviceId": "echo_lock", "code": pin}});
        let r = post_graphql(&reqwest::Client::new(), &url, None, create, input).await;
        assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{r:#}");
        let text = r.to_string();
        assert!(
            !text.contains(pin),
            "the PIN {pin} reached the client: {r:#}"
        );
        let error = &r["errors"][0];
        assert_eq!(
            error["message"],
            "Seam: code_[redacted] is invalid; PIN:[redacted]x rejected"
        );
        // Seam's hints are kept, minus the PIN.
        assert_eq!(
            error["extensions"]["validationErrors"]["code"]["_errors"][0],
            "[redacted] is not allowed"
        );
    }
    let text = String::from_utf8_lossy(&logs.lock().expect("log buffer")).into_owned();
    assert!(!text.contains("482913"), "a PIN appears in the logs");
}

#[tokio::test]
async fn should_log_one_line_per_operation_with_its_outcome_calls_and_request_id() {
    let logs = captured();
    let t = TestGateway::start().await;
    let create = "mutation Guest($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";
    let input =
        json!({"input": {"deviceId": "august_device_2", "code": "736251", "name": "op log"}});
    let response = reqwest::Client::new()
        .post(format!("http://{}/graphql", t.gateway.addr()))
        .header("x-request-id", "req-oplog-7")
        .json(&json!({ "query": create, "variables": input }))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap()),
        Some("req-oplog-7")
    );
    let text = String::from_utf8_lossy(&logs.lock().expect("logs")).into_owned();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("graphql operation") && l.contains("req-oplog-7"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = lines[0];
    for part in [
        "operation_type=\"mutation\"",
        "operation_name=\"Guest\"",
        "outcome=\"ok\"",
        "upstream_calls=2",
    ] {
        assert!(line.contains(part), "{part} missing from {line}");
    }
    assert!(!line.contains("736251"), "a PIN in {line}");
    // An id sent by the client that is not a sane token is replaced.
    let made_up = reqwest::Client::new()
        .post(format!("http://{}/graphql", t.gateway.addr()))
        .header("x-request-id", "has spaces in it")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("answer");
    let id = made_up.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "has spaces in it");
    assert_eq!(id.len(), 36, "{id}");
    // Every error carries the request's id.
    let failed: Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", t.gateway.addr()))
        .header("x-request-id", "req-oplog-8")
        .json(&json!({ "query": "{ device(id: \"no_such_device\") { id } }" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        failed["errors"][0]["extensions"]["requestId"], "req-oplog-8",
        "{failed:#}"
    );
}

/// Whether `pin` appears in `text` as a token of its own (not inside a longer run of digits).
fn contains_token(text: &str, pin: &str) -> bool {
    text.match_indices(pin).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + pin.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn should_keep_generated_and_backup_pins_out_of_every_log_line() {
    let logs = captured();
    let t = TestGateway::start().await;
    let r = t
        .gql(
            "{ generateCode(deviceId: \"harness_lock_6digit\") { code } }",
            json!({}),
        )
        .await;
    let generated = data(&r)["generateCode"]["code"]
        .as_str()
        .expect("pin")
        .to_owned();
    let r = t
        .gql(
            "mutation($s: DateTime, $e: DateTime) { createAccessCode(input: {deviceId: \"ws1_lock_online_offline\", preferredCodeLength: 8, startsAt: $s, endsAt: $e, useBackupAccessCodePool: true}) { accessCode { id } } }",
            json!({"s": t.at(1), "e": t.at(5)}),
        )
        .await;
    let id = data(&r)["createAccessCode"]["accessCode"]["id"].clone();
    let r = t
        .gql(
            "mutation($id: ID!) { pullBackupAccessCode(input: {accessCodeId: $id}) { backupAccessCode { code } } }",
            json!({"id": id}),
        )
        .await;
    let backup = data(&r)["pullBackupAccessCode"]["backupAccessCode"]["code"]
        .as_str()
        .expect("pin")
        .to_owned();

    let text = String::from_utf8_lossy(&logs.lock().expect("log buffer")).into_owned();
    assert!(
        text.contains("backup access code pulled"),
        "nothing was captured, so nothing was checked"
    );
    for pin in [generated, backup] {
        assert!(
            !contains_token(&text, &pin),
            "the PIN {pin} appears in the logs"
        );
    }
}
