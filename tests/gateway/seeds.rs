//! Every example of the three Seam guides, as GraphQL operations, in the guides' order: one file, so
//! that reading it top to bottom follows the guides (hence over 300 lines).

use std::time::Duration;

use serde_json::json;

use crate::support::{data, error_codes, TestGateway};

const CODE_FIELDS: &str = "id name code type status startsAt endsAt commonCodeKey deviceId device { id displayName } errors { errorCode } warnings { warningCode }";

#[tokio::test]
async fn should_check_capabilities_before_creating() {
    let t = TestGateway::start().await;
    let r = t
        .gql(
            "{ ok: device(id: \"august_device_1\") { canProgramOnlineAccessCodes canProgramOfflineAccessCodes supportedCodeLengths }
               no: device(id: \"harness_lock_no_codes\") { canProgramOnlineAccessCodes } }",
            json!({}),
        )
        .await;
    let d = data(&r);
    assert_eq!(d["ok"]["canProgramOnlineAccessCodes"], true);
    assert_eq!(d["no"]["canProgramOnlineAccessCodes"], false);

    t.sandbox.reset_calls();
    let r = t
        .gql(
            "mutation { createAccessCode(input: {deviceId: \"harness_lock_no_codes\", name: \"x\"}) { accessCode { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["CAPABILITY_MISSING"]);
    assert_eq!(
        t.upstream_count("/access_codes/create"),
        0,
        "refused before calling create"
    );
}

#[tokio::test]
async fn should_create_an_ongoing_code_that_becomes_set() {
    let t = TestGateway::start().await;
    let q = format!(
        "mutation($input: CreateAccessCodeInput!) {{ createAccessCode(input: $input) {{ accessCode {{ {CODE_FIELDS} }} actionAttempt {{ id actionType status }} }} }}"
    );
    let r = t
        .gql(&q, json!({"input": {"deviceId": "august_device_1", "name": "my ongoing code", "code": "1234"}}))
        .await;
    let created = &data(&r)["createAccessCode"];
    let code = &created["accessCode"];
    assert_eq!(code["type"], "ONGOING");
    assert_eq!(code["code"], "1234");
    assert_eq!(code["status"], "SETTING");
    assert_eq!(code["startsAt"], json!(null));
    assert_eq!(code["device"]["id"], "august_device_1");
    assert_eq!(created["actionAttempt"]["actionType"], "CREATE_ACCESS_CODE");

    t.sandbox.advance(Duration::from_secs(3)).await;
    let r = t
        .gql(
            "query($id: ID!) { accessCode(id: $id) { status } }",
            json!({"id": code["id"]}),
        )
        .await;
    assert_eq!(data(&r)["accessCode"]["status"], "SET");
}

#[tokio::test]
async fn should_create_a_time_bound_code_set_at_its_start() {
    let t = TestGateway::start().await;
    let (starts, ends) = (t.at(1), t.at(48));
    let q = format!("mutation($input: CreateAccessCodeInput!) {{ createAccessCode(input: $input) {{ accessCode {{ {CODE_FIELDS} }} }} }}");
    let r = t
        .gql(
            &q,
            json!({"input": {"deviceId": "august_device_1", "name": "my time-bound code", "startsAt": starts, "endsAt": ends, "preferredCodeLength": 4}}),
        )
        .await;
    let code = &data(&r)["createAccessCode"]["accessCode"];
    assert_eq!(code["type"], "TIME_BOUND");
    assert_eq!(code["status"], "UNSET");
    assert_eq!(code["code"].as_str().expect("pin").len(), 4);
    assert_eq!(
        code["startsAt"].as_str().expect("starts")[..19],
        starts[..19]
    );

    t.sandbox.advance(Duration::from_secs(3601)).await;
    let r = t
        .gql(
            "query($id: ID!) { accessCode(id: $id) { status } }",
            json!({"id": code["id"]}),
        )
        .await;
    assert_eq!(data(&r)["accessCode"]["status"], "SET");
}

const LINKED: &str = "mutation($input: CreateLinkedAccessCodesInput!) { createLinkedAccessCodes(input: $input) {
    commonCodeKey accessCodes { id code deviceId commonCodeKey startsAt endsAt }
    linkedCodeGroup { commonCodeKey code isCodeShared startsAt endsAt status devices { id } accessCodes { id } } } }";

