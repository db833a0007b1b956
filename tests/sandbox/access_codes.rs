use serde_json::json;

use crate::{attempt_id, error_type, Env, KEY2};

#[tokio::test]
async fn should_create_an_ongoing_code_with_a_pending_create_attempt() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1", "name": "Guest", "code": "1234" }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["ok"], true);
    let ac = &res.body["access_code"];
    assert_eq!(ac["status"], "setting");
    assert_eq!(ac["type"], "ongoing");
    assert_eq!(ac["code"], "1234");
    assert_eq!(ac["pending_mutations"], json!([]));
    assert_eq!(ac["is_scheduled_on_device"], false);
    assert!(ac["common_code_key"].is_null());
    assert!(ac.get("starts_at").is_none() && ac.get("ends_at").is_none());
    let attempt = &res.body["action_attempt"];
    assert_eq!(attempt["action_type"], "CREATE_ACCESS_CODE");
    assert_eq!(attempt["status"], "pending");
    assert!(attempt["result"].is_null() && attempt["error"].is_null());
    assert!(res.headers.contains_key("seam-request-id"));
}

#[tokio::test]
async fn should_create_a_time_bound_code_in_utc_with_milliseconds() {
    let env = Env::new().await;
    let ac = env
        .create(json!({
            "device_id": "august_device_1",
            "name": "Stay",
            "starts_at": "2030-04-01T10:00:00-05:00",
            "ends_at": "2030-04-02T11:00:00Z",
        }))
        .await;
    assert_eq!(ac["type"], "time_bound");
    assert_eq!(ac["status"], "unset");
    assert_eq!(ac["starts_at"], "2030-04-01T15:00:00.000Z");
    assert_eq!(ac["ends_at"], "2030-04-02T11:00:00.000Z");
    let code = ac["code"].as_str().unwrap();
    assert_eq!(code.len(), 4);
    assert!(ac["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn should_generate_pins_that_fit_each_lock() {
    let env = Env::new().await;
    for _ in 0..5 {
        let six = env
            .create(json!({ "device_id": "harness_lock_6digit" }))
            .await;
        let pin = six["code"].as_str().unwrap();
        assert_eq!(pin.len(), 6);
        assert!(!pin.contains('0'), "no_zeros broken: {pin}");
    }
    let preferred = env
        .create(json!({ "device_id": "harness_lock_4to8", "preferred_code_length": 6 }))
        .await;
    assert_eq!(preferred["code"].as_str().unwrap().len(), 6);
    let unsupported_pref = env
        .create(json!({ "device_id": "ws1_lock_4digit", "preferred_code_length": 8 }))
        .await;
    assert_eq!(unsupported_pref["code"].as_str().unwrap().len(), 4);
    assert!(!unsupported_pref["code"].as_str().unwrap().starts_with("12"));
}

#[tokio::test]
async fn should_reject_invalid_input_with_zod_errors() {
    let env = Env::new().await;
    let cases = [
        (json!({ "name": "x" }), "device_id is required"),
        (
            json!({ "device_id": "august_device_1", "starts_at": "2030-01-01T15:00:00Z" }),
            "Both starts_at and ends_at must be provided if one is",
        ),
        (
            json!({ "device_id": "august_device_1", "ends_at": "2030-01-01T15:00:00Z" }),
            "Both starts_at and ends_at must be provided if one is",
        ),
        (
            json!({ "device_id": "august_device_1", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z" }),
            "ends_at must be later than starts_at",
        ),
        (
            json!({ "device_id": "august_device_1", "starts_at": "tomorrow-ish", "ends_at": "2030-01-05T11:00:00Z" }),
            "Must be parsable date string if defined for \"starts_at\"",
        ),
        (
            json!({ "device_id": 42 }),
            "Expected string, received number for \"device_id\"",
        ),
    ];
    for (body, message) in cases {
        let res = env.post("/access_codes/create", body.clone()).await;
        assert_eq!(res.status, 400, "{body}");
        assert_eq!(error_type(&res), "invalid_input");
        assert_eq!(res.body["error"]["message"], message, "{body}");
        assert!(res.body["error"]["validation_errors"]["_errors"].is_array());
    }
    let missing = env
        .post("/access_codes/create", json!({ "name": "x" }))
        .await;
    assert_eq!(
        missing.body["error"]["validation_errors"],
        json!({ "_errors": [], "device_id": { "_errors": ["Required"] } })
    );
    for (device, code) in [
        ("august_device_1", "12a4"),
        ("august_device_1", "123"),
        ("harness_lock_6digit", "1234"),
        ("harness_lock_6digit", "102345"),
        ("ws1_lock_4digit", "1299"),
    ] {
        let res = env
            .post(
                "/access_codes/create",
                json!({ "device_id": device, "code": code }),
            )
            .await;
        assert_eq!(res.status, 400, "{device} {code}");
        assert_eq!(error_type(&res), "invalid_input");
        assert!(res.body["error"]["validation_errors"]["code"]["_errors"][0].is_string());
    }
}

#[tokio::test]
async fn should_reject_a_duplicate_pin_on_the_same_lock() {
    let env = Env::new().await;
    env.create(json!({ "device_id": "august_device_1", "code": "1234", "name": "a" }))
        .await;
    let dup = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1", "code": "1234", "name": "dup" }),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(error_type(&dup), "duplicate_access_code");
    assert_eq!(
        dup.body["error"]["message"],
        "Cannot set duplicate access code 1234 named dup"
    );
    env.create(json!({ "device_id": "august_device_2", "code": "1234" }))
        .await;
}

#[tokio::test]
async fn should_refuse_a_lock_that_cannot_program_online_codes() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "harness_lock_no_codes" }),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        error_type(&res),
        "device_cannot_program_online_access_codes"
    );
    let unknown = env
        .post("/access_codes/create", json!({ "device_id": "nope" }))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "device_not_found");
}

