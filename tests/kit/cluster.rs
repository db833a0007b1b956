//! Several gateway replicas sharing a real `redis-server`, in front of one sandbox whose webhooks
//! reach them round robin, as a load balancer would deliver them. Each test run starts its own
//! Redis on a free loopback port (`scripts/install-test-deps.sh` installs the Debian package).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use seam_graphql::config::GatewayConfig;
use seam_graphql::sandbox::{Sandbox, WebhookTarget};
use seam_graphql::{RunningGateway, UpstreamTarget};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::faults::FaultProxy;
use super::{config, data, post_graphql, start_gateway, start_sandbox, Feed, KEY_1};

/// A `redis-server` child process on a loopback port, without persistence.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    pub async fn start() -> Self {
        let port = free_port();
        let mut server = Self { port, child: None };
        server.spawn().await;
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/install-test-deps.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.cli(&["PING"]).trim() != "PONG" {
            assert!(Instant::now() < deadline, "redis-server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the server (its data is gone: nothing is saved).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again, empty, on the same port.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }

    /// Runs `redis-cli` against it; its output.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// One webhook delivery as the balancer passed it on.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Which replica got it.
    pub replica: usize,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// A round-robin webhook balancer: each delivery goes to the next replica still in rotation.
pub struct RoundRobin {
    addr: SocketAddr,
    shared: Arc<Balancer>,
}

struct Balancer {
    /// Each replica's webhook URL; None once taken out of rotation.
    targets: Mutex<Vec<Option<String>>>,
    next: AtomicUsize,
    log: Mutex<Vec<Delivery>>,
    http: reqwest::Client,
}

impl RoundRobin {
    async fn start(targets: Vec<String>) -> Self {
        let shared = Arc::new(Balancer {
            targets: Mutex::new(targets.into_iter().map(Some).collect()),
            next: AtomicUsize::new(0),
            log: Mutex::default(),
            http: reqwest::Client::new(),
        });
        let app = Router::new()
            .route("/webhooks/seam", post(forward))
            .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}/webhooks/seam", self.addr)
    }

    /// Every delivery so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.log.lock().expect("log").clone()
    }

    fn take_out(&self, replica: usize) {
        self.shared.targets.lock().expect("targets")[replica] = None;
    }
}

async fn forward(
    State(balancer): State<Arc<Balancer>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let (replica, url) = {
        let targets = balancer.targets.lock().expect("targets");
        let live: Vec<(usize, String)> = targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.clone().map(|t| (i, t)))
            .collect();
        if live.is_empty() {
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        live[balancer.next.fetch_add(1, Ordering::Relaxed) % live.len()].clone()
    };
    let headers: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("svix-") || *name == "content-type")
        .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_owned())))
        .collect();
    balancer.log.lock().expect("log").push(Delivery {
        replica,
        headers: headers.clone(),
        body: body.clone(),
    });
    let mut request = balancer.http.post(url).body(body);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(r) => StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

/// Redis, a sandbox, and replicas sharing both.
pub struct Cluster {
    pub sandbox: Sandbox,
    pub redis: RedisServer,
    replicas: Vec<Option<RunningGateway>>,
    pub balancer: RoundRobin,
    http: reqwest::Client,
}

impl Cluster {
    /// `n` replicas with the test defaults plus `tweak`, fed by `feed` (Webhooks: through the
    /// round-robin balancer; Polling: no webhooks at all).
    pub async fn start(n: usize, feed: Feed, tweak: impl Fn(&mut GatewayConfig)) -> Self {
        Self::launch(n, feed, tweak, false).await.0
    }

    /// As [`start`](Self::start), with replica 0 calling the sandbox through a fault proxy.
    pub async fn start_with_faults_on_first(
        n: usize,
        feed: Feed,
        tweak: impl Fn(&mut GatewayConfig),
    ) -> (Self, FaultProxy) {
        let (cluster, proxy) = Self::launch(n, feed, tweak, true).await;
        (cluster, proxy.expect("a proxy"))
    }

