//! Every error code through `/graphql`, and proof that invalid input makes no upstream call.

use std::time::Duration;

use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::support::{config, data, error_codes, post_graphql, start_gateway, TestGateway, KEY_2};
use seam_graphql::UpstreamTarget;

/// `{ device(id: "x") { id } }` against a stand-alone gateway, with no Authorization header.
async fn ask_for_a_device(gateway: &seam_graphql::RunningGateway) -> Value {
    let url = format!("http://{}/graphql", gateway.addr());
    post_graphql(
        &reqwest::Client::new(),
        &url,
        None,
        "{ device(id: \"x\") { id } }",
        json!({}),
    )
    .await
}

const CREATE: &str = "mutation($input: CreateAccessCodeInput!) { createAccessCode(input: $input) { accessCode { id } } }";

async fn assert_refused_without_upstream(
    t: &TestGateway,
    query: &str,
    variables: Value,
    code: &str,
) -> Value {
    t.sandbox.reset_calls();
    let r = t.gql(query, variables).await;
    assert_eq!(error_codes(&r), [code], "{r:#}");
    assert!(
        t.upstream().values().all(|n| *n == 0),
        "upstream was called: {:?}",
        t.upstream()
    );
    r
}

#[tokio::test]
async fn should_reject_bad_input_before_any_upstream_call() {
    let t = TestGateway::start().await;
    let bad_inputs = [
        json!({"deviceId": "august_device_1", "code": "12a4"}),
        json!({"deviceId": "august_device_1", "code": "12"}),
        json!({"deviceId": "august_device_1", "startsAt": t.at(5)}),
        json!({"deviceId": "august_device_1", "startsAt": t.at(5), "endsAt": t.at(2)}),
        json!({"deviceId": "august_device_1", "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2020-01-02T00:00:00Z"}),
        json!({"deviceId": "august_device_1", "code": "1234", "preferredCodeLength": 4}),
        json!({"deviceId": "", "name": "x"}),
        json!({"deviceId": "august_device_1", "name": "   "}),
    ];
    for input in bad_inputs {
        let r =
            assert_refused_without_upstream(&t, CREATE, json!({"input": input}), "BAD_USER_INPUT")
                .await;
        let message = r["errors"][0]["message"].as_str().expect("message");
        assert!(!message.contains("12a4"), "a PIN is echoed: {message}");
    }
    // Scalars and lists are checked by the schema itself, with the same code.
    assert_refused_without_upstream(&t, CREATE, json!({"input": {"deviceId": "august_device_1", "startsAt": "tomorrow-ish", "endsAt": t.at(5)}}), "BAD_USER_INPUT").await;
    assert_refused_without_upstream(
        &t,
        "{ devices(first: 0) { nodes { id } } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_refused_without_upstream(
        &t,
        "{ accessCodes { nodes { id } } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_refused_without_upstream(
        &t,
        "{ devices(after: \"nonsense\") { nodes { id } } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_refused_without_upstream(
        &t,
        "mutation { createLinkedAccessCodes(input: {deviceIds: []}) { commonCodeKey } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_refused_without_upstream(
        &t,
        "mutation { updateLinkedCodeGroup(input: {commonCodeKey: \"k\"}) { linkedCodeGroup { code } } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
}

#[tokio::test]
async fn should_check_the_pin_against_the_device_before_create() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let r = t
        .gql(
            CREATE,
            json!({"input": {"deviceId": "harness_lock_6digit", "code": "1234"}}),
        )
        .await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("6 digits"),
        "{r:#}"
    );
    assert_eq!(t.upstream_count("/access_codes/create"), 0);
}

