//! Backup access codes: `useBackupAccessCodePool` on create, `isBackupAccessCodeAvailable` on the
//! code, and `pullBackupAccessCode`.

use serde_json::json;

use crate::support::{data, error_codes, TestGateway};

const CREATE: &str = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) {
    accessCode { id code isBackupAccessCodeAvailable } } }";
const PULL: &str = "mutation($id: ID!) { pullBackupAccessCode(input: {accessCodeId: $id}) {
    accessCode { id isBackupAccessCodeAvailable pulledBackupAccessCodeId }
    backupAccessCode { id code status deviceId endsAt } } }";

async fn create_backed_code(t: &TestGateway) -> (String, String, String) {
    let ends = t.at(48);
    let r = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "ws1_lock_online_offline", "name": "guest", "startsAt": t.at(1), "endsAt": ends, "useBackupAccessCodePool": true}}),
        )
        .await;
    let code = &data(&r)["createAccessCode"]["accessCode"];
    assert_eq!(code["isBackupAccessCodeAvailable"], true, "{code}");
    (
        code["id"].as_str().expect("id").to_owned(),
        code["code"].as_str().expect("pin").to_owned(),
        ends,
    )
}

#[tokio::test]
async fn should_pull_a_backup_code_for_a_time_bound_code() {
    let t = TestGateway::start().await;
    let (id, pin, ends) = create_backed_code(&t).await;
    let r = t.gql(PULL, json!({"id": id})).await;
    let pulled = &data(&r)["pullBackupAccessCode"];
    let backup = &pulled["backupAccessCode"];
    assert_ne!(backup["id"], json!(id));
    assert_ne!(
        backup["code"],
        json!(pin),
        "the backup has a PIN of its own"
    );
    assert_eq!(backup["status"], "SET", "pool codes work at once");
    assert_eq!(backup["deviceId"], "ws1_lock_online_offline");
    assert_eq!(backup["endsAt"].as_str().expect("ends")[..19], ends[..19]);
    assert_eq!(
        pulled["accessCode"]["pulledBackupAccessCodeId"],
        backup["id"]
    );
    assert_eq!(pulled["accessCode"]["isBackupAccessCodeAvailable"], false);
    let r = t
        .gql(
            "query($id: ID!) { accessCode(id: $id) { pulledBackupAccessCodeId } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        data(&r)["accessCode"]["pulledBackupAccessCodeId"],
        backup["id"]
    );
}

#[tokio::test]
async fn must_refuse_the_backup_pool_where_it_does_not_apply() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let ongoing = t
        .gql(CREATE, json!({"input": {"deviceId": "ws1_lock_online_offline", "useBackupAccessCodePool": true}}))
        .await;
    assert_eq!(error_codes(&ongoing), ["BAD_USER_INPUT"]);
    assert_eq!(t.upstream(), Default::default(), "refused before any call");
    let no_pool = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "august_device_1", "startsAt": t.at(1), "endsAt": t.at(5), "useBackupAccessCodePool": true}}),
        )
        .await;
    assert_eq!(error_codes(&no_pool), ["CAPABILITY_MISSING"]);
    assert_eq!(t.upstream_count("/access_codes/create"), 0);
}

#[tokio::test]
async fn must_refuse_to_pull_a_backup_that_is_not_there() {
    let t = TestGateway::start().await;
    let plain = t
        .create_code(crate::support::KEY_1, "august_device_1", "no pool")
        .await;
    t.sandbox.reset_calls();
    let r = t.gql(PULL, json!({"id": plain})).await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"], "{r}");
    assert_eq!(t.upstream_count("/access_codes/pull_backup_access_code"), 0);
    let r = t.gql(PULL, json!({"id": "no_such_code"})).await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    let r = t.gql(PULL, json!({"id": " "})).await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
}
