//! Offline access codes (`isOfflineAccessCode`) and the capability flags: refused with
//! CAPABILITY_MISSING on locks without the capability (an absent flag included) and with
//! BAD_USER_INPUT where the guides' rules forbid, both before Seam is asked to create anything.

use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::support::{config, data, error_codes, post_graphql, start_gateway, TestGateway};
use seam_graphql::UpstreamTarget;

const CREATE: &str = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) {
    accessCode { id code type status startsAt endsAt isOfflineAccessCode isOneTimeUse deviceId } } }";

fn hours_from(t: &TestGateway, hours: i64, minutes: i64) -> String {
    (t.sandbox.now() + chrono::Duration::hours(hours) + chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn should_show_which_locks_take_offline_codes() {
    let t = TestGateway::start().await;
    let r = t
        .gql(
            "{ offline: device(id: \"ws1_lock_offline_only\") { canProgramOnlineAccessCodes canProgramOfflineAccessCodes }
               both: device(id: \"ws1_lock_online_offline\") { canProgramOnlineAccessCodes canProgramOfflineAccessCodes supportsBackupAccessCodePool }
               online: device(id: \"august_device_1\") { canProgramOfflineAccessCodes supportsBackupAccessCodePool } }",
            json!({}),
        )
        .await;
    let d = data(&r);
    assert_eq!(
        d["offline"],
        json!({"canProgramOnlineAccessCodes": false, "canProgramOfflineAccessCodes": true})
    );
    assert_eq!(
        d["both"],
        json!({"canProgramOnlineAccessCodes": true, "canProgramOfflineAccessCodes": true, "supportsBackupAccessCodePool": true})
    );
    assert_eq!(
        d["online"],
        json!({"canProgramOfflineAccessCodes": false, "supportsBackupAccessCodePool": false})
    );
}

#[tokio::test]
async fn should_create_a_daily_bound_one_time_offline_code() {
    let t = TestGateway::start().await;
    let r = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "ws1_lock_offline_only", "name": "cleaner",
                   "startsAt": hours_from(&t, 30, 20), "endsAt": hours_from(&t, 60, 10),
                   "isOfflineAccessCode": true, "maxTimeRounding": "ONE_DAY", "isOneTimeUse": true}}),
        )
        .await;
    let code = &data(&r)["createAccessCode"]["accessCode"];
    assert_eq!(code["isOfflineAccessCode"], true);
    assert_eq!(code["isOneTimeUse"], true);
    assert_eq!(code["type"], "TIME_BOUND");
    // The lock's provider chose the PIN, of a length the lock takes.
    let pin = code["code"].as_str().expect("pin");
    assert!((7..=9).contains(&pin.len()), "{pin}");
    // Daily-bound: the window grew to whole days.
    for end in ["startsAt", "endsAt"] {
        let at = code[end].as_str().expect("time");
        assert!(at.ends_with("T00:00:00.000Z"), "{end} = {at}");
    }
}

#[tokio::test]
async fn should_create_both_kinds_of_codes_on_a_lock_with_both() {
    let t = TestGateway::start().await;
    let offline = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "ws1_lock_online_offline", "startsAt": hours_from(&t, 2, 30),
                   "endsAt": hours_from(&t, 5, 10), "isOfflineAccessCode": true, "maxTimeRounding": "ONE_HOUR"}}),
        )
        .await;
    let code = &data(&offline)["createAccessCode"]["accessCode"];
    assert_eq!(code["isOfflineAccessCode"], true);
    assert!(
        code["startsAt"]
            .as_str()
            .expect("starts")
            .ends_with(":00:00.000Z"),
        "{code}"
    );
    let online = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "ws1_lock_online_offline", "code": "4711"}}),
        )
        .await;
    let code = &data(&online)["createAccessCode"]["accessCode"];
    assert_eq!(code["isOfflineAccessCode"], false);
    assert_eq!(code["code"], "4711");
}