#[tokio::test]
async fn should_treat_other_workspaces_as_not_found() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "4321" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    let cross_create = env
        .post("/access_codes/create", json!({ "device_id": "ws2_patio" }))
        .await;
    assert_eq!(error_type(&cross_create), "device_not_found");

    let get = env
        .post_as(
            Some(KEY2),
            "/access_codes/get",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(get.status, 404);
    assert_eq!(error_type(&get), "not_found");
    let by_code = env
        .post_as(
            Some(KEY2),
            "/access_codes/get",
            json!({ "device_id": "august_device_1", "code": "4321" }),
        )
        .await;
    assert_eq!(by_code.status, 404);
    for path in ["/access_codes/update", "/access_codes/delete"] {
        let res = env
            .post_as(
                Some(KEY2),
                path,
                json!({ "access_code_id": id, "name": "x" }),
            )
            .await;
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(error_type(&res), "access_code_not_found");
        assert_eq!(res.body["error"]["data"]["access_code_id"], id);
    }
    let list_ids = env
        .post_as(
            Some(KEY2),
            "/access_codes/list",
            json!({ "access_code_ids": [id] }),
        )
        .await;
    assert_eq!(list_ids.body["access_codes"], json!([]));
    let list_dev = env
        .post_as(
            Some(KEY2),
            "/access_codes/list",
            json!({ "device_id": "august_device_1" }),
        )
        .await;
    assert_eq!(list_dev.status, 404);
    assert_eq!(env.code(id).await["code"], "4321");
}

#[tokio::test]
async fn should_get_codes_by_id_or_device_and_code() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "schlage_device_id", "code": "8642" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    let by_pair = env
        .post(
            "/access_codes/get",
            json!({ "device_id": "schlage_device_id", "code": "8642" }),
        )
        .await;
    assert_eq!(by_pair.body["access_code"]["access_code_id"], id);
    let query = env
        .get(&format!("/access_codes/get?access_code_id={id}"))
        .await;
    assert_eq!(query.status, 200);
    let none = env.post("/access_codes/get", json!({})).await;
    assert_eq!(none.status, 400);
    assert_eq!(
        none.body["error"]["message"],
        "Either \"access_code_id\" OR \"code\" and \"device_id\" must be provided"
    );
    let unknown = env
        .post("/access_codes/get", json!({ "access_code_id": "nope" }))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"]["message"], "Access Code Not Found");
}

