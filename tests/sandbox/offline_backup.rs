//! Offline codes, the backup pool and `generate_code`, written from the contract.

use serde_json::json;

use crate::{error_type, Env};

#[tokio::test]
async fn should_create_offline_codes_with_the_window_rounded_outward() {
    let env = Env::new().await;
    let daily = env
        .create(
            json!({ "device_id": "ws1_lock_offline_only", "is_offline_access_code": true,
            "is_one_time_use": true, "max_time_rounding": "1d",
            "starts_at": "2030-03-04T10:20:00Z", "ends_at": "2030-03-05T08:00:00Z" }),
        )
        .await;
    assert_eq!(daily["is_offline_access_code"], true);
    assert_eq!(daily["is_one_time_use"], true);
    assert_eq!(daily["starts_at"], "2030-03-04T00:00:00.000Z");
    assert_eq!(daily["ends_at"], "2030-03-06T00:00:00.000Z");
    let hourly = env
        .create(
            json!({ "device_id": "ws1_lock_online_offline", "is_offline_access_code": true,
            "starts_at": "2030-03-04T10:20:00Z", "ends_at": "2030-03-04T12:00:00Z" }),
        )
        .await;
    assert_eq!(
        hourly["starts_at"], "2030-03-04T10:00:00.000Z",
        "1hour by default"
    );
    assert_eq!(hourly["ends_at"], "2030-03-04T12:00:00.000Z");
}

#[tokio::test]
async fn must_refuse_offline_codes_against_the_rules() {
    let env = Env::new().await;
    let window = json!({ "starts_at": "2030-03-04T10:00:00Z", "ends_at": "2030-03-04T12:00:00Z" });
    let with = |extra: serde_json::Value| {
        let mut body = window.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (
            json!({ "device_id": "ws1_lock_offline_only", "is_offline_access_code": true }),
            400,
            "invalid_input",
        ),
        (
            with(
                json!({ "device_id": "ws1_lock_offline_only", "is_offline_access_code": true, "code": "1234567" }),
            ),
            400,
            "invalid_input",
        ),
        (
            with(json!({ "device_id": "august_device_1", "max_time_rounding": "1h" })),
            400,
            "invalid_input",
        ),
        (
            with(
                json!({ "device_id": "ws1_lock_offline_only", "is_offline_access_code": true, "max_time_rounding": "2d" }),
            ),
            400,
            "invalid_input",
        ),
        (
            with(json!({ "device_id": "august_device_1", "is_offline_access_code": true })),
            400,
            "device_cannot_program_offline_access_codes",
        ),
        (
            with(json!({ "device_id": "ws1_lock_offline_only" })),
            400,
            "device_cannot_program_online_access_codes",
        ),
        (
            with(json!({ "device_id": "august_device_1", "use_backup_access_code_pool": true })),
            400,
            "backup_access_code_pool_not_supported",
        ),
    ];
    for (body, status, kind) in cases {
        let res = env.post("/access_codes/create", body.clone()).await;
        assert_eq!(
            (res.status, error_type(&res)),
            (status, kind),
            "{body}: {}",
            res.body
        );
    }
}

#[tokio::test]
async fn should_pull_a_backup_code_once() {
    let env = Env::new().await;
    let code = env
        .create(
            json!({ "device_id": "ws1_lock_online_offline", "use_backup_access_code_pool": true,
            "starts_at": env.at(3600), "ends_at": env.at(7200) }),
        )
        .await;
    assert_eq!(code["is_backup_access_code_available"], true);
    let id = code["access_code_id"].as_str().unwrap();
    let pulled = env
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(pulled.status, 200, "{}", pulled.body);
    let backup = &pulled.body["backup_access_code"];
    assert_eq!(backup["status"], "set");
    assert_eq!(backup["is_backup"], true);
    assert_eq!(backup["ends_at"], code["ends_at"]);
    assert_eq!(
        pulled.body["access_code"]["pulled_backup_access_code_id"],
        backup["access_code_id"]
    );
    assert_eq!(
        pulled.body["access_code"]["is_backup_access_code_available"],
        false
    );
    let again = env
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": id }),
        )
        .await;
    assert_eq!(
        again.body["backup_access_code"]["access_code_id"], backup["access_code_id"],
        "the same backup"
    );
    assert!(env
        .event_types_for(id)
        .await
        .contains(&"access_code.backup_access_code_pulled".to_string()));

    let ongoing = env
        .create(json!({ "device_id": "ws1_lock_online_offline" }))
        .await;
    let res = env
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": ongoing["access_code_id"] }),
        )
        .await;
    assert_eq!(res.status, 400);
    let res = env
        .post(
            "/access_codes/pull_backup_access_code",
            json!({ "access_code_id": "nope" }),
        )
        .await;
    assert_eq!(
        (res.status, error_type(&res)),
        (404, "access_code_not_found")
    );
}

#[tokio::test]
async fn should_generate_codes_that_fit_the_device() {
    let env = Env::new().await;
    for _ in 0..20 {
        let res = env
            .post(
                "/access_codes/generate_code",
                json!({ "device_id": "harness_lock_6digit" }),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let code = res.body["generated_code"]["code"].as_str().unwrap();
        assert_eq!(code.len(), 6);
        assert!(!code.contains('0'));
        assert_eq!(
            res.body["generated_code"]["device_id"],
            "harness_lock_6digit"
        );
    }
    let res = env
        .post(
            "/access_codes/generate_code",
            json!({ "device_id": "ws2_front_door" }),
        )
        .await;
    assert_eq!((res.status, error_type(&res)), (404, "device_not_found"));
    let res = env.post("/access_codes/generate_code", json!({})).await;
    assert_eq!((res.status, error_type(&res)), (400, "invalid_input"));
}