#[tokio::test]
async fn should_report_unauthenticated() {
    let t = TestGateway::start().await;
    let r = t
        .gql_with(
            Some("Bearer not_a_key"),
            "{ device(id: \"august_device_1\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["UNAUTHENTICATED"]);
    t.sandbox.reset_calls();
    let r = t
        .gql_with(
            Some("Basic abc"),
            "{ device(id: \"august_device_1\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["UNAUTHENTICATED"]);
    assert!(t.upstream().values().all(|n| *n == 0));

    // A gateway with no default key refuses requests without a key, before calling Seam.
    let upstream = UpstreamTarget {
        base_url: t.sandbox.base_url(),
        default_key: None,
    };
    let keyless = start_gateway(&config(), upstream).await;
    let r = ask_for_a_device(&keyless).await;
    assert_eq!(error_codes(&r), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn should_report_not_found_for_unknown_and_foreign_ids() {
    let t = TestGateway::start().await;
    for id in ["no_such_device", "ws2_front_door"] {
        let r = t
            .gql(
                "query($id: ID!) { device(id: $id) { id } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(error_codes(&r), ["NOT_FOUND"], "{id}");
        assert_eq!(r["data"]["device"], json!(null));
    }
    let r = t
        .gql("{ accessCode(id: \"nope\") { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    let r = t
        .gql(
            "{ linkedCodeGroup(commonCodeKey: \"auto_set_by_create_multiple_nope\") { code } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    let r = t
        .gql("{ actionAttempt(id: \"nope\") { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    let r = t
        .gql(CREATE, json!({"input": {"deviceId": "ws2_front_door"}}))
        .await;
    assert_eq!(error_codes(&r), ["NOT_FOUND"]);
    // The other workspace's key sees its own lock.
    let r = t
        .gql_with(
            Some(&format!("Bearer {KEY_2}")),
            "{ device(id: \"ws2_front_door\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&r)["device"]["id"], "ws2_front_door");
}

#[tokio::test]
async fn should_report_upstream_unavailable_during_an_outage_and_for_a_dead_upstream() {
    let t = TestGateway::start().await;
    t.sandbox.set_outage(true);
    let r = t
        .gql("{ device(id: \"august_device_1\") { id } }", json!({}))
        .await;
    assert_eq!(error_codes(&r), ["UPSTREAM_UNAVAILABLE"]);
    t.sandbox.set_outage(false);

    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let g = start_gateway(
        &config(),
        UpstreamTarget {
            base_url: dead,
            default_key: Some("k".into()),
        },
    )
    .await;
    let r = ask_for_a_device(&g).await;
    assert_eq!(error_codes(&r), ["UPSTREAM_UNAVAILABLE"]);
}

#[tokio::test]
async fn should_report_upstream_timeout() {
    // Accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", silent.local_addr().expect("addr"));
    let _hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let mut cfg = config();
    cfg.upstream_timeout_ms = 300;
    let g = start_gateway(
        &cfg,
        UpstreamTarget {
            base_url,
            default_key: Some("k".into()),
        },
    )
    .await;
    let started = std::time::Instant::now();
    let r = ask_for_a_device(&g).await;
    assert_eq!(error_codes(&r), ["UPSTREAM_TIMEOUT"]);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn should_report_upstream_error_with_the_upstream_type() {
    // An upstream that fails every call with Seam's envelope.
    let app = Router::new().fallback(post(|| async {
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            [("seam-request-id", "request9")],
            axum::Json(
                json!({"error": {"type": "internal_server_error", "message": "boom"}, "ok": false}),
            ),
        )
    }));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let g = start_gateway(
        &config(),
        UpstreamTarget {
            base_url,
            default_key: Some("k".into()),
        },
    )
    .await;
    let r = ask_for_a_device(&g).await;
    assert_eq!(error_codes(&r), ["UPSTREAM_ERROR"]);
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["upstreamType"], "internal_server_error");
    assert_eq!(ext["upstreamStatus"], 500);
    assert_eq!(ext["upstreamRequestId"], "request9");
}

#[tokio::test]
async fn should_map_a_duplicate_pin_to_bad_user_input_without_echoing_it() {
    let t = TestGateway::start().await;
    let input = json!({"input": {"deviceId": "august_device_1", "code": "4321", "name": "dup"}});
    data(&t.gql(CREATE, input.clone()).await);
    let r = t.gql(CREATE, input).await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
    assert_eq!(
        r["errors"][0]["extensions"]["upstreamType"],
        "duplicate_access_code"
    );
    // Random ids are hex and may hold the PIN's digits by chance (a request id once read
    // `…-4321-…`): the check covers everything else in the response.
    let mut without_ids = r.clone();
    let extensions = without_ids["errors"][0]["extensions"]
        .as_object_mut()
        .expect("extensions");
    for id in ["requestId", "upstreamRequestId"] {
        assert!(extensions.remove(id).is_some(), "{id}: {r}");
    }
    assert!(
        !without_ids.to_string().contains("4321"),
        "the PIN leaked into the error: {r}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_bound_calls_with_keys_seam_has_not_accepted_and_answer_a_rejected_one_itself() {
    const DEVICE: &str = "{ device(id: \"ws2_front_door\") { id } }";
    // Not cached, so the accepted key's request calls Seam during the flood.
    const CODES: &str = "{ accessCodes(deviceId: \"ws2_front_door\") { nodes { id } } }";
    let mut config = config();
    config.unproven_key_max_in_flight = 2;
    let (t, proxy) = TestGateway::behind_faults(config).await;
    // KEY_2 is accepted before the flood: Seam answered it.
    data(&t.gql_as(KEY_2, DEVICE, json!({})).await);
    proxy.set(crate::support::Fault::Latency(Duration::from_millis(300)));
    proxy.reset_counts();

    // Six made-up keys at once: two calls find out (401), four are refused before any call.
    let t = &t;
    let made_up = (0..6).map(|i| async move {
        t.gql_as(&format!("seam_made_up_{i}"), DEVICE, json!({}))
            .await
    });
    let (made_up, accepted) = tokio::join!(
        futures::future::join_all(made_up),
        t.gql_as(KEY_2, CODES, json!({}))
    );
    let mut codes: Vec<String> = made_up.iter().flat_map(error_codes).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "RATE_LIMITED",
            "RATE_LIMITED",
            "RATE_LIMITED",
            "RATE_LIMITED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED"
        ]
    );
    let refused = made_up
        .iter()
        .find(|r| error_codes(r) == ["RATE_LIMITED"])
        .expect("a refusal");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--unproven-key-max-in-flight")),
        "{refused}"
    );
    // The accepted key called Seam without waiting for a place.
    assert!(data(&accepted)["accessCodes"]["nodes"].is_array());
    assert_eq!(proxy.seen_total(), 3, "{:?}", proxy.seen_by_path());

    // A key Seam just rejected is answered again without a call.
    proxy.clear();
    proxy.reset_counts();
    let rejected = made_up
        .iter()
        .position(|r| error_codes(r) == ["UNAUTHENTICATED"])
        .expect("a rejected key");
    let again = t
        .gql_as(&format!("seam_made_up_{rejected}"), DEVICE, json!({}))
        .await;
    assert_eq!(error_codes(&again), ["UNAUTHENTICATED"]);
    assert_eq!(proxy.seen_total(), 0);
}

/// Errors of a response, as a client compares them: all but the request id, new on each.
fn errors_of(body: &Value) -> Value {
    let mut errors = body.get("errors").cloned().unwrap_or(Value::Null);
    for error in errors.as_array_mut().into_iter().flatten() {
        if let Some(extensions) = error["extensions"].as_object_mut() {
            extensions.remove("requestId");
        }
    }
    errors
}

#[tokio::test]
async fn should_reuse_a_documents_validation_yet_refuse_bad_variables_exactly_as_before() {
    let t = TestGateway::start().await;
    let url = format!("http://{}/graphql", t.gateway.addr());
    let http = reqwest::Client::new();
    let query = "query($id: ID!){ device(id: $id){ id } }";
    let bad = [
        json!({ "id": 5.5 }),
        json!({}),
        json!({ "id": null }),
        json!({ "id": ["august_device_1"] }),
    ];
    let mut first = Vec::new();
    for variables in &bad {
        let body = post_graphql(&http, &url, None, query, variables.clone()).await;
        assert!(body.get("errors").is_some(), "{variables}: {body}");
        first.push(errors_of(&body));
    }
    // Validated in full once, then reused for another id.
    for id in ["august_device_1", "august_device_2"] {
        let body = post_graphql(&http, &url, None, query, json!({ "id": id })).await;
        assert_eq!(data(&body)["device"]["id"], id, "{body}");
    }
    // The document is known now; values that do not plainly fit are still validated in full.
    for (variables, before) in bad.iter().zip(&first) {
        let body = post_graphql(&http, &url, None, query, variables.clone()).await;
        assert_eq!(errors_of(&body), *before, "{variables}");
    }
    assert_eq!(
        t.metric(r#"seam_graphql_validations_total{result="full"}"#)
            .await,
        9.0
    );
    assert_eq!(
        t.metric(r#"seam_graphql_validations_total{result="reused"}"#)
            .await,
        1.0
    );
}