#[tokio::test]
async fn should_list_codes_by_device_or_ids_page_by_page() {
    let env = Env::new().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let ac = env.create(json!({ "device_id": "august_device_2" })).await;
        ids.push(ac["access_code_id"].as_str().unwrap().to_string());
    }
    let other = env.create(json!({ "device_id": "august_device_1" })).await;
    let by_device = env
        .post(
            "/access_codes/list",
            json!({ "device_id": "august_device_2" }),
        )
        .await;
    let listed: Vec<String> = by_device.body["access_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["access_code_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ids);
    assert_eq!(by_device.body["pagination"]["has_next_page"], false);

    let wanted = json!([ids[0], ids[3], other["access_code_id"]]);
    let page1 = env
        .post(
            "/access_codes/list",
            json!({ "access_code_ids": wanted, "limit": 2 }),
        )
        .await;
    assert_eq!(page1.body["access_codes"].as_array().unwrap().len(), 2);
    let cursor = page1.body["pagination"]["next_page_cursor"].clone();
    assert!(cursor.is_string());
    let page2 = env
        .post(
            "/access_codes/list",
            json!({ "access_code_ids": wanted, "limit": 2, "page_cursor": cursor }),
        )
        .await;
    assert_eq!(page2.body["access_codes"].as_array().unwrap().len(), 1);
    assert_eq!(
        page2.body["access_codes"][0]["access_code_id"],
        other["access_code_id"]
    );
    assert_eq!(page2.body["pagination"]["has_next_page"], false);

    let query = env
        .get(&format!(
            "/access_codes/list?access_code_ids={},{}",
            ids[1], ids[2]
        ))
        .await;
    assert_eq!(query.body["access_codes"].as_array().unwrap().len(), 2);
    let none = env.post("/access_codes/list", json!({})).await;
    assert_eq!(none.status, 400);
    assert_eq!(
        none.body["error"]["message"],
        "Either 'device_id' or 'access_code_ids' is required"
    );
}

#[tokio::test]
async fn should_keep_a_time_bound_code_time_bound_on_a_name_only_update() {
    let env = Env::new().await;
    let ac = env
        .create(json!({
            "device_id": "august_device_1",
            "starts_at": "2030-01-01T15:00:00Z",
            "ends_at": "2030-01-05T11:00:00Z",
        }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    let res = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "name": "renamed" }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body["action_attempt"]["action_type"],
        "UPDATE_ACCESS_CODE"
    );
    assert_eq!(res.body["action_attempt"]["status"], "pending");
    let after = env.code(id).await;
    assert_eq!(after["name"], "renamed");
    assert_eq!(after["type"], "time_bound");
    assert_eq!(after["starts_at"], "2030-01-01T15:00:00.000Z");
    assert_eq!(after["code"], ac["code"]);
    let changed = env.events_for(id).await;
    let last = changed.last().unwrap();
    assert_eq!(last["event_type"], "access_code.changed");
    assert_eq!(last["changed_properties"][0]["property"], "name");
}

#[tokio::test]
async fn should_convert_between_ongoing_and_time_bound() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "5555" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    let to_tb = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "starts_at": "2030-03-01T15:00:00Z", "ends_at": "2030-03-02T11:00:00Z" }),
        )
        .await;
    assert_eq!(to_tb.status, 200);
    let tb = env.code(id).await;
    assert_eq!(tb["type"], "time_bound");
    assert_eq!(tb["status"], "unset");
    assert_eq!(tb["ends_at"], "2030-03-02T11:00:00.000Z");

    let extend = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "ends_at": "2030-03-03T11:00:00Z" }),
        )
        .await;
    assert_eq!(extend.status, 200);
    assert_eq!(env.code(id).await["ends_at"], "2030-03-03T11:00:00.000Z");

    let bad = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "type": "time_bound" }),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["error"]["message"],
        "'time_bound' Access codes must include both starts_at and ends_at"
    );
    let inverted = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "starts_at": "2030-03-05T11:00:00Z" }),
        )
        .await;
    assert_eq!(inverted.status, 400);

    let to_ongoing = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "type": "ongoing" }),
        )
        .await;
    assert_eq!(to_ongoing.status, 200);
    let og = env.code(id).await;
    assert_eq!(og["type"], "ongoing");
    assert_eq!(og["status"], "setting");
    assert!(og.get("starts_at").is_none() && og.get("ends_at").is_none());
}

