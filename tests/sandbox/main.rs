//! Integration tests of the embedded Seam sandbox, over real HTTP with a manual clock.

mod access_codes;
mod action_attempts;
mod admin;
mod captures;
mod devices;
mod events;
mod fault_proxy;
mod lifecycle;
mod linked;
mod offline_backup;
#[path = "../kit/mod.rs"]
mod support;
mod timeline;
mod transport;
mod unmanaged;
mod webhooks;
mod workspaces_webhooks;

use std::time::Duration;

use seam_graphql::sandbox::{Sandbox, SandboxOptions};
use serde_json::{json, Value};

pub use support::{KEY_1 as KEY1, KEY_2 as KEY2};
/// The kit's sandboxes keep a new code `setting` this long (seconds).
pub const SET_DELAY: u64 = 2;

/// A sandbox on 127.0.0.1:0 with a manual clock and a 2 s set delay, plus an HTTP client.
pub struct Env {
    pub sb: Sandbox,
    pub client: reqwest::Client,
}

/// Status, parsed body (or the raw text as a JSON string) and headers.
pub struct Res {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Env {
    pub async fn new() -> Env {
        Env {
            sb: support::start_sandbox().await,
            client: reqwest::Client::new(),
        }
    }

    pub async fn with_options(options: SandboxOptions) -> Env {
        let sb = Sandbox::start(options).await.expect("sandbox starts");
        Env {
            sb,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.base_url(), path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.starts_with('{') || text.starts_with('[') {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        } else {
            Value::String(text)
        };
        Res {
            status,
            body,
            headers,
        }
    }

    /// POST with a JSON body as `key` (None: no Authorization header).
    pub async fn post_as(&self, key: Option<&str>, path: &str, body: Value) -> Res {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        self.send(req).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.post_as(Some(KEY1), path, body).await
    }

    pub async fn get(&self, path_and_query: &str) -> Res {
        self.send(self.client.get(self.url(path_and_query)).bearer_auth(KEY1))
            .await
    }

    /// Creates a code in workspace 1 and returns the access_code object.
    pub async fn create(&self, body: Value) -> Value {
        let res = self.post("/access_codes/create", body).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body["access_code"].clone()
    }

    /// Creates a code in workspace 1 and returns the ids of the code and of its action attempt.
    pub async fn create_ids(&self, body: Value) -> (String, String) {
        let res = self.post("/access_codes/create", body).await;
        let id = res.body["access_code"]["access_code_id"]
            .as_str()
            .unwrap()
            .to_string();
        (id, attempt_id(&res))
    }

    pub async fn code(&self, id: &str) -> Value {
        let res = self
            .post("/access_codes/get", json!({ "access_code_id": id }))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body["access_code"].clone()
    }

    pub async fn status_of(&self, id: &str) -> String {
        self.code(id).await["status"].as_str().unwrap().to_string()
    }

    /// Every workspace-1 event about one code, oldest first.
    pub async fn events_for(&self, id: &str) -> Vec<Value> {
        let res = self
            .post(
                "/events/list",
                json!({ "since": "2000-01-01T00:00:00Z", "access_code_id": id }),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body["events"].as_array().unwrap().clone()
    }

    pub async fn event_types_for(&self, id: &str) -> Vec<String> {
        self.events_for(id)
            .await
            .iter()
            .map(|e| e["event_type"].as_str().unwrap().to_string())
            .collect()
    }

    pub async fn advance_secs(&self, secs: u64) {
        self.sb.advance(Duration::from_secs(secs)).await;
    }

    pub async fn attempt(&self, id: &str) -> Value {
        let res = self
            .post("/action_attempts/get", json!({ "action_attempt_id": id }))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body["action_attempt"].clone()
    }

    /// An RFC 3339 instant `secs` after the sandbox's now.
    pub fn at(&self, secs: i64) -> String {
        (self.sb.now() + chrono::Duration::seconds(secs)).to_rfc3339()
    }
}

/// The `action_attempt_id` of a response's `action_attempt`.
pub fn attempt_id(res: &Res) -> String {
    res.body["action_attempt"]["action_attempt_id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn error_type(res: &Res) -> &str {
    res.body["error"]["type"].as_str().unwrap_or("<none>")
}
