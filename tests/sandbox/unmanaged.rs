//! Unmanaged codes: Seam's simulate route makes them; `/access_codes/unmanaged/*` lists, reads,
//! converts and deletes them.

use serde_json::{json, Value};

use crate::{error_type, Env, KEY2};

async fn simulate(env: &Env, device_id: &str, code: &str) -> Value {
    let res = env
        .post(
            "/access_codes/simulate/create_unmanaged_access_code",
            json!({ "device_id": device_id, "name": format!("set at the lock {code}"), "code": code }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["access_code"].clone()
}

#[tokio::test]
async fn should_list_and_get_unmanaged_codes_apart_from_managed_ones() {
    let env = Env::new().await;
    let u = simulate(&env, "august_device_1", "2468").await;
    assert_eq!(u["is_managed"], false);
    assert_eq!(u["status"], "set");
    assert_eq!(u["type"], "ongoing");
    env.create(json!({ "device_id": "august_device_1", "code": "1111" }))
        .await;
    let list = env
        .post(
            "/access_codes/unmanaged/list",
            json!({ "device_id": "august_device_1" }),
        )
        .await;
    assert_eq!(list.status, 200);
    let codes = list.body["access_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0]["code"], "2468");
    assert_eq!(list.body["pagination"]["has_next_page"], false);
    let managed = env
        .post(
            "/access_codes/list",
            json!({ "device_id": "august_device_1" }),
        )
        .await;
    assert_eq!(managed.body["access_codes"].as_array().unwrap().len(), 1);
    let id = u["access_code_id"].as_str().unwrap();
    let got = env
        .post(
            "/access_codes/unmanaged/get",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(got.body["access_code"]["access_code_id"], id);
    let got = env
        .post(
            "/access_codes/unmanaged/get",
            json!({ "device_id": "august_device_1", "code": "2468" }),
        )
        .await;
    assert_eq!(got.body["access_code"]["access_code_id"], id);
    let managed_get = env
        .post("/access_codes/get", json!({ "access_code_id": id }))
        .await;
    assert_eq!(managed_get.status, 404, "not a managed code");
    let other_ws = env
        .post_as(
            Some(KEY2),
            "/access_codes/unmanaged/get",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(other_ws.status, 404);
}

#[tokio::test]
async fn should_refuse_a_pin_already_on_the_lock_and_bad_input() {
    let env = Env::new().await;
    simulate(&env, "august_device_1", "2468").await;
    let dup = env
        .post(
            "/access_codes/simulate/create_unmanaged_access_code",
            json!({ "device_id": "august_device_1", "name": "again", "code": "2468" }),
        )
        .await;
    assert_eq!(
        (dup.status, error_type(&dup)),
        (409, "duplicate_access_code")
    );
    let managed_dup = env
        .post(
            "/access_codes/create",
            json!({ "device_id": "august_device_1", "code": "2468" }),
        )
        .await;
    assert_eq!(
        managed_dup.status, 409,
        "the unmanaged PIN is taken on the lock"
    );
    let short = env
        .post(
            "/access_codes/simulate/create_unmanaged_access_code",
            json!({ "device_id": "august_device_1", "name": "short", "code": "12" }),
        )
        .await;
    assert_eq!((short.status, error_type(&short)), (400, "invalid_input"));
    let no_device = env.post("/access_codes/unmanaged/list", json!({})).await;
    assert_eq!(
        (no_device.status, error_type(&no_device)),
        (400, "invalid_input")
    );
    let unknown = env
        .post(
            "/access_codes/unmanaged/list",
            json!({ "device_id": "ws2_front_door" }),
        )
        .await;
    assert_eq!(
        (unknown.status, error_type(&unknown)),
        (404, "device_not_found")
    );
}

#[tokio::test]
async fn should_convert_and_delete_unmanaged_codes() {
    let env = Env::new().await;
    let a = simulate(&env, "august_device_2", "3579").await;
    let b = simulate(&env, "august_device_2", "9753").await;
    let a_id = a["access_code_id"].as_str().unwrap();
    let res = env
        .post(
            "/access_codes/unmanaged/convert_to_managed",
            json!({ "access_code_id": a_id }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let managed = env.code(a_id).await;
    assert_eq!(managed["is_managed"], true);
    assert_eq!(managed["status"], "set");
    assert_eq!(managed["code"], "3579");
    let types = env.event_types_for(a_id).await;
    assert_eq!(
        types,
        [
            "access_code.unmanaged.created",
            "access_code.unmanaged.converted_to_managed"
        ]
    );

    let b_id = b["access_code_id"].as_str().unwrap();
    let del = env
        .post(
            "/access_codes/unmanaged/delete",
            json!({ "access_code_id": b_id }),
        )
        .await;
    assert_eq!(del.status, 200);
    assert_eq!(
        del.body["action_attempt"]["action_type"],
        "DELETE_ACCESS_CODE"
    );
    let gone = env
        .post(
            "/access_codes/unmanaged/get",
            json!({ "access_code_id": b_id }),
        )
        .await;
    assert_eq!(gone.status, 404);
    for path in [
        "/access_codes/unmanaged/convert_to_managed",
        "/access_codes/unmanaged/delete",
    ] {
        let res = env.post(path, json!({ "access_code_id": a_id })).await;
        assert_eq!(
            (res.status, error_type(&res)),
            (404, "access_code_not_found"),
            "{path}"
        );
    }
}