#[tokio::test]
async fn should_reprogram_a_changed_pin() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "harness_lock_4to8", "code": "1111" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    env.create(json!({ "device_id": "harness_lock_4to8", "code": "2222" }))
        .await;
    env.advance_secs(2).await;
    assert_eq!(env.status_of(id).await, "set");

    let dup = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "2222" }),
        )
        .await;
    assert_eq!(dup.status, 409);
    let bad = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "12" }),
        )
        .await;
    assert_eq!(error_type(&bad), "invalid_input");

    let res = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": id, "code": "654321" }),
        )
        .await;
    assert_eq!(res.status, 200);
    let attempt_id = attempt_id(&res);
    let after = env.code(id).await;
    assert_eq!(after["code"], "654321");
    assert_eq!(after["status"], "setting");
    assert_eq!(env.attempt(&attempt_id).await["status"], "pending");
    env.advance_secs(2).await;
    assert_eq!(env.status_of(id).await, "set");
    assert_eq!(env.attempt(&attempt_id).await["status"], "success");
    let types = env.event_types_for(id).await;
    assert_eq!(
        types,
        [
            "access_code.created",
            "access_code.set_on_device",
            "access_code.changed",
            "access_code.set_on_device"
        ]
    );
    let unknown = env
        .post(
            "/access_codes/update",
            json!({ "access_code_id": "nope", "name": "x" }),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(error_type(&unknown), "access_code_not_found");
}

#[tokio::test]
async fn should_delete_through_removing_then_forget_the_code() {
    let env = Env::new().await;
    let ac = env
        .create(json!({ "device_id": "august_device_1", "code": "7777" }))
        .await;
    let id = ac["access_code_id"].as_str().unwrap();
    env.advance_secs(2).await;
    let res = env
        .post("/access_codes/delete", json!({ "access_code_id": id }))
        .await;
    assert_eq!(res.status, 200);
    let attempt = res.body["action_attempt"].clone();
    assert_eq!(attempt["action_type"], "DELETE_ACCESS_CODE");
    assert_eq!(attempt["status"], "pending");
    assert_eq!(env.status_of(id).await, "removing");
    let again = env
        .post("/access_codes/delete", json!({ "access_code_id": id }))
        .await;
    assert_eq!(again.status, 404);

    env.advance_secs(2).await;
    let gone = env
        .post("/access_codes/get", json!({ "access_code_id": id }))
        .await;
    assert_eq!(gone.status, 404);
    let aid = attempt["action_attempt_id"].as_str().unwrap();
    assert_eq!(env.attempt(aid).await["status"], "success");
    let events = env.events_for(id).await;
    let deleted = events
        .iter()
        .find(|e| e["event_type"] == "access_code.deleted")
        .unwrap();
    assert_eq!(deleted["code"], "7777");
    assert_eq!(deleted["device_id"], "august_device_1");
    assert_eq!(
        events.last().unwrap()["event_type"],
        "access_code.removed_from_device"
    );
    // The PIN is free again.
    env.create(json!({ "device_id": "august_device_1", "code": "7777" }))
        .await;
}

#[tokio::test]
async fn should_serve_action_attempts_within_the_workspace() {
    let env = Env::new().await;
    let res = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1" }),
        )
        .await;
    let id = attempt_id(&res);
    let q = env
        .get(&format!("/action_attempts/get?action_attempt_id={id}"))
        .await;
    assert_eq!(q.body["action_attempt"]["status"], "pending");
    env.advance_secs(2).await;
    let done = env.attempt(&id).await;
    assert_eq!(done["status"], "success");
    assert!(done["error"].is_null());
    let other = env
        .post_as(
            Some(KEY2),
            "/action_attempts/get",
            json!({ "action_attempt_id": id }),
        )
        .await;
    assert_eq!(other.status, 404);
    let unknown = env
        .post(
            "/action_attempts/get",
            json!({ "action_attempt_id": "nope" }),
        )
        .await;
    assert_eq!(error_type(&unknown), "action_attempt_not_found");
    assert_eq!(unknown.body["error"]["data"]["action_attempt_id"], "nope");
}