    async fn launch(
        n: usize,
        feed: Feed,
        tweak: impl Fn(&mut GatewayConfig),
        proxy_first: bool,
    ) -> (Self, Option<FaultProxy>) {
        let redis = RedisServer::start().await;
        let sandbox = start_sandbox().await;
        let secret = (feed != Feed::Polling).then(seam_graphql::generate_webhook_secret);
        let mut cfg = config();
        cfg.redis_url = Some(redis.url());
        cfg.webhook_secret = secret.clone();
        tweak(&mut cfg);
        let mut replicas = Vec::new();
        let mut proxy = None;
        for i in 0..n {
            let mut base_url = sandbox.base_url();
            if i == 0 && proxy_first {
                let started = FaultProxy::start(sandbox.base_url()).await;
                base_url = started.base_url();
                proxy = Some(started);
            }
            let upstream = UpstreamTarget {
                base_url,
                default_key: Some(KEY_1.into()),
            };
            replicas.push(Some(start_gateway(&cfg, upstream).await));
        }
        let balancer = RoundRobin::start(
            replicas
                .iter()
                .map(|r| seam_graphql::webhook_url(r.as_ref().expect("started").addr()))
                .collect(),
        )
        .await;
        if feed == Feed::Webhooks {
            sandbox.set_webhook(Some(WebhookTarget {
                url: balancer.url(),
                secret: secret.expect("secret"),
            }));
        }
        let cluster = Self {
            sandbox,
            redis,
            replicas,
            balancer,
            http: reqwest::Client::new(),
        };
        (cluster, proxy)
    }

    pub fn replica(&self, i: usize) -> &RunningGateway {
        self.replicas[i].as_ref().expect("replica still running")
    }

    pub fn ws_url(&self, i: usize) -> String {
        format!("ws://{}/graphql/ws", self.replica(i).addr())
    }

    pub fn webhook_url(&self, i: usize) -> String {
        seam_graphql::webhook_url(self.replica(i).addr())
    }

    /// Runs an operation on replica `i` as `key`; its `data`, which must come without errors.
    pub async fn data_as(&self, i: usize, key: &str, query: &str, variables: Value) -> Value {
        let url = format!("http://{}/graphql", self.replica(i).addr());
        let bearer = format!("Bearer {key}");
        data(&post_graphql(&self.http, &url, Some(&bearer), query, variables).await).clone()
    }

    /// Runs an operation on replica `i` as `key`; the whole response, errors included.
    pub async fn gql_as(&self, i: usize, key: &str, query: &str, variables: Value) -> Value {
        let url = format!("http://{}/graphql", self.replica(i).addr());
        let bearer = format!("Bearer {key}");
        post_graphql(&self.http, &url, Some(&bearer), query, variables).await
    }

    /// Upstream calls to `path` made by every replica still running.
    pub fn upstream_count(&self, path: &str) -> u64 {
        self.replicas
            .iter()
            .flatten()
            .map(|r| r.upstream_calls().get(path).copied().unwrap_or(0))
            .sum()
    }

    pub async fn get(&self, i: usize, path: &str) -> (u16, Value) {
        let url = format!("http://{}{path}", self.replica(i).addr());
        let r = self.http.get(url).send().await.expect("replica answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Posts a recorded delivery to replica `i`; the replica's answer.
    pub async fn replay(&self, delivery: &Delivery, i: usize) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.webhook_url(i))
            .body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(name, value);
        }
        let r = request.send().await.expect("replica answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Stops replica `i` as SIGTERM would, and takes it out of the balancer's rotation.
    pub async fn stop(&mut self, i: usize) {
        self.balancer.take_out(i);
        if let Some(replica) = self.replicas[i].take() {
            replica.begin_shutdown();
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(replica);
        }
    }

    /// Kills replica `i` as a crash would: no graceful shutdown, out of the balancer's rotation.
    pub fn kill(&mut self, i: usize) {
        self.balancer.take_out(i);
        drop(self.replicas[i].take());
    }

    pub async fn wait_for_subscribers(&self, i: usize, n: usize) {
        super::wait_until(
            || self.replica(i).live_subscribers() == n,
            "live subscribers",
        )
        .await;
    }

    /// Creates an ongoing code through replica `i`; its id.
    pub async fn create_code(&self, i: usize, device_id: &str, name: &str) -> String {
        let data = self
            .data_as(
                i,
                KEY_1,
                "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }",
                json!({ "input": { "deviceId": device_id, "name": name } }),
            )
            .await;
        data["createAccessCode"]["accessCode"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub async fn advance(&self, secs: u64) {
        self.sandbox.advance(Duration::from_secs(secs)).await;
    }

    /// The status events the sandbox emitted for workspace 1 (ground truth), oldest first: ids.
    pub async fn status_event_ids(&self) -> Vec<String> {
        let r: Value = self
            .http
            .post(format!("{}/events/list", self.sandbox.base_url()))
            .bearer_auth(KEY_1)
            .json(&json!({
                "since": "2000-01-01T00:00:00.000Z",
                "limit": 500,
                "event_types": [
                    "access_code.created", "access_code.changed", "access_code.set_on_device",
                    "access_code.removed_from_device", "access_code.deleted",
                    "access_code.failed_to_set_on_device", "access_code.delay_in_setting_on_device"
                ],
            }))
            .send()
            .await
            .expect("sandbox answers")
            .json()
            .await
            .expect("json");
        r["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["event_id"].as_str().expect("event id").to_owned())
            .collect()
    }
}
