//! Hostile queries: whatever their shape, a request costs at most the upstream budget, and one
//! over it is refused before the first Seam call.

use serde_json::{json, Value};

use crate::support::{config, data, error_codes, TestGateway, KEY_1};

/// Runs `query` and asserts it was refused with `code` and made no upstream call at all.
async fn assert_refused_upstream_free(t: &TestGateway, query: &str, variables: Value, code: &str) {
    t.sandbox.reset_calls();
    let r = t.gql(query, variables).await;
    assert_eq!(error_codes(&r), [code], "{r:#}");
    assert!(
        t.upstream().values().all(|n| *n == 0),
        "upstream was called: {:?}",
        t.upstream()
    );
}

const NESTED: &str = r#"{device(id:"harness_lock_4to8"){accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{id}}}}}}}}}}"#;

#[tokio::test]
async fn should_refuse_a_nested_fan_out_before_any_upstream_call() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let r = t.gql(NESTED, json!({})).await;
    assert_eq!(error_codes(&r), ["COST_LIMIT_EXCEEDED"], "{r:#}");
    assert_eq!(r["errors"][0]["extensions"]["cost"], 3723, "{r:#}");
    assert_eq!(r["errors"][0]["extensions"]["budget"], 50, "{r:#}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("3723"));
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());
}

#[tokio::test]
async fn should_run_the_same_shape_within_the_budget() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    // 1 device + 1 page + 1 device batch + 5 pages = 8 calls at most.
    let r = t
        .gql(
            r#"{device(id:"harness_lock_4to8"){accessCodes(first:5){nodes{device{accessCodes(first:5){nodes{id}}}}}}}"#,
            json!({}),
        )
        .await;
    data(&r);
    let calls: u64 = t.upstream().values().sum();
    assert!(calls <= 8, "{:?}", t.upstream());
}

#[tokio::test]
async fn should_honour_a_configured_budget() {
    let mut c = config();
    c.max_upstream_calls = 2;
    let t = TestGateway::start_with(c).await;
    let three = r#"{ a: actionAttempt(id:"x"){id} b: actionAttempt(id:"y"){id} c: actionAttempt(id:"z"){id} }"#;
    assert_refused_upstream_free(&t, three, json!({}), "COST_LIMIT_EXCEEDED").await;
}

/// A delete reads the code first (for the device whose cached state it drops), then deletes it:
/// it is charged both calls, so two deletes do not fit a budget of two.
#[tokio::test]
async fn should_charge_a_delete_for_the_read_it_makes_before_deleting() {
    let mut c = config();
    c.max_upstream_calls = 2;
    let t = TestGateway::start_with(c).await;
    let a = t.create_code(KEY_1, "august_device_1", "A").await;
    let b = t.create_code(KEY_1, "august_device_1", "B").await;
    let two = "mutation($a: ID!, $b: ID!) {
        a: deleteAccessCode(input: {accessCodeId: $a}) { __typename }
        b: deleteAccessCode(input: {accessCodeId: $b}) { __typename }
    }";
    assert_refused_upstream_free(&t, two, json!({ "a": a, "b": b }), "COST_LIMIT_EXCEEDED").await;
    // One fits, and makes exactly the calls it is charged.
    t.sandbox.reset_calls();
    t.delete_code(KEY_1, &a).await;
    let calls: u64 = t.upstream().values().sum();
    assert_eq!(calls, 2, "{:?}", t.upstream());
}

#[tokio::test]
async fn should_not_let_a_small_cursor_multiply_calls() {
    let t = TestGateway::start().await;
    let first = t
        .gql(
            r#"{ devices(first: 1) { pageInfo { endCursor } } }"#,
            json!({}),
        )
        .await;
    let cursor = data(&first)["devices"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let reuse = "query($c: String) { devices(first: 500, after: $c) { nodes { id } } }";
    assert_refused_upstream_free(&t, reuse, json!({ "c": cursor }), "COST_LIMIT_EXCEEDED").await;
    let aliases: String = (0..40)
        .map(|i| format!("d{i}: devices(first: 500, after: $c) {{ nodes {{ id }} }} "))
        .collect();
    let aliased = format!("query($c: String) {{ {aliases} }}");
    assert_refused_upstream_free(&t, &aliased, json!({ "c": cursor }), "COST_LIMIT_EXCEEDED").await;
    // The same cursor with a page size it can serve in a few calls works.
    let r = t
        .gql(
            "query($c: String) { devices(first: 3, after: $c) { nodes { id } } }",
            json!({ "c": cursor }),
        )
        .await;
    assert_eq!(data(&r)["devices"]["nodes"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn should_refuse_aliased_fan_outs() {
    let t = TestGateway::start().await;
    let attempts: String = (0..1000)
        .map(|i| format!(r#"a{i}: actionAttempt(id: "x{i}") {{ id }} "#))
        .collect();
    assert_refused_upstream_free(
        &t,
        &format!("{{ {attempts} }}"),
        json!({}),
        "COST_LIMIT_EXCEEDED",
    )
    .await;
    let lists: String = (0..500)
        .map(|i| format!("d{i}: devices(first: 1) {{ nodes {{ id }} }} "))
        .collect();
    assert_refused_upstream_free(
        &t,
        &format!("{{ {lists} }}"),
        json!({}),
        "COST_LIMIT_EXCEEDED",
    )
    .await;
}

#[tokio::test]
async fn should_refuse_a_forged_cursor_page_size() {
    use base64::Engine;
    let t = TestGateway::start().await;
    let forged =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"c":null,"o":0,"l":1000000}"#);
    let query = "query($c: String) { devices(first: 5, after: $c) { nodes { id } } }";
    assert_refused_upstream_free(&t, query, json!({ "c": forged }), "BAD_USER_INPUT").await;
}

/// A repeated document's estimate is kept only when no variable went into it: the same text with
/// a larger `first` is still refused, and a document whose estimate is kept is charged the same.
#[tokio::test]
async fn should_estimate_a_repeated_document_again_when_its_variables_set_the_cost() {
    let t = TestGateway::start().await;
    let paged = r#"query($n: Int) { device(id: "harness_lock_4to8") {
        accessCodes(first: $n) { nodes { device { accessCodes(first: 5) { nodes { id } } } } } } }"#;
    // 1 device + 1 page + 1 device batch + n pages: within the budget of 50, twice (the second
    // time the validation is reused).
    for _ in 0..2 {
        data(&t.gql(paged, json!({ "n": 5 })).await);
    }
    // 1 + 1 + 1 + 60 pages.
    t.sandbox.reset_calls();
    let r = t.gql(paged, json!({ "n": 60 })).await;
    assert_eq!(error_codes(&r), ["COST_LIMIT_EXCEEDED"], "{r:#}");
    assert_eq!(r["errors"][0]["extensions"]["cost"], 63, "{r:#}");
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());

    // No variable in the estimate: the third request reads it from the first, and it is the same.
    let fixed = r#"query($id: ID!) { a: device(id: $id) { id } b: actionAttempt(id: "x") { id } }"#;
    let mut c = config();
    c.max_upstream_calls = 1;
    let t = TestGateway::start_with(c).await;
    for _ in 0..3 {
        t.sandbox.reset_calls();
        let r = t.gql(fixed, json!({ "id": "august_device_1" })).await;
        assert_eq!(error_codes(&r), ["COST_LIMIT_EXCEEDED"], "{r:#}");
        assert_eq!(r["errors"][0]["extensions"]["cost"], 2, "{r:#}");
        assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());
    }
}