#[tokio::test]
async fn should_create_linked_codes_sharing_one_pin_and_key() {
    let t = TestGateway::start().await;
    let r = t
        .gql(
            LINKED,
            json!({"input": {"deviceIds": ["august_device_2", "harness_lock_4to8"], "name": "Stay 42",
                   "startsAt": t.at(24), "endsAt": t.at(72), "preferredCodeLength": 4}}),
        )
        .await;
    let p = &data(&r)["createLinkedAccessCodes"];
    let key = p["commonCodeKey"].as_str().expect("linked");
    assert!(key.starts_with("auto_set_by_create_multiple_"), "{key}");
    let codes = p["accessCodes"].as_array().expect("codes");
    assert_eq!(codes.len(), 2);
    assert_eq!(codes[0]["code"], codes[1]["code"]);
    assert!(codes.iter().all(|c| c["commonCodeKey"] == key));
    assert_eq!(p["linkedCodeGroup"]["code"], codes[0]["code"]);
    assert_eq!(p["linkedCodeGroup"]["isCodeShared"], true);
    assert_eq!(
        p["linkedCodeGroup"]["devices"].as_array().map(Vec::len),
        Some(2)
    );

    // Read back by key, as a client would later.
    let r = t
        .gql("query($k: String!) { linkedCodeGroup(commonCodeKey: $k) { code accessCodes { deviceId } } }", json!({"k": key}))
        .await;
    assert_eq!(data(&r)["linkedCodeGroup"]["code"], codes[0]["code"]);
}

#[tokio::test]
async fn should_leave_codes_unlinked_when_a_custom_code_is_given() {
    let t = TestGateway::start().await;
    let r = t
        .gql(
            LINKED,
            json!({"input": {"deviceIds": ["august_device_1", "august_device_2"], "code": "8642"}}),
        )
        .await;
    let p = &data(&r)["createLinkedAccessCodes"];
    assert_eq!(p["commonCodeKey"], json!(null));
    assert_eq!(p["linkedCodeGroup"], json!(null));
    assert!(p["accessCodes"]
        .as_array()
        .expect("codes")
        .iter()
        .all(|c| c["code"] == "8642" && c["commonCodeKey"].is_null()));
}

#[tokio::test]
async fn should_refuse_or_randomise_a_pin_that_cannot_be_shared() {
    let t = TestGateway::start().await;
    let devices = json!(["harness_lock_6digit", "ws1_lock_4digit"]);
    t.sandbox.reset_calls();
    let r = t
        .gql(LINKED, json!({"input": {"deviceIds": devices}}))
        .await;
    assert_eq!(error_codes(&r), ["CODE_CANNOT_BE_SHARED"]);
    assert_eq!(t.upstream_count("/access_codes/create_multiple"), 0);

    let r = t
        .gql(LINKED, json!({"input": {"deviceIds": devices, "behaviorWhenCodeCannotBeShared": "CREATE_RANDOM_CODE"}}))
        .await;
    let p = &data(&r)["createLinkedAccessCodes"];
    let codes = p["accessCodes"].as_array().expect("codes");
    assert_eq!(codes.len(), 2);
    let lengths: Vec<usize> = codes
        .iter()
        .map(|c| c["code"].as_str().expect("pin").len())
        .collect();
    assert!(lengths.contains(&6) && lengths.contains(&4), "{lengths:?}");
    assert!(p["commonCodeKey"].is_string());
    assert_eq!(p["linkedCodeGroup"]["isCodeShared"], false);
    assert_eq!(p["linkedCodeGroup"]["code"], json!(null));
}

#[tokio::test]
async fn should_move_every_linked_code_with_update_linked_code_group() {
    let t = TestGateway::start().await;
    let r = t
        .gql(LINKED, json!({"input": {"deviceIds": ["august_device_1", "harness_lock_4to8", "schlage_device_id"],
                                      "startsAt": t.at(24), "endsAt": t.at(48)}}))
        .await;
    let key = data(&r)["createLinkedAccessCodes"]["commonCodeKey"]
        .as_str()
        .expect("key")
        .to_owned();
    let (starts, ends) = (t.at(20), t.at(60));
    let r = t
        .gql(
            "mutation($input: UpdateLinkedCodeGroupInput!) { updateLinkedCodeGroup(input: $input) {
                linkedCodeGroup { startsAt endsAt accessCodes { startsAt endsAt type } } } }",
            json!({"input": {"commonCodeKey": key, "startsAt": starts, "endsAt": ends}}),
        )
        .await;
    let group = &data(&r)["updateLinkedCodeGroup"]["linkedCodeGroup"];
    assert_eq!(
        group["startsAt"].as_str().expect("starts")[..19],
        starts[..19]
    );
    assert_eq!(group["endsAt"].as_str().expect("ends")[..19], ends[..19]);
    let codes = group["accessCodes"].as_array().expect("codes");
    assert_eq!(codes.len(), 3);
    assert!(codes
        .iter()
        .all(|c| c["startsAt"] == group["startsAt"] && c["endsAt"] == group["endsAt"]));
}

const UPDATE: &str = "mutation($input: UpdateAccessCodeInput!) { updateAccessCode(input: $input) {
    accessCode { id name code type startsAt endsAt } actionAttempt { actionType status } } }";

