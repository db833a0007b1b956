//! Unmanaged access codes (PINs set on a lock outside Seam): listed and read per device, converted
//! to managed codes, deleted. The sandbox makes them through Seam's simulate route.

use serde_json::{json, Value};

use crate::support::{data, error_codes, TestGateway, KEY_1};

/// A PIN appears on `device_id` as if set in the lock's own app; returns its id.
async fn simulate_unmanaged(t: &TestGateway, device_id: &str, name: &str, code: &str) -> String {
    let res: Value = reqwest::Client::new()
        .post(format!(
            "{}/access_codes/simulate/create_unmanaged_access_code",
            t.sandbox.base_url()
        ))
        .bearer_auth(KEY_1)
        .json(&json!({ "device_id": device_id, "name": name, "code": code }))
        .send()
        .await
        .expect("sandbox answers")
        .json()
        .await
        .expect("json");
    res["access_code"]["access_code_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[tokio::test]
async fn should_list_and_read_unmanaged_codes_per_device() {
    let t = TestGateway::start().await;
    let first = simulate_unmanaged(&t, "august_device_2", "Dog walker", "2468").await;
    simulate_unmanaged(&t, "august_device_2", "Neighbour", "1357").await;
    simulate_unmanaged(&t, "schlage_device_id", "Elsewhere", "9753").await;
    let r = t
        .gql(
            "query($id: ID!) {
               page1: unmanagedAccessCodes(deviceId: \"august_device_2\", first: 1) { nodes { id name code isManaged status type } pageInfo { hasNextPage endCursor } }
               viaDevice: device(id: \"august_device_2\") { unmanagedAccessCodes { nodes { name device { id } } } accessCodes { nodes { id } } }
               one: unmanagedAccessCode(id: $id) { id name code deviceId isManaged }
             }",
            json!({"id": first}),
        )
        .await;
    let d = data(&r);
    assert_eq!(
        d["page1"]["nodes"],
        json!([{"id": first, "name": "Dog walker", "code": "2468", "isManaged": false, "status": "SET", "type": "ONGOING"}])
    );
    assert_eq!(d["page1"]["pageInfo"]["hasNextPage"], true);
    let names: Vec<&str> = d["viaDevice"]["unmanagedAccessCodes"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Dog walker", "Neighbour"], "only this lock's codes");
    assert_eq!(
        d["viaDevice"]["accessCodes"]["nodes"],
        json!([]),
        "unmanaged codes are not managed codes"
    );
    assert_eq!(d["one"]["deviceId"], "august_device_2");

    let cursor = d["page1"]["pageInfo"]["endCursor"].clone();
    let r = t
        .gql(
            "query($after: String) { unmanagedAccessCodes(deviceId: \"august_device_2\", first: 1, after: $after) { nodes { name } pageInfo { hasNextPage } } }",
            json!({"after": cursor}),
        )
        .await;
    assert_eq!(
        data(&r)["unmanagedAccessCodes"]["nodes"],
        json!([{"name": "Neighbour"}])
    );
    assert_eq!(
        data(&r)["unmanagedAccessCodes"]["pageInfo"]["hasNextPage"],
        false
    );
}

#[tokio::test]
async fn should_convert_an_unmanaged_code_to_a_managed_one() {
    let t = TestGateway::start().await;
    let id = simulate_unmanaged(&t, "august_device_1", "Contractor", "8642").await;
    let r = t
        .gql(
            "mutation($id: ID!) { convertUnmanagedAccessCode(input: {accessCodeId: $id}) { convertedAccessCodeId accessCode { id code isManaged status name } } }",
            json!({"id": id}),
        )
        .await;
    let p = &data(&r)["convertUnmanagedAccessCode"];
    assert_eq!(p["convertedAccessCodeId"], json!(id));
    assert_eq!(
        p["accessCode"],
        json!({"id": id, "code": "8642", "isManaged": true, "status": "SET", "name": "Contractor"})
    );
    let r = t
        .gql(
            "query($id: ID!) { unmanagedAccessCode(id: $id) { id } accessCode(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"], "no longer unmanaged: {r}");
    assert_eq!(r["data"]["accessCode"]["id"], json!(id));
}

#[tokio::test]
async fn should_delete_an_unmanaged_code() {
    let t = TestGateway::start().await;
    let id = simulate_unmanaged(&t, "august_device_1", "Old code", "7531").await;
    let r = t
        .gql(
            "mutation($id: ID!) { deleteUnmanagedAccessCode(input: {accessCodeId: $id}) { deletedAccessCodeId actionAttempt { actionType } } }",
            json!({"id": id}),
        )
        .await;
    let p = &data(&r)["deleteUnmanagedAccessCode"];
    assert_eq!(p["deletedAccessCodeId"], json!(id));
    assert_eq!(p["actionAttempt"]["actionType"], "DELETE_ACCESS_CODE");
    let r = t
        .gql(
            "query($id: ID!) { unmanagedAccessCode(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
}

#[tokio::test]
async fn must_answer_unknown_and_invalid_ids_with_coded_errors() {
    let t = TestGateway::start().await;
    let managed = t.create_code(KEY_1, "august_device_1", "managed").await;
    for mutation in ["convertUnmanagedAccessCode", "deleteUnmanagedAccessCode"] {
        let q = format!(
            "mutation($id: ID!) {{ {mutation}(input: {{accessCodeId: $id}}) {{ __typename }} }}"
        );
        for (id, code) in [
            ("no_such_code", "NOT_FOUND"),
            (managed.as_str(), "NOT_FOUND"),
            ("", "BAD_USER_INPUT"),
        ] {
            let r = t.gql(&q, json!({"id": id})).await;
            assert_eq!(error_codes(&r), [code], "{mutation}({id}): {r}");
        }
    }
    let r = t
        .gql(
            "{ unmanagedAccessCodes(deviceId: \"no_such_device\") { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    let r = t
        .gql(
            "{ unmanagedAccessCodes(deviceId: \"august_device_1\", first: 0) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
}
