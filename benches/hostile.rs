//! What hostile queries cost: upstream calls, response size, latency and gateway RSS for the
//! fan-out probes of the security review, each against a gateway in its own process over the
//! sandbox in another.
//!
//! Run: `cargo bench --bench hostile` (loopback only; each probe runs a bounded number of times).
//! Set `SEAM_GRAPHQL_BIN=/path/to/seam-graphql` to measure another build (e.g. an older commit).

mod support;

use support::{binary, free_port, rss_kib, sandbox_calls, spawn, wait_ready};

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const KEY: &str = "seam_apikey1_token";
const RUNS: usize = 20;
const SEEDED_CODES: usize = 60;

struct Probe {
    name: &'static str,
    query: String,
    variables: Value,
}

fn probes(cursor: &str) -> Vec<Probe> {
    let forged =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"c":null,"o":0,"l":1000000}"#);
    let reuse = |i: usize| format!("d{i}: devices(first: 500, after: $c) {{ nodes {{ id }} }} ");
    vec![
        Probe {
            name: "nested accessCodes(first:60) x3",
            query: r#"{device(id:"harness_lock_4to8"){accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{id}}}}}}}}}}"#.into(),
            variables: json!({}),
        },
        Probe {
            name: "first:1 cursor reused with first:500",
            query: "query($c: String) { devices(first: 500, after: $c) { nodes { id } } }".into(),
            variables: json!({ "c": cursor }),
        },
        Probe {
            name: "40 aliases of that",
            query: format!("query($c: String) {{ {} }}", (0..40).map(reuse).collect::<String>()),
            variables: json!({ "c": cursor }),
        },
        Probe {
            name: "1,000 aliases of actionAttempt",
            query: format!(
                "{{ {} }}",
                (0..1000)
                    .map(|i| format!(r#"a{i}: actionAttempt(id: "x{i}") {{ id }} "#))
                    .collect::<String>()
            ),
            variables: json!({}),
        },
        Probe {
            name: "500 aliases of devices",
            query: format!(
                "{{ {} }}",
                (0..500)
                    .map(|i| format!("d{i}: devices(first: 1) {{ nodes {{ id }} }} "))
                    .collect::<String>()
            ),
            variables: json!({}),
        },
        Probe {
            name: "forged cursor limit 1,000,000",
            query: "query($c: String) { devices(first: 5, after: $c) { nodes { id } } }".into(),
            variables: json!({ "c": forged }),
        },
    ]
}

#[tokio::main]
async fn main() {
    let http = reqwest::Client::new();
    let sandbox_port = free_port();
    let _sandbox = spawn(
        &["sandbox", "--listen", &format!("127.0.0.1:{sandbox_port}")],
        &[],
    );
    let sandbox = format!("http://127.0.0.1:{sandbox_port}");
    wait_ready(&http, &format!("{sandbox}/_sandbox/calls")).await;
    let port = free_port();
    let gateway_proc = spawn(
        &["--listen", &format!("127.0.0.1:{port}")],
        &[
            ("SEAM_API_KEY", KEY.into()),
            ("SEAM_ENDPOINT", sandbox.clone()),
        ],
    );
    let gateway = format!("http://127.0.0.1:{port}");
    wait_ready(&http, &format!("{gateway}/healthz")).await;
    let pid = gateway_proc.0.id();

    let post = |query: &str, variables: &Value| {
        http.post(format!("{gateway}/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
    };
    // The review's lock held 60 codes: give it as many, so the nested probe fans out as it did.
    let create = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";
    for i in 0..SEEDED_CODES {
        let pin = (40_000 + i).to_string();
        let input = json!({ "input": { "deviceId": "harness_lock_4to8", "name": format!("seed {i}"), "code": pin } });
        let r: Value = post(create, &input)
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        assert!(r.get("errors").is_none(), "{r}");
    }
    let first: Value = post(
        "{ devices(first: 1) { pageInfo { endCursor } } }",
        &json!({}),
    )
    .await
    .expect("send")
    .json()
    .await
    .expect("json");
    let cursor = first["data"]["devices"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();

    println!("binary: {}", binary());
    println!("| probe | upstream calls | response bytes | error code | p50 ms | RSS before -> after (MiB) |");
    println!("|---|---|---|---|---|---|");
    for probe in probes(&cursor) {
        let rss_before = rss_kib(pid);
        let calls_before = sandbox_calls(&http, &sandbox).await;
        let mut times = Vec::with_capacity(RUNS);
        let (mut bytes, mut code) = (0, String::new());
        for run in 0..RUNS {
            let started = Instant::now();
            let body = post(&probe.query, &probe.variables)
                .await
                .expect("send")
                .bytes()
                .await
                .expect("body");
            times.push(started.elapsed());
            if run == 0 {
                bytes = body.len();
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                code = v["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("-")
                    .to_owned();
            }
            if started.elapsed() > Duration::from_secs(5) {
                break; // one slow run is measurement enough
            }
        }
        let calls = (sandbox_calls(&http, &sandbox).await - calls_before) / times.len() as u64;
        times.sort();
        let p50 = times[times.len() / 2].as_secs_f64() * 1000.0;
        println!(
            "| {} | {calls} | {bytes} | {code} | {p50:.2} | {:.0} -> {:.0} |",
            probe.name,
            rss_before as f64 / 1024.0,
            rss_kib(pid) as f64 / 1024.0
        );
    }
}