#[tokio::test]
async fn should_update_a_code_and_convert_it_both_ways() {
    let t = TestGateway::start().await;
    let r = t
        .gql("mutation { createAccessCode(input: {deviceId: \"august_device_1\", name: \"my ongoing code\", code: \"1234\"}) { accessCode { id } } }", json!({}))
        .await;
    let id = data(&r)["createAccessCode"]["accessCode"]["id"].clone();

    // The guide's update: name, code and a window in one go turns it time-bound.
    let (starts, ends) = (t.at(24), t.at(96));
    let r = t
        .gql(UPDATE, json!({"input": {"accessCodeId": id, "name": "my updated code name", "code": "5432", "startsAt": starts, "endsAt": ends}}))
        .await;
    let p = &data(&r)["updateAccessCode"];
    assert_eq!(p["actionAttempt"]["actionType"], "UPDATE_ACCESS_CODE");
    assert_eq!(p["accessCode"]["name"], "my updated code name");
    assert_eq!(p["accessCode"]["code"], "5432");
    assert_eq!(p["accessCode"]["type"], "TIME_BOUND");

    // A name-only change keeps the window (the gateway resends it).
    let r = t
        .gql(
            UPDATE,
            json!({"input": {"accessCodeId": id, "name": "renamed"}}),
        )
        .await;
    let c = &data(&r)["updateAccessCode"]["accessCode"];
    assert_eq!(c["type"], "TIME_BOUND");
    assert_eq!(c["startsAt"].as_str().expect("starts")[..19], starts[..19]);

    // Back to ongoing.
    let r = t
        .gql(
            UPDATE,
            json!({"input": {"accessCodeId": id, "type": "ONGOING"}}),
        )
        .await;
    let c = &data(&r)["updateAccessCode"]["accessCode"];
    assert_eq!(c["type"], "ONGOING");
    assert_eq!(c["startsAt"], json!(null));
    assert_eq!(c["endsAt"], json!(null));
}

#[tokio::test]
async fn should_delete_a_code_and_follow_its_action_attempt() {
    let t = TestGateway::start().await;
    let r = t
        .gql("mutation { createAccessCode(input: {deviceId: \"schlage_device_id\", name: \"temp\"}) { accessCode { id } } }", json!({}))
        .await;
    let id = data(&r)["createAccessCode"]["accessCode"]["id"].clone();
    let r = t
        .gql("mutation($id: ID!) { deleteAccessCode(input: {accessCodeId: $id}) { deletedAccessCodeId actionAttempt { id actionType status } } }", json!({"id": id}))
        .await;
    let p = &data(&r)["deleteAccessCode"];
    assert_eq!(p["deletedAccessCodeId"], id);
    assert_eq!(p["actionAttempt"]["actionType"], "DELETE_ACCESS_CODE");

    t.sandbox.advance(Duration::from_secs(5)).await;
    let r = t
        .gql(
            "query($a: ID!) { actionAttempt(id: $a) { status error { type } } }",
            json!({"a": p["actionAttempt"]["id"]}),
        )
        .await;
    assert_eq!(data(&r)["actionAttempt"]["status"], "SUCCESS");
    let r = t
        .gql(
            "query($id: ID!) { accessCode(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
}

#[tokio::test]
async fn should_list_devices_and_codes_as_connections() {
    let t = TestGateway::start().await;
    let r = t
        .gql(
            "{ devices(first: 3) { nodes { id } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    let page1 = &data(&r)["devices"];
    assert_eq!(page1["nodes"].as_array().map(Vec::len), Some(3));
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    let r = t
        .gql(
            "query($a: String) { devices(first: 3, after: $a) { nodes { id } } }",
            json!({"a": page1["pageInfo"]["endCursor"]}),
        )
        .await;
    let page2: Vec<_> = data(&r)["devices"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert_eq!(page2.len(), 3);
    assert!(
        page2
            .iter()
            .all(|d| !page1["nodes"].as_array().expect("p1").contains(d)),
        "pages overlap"
    );

    for pin in ["1111", "2222", "3333"] {
        t.gql(&format!("mutation {{ createAccessCode(input: {{deviceId: \"august_device_2\", code: \"{pin}\"}}) {{ accessCode {{ id }} }} }}"), json!({}))
            .await;
    }
    let r = t
        .gql("{ device(id: \"august_device_2\") { accessCodes(first: 2) { edges { cursor node { code } } pageInfo { hasNextPage } } } }", json!({}))
        .await;
    let codes = &data(&r)["device"]["accessCodes"];
    assert_eq!(codes["edges"].as_array().map(Vec::len), Some(2));
    assert_eq!(codes["pageInfo"]["hasNextPage"], true);
}
