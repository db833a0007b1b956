use serde_json::json;

use crate::Env;

#[tokio::test]
async fn should_set_an_ongoing_code_after_the_set_delay() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "2468" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    env.advance_secs(1).await;
    assert_eq!(env.status_of(id).await, "setting");
    env.advance_secs(1).await;
    assert_eq!(env.status_of(id).await, "set");
    let events = env.events_for(id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event_type"], "access_code.created");
    assert!(events[0].get("code").is_none());
    assert_eq!(events[1]["event_type"], "access_code.set_on_device");
    assert_eq!(events[1]["code"], "2468");
    for key in [
        "event_id",
        "workspace_id",
        "device_id",
        "access_code_id",
        "connected_account_id",
        "created_at",
        "occurred_at",
        "event_description",
    ] {
        assert!(events[1].get(key).is_some(), "{key}");
    }
    assert_eq!(
        events[1]["connected_account_id"],
        "john_connected_account_id"
    );
}

#[tokio::test]
async fn should_walk_a_time_bound_code_through_its_window() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_2", "starts_at": env.at(3600), "ends_at": env.at(7200) }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    assert_eq!(ac["status"], "unset");
    env.advance_secs(3600 - 3).await;
    assert_eq!(env.status_of(id).await, "unset");
    env.advance_secs(1).await;
    assert_eq!(env.status_of(id).await, "setting");
    env.advance_secs(2).await;
    assert_eq!(env.status_of(id).await, "set");
    env.advance_secs(3600).await;
    assert_eq!(env.status_of(id).await, "removing");
    env.advance_secs(2).await;
    let gone = env
        .post("/access_codes/get", json!({ "access_code_id": id }))
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        env.event_types_for(id).await,
        [
            "access_code.created",
            "access_code.changed",
            "access_code.set_on_device",
            "access_code.changed",
            "access_code.removed_from_device"
        ]
    );
    let events = env.events_for(id).await;
    assert_eq!(events[1]["changed_properties"][0]["to"], "setting");
    assert_eq!(events[3]["changed_properties"][0]["to"], "removing");
    // Stamped with the due time, not the time advance() returned.
    assert_eq!(events[2]["occurred_at"], ac["starts_at"]);
    assert!(events[4]["occurred_at"].as_str().unwrap() > ac["ends_at"].as_str().unwrap());
}

#[tokio::test]
async fn should_process_due_steps_in_time_order_within_one_advance() {
    let env = Env::new().await;
    let late = env
        .create(json!({ "device_id": "august_device_1", "starts_at": env.at(600), "ends_at": env.at(1200) }))
        .await;
    let early = env
        .create(json!({ "device_id": "august_device_2", "starts_at": env.at(300), "ends_at": env.at(900) }))
        .await;
    env.advance_secs(2000).await;
    let res = env
        .post(
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z", "event_type": "access_code.set_on_device" }),
        )
        .await;
    let order: Vec<_> = res.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["access_code_id"].clone())
        .collect();
    assert_eq!(
        order,
        [
            early["access_code_id"].clone(),
            late["access_code_id"].clone()
        ]
    );
}

#[tokio::test]
async fn should_preload_natively_scheduled_codes() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "ws1_lock_native", "code": "3141", "starts_at": env.at(100 * 3600), "ends_at": env.at(101 * 3600) }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    assert_eq!(ac["status"], "unset");
    assert_eq!(ac["is_scheduled_on_device"], false);
    env.advance_secs(28 * 3600 + 2).await;
    let pre = env.code(id).await;
    assert_eq!(pre["status"], "unset");
    assert_eq!(pre["is_scheduled_on_device"], true);
    let events = env.events_for(id).await;
    assert_eq!(events[1]["event_type"], "access_code.scheduled_on_device");
    assert_eq!(events[1]["code"], "3141");
    env.advance_secs(72 * 3600 - 2).await;
    assert_eq!(env.status_of(id).await, "set");
    assert_eq!(
        env.event_types_for(id).await,
        [
            "access_code.created",
            "access_code.scheduled_on_device",
            "access_code.set_on_device"
        ]
    );
}

#[tokio::test]
async fn should_report_a_delay_on_an_offline_lock() {
    let env = Env::new().await;
    let (id, attempt) = env
        .create_ids(json!({ "device_id": "harness_lock_offline" }))
        .await;
    env.advance_secs(2).await;
    let ac = env.code(&id).await;
    assert_eq!(ac["status"], "setting");
    assert_eq!(
        ac["warnings"][0]["warning_code"],
        "delay_in_setting_on_device"
    );
    env.advance_secs(60).await;
    assert_eq!(env.status_of(&id).await, "setting");
    let events = env.events_for(&id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1]["event_type"],
        "access_code.delay_in_setting_on_device"
    );
    assert_eq!(
        events[1]["device_errors"][0]["error_code"],
        "device_offline"
    );
    assert!(events[1]["access_code_warnings"].is_array());
    assert_eq!(env.attempt(&attempt).await["status"], "pending");
}

#[tokio::test]
async fn should_fail_once_then_retry_on_a_flaky_lock() {
    let env = Env::new().await;
    let (id, attempt) = env
        .create_ids(json!({ "device_id": "ws1_lock_flaky", "code": "9876" }))
        .await;
    env.advance_secs(2).await;
    let failed = env.code(&id).await;
    assert_eq!(failed["status"], "setting");
    assert_eq!(failed["errors"][0]["error_code"], "failed_to_set_on_device");
    assert_eq!(failed["errors"][0]["is_access_code_error"], true);
    let a = env.attempt(&attempt).await;
    assert_eq!(a["status"], "error");
    assert_eq!(a["error"]["type"], "failed_to_set_on_device");
    env.advance_secs(2).await;
    let set = env.code(&id).await;
    assert_eq!(set["status"], "set");
    assert_eq!(set["errors"], json!([]));
    assert_eq!(
        env.event_types_for(&id).await,
        [
            "access_code.created",
            "access_code.failed_to_set_on_device",
            "access_code.set_on_device"
        ]
    );
}

#[tokio::test]
async fn should_tick_by_itself_with_the_real_clock() {
    use seam_graphql::sandbox::{ClockMode, SandboxOptions};
    use std::time::Duration;
    let env = Env::with_options(SandboxOptions {
        clock: ClockMode::Real,
        set_delay: Duration::from_millis(100),
        ..SandboxOptions::default()
    })
    .await;
    let ac = env.create(json!({ "device_id": "august_device_1" })).await;
    let id = ac["access_code_id"].as_str().unwrap();
    let mut status = String::new();
    for _ in 0..60 {
        status = env.status_of(id).await;
        if status == "set" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "set");
    let advance = env
        .send(
            env.client
                .post(env.url("/_sandbox/advance"))
                .json(&json!({ "seconds": 1 })),
        )
        .await;
    assert_eq!(advance.status, 400);
    assert_eq!(crate::error_type(&advance), "clock_not_manual");
}
