//! A fault-injecting HTTP proxy between the gateway and the sandbox: it forwards every request as is
//! (method, path, query, headers including `Authorization`, body) and returns the answer, unless a
//! fault is switched on. Faults change at run time, so one gateway sees a bad day come and go.
//!
//! The accept loop is our own rather than `axum::serve`, because a reset must kill the connection a
//! request arrived on without an answer, and only the code that owns the socket can do that. Every
//! request still goes through an axum router, and faults are decided per request (not per
//! connection), since the gateway's client keeps connections alive across requests.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// What the proxy does to a request that a rule applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Forward as is.
    None,
    /// Wait, then forward.
    Latency(Duration),
    /// Answer 429 with `Retry-After` and Seam's error envelope, without forwarding.
    RateLimit { retry_after_secs: u64 },
    /// Answer the next `count` requests with `status` (502, 503, 504) without forwarding; then
    /// forward again.
    ServerErrors { status: u16, count: u32 },
    /// Drop the connection after reading the request, without an answer (a TCP reset).
    Reset,
    /// Read the request and never answer (until the fault is switched off, when the connection
    /// is dropped).
    BlackHole,
}

/// The fault in force, and which requests it applies to.
#[derive(Clone, Debug)]
struct Rule {
    fault: Fault,
    /// Only requests to this path (all paths when `None`).
    path: Option<String>,
    /// How many more requests it applies to (no limit when `None`).
    remaining: Option<u32>,
}

impl Rule {
    fn off() -> Self {
        Self {
            fault: Fault::None,
            path: None,
            remaining: None,
        }
    }

    /// The fault for a request to `path`, counting it against `remaining`.
    fn take(&mut self, path: &str) -> Fault {
        if self.path.as_deref().is_some_and(|p| p != path) || self.remaining == Some(0) {
            return Fault::None;
        }
        if let Some(n) = self.remaining.as_mut() {
            *n -= 1;
        }
        self.fault.clone()
    }
}

/// Requests per path: those that reached the proxy, and those it forwarded upstream.
#[derive(Default, Debug)]
struct Counts {
    seen: BTreeMap<String, u64>,
    forwarded: BTreeMap<String, u64>,
}

/// One request as it reached the proxy: its path and the tracing headers it carried.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub path: String,
    pub request_id: Option<String>,
    pub traceparent: Option<String>,
}

#[derive(Debug)]
struct Shared {
    target: String,
    rule: Mutex<Rule>,
    counts: Mutex<Counts>,
    requests: Mutex<Vec<SeenRequest>>,
    http: reqwest::Client,
}

/// A running proxy; dropping it stops the accept loop and every connection.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Lets a handler kill the connection its request came on.
#[derive(Clone)]
struct Kill(CancellationToken);

impl FaultProxy {
    /// A proxy on an ephemeral loopback port forwarding to `target` (a base URL, no trailing `/`).
    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let shared = Arc::new(Shared {
            target: target.trim_end_matches('/').to_owned(),
            rule: Mutex::new(Rule::off()),
            counts: Mutex::default(),
            requests: Mutex::default(),
            // No pooling across faults: a connection the sandbox kept is never blamed on us.
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("proxy client"),
        });
        let stop = CancellationToken::new();
        let app = Router::new().fallback(handle).with_state(shared.clone());
        tokio::spawn(accept_loop(listener, app, stop.clone()));
        Self { addr, shared, stop }
    }

    /// The base URL to give the gateway as its upstream.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Applies `fault` to every request from now on (a `ServerErrors` burst to its `count`).
    pub fn set(&self, fault: Fault) {
        self.install(fault, None);
    }

    /// Applies `fault` to requests to `path` only; others are forwarded.
    pub fn set_on(&self, path: &str, fault: Fault) {
        self.install(fault, Some(path.to_owned()));
    }

    /// Applies `fault` to the next `n` requests only.
    pub fn set_next(&self, n: u32, fault: Fault) {
        self.install_counted(fault, None, n);
    }

    /// Applies `fault` to the next `n` requests to `path` only.
    pub fn set_next_on(&self, path: &str, n: u32, fault: Fault) {
        self.install_counted(fault, Some(path.to_owned()), n);
    }

    fn install_counted(&self, fault: Fault, path: Option<String>, n: u32) {
        *self.shared.rule.lock().expect("rule") = Rule {
            fault,
            path,
            remaining: Some(n),
        };
    }

    /// Forwards everything again; a black-holed request is let go (its connection dropped).
    pub fn clear(&self) {
        *self.shared.rule.lock().expect("rule") = Rule::off();
    }

    fn install(&self, fault: Fault, path: Option<String>) {
        let remaining = match fault {
            Fault::ServerErrors { count, .. } => Some(count),
            _ => None,
        };
        *self.shared.rule.lock().expect("rule") = Rule {
            fault,
            path,
            remaining,
        };
    }

    /// The fault in force (`Fault::None` once a counted burst is used up).
    pub fn fault(&self) -> Fault {
        let rule = self.shared.rule.lock().expect("rule");
        if rule.remaining == Some(0) {
            Fault::None
        } else {
            rule.fault.clone()
        }
    }

    /// Requests to `path` that reached the proxy.
    pub fn seen(&self, path: &str) -> u64 {
        let counts = self.shared.counts.lock().expect("counts");
        counts.seen.get(path).copied().unwrap_or(0)
    }

    /// Requests to `path` the proxy forwarded upstream.
    pub fn forwarded(&self, path: &str) -> u64 {
        let counts = self.shared.counts.lock().expect("counts");
        counts.forwarded.get(path).copied().unwrap_or(0)
    }

    /// Requests that reached the proxy, all paths together.
    pub fn seen_total(&self) -> u64 {
        let counts = self.shared.counts.lock().expect("counts");
        counts.seen.values().sum()
    }

    /// Requests per path that reached the proxy.
    pub fn seen_by_path(&self) -> BTreeMap<String, u64> {
        self.shared.counts.lock().expect("counts").seen.clone()
    }

    pub fn reset_counts(&self) {
        *self.shared.counts.lock().expect("counts") = Counts::default();
        self.shared.requests.lock().expect("requests").clear();
    }

    /// Every request that reached the proxy since the last reset, in order, with its tracing
    /// headers (`x-request-id`, `traceparent`).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.requests.lock().expect("requests").clone()
    }
}

