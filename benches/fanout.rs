//! Benchmark: live status fan-out. One gateway (its own process, webhooks configured) over the
//! sandbox (its own process); 1,000 then 10,000 open `accessCodeStatusChanged` subscriptions over
//! loopback WebSockets, one per socket, then 10,000 over 1,000 sockets; signed webhooks posted to
//! the gateway as Seam would.
//!
//! Run: `cargo bench --bench fanout` (loopback only; bounded by counts and timeouts).
//! Reports per size: time from the webhook's POST to each subscriber's delivery (p50/p99/max over
//! every subscriber x event), how long the webhook POST took, the gateway's RSS per subscription,
//! and the CPU the gateway and the clients (this process) spent per event.

#[path = "support/subscriber.rs"]
mod subscriber;
mod support;

use subscriber::{
    collect_latencies, live_subscribers, ms, percentile, post_status_webhook, subscriber, KEY,
};
use support::{cpu_ms, free_port, rss_kib, spawn, wait_ready};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;

/// Subscriptions, and how many share each client socket: one each (the worst case: a write per
/// subscription), then ten each (a page with several live widgets, as graphql-ws clients multiplex).
const SHAPES: &[(usize, usize)] = &[(1_000, 1), (10_000, 1), (10_000, 10)];
const EVENTS: usize = 20;
const EVENT_GAP: Duration = Duration::from_millis(250);
const CONNECT_CONCURRENCY: usize = 100;

struct Row {
    subscribers: usize,
    sockets: usize,
    deliveries: usize,
    expected: usize,
    p50: f64,
    p99: f64,
    max: f64,
    post_p50: f64,
    rss_idle_mib: f64,
    rss_kib_per_sub: f64,
    /// CPU the gateway used per event, over the webhooks and their deliveries.
    gateway_cpu_ms_per_event: f64,
    /// CPU this benchmark (the subscribers' clients) used per event, over the same span.
    clients_cpu_ms_per_event: f64,
}

async fn run_size(n: usize, per_socket: usize, sandbox: &str) -> Row {
    let http = reqwest::Client::new();
    let secret = seam_graphql::generate_webhook_secret();
    let port = free_port();
    let gateway_proc = spawn(
        &["--listen", &format!("127.0.0.1:{port}")],
        &[
            ("SEAM_API_KEY", KEY.into()),
            ("SEAM_ENDPOINT", sandbox.into()),
            ("SEAM_WEBHOOK_SECRET", secret.clone()),
            ("SEAM_GRAPHQL_SUBSCRIPTION_BUFFER", "1024".into()),
        ],
    );
    let gateway = format!("http://127.0.0.1:{port}");
    wait_ready(&http, &format!("{gateway}/healthz")).await;
    let pid = gateway_proc.0.id();
    let rss_idle = rss_kib(pid);

    // A real code, so the gateway's `access_codes/get` per event finds it.
    let created: Value = http
        .post(format!("{sandbox}/access_codes/create"))
        .bearer_auth(KEY)
        .json(&json!({"device_id": "august_device_1", "name": format!("bench {n}")}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let code_id = created["access_code"]["access_code_id"]
        .as_str()
        .expect("code id")
        .to_owned();

    let (tx, mut rx) = mpsc::unbounded_channel();
    let ws_url = format!("ws://127.0.0.1:{port}/graphql/ws");
    let started = Instant::now();
    let sockets = n / per_socket;
    let mut tasks = Vec::with_capacity(sockets);
    let sem = Arc::new(tokio::sync::Semaphore::new(CONNECT_CONCURRENCY));
    for _ in 0..sockets {
        let permit = sem.clone().acquire_owned().await.expect("permit");
        let (url, tx) = (ws_url.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            let fut = subscriber(url, per_socket, tx);
            drop(permit);
            fut.await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while live_subscribers(&http, &gateway).await < n {
        assert!(
            Instant::now() < deadline,
            "subscriptions did not all register"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_loaded = rss_kib(pid);
    eprintln!(
        "  {n} subscriptions on {sockets} sockets open in {:.1} s",
        connect_time.as_secs_f64()
    );

    let (gateway_cpu_before, clients_cpu_before) = (cpu_ms(pid), cpu_ms(std::process::id()));
    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    let mut post_times = Vec::new();
    for i in 0..EVENTS {
        let msg_id = format!("msg_bench_{i}");
        let posted = post_status_webhook(&http, &gateway, &secret, &msg_id, &code_id).await;
        sent_at.insert(posted.event_id, posted.sent_at);
        post_times.push(posted.took);
        tokio::time::sleep(EVENT_GAP).await;
    }
    let expected = n * EVENTS;
    let mut latencies = collect_latencies(&mut rx, &sent_at, expected).await;
    // The gaps between webhooks cost (nearly) nothing: this is the work of the 20 events.
    let gateway_cpu = cpu_ms(pid) - gateway_cpu_before;
    let clients_cpu = cpu_ms(std::process::id()) - clients_cpu_before;
    for t in &tasks {
        t.abort();
    }
    drop(gateway_proc);
    latencies.sort();
    post_times.sort();
    Row {
        subscribers: n,
        sockets,
        deliveries: latencies.len(),
        expected,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().map_or(f64::NAN, |d| ms(*d)),
        post_p50: percentile(&post_times, 0.50),
        rss_idle_mib: rss_idle as f64 / 1024.0,
        rss_kib_per_sub: rss_loaded.saturating_sub(rss_idle) as f64 / n as f64,
        gateway_cpu_ms_per_event: gateway_cpu / EVENTS as f64,
        clients_cpu_ms_per_event: clients_cpu / EVENTS as f64,
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let port = free_port();
        let _sandbox = spawn(
            &["sandbox", "--listen", &format!("127.0.0.1:{port}")],
            &[],
        );
        let sandbox = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        wait_ready(&http, &format!("{sandbox}/_sandbox/calls")).await;
        let mut rows = Vec::new();
        for &(n, per_socket) in SHAPES {
            eprintln!("fan-out to {n} subscribers, {per_socket} per socket, {EVENTS} webhooks...");
            rows.push(run_size(n, per_socket, &sandbox).await);
        }
        println!();
        println!("live status fan-out: {EVENTS} signed webhooks, every subscriber filtered on the event's device");
        println!(
            "| subscribers | sockets | delivered | webhook->delivery p50 | p99 | max | webhook POST p50 | gateway RSS idle | RSS per subscription | gateway CPU per event | clients' CPU per event |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for r in rows {
            println!(
                "| {} | {} | {}/{} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} ms | {:.1} MiB | {:.1} KiB | {:.1} ms | {:.1} ms |",
                r.subscribers,
                r.sockets,
                r.deliveries,
                r.expected,
                r.p50,
                r.p99,
                r.max,
                r.post_p50,
                r.rss_idle_mib,
                r.rss_kib_per_sub,
                r.gateway_cpu_ms_per_event,
                r.clients_cpu_ms_per_event
            );
        }
    });
}
