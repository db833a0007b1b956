//! No PIN and no API key reaches a log line, at debug level, on the success and the error paths.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;

use crate::support::{data, error_codes, TestGateway, KEY_1, KEY_2};

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