async fn accept_loop(listener: TcpListener, app: Router, stop: CancellationToken) {
    loop {
        let stream = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        tokio::spawn(serve_connection(stream, app.clone(), stop.child_token()));
    }
}

/// Serves one connection until the client closes it, a handler kills it, or the proxy stops.
async fn serve_connection(stream: TcpStream, app: Router, kill: CancellationToken) {
    // A killed connection then ends with a reset rather than an orderly close, as a crashed or
    // overloaded upstream's would. The client closes healthy connections, so they never reset.
    let _ = stream.set_zero_linger();
    let handle = Kill(kill.clone());
    let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
        request.extensions_mut().insert(handle.clone());
        app.clone().oneshot(request.map(Body::new))
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        // Dropping the connection future closes the socket with no answer written.
        _ = kill.cancelled() => {}
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Extension(kill): Extension<Kill>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_owned();
    count(&shared, &path, |c| &mut c.seen);
    // A plain function, not a closure kept alive: a borrow of the (non-Sync) body must not live
    // across the awaits below.
    fn header(request: &Request, name: &str) -> Option<String> {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    let seen = SeenRequest {
        path: path.clone(),
        request_id: header(&request, "x-request-id"),
        traceparent: header(&request, "traceparent"),
    };
    shared.requests.lock().expect("requests").push(seen);
    let fault = shared.rule.lock().expect("rule").take(&path);
    match fault {
        Fault::None => forward(&shared, request).await,
        Fault::Latency(delay) => {
            tokio::time::sleep(delay).await;
            forward(&shared, request).await
        }
        Fault::RateLimit { retry_after_secs } => rate_limited(retry_after_secs),
        Fault::ServerErrors { status, .. } => server_error(status),
        Fault::Reset => {
            kill.0.cancel();
            std::future::pending().await
        }
        Fault::BlackHole => {
            wait_while_black_hole(&shared).await;
            kill.0.cancel();
            std::future::pending().await
        }
    }
}

fn count(
    shared: &Shared,
    path: &str,
    which: impl FnOnce(&mut Counts) -> &mut BTreeMap<String, u64>,
) {
    let mut counts = shared.counts.lock().expect("counts");
    *which(&mut counts).entry(path.to_owned()).or_default() += 1;
}

/// Holds a request until the black hole is switched off, so no task outlives the fault.
async fn wait_while_black_hole(shared: &Shared) {
    while shared.rule.lock().expect("rule").fault == Fault::BlackHole {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Seam's 429, in its usual error envelope.
fn rate_limited(retry_after_secs: u64) -> Response {
    let body = serde_json::json!({
        "error": { "type": "rate_limited", "message": "Too many requests, slow down" },
        "ok": false
    });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", retry_after_secs.to_string())],
        axum::Json(body),
    )
        .into_response()
}

fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).expect("an HTTP status");
    let body = serde_json::json!({
        "error": { "type": "internal_server_error", "message": "Upstream is having a bad day" },
        "ok": false
    });
    (status, axum::Json(body)).into_response()
}

/// Headers that belong to one hop, not to the request or answer itself.
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "host" | "connection" | "content-length" | "transfer-encoding" | "keep-alive"
    )
}

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    headers
        .iter()
        .filter(|(name, _)| !is_hop_by_hop(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

async fn forward(shared: &Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or(path.clone(), |pq| pq.as_str().to_owned());
    let Ok(body) = to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    count(shared, &path, |c| &mut c.forwarded);
    let upstream = shared
        .http
        .request(parts.method, format!("{}{path_and_query}", shared.target))
        .headers(end_to_end(&parts.headers))
        .body(body)
        .send()
        .await;
    match upstream {
        Ok(answer) => relay(answer).await,
        // The target itself is down: say so the way a load balancer in front of Seam would.
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn relay(answer: reqwest::Response) -> Response {
    let status = answer.status();
    let headers = end_to_end(answer.headers());
    let body = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
