//! `/access_codes/get` and `/access_codes/list`, and workspace scoping of every route.

use serde_json::json;

use crate::{error_type, Env, KEY2};

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