#[tokio::test]
async fn must_refuse_what_the_offline_rules_forbid_before_calling_seam() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let cases = [
        // An ongoing offline code.
        json!({"deviceId": "ws1_lock_offline_only", "isOfflineAccessCode": true}),
        // A PIN of one's own: the provider chooses offline PINs.
        json!({"deviceId": "ws1_lock_offline_only", "isOfflineAccessCode": true, "code": "1234567",
               "startsAt": t.at(1), "endsAt": t.at(5)}),
        // Offline-only options on an online code.
        json!({"deviceId": "august_device_1", "maxTimeRounding": "ONE_HOUR", "startsAt": t.at(1), "endsAt": t.at(5)}),
        json!({"deviceId": "august_device_1", "isOneTimeUse": true, "startsAt": t.at(1), "endsAt": t.at(5)}),
    ];
    for input in cases {
        let r = t.gql(CREATE, json!({ "input": input })).await;
        assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{input}: {r}");
    }
    assert_eq!(
        t.upstream(),
        Default::default(),
        "nothing was asked of Seam"
    );
}

#[tokio::test]
async fn must_refuse_codes_a_lock_cannot_take_with_capability_missing() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let window = |t: &TestGateway| (t.at(1), t.at(5));
    let (s, e) = window(&t);
    let offline_on_online_lock = t
        .gql(CREATE, json!({"input": {"deviceId": "august_device_1", "isOfflineAccessCode": true, "startsAt": s, "endsAt": e}}))
        .await;
    assert_eq!(error_codes(&offline_on_online_lock), ["CAPABILITY_MISSING"]);
    let message = offline_on_online_lock["errors"][0]["message"]
        .as_str()
        .expect("message");
    assert!(
        message.contains("canProgramOfflineAccessCodes"),
        "{message}"
    );
    let online_on_offline_lock = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "ws1_lock_offline_only", "name": "x"}}),
        )
        .await;
    assert_eq!(error_codes(&online_on_offline_lock), ["CAPABILITY_MISSING"]);
    assert_eq!(t.upstream_count("/access_codes/create"), 0);
}

/// A Seam stand-in serving the fake's thermostat, which has no `can_program_online_access_codes`
/// at all, and counting creates.
async fn start_upstream_without_flags(
    creates: std::sync::Arc<std::sync::atomic::AtomicU32>,
) -> String {
    let thermostat = json!({
        "device_id": "ecobee_device_1",
        "device_type": "ecobee_thermostat",
        "capabilities_supported": ["lock", "access_code"],
        "properties": {"online": true},
    });
    let create = move |Json(_): Json<Value>| {
        let creates = creates.clone();
        async move {
            creates.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Json(
                json!({"access_code": {"access_code_id": "c1", "device_id": "ecobee_device_1"}, "ok": true}),
            )
        }
    };
    let app = Router::new()
        .route(
            "/devices/list",
            post(move || async move { Json(json!({"devices": [thermostat], "ok": true})) }),
        )
        .route("/access_codes/create", post(create));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base_url
}

#[tokio::test]
async fn must_treat_an_absent_capability_flag_as_not_capable_in_the_field_and_the_check() {
    let creates = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let gateway = start_gateway(
        &config(),
        UpstreamTarget {
            base_url: start_upstream_without_flags(creates.clone()).await,
            default_key: Some("k".into()),
        },
    )
    .await;
    let url = format!("http://{}/graphql", gateway.addr());
    let http = reqwest::Client::new();
    let r = post_graphql(
        &http,
        &url,
        None,
        "{ device(id: \"ecobee_device_1\") { canProgramOnlineAccessCodes canProgramOfflineAccessCodes } }",
        json!({}),
    )
    .await;
    assert_eq!(
        data(&r)["device"],
        json!({"canProgramOnlineAccessCodes": false, "canProgramOfflineAccessCodes": false})
    );
    let r = post_graphql(
        &http,
        &url,
        None,
        "mutation { createAccessCode(input: {deviceId: \"ecobee_device_1\"}) { accessCode { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(error_codes(&r), ["CAPABILITY_MISSING"]);
    assert_eq!(
        creates.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "create was sent upstream"
    );
}
