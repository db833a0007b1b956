//! `/access_codes/get_timeline`: a code's events as timeline entries, oldest first.

use serde_json::json;

use crate::{error_type, Env, KEY2, SET_DELAY};

#[tokio::test]
async fn should_list_a_codes_events_as_its_timeline() {
    let env = Env::new().await;
    let code = env
        .create(json!({ "device_id": "august_device_1", "code": "5150" }))
        .await;
    let id = code["access_code_id"].as_str().unwrap();
    env.advance_secs(SET_DELAY + 1).await;
    let res = env
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let entries = res.body["timeline_events"].as_array().unwrap();
    let types: Vec<&str> = entries
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, env.event_types_for(id).await);
    assert_eq!(types[0], "access_code.created");
    let first = &entries[0];
    for key in [
        "timeline_event_id",
        "occurred_at",
        "description",
        "actor",
        "related_resource_ids",
    ] {
        assert!(first.get(key).is_some(), "missing {key}: {first}");
    }
    assert_eq!(first["actor"]["type"], "api_key");
    assert_eq!(res.body["pagination"]["has_more"], false);

    let one = env
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id, "limit": 1 }),
        )
        .await;
    assert_eq!(one.body["timeline_events"].as_array().unwrap().len(), 1);
    assert_eq!(one.body["pagination"]["has_more"], true);
    let after = env
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id, "after": first["occurred_at"], "event_types": ["access_code.set_on_device"] }),
        )
        .await;
    let later: Vec<&str> = after.body["timeline_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(later, ["access_code.set_on_device"]);
}

#[tokio::test]
async fn must_refuse_unknown_codes_and_bad_limits() {
    let env = Env::new().await;
    let code = env.create(json!({ "device_id": "august_device_1" })).await;
    let id = code["access_code_id"].as_str().unwrap();
    let res = env
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": "nope" }),
        )
        .await;
    assert_eq!(
        (res.status, error_type(&res)),
        (404, "access_code_not_found")
    );
    let res = env
        .post_as(
            Some(KEY2),
            "/access_codes/get_timeline",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(res.status, 404, "another workspace's code");
    let res = env
        .post(
            "/access_codes/get_timeline",
            json!({ "access_code_id": id, "limit": 201 }),
        )
        .await;
    assert_eq!((res.status, error_type(&res)), (400, "invalid_input"));
    let res = env.post("/access_codes/get_timeline", json!({})).await;
    assert_eq!((res.status, error_type(&res)), (400, "invalid_input"));
}
