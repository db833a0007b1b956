use serde_json::{json, Value};

use crate::{error_type, Env, KEY2};

fn types(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn should_require_exactly_one_of_since_or_between() {
    let env = Env::new().await;
    let neither = env.post("/events/list", json!({})).await;
    assert_eq!(neither.status, 400);
    assert_eq!(
        neither.body["error"]["message"],
        "Must specify either since or between"
    );
    let both = env
        .post(
            "/events/list",
            json!({ "since": "2020-01-01T00:00:00Z", "between": ["2020-01-01T00:00:00Z", "2040-01-01T00:00:00Z"] }),
        )
        .await;
    assert_eq!(both.status, 400);
    assert_eq!(
        both.body["error"]["message"],
        "Cannot specify both since and between"
    );
    let bad = env.post("/events/list", json!({ "since": "soon" })).await;
    assert_eq!(error_type(&bad), "invalid_input");
}

#[tokio::test]
async fn should_filter_events_and_scope_them_to_the_workspace() {
    let env = Env::new().await;
    let a = env.create(json!({ "device_id": "august_device_1" })).await;
    let b = env.create(json!({ "device_id": "august_device_2" })).await;
    env.advance_secs(2).await;
    let a_id = a["access_code_id"].as_str().unwrap();
    let b_id = b["access_code_id"].as_str().unwrap();
    let ws2 = env
        .post_as(
            Some(KEY2),
            "/access_codes/create",
            json!({ "device_id": "ws2_front_door" }),
        )
        .await;
    assert_eq!(ws2.status, 200);

    let all = env
        .post("/events/list", json!({ "since": "2000-01-01T00:00:00Z" }))
        .await;
    assert_eq!(
        types(&all.body["events"]),
        [
            "access_code.created",
            "access_code.created",
            "access_code.set_on_device",
            "access_code.set_on_device"
        ]
    );
    let by_type = env
        .post(
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z", "event_types": ["access_code.set_on_device"] }),
        )
        .await;
    assert_eq!(by_type.body["events"].as_array().unwrap().len(), 2);
    let by_device = env
        .post(
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z", "device_id": "august_device_2" }),
        )
        .await;
    assert!(by_device.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["access_code_id"] == b_id));
    let by_devices = env
        .post(
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z", "device_ids": ["august_device_1", "august_device_2"] }),
        )
        .await;
    assert_eq!(by_devices.body["events"].as_array().unwrap().len(), 4);
    let by_code_ids = env
        .post(
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z", "access_code_ids": [a_id] }),
        )
        .await;
    assert_eq!(by_code_ids.body["events"].as_array().unwrap().len(), 2);
    let limited = env
        .post(
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z", "limit": 1 }),
        )
        .await;
    assert_eq!(limited.body["events"][0]["access_code_id"], a_id);
    assert_eq!(limited.body["events"].as_array().unwrap().len(), 1);
    let query = env
        .get("/events/list?since=2000-01-01T00:00:00Z&event_type=access_code.created")
        .await;
    assert_eq!(query.body["events"].as_array().unwrap().len(), 2);
    let future = env
        .post("/events/list", json!({ "since": env.at(10) }))
        .await;
    assert_eq!(future.body["events"], json!([]));
    let between = env
        .post(
            "/events/list",
            json!({ "between": [env.at(-1), env.at(1)] }),
        )
        .await;
    assert_eq!(
        between.body["events"].as_array().unwrap().len(),
        2,
        "only the set_on_device events happened at now"
    );

    let ws2_events = env
        .post_as(
            Some(KEY2),
            "/events/list",
            json!({ "since": "2000-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(types(&ws2_events.body["events"]), ["access_code.created"]);
    assert_eq!(
        ws2_events.body["events"][0]["workspace_id"],
        "seed_workspace_2"
    );
}
