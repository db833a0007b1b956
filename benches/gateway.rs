//! Benchmark: batching, cache and overhead of the gateway over the sandbox, each its own process.
//!
//! Run: `cargo bench --bench gateway` (loopback only; every loop is bounded by count and time).
//! (a) upstream calls and latency for a page of N codes with their devices;
//! (b) req/s and p50/p99 of `device(id:)` at concurrency 1/10/50, cache on and off, against the
//!     sandbox's own `POST /devices/get` as the baseline;
//! (c) gateway RSS idle and under load.

mod support;

use support::{free_port, rss_kib, sandbox_calls, spawn, wait_ready, Proc};

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const KEY: &str = "seam_apikey1_token";
const LOAD_SECONDS: u64 = 3;
const MAX_REQUESTS: usize = 20_000;

fn start_gateway(sandbox: &str, cache_ttl_ms: u64) -> (Proc, String) {
    let port = free_port();
    let p = spawn(
        &["--listen", &format!("127.0.0.1:{port}")],
        &[
            ("SEAM_API_KEY", KEY.into()),
            ("SEAM_ENDPOINT", sandbox.into()),
            ("SEAM_GRAPHQL_DEVICE_CACHE_TTL_MS", cache_ttl_ms.to_string()),
        ],
    );
    (p, format!("http://127.0.0.1:{port}"))
}

async fn gql(http: &reqwest::Client, gateway: &str, query: &str, variables: Value) -> Value {
    let r: Value = http
        .post(format!("{gateway}/graphql"))
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("gateway answers")
        .json()
        .await
        .expect("json");
    assert!(r.get("errors").is_none(), "{r}");
    r
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Runs `make()` requests from `concurrency` workers for LOAD_SECONDS (at most MAX_REQUESTS).
async fn load<F, Fut>(concurrency: usize, make: F) -> (f64, f64, f64)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let started = Instant::now();
    let per_worker = MAX_REQUESTS / concurrency;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline && latencies.len() < per_worker {
                    let t = Instant::now();
                    make().await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    (
        all.len() as f64 / elapsed,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
    )
}

#[tokio::main]
async fn main() {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let sandbox_port = free_port();
    let sandbox = format!("http://127.0.0.1:{sandbox_port}");
    let _sandbox_proc = spawn(
        &["sandbox", "--listen", &format!("127.0.0.1:{sandbox_port}")],
        &[],
    );
    wait_ready(&http, &format!("{sandbox}/_sandbox/calls")).await;
    let (gw_on_proc, gw_on) = start_gateway(&sandbox, 5_000);
    let (_gw_off_proc, gw_off) = start_gateway(&sandbox, 0);
    wait_ready(&http, &format!("{gw_on}/healthz")).await;
    wait_ready(&http, &format!("{gw_off}/healthz")).await;
    let rss_idle = rss_kib(gw_on_proc.0.id());

    // Seed 500 codes over the online locks, straight through the sandbox's REST API.
    let devices = [
        "august_device_1",
        "august_device_2",
        "schlage_device_id",
        "harness_lock_4to8",
        "ws1_lock_native",
        "ws1_lock_troubled",
    ];
    let mut ids = Vec::new();
    for i in 0..500 {
        let r: Value = http
            .post(format!("{sandbox}/access_codes/create"))
            .bearer_auth(KEY)
            .json(&json!({"device_id": devices[i % devices.len()], "code": format!("{}", 200_000 + i), "name": format!("bench {i}")}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        ids.push(
            r["access_code"]["access_code_id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }

    println!("\n(a) a page of N access codes with `device {{ displayName isOnline }}` (median of 20 runs)\n");
    println!("| N | upstream calls, cache off | upstream calls, cache warm | latency p50 cache off (ms) | latency p50 cache warm (ms) |");
    println!("|---|---|---|---|---|");
    let page = "query($ids: [ID!]) { accessCodes(accessCodeIds: $ids, first: 500) { nodes { id device { displayName isOnline } } } }";
    for n in [1usize, 10, 100, 500] {
        let vars = json!({"ids": &ids[..n]});
        let mut row = Vec::new();
        for gw in [&gw_off, &gw_on] {
            gql(&http, gw, page, vars.clone()).await; // warm connections (and the cache)
            let before = sandbox_calls(&http, &sandbox).await;
            gql(&http, gw, page, vars.clone()).await;
            let calls = sandbox_calls(&http, &sandbox).await - before;
            let mut lat = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                gql(&http, gw, page, vars.clone()).await;
                lat.push(t.elapsed());
            }
            lat.sort();
            row.push((calls, percentile(&lat, 0.5)));
        }
        println!(
            "| {n} | {} | {} | {:.2} | {:.2} |",
            row[0].0, row[1].0, row[0].1, row[1].1
        );
    }

    println!(
        "\n(b) `device(id:)` for {LOAD_SECONDS} s per cell (at most {MAX_REQUESTS} requests)\n"
    );
    println!("| target | concurrency | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    let mut rss_load = 0;
    for concurrency in [1usize, 10, 50] {
        for (label, gw) in [
            ("gateway, cache on", gw_on.clone()),
            ("gateway, cache off", gw_off.clone()),
        ] {
            let (http2, url) = (http.clone(), format!("{gw}/graphql"));
            let (rps, p50, p99) = load(concurrency, move || {
                let (http, url) = (http2.clone(), url.clone());
                async move {
                    let r = http.post(url).json(&json!({"query": "{ device(id: \"august_device_1\") { id displayName isOnline } }"})).send().await.expect("send");
                    let _ = r.bytes().await;
                }
            })
            .await;
            rss_load = rss_load.max(rss_kib(gw_on_proc.0.id()));
            println!("| {label} | {concurrency} | {rps:.0} | {p50:.2} | {p99:.2} |");
        }
        let (http2, url) = (http.clone(), format!("{sandbox}/devices/get"));
        let (rps, p50, p99) = load(concurrency, move || {
            let (http, url) = (http2.clone(), url.clone());
            async move {
                let r = http
                    .post(url)
                    .bearer_auth(KEY)
                    .json(&json!({"device_id": "august_device_1"}))
                    .send()
                    .await
                    .expect("send");
                let _ = r.bytes().await;
            }
        })
        .await;
        println!(
            "| sandbox REST directly (baseline) | {concurrency} | {rps:.0} | {p50:.2} | {p99:.2} |"
        );
    }

    println!(
        "\n(c) gateway RSS: idle {:.1} MiB, peak under load {:.1} MiB\n",
        rss_idle as f64 / 1024.0,
        rss_load as f64 / 1024.0
    );
}
