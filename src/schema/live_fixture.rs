//! For tests that pin down subscription lag in-process (a race over a real socket): the sandbox on
//! a manual clock, the services, a live hub with a given buffer, the schema, the first workspace's
//! key, and one code on `august_device_1` whose events can be published directly.

use std::time::Duration;

use super::{build_schema, GatewaySchema};
use crate::cache::DeviceCache;
use crate::events::{LiveHub, LiveOptions, Source};
use crate::sandbox::{ClockMode, Sandbox, SandboxOptions};
use crate::seam::wire::{CreateAccessCodeRequest, Event};
use crate::seam::{ApiKey, SeamClient};
use crate::services::Services;

pub(crate) struct LiveFixture {
    _sandbox: Sandbox,
    pub(crate) services: Services,
    pub(crate) live: LiveHub,
    pub(crate) schema: GatewaySchema,
    pub(crate) key: ApiKey,
    code: String,
}

impl LiveFixture {
    /// Everything started, with `buffer` changes kept per workspace.
    pub(crate) async fn start(buffer: usize) -> Self {
        let sandbox = Sandbox::start(SandboxOptions {
            clock: ClockMode::Manual,
            ..Default::default()
        })
        .await
        .expect("sandbox");
        let client = SeamClient::new(&sandbox.base_url(), Duration::from_secs(5)).expect("client");
        let services = Services::new(
            client.clone(),
            DeviceCache::new(Duration::from_secs(5), 100),
        );
        let live = LiveHub::new(
            client.clone(),
            services.devices.clone(),
            LiveOptions {
                poll_interval: Duration::from_secs(3600),
                webhook_secret: None,
                webhook_stale_after: Duration::from_secs(3600),
                buffer,
            },
            None,
        );
        let schema = build_schema(services.clone(), live.clone(), 50);
        let key = ApiKey::new("seam_apikey1_token");
        let code = client
            .create_access_code(
                &key,
                &CreateAccessCodeRequest {
                    device_id: "august_device_1".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("code")
            .access_code
            .access_code_id;
        Self {
            _sandbox: sandbox,
            services,
            live,
            schema,
            key,
            code,
        }
    }

    /// Publishes `count` changes of the code, with event ids `<prefix>-0`, `<prefix>-1`, ...
    pub(crate) async fn publish(&self, prefix: &str, count: usize) {
        for n in 0..count {
            let event: Event = serde_json::from_value(serde_json::json!({
                "event_id": format!("{prefix}-{n}"),
                "event_type": "access_code.changed",
                "workspace_id": "seed_workspace_1",
                "device_id": "august_device_1",
                "access_code_id": self.code,
                "occurred_at": "2030-01-01T00:00:00.000Z",
            }))
            .expect("event");
            self.live
                .receive(event, Source::Poll)
                .await
                .expect("queued");
        }
    }
}
