//! Benchmark: live status fan-out across replicas. 10,000 `accessCodeStatusChanged` subscriptions,
//! either on one gateway without Redis, or split over two replicas sharing a `redis-server` (each
//! process its own: the sandbox, Redis, the gateways), with signed webhooks posted round robin to
//! the replicas as a load balancer would.
//!
//! Run: `cargo bench --bench cluster` (needs `redis-server` and `redis-cli` on PATH, which
//! `scripts/install-test-deps.sh` installs; loopback only; bounded by counts and timeouts).
//! `CLUSTER_BENCH_SIZES=1000,10000` changes the sizes, `CLUSTER_BENCH_PER_SOCKET=1,10` how many
//! subscriptions share each client socket (by default one each, then ten each).
//! Reports per set-up: time from the webhook's POST to each subscriber's delivery (p50/p99/max over
//! every subscriber x event), and Redis commands per event (from `INFO commandstats`, net of what
//! the replicas send while idle over as long a window: lease renewals and empty blocking reads).

#[path = "support/subscriber.rs"]
mod subscriber;
mod support;

use subscriber::{
    collect_latencies, live_subscribers, ms, percentile, post_status_webhook, subscriber, KEY,
};
use support::{free_port, spawn, wait_ready, Proc};

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;

const EVENTS: usize = 20;
const EVENT_GAP: Duration = Duration::from_millis(250);
const CONNECT_CONCURRENCY: usize = 100;

fn sizes() -> Vec<usize> {
    std::env::var("CLUSTER_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000])
}

/// Subscriptions per client socket: one each (a write per subscription), then ten each (a page with
/// several live widgets, as graphql-ws clients multiplex).
fn per_socket() -> Vec<usize> {
    std::env::var("CLUSTER_BENCH_PER_SOCKET")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 10])
}

/// A `redis-server` of its own on a free port, without persistence.
struct Redis {
    port: u16,
    _proc: Proc,
}

impl Redis {
    async fn start() -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/install-test-deps.sh installs it)");
        let redis = Self {
            port,
            _proc: Proc(child),
        };
        for _ in 0..200 {
            if redis.cli(&["PING"]).trim() == "PONG" {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server never came up");
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Commands the server has run, all kinds (`INFO commandstats`), minus the INFO calls.
    fn commands(&self) -> u64 {
        self.cli(&["INFO", "commandstats"])
            .lines()
            .filter(|l| l.starts_with("cmdstat_") && !l.starts_with("cmdstat_info:"))
            .filter_map(|l| {
                l.split("calls=")
                    .nth(1)?
                    .split(',')
                    .next()?
                    .parse::<u64>()
                    .ok()
            })
            .sum()
    }
}

struct Row {
    setup: &'static str,
    subscribers: usize,
    sockets: usize,
    deliveries: usize,
    expected: usize,
    p50: f64,
    p99: f64,
    max: f64,
    redis_per_event: Option<f64>,
}

/// Opens `n` subscriptions spread over the gateways, posts [`EVENTS`] webhooks round robin, and
/// measures delivery.
async fn run(
    setup: &'static str,
    n: usize,
    per_socket: usize,
    sandbox: &str,
    replicas: usize,
) -> Row {
    let http = reqwest::Client::new();
    let secret = seam_graphql::generate_webhook_secret();
    let redis = if replicas > 1 {
        Some(Redis::start().await)
    } else {
        None
    };
    let mut procs = Vec::new();
    let mut gateways = Vec::new();
    for _ in 0..replicas {
        let port = free_port();
        let mut env = vec![
            ("SEAM_API_KEY", KEY.to_owned()),
            ("SEAM_ENDPOINT", sandbox.to_owned()),
            ("SEAM_WEBHOOK_SECRET", secret.clone()),
            ("SEAM_GRAPHQL_SUBSCRIPTION_BUFFER", "1024".to_owned()),
        ];
        if let Some(redis) = &redis {
            env.push(("REDIS_URL", format!("redis://127.0.0.1:{}/", redis.port)));
        }
        procs.push(spawn(&["--listen", &format!("127.0.0.1:{port}")], &env));
        let gateway = format!("http://127.0.0.1:{port}");
        wait_ready(&http, &format!("{gateway}/healthz")).await;
        gateways.push((gateway, format!("ws://127.0.0.1:{port}/graphql/ws")));
    }

    // A real code, so the `access_codes/get` that resolves each event finds it.
    let created: Value = http
        .post(format!("{sandbox}/access_codes/create"))
        .bearer_auth(KEY)
        .json(&json!({"device_id": "august_device_1", "name": format!("cluster bench {n}")}))
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
    let started = Instant::now();
    let sockets = n / per_socket;
    let mut tasks = Vec::with_capacity(sockets);
    let sem = Arc::new(tokio::sync::Semaphore::new(CONNECT_CONCURRENCY));
    for i in 0..sockets {
        let permit = sem.clone().acquire_owned().await.expect("permit");
        let (url, tx) = (gateways[i % replicas].1.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            let fut = subscriber(url, per_socket, tx);
            drop(permit);
            fut.await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    for (i, (gateway, _)) in gateways.iter().enumerate() {
        let want = (i..sockets).step_by(replicas).count() * per_socket;
        while live_subscribers(&http, gateway).await < want {
            assert!(
                Instant::now() < deadline,
                "subscriptions did not all register"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    eprintln!(
        "  {setup}: {n} subscriptions on {sockets} sockets open in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;

    // What the replicas send Redis while nothing happens, over as long as the events take.
    let idle = redis.as_ref().map(|r| {
        let before = r.commands();
        std::thread::sleep(EVENT_GAP * EVENTS as u32);
        r.commands() - before
    });
    let before_events = redis.as_ref().map(Redis::commands);

    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    for i in 0..EVENTS {
        let msg_id = format!("msg_cluster_bench_{i}");
        let gateway = &gateways[i % replicas].0;
        let posted = post_status_webhook(&http, gateway, &secret, &msg_id, &code_id).await;
        sent_at.insert(posted.event_id, posted.sent_at);
        tokio::time::sleep(EVENT_GAP).await;
    }
    let expected = n * EVENTS;
    let mut latencies = collect_latencies(&mut rx, &sent_at, expected).await;
    let redis_per_event = match (&redis, before_events, idle) {
        (Some(r), Some(before), Some(idle)) => {
            let during = r.commands() - before;
            Some(during.saturating_sub(idle) as f64 / EVENTS as f64)
        }
        _ => None,
    };
    for t in &tasks {
        t.abort();
    }
    drop(procs);
    latencies.sort();
    Row {
        setup,
        subscribers: n,
        sockets,
        deliveries: latencies.len(),
        expected,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().map_or(f64::NAN, |d| ms(*d)),
        redis_per_event,
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
        for n in sizes() {
            for k in per_socket() {
                eprintln!("{n} subscriptions, {k} per socket, {EVENTS} webhooks...");
                rows.push(run("one replica, no Redis", n, k, &sandbox, 1).await);
                rows.push(run("two replicas + Redis", n, k, &sandbox, 2).await);
            }
        }
        println!();
        println!("live status fan-out: {EVENTS} signed webhooks (round robin over the replicas), every subscriber filtered on the event's device");
        println!("| set-up | subscriptions | sockets | delivered | webhook->delivery p50 | p99 | max | Redis commands per event |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in rows {
            println!(
                "| {} | {} | {} | {}/{} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
                r.setup,
                r.subscribers,
                r.sockets,
                r.deliveries,
                r.expected,
                r.p50,
                r.p99,
                r.max,
                r.redis_per_event
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
            );
        }
    });
}
