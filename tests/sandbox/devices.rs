use serde_json::json;

use crate::{error_type, Env, KEY2};

#[tokio::test]
async fn should_list_workspace_devices_page_by_page() {
    let env = Env::new().await;
    let all = env.post("/devices/list", json!({})).await;
    assert_eq!(all.status, 200);
    let devices = all.body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 13);
    assert_eq!(devices[0]["device_id"], "august_device_1");
    assert!(devices
        .iter()
        .all(|d| d["workspace_id"] == "seed_workspace_1"));
    assert_eq!(all.body["pagination"]["has_next_page"], false);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let mut body = json!({ "limit": 4 });
        if let Some(c) = &cursor {
            body["page_cursor"] = json!(c);
        }
        let page = env.post("/devices/list", body).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for d in page.body["devices"].as_array().unwrap() {
            seen.push(d["device_id"].as_str().unwrap().to_string());
        }
        let p = &page.body["pagination"];
        assert!(p["next_page_url"].is_null());
        if p["has_next_page"] == false {
            assert!(p["next_page_cursor"].is_null());
            break;
        }
        cursor = Some(p["next_page_cursor"].as_str().unwrap().to_string());
    }
    let expected: Vec<String> = devices
        .iter()
        .map(|d| d["device_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, expected);

    let first = env.post("/devices/list", json!({ "limit": 4 })).await;
    let c = first.body["pagination"]["next_page_cursor"].clone();
    let mismatch = env
        .post("/devices/list", json!({ "limit": 3, "page_cursor": c }))
        .await;
    assert_eq!(mismatch.status, 400);
    assert_eq!(error_type(&mismatch), "mismatched_page_parameters");

    let ws2 = env.post_as(Some(KEY2), "/devices/list", json!({})).await;
    let ids: Vec<&str> = ws2.body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["device_id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 5 && ids.iter().all(|i| i.starts_with("ws2_")));

    let bad = env.post("/devices/list", json!({ "limit": 0 })).await;
    assert_eq!(error_type(&bad), "invalid_input");
}

#[tokio::test]
async fn should_filter_devices_by_ids_type_and_manufacturer() {
    let env = Env::new().await;
    let by_ids = env
        .post(
            "/devices/list",
            json!({ "device_ids": ["schlage_device_id", "august_device_1", "ws2_patio"] }),
        )
        .await;
    let ids: Vec<&str> = by_ids.body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["device_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["august_device_1", "schlage_device_id"]);

    let query = env
        .get("/devices/list?device_ids=august_device_1,schlage_device_id")
        .await;
    assert_eq!(query.status, 200);
    assert_eq!(query.body["devices"].as_array().unwrap().len(), 2);

    let yale = env
        .post("/devices/list", json!({ "manufacturer": "yale" }))
        .await;
    assert!(yale.body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["properties"]["manufacturer"] == "yale"));
    assert_eq!(yale.body["devices"].as_array().unwrap().len(), 2);

    let types = env
        .post(
            "/devices/list",
            json!({ "device_types": ["smartthings_lock", "nuki_lock"] }),
        )
        .await;
    assert_eq!(types.body["devices"].as_array().unwrap().len(), 3);
    let one_type = env.get("/devices/list?device_type=august_lock").await;
    assert_eq!(one_type.body["devices"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn should_get_devices_by_id_or_name_within_the_workspace() {
    let env = Env::new().await;
    let d = env
        .post(
            "/devices/get",
            json!({ "device_id": "harness_lock_6digit" }),
        )
        .await;
    assert_eq!(d.status, 200);
    let dev = &d.body["device"];
    assert_eq!(dev["properties"]["supported_code_lengths"], json!([6]));
    assert_eq!(
        dev["properties"]["code_constraints"],
        json!([{ "constraint_type": "no_zeros" }])
    );
    assert_eq!(dev["can_program_online_access_codes"], true);
    assert_eq!(dev["can_program_offline_access_codes"], false);

    let by_name = env
        .post("/devices/get", json!({ "name": "Basement (offline)" }))
        .await;
    assert_eq!(by_name.body["device"]["device_id"], "harness_lock_offline");
    assert_eq!(by_name.body["device"]["properties"]["online"], false);
    assert_eq!(
        by_name.body["device"]["errors"][0]["error_code"],
        "device_offline"
    );
    assert_eq!(by_name.body["device"]["errors"][0]["is_device_error"], true);

    let flaky = env.get("/devices/get?device_id=ws1_lock_flaky").await;
    assert_eq!(
        flaky.body["device"]["warnings"][0]["warning_code"],
        "device_has_flaky_connection"
    );
    let no_codes = env
        .post(
            "/devices/get",
            json!({ "device_id": "harness_lock_no_codes" }),
        )
        .await;
    assert_eq!(
        no_codes.body["device"]["can_program_online_access_codes"],
        false
    );

    for (key, id) in [
        (crate::KEY1, "ws2_patio"),
        (KEY2, "august_device_1"),
        (crate::KEY1, "nope"),
    ] {
        let res = env
            .post_as(Some(key), "/devices/get", json!({ "device_id": id }))
            .await;
        assert_eq!(res.status, 404);
        assert_eq!(error_type(&res), "device_not_found");
        assert_eq!(res.body["error"]["message"], "Device not found");
    }
    let none = env.post("/devices/get", json!({})).await;
    assert_eq!(none.status, 400);
    assert_eq!(error_type(&none), "invalid_input");
}
