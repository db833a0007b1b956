//! GraphQL over HTTP, as the clients frontend teams use send it: queries over GET, the response's
//! media type by `Accept`, the spec's status codes, CORS, automatic persisted queries, and the
//! graphql-http conformance audit.

use std::time::Duration;

use futures::future::join_all;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{config, error_codes, Fault, TestGateway, KEY_1};

mod audit;
mod persisted;

const DEVICE: &str = r#"query($d: ID!) { device(id: $d) { id } }"#;
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const DELETE: &str = r#"mutation { deleteAccessCode(input: {accessCodeId: "x"}) { deviceId } }"#;

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn url(t: &TestGateway) -> String {
    format!("http://{}/graphql", t.gateway.addr())
}

/// A GET of `/graphql` with these URL parameters.
fn get(t: &TestGateway, params: &[(&str, &str)]) -> RequestBuilder {
    reqwest::Client::new().get(url(t)).query(params)
}

fn post(t: &TestGateway, body: Value) -> RequestBuilder {
    reqwest::Client::new()
        .post(url(t))
        .header("content-type", "application/json")
        .body(body.to_string())
}

/// Status, `Content-Type` and the JSON body.
async fn answer(request: RequestBuilder) -> (u16, String, Value) {
    let response: Response = request.send().await.expect("gateway answers");
    let status = response.status().as_u16();
    let media = header(&response, "content-type");
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, media, body)
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn should_answer_in_the_media_type_the_client_accepts() {
    let t = TestGateway::start().await;
    let body = json!({ "query": "{ __typename }" });
    let (status, media, _) =
        answer(post(&t, body.clone()).header("accept", "application/json")).await;
    assert_eq!(
        (status, media.as_str()),
        (200, "application/json; charset=utf-8")
    );
    let (_, media, _) = answer(post(&t, body.clone())).await;
    assert!(media.starts_with("application/json"), "no Accept: {media}");
    let (_, media, _) = answer(post(&t, body.clone()).header("accept", GRAPHQL_RESPONSE)).await;
    assert!(media.starts_with(GRAPHQL_RESPONSE), "{media}");
    let (status, _, r) = answer(post(&t, body).header("accept", "text/plain")).await;
    assert_eq!(
        (status, error_codes(&r)),
        (406, vec!["NOT_ACCEPTABLE".to_owned()])
    );
}

#[tokio::test]
async fn should_run_a_query_sent_over_get() {
    let t = TestGateway::start().await;
    let (status, _, r) = answer(get(
        &t,
        &[
            ("query", DEVICE),
            ("variables", r#"{"d":"august_device_1"}"#),
            ("operationName", ""),
            ("extensions", "{}"),
        ],
    ))
    .await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["data"]["device"]["id"], "august_device_1", "{r:#}");
}

#[tokio::test]
async fn should_refuse_mutations_and_subscriptions_over_get() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let response = get(&t, &[("query", DELETE)]).send().await.expect("answers");
    assert_eq!(response.status(), 405);
    assert_eq!(header(&response, "allow"), "POST");
    let r: Value = response.json().await.expect("json");
    assert_eq!(error_codes(&r), ["METHOD_NOT_ALLOWED"], "{r:#}");
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());

    let sub = "subscription { accessCodeStatusChanged(deviceId: \"august_device_1\") { status } }";
    let (status, _, r) = answer(get(&t, &[("query", sub)])).await;
    assert_eq!(
        (status, error_codes(&r)),
        (400, vec!["BAD_REQUEST".to_owned()]),
        "{r:#}"
    );
}

#[tokio::test]
async fn should_answer_request_errors_with_400_and_no_data_under_graphql_response_json() {
    let t = TestGateway::start().await;
    let cases = [
        json!({ "query": "{" }),
        json!({ "query": "{ noSuchField }" }),
        json!({ "query": DEVICE, "variables": { "d": null } }),
    ];
    for body in cases {
        let (status, _, r) =
            answer(post(&t, body.clone()).header("accept", GRAPHQL_RESPONSE)).await;
        assert_eq!(status, 400, "{body}: {r:#}");
        assert!(r.get("data").is_none(), "{body}: {r:#}");
        assert!(!error_codes(&r).is_empty(), "{r:#}");
        let (status, _, _) =
            answer(post(&t, body.clone()).header("accept", "application/json")).await;
        assert_eq!(status, 200, "{body} as application/json");
    }
}

#[tokio::test]
async fn should_refuse_a_post_without_a_json_content_type_even_with_a_key() {
    let t = TestGateway::start().await;
    let body = json!({ "query": "{ __typename }" }).to_string();
    for content_type in [None, Some("text/plain")] {
        let mut request = reqwest::Client::new()
            .post(url(&t))
            .bearer_auth(KEY_1)
            .body(body.clone());
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let (status, _, r) = answer(request).await;
        assert_eq!(status, 415, "{content_type:?}: {r:#}");
        assert_eq!(error_codes(&r), ["BAD_REQUEST"]);
    }
}

#[tokio::test]
async fn should_serve_graphiql_only_to_a_browser_asking_for_a_page() {
    let t = TestGateway::start().await;
    let page = get(&t, &[])
        .header("accept", "text/html")
        .send()
        .await
        .expect("page");
    assert!(header(&page, "content-type").starts_with("text/html"));
    let (status, _, r) = answer(get(&t, &[])).await;
    assert_eq!(
        (status, error_codes(&r)),
        (400, vec!["BAD_REQUEST".to_owned()]),
        "{r:#}"
    );
    let (status, _, r) = answer(
        get(&t, &[("query", "{ __typename }")])
            .header("accept", "text/html,application/json;q=0.9"),
    )
    .await;
    assert_eq!(
        (status, &r["data"]["__typename"]),
        (200, &json!("Query")),
        "{r:#}"
    );
}

#[tokio::test]
async fn should_apply_the_key_and_origin_rules_to_get() {
    let t = TestGateway::start().await;
    let query = [("query", "{ __typename }")];
    let (status, _, r) = answer(get(&t, &query).header("origin", "https://evil.example")).await;
    assert_eq!(
        (status, error_codes(&r)),
        (403, vec!["FORBIDDEN".to_owned()]),
        "{r:#}"
    );
    let (status, _, r) = answer(get(&t, &query).header("sec-fetch-site", "cross-site")).await;
    assert_eq!(status, 403, "a cross-site GET without Origin: {r:#}");
    let (status, _, r) = answer(get(&t, &query).header("authorization", "Basic abc")).await;
    assert_eq!(error_codes(&r), ["UNAUTHENTICATED"], "{status}: {r:#}");
    assert!(r["errors"][0].get("locations").is_none(), "{r:#}");
}

#[tokio::test]
async fn should_hold_get_to_the_tenant_in_flight_limit() {
    let mut c = config();
    c.tenant_max_in_flight = 1;
    let (t, proxy) = TestGateway::behind_faults(c).await;
    proxy.set(Fault::Latency(Duration::from_millis(300)));
    let params = [
        ("query", DEVICE),
        ("variables", r#"{"d":"august_device_1"}"#),
    ];
    let answers = join_all((0..4).map(|_| get(&t, &params).bearer_auth(KEY_1).send())).await;
    let limited: Vec<&Response> = answers
        .iter()
        .map(|a| a.as_ref().expect("answers"))
        .filter(|a| a.status() == 429)
        .collect();
    assert!(!limited.is_empty(), "four GETs at once, one slot");
    assert!(limited.iter().all(|a| header(a, "retry-after") == "1"));
}

#[tokio::test]
async fn should_answer_cors_preflights_for_listed_origins_only() {
    let mut c = config();
    c.cors_allow_origin = vec!["https://app.example.com".into()];
    let t = TestGateway::start_with(c).await;
    let preflight = |origin: &str| {
        reqwest::Client::new()
            .request(Method::OPTIONS, url(&t))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization",
            )
            .send()
    };
    let ok = preflight("https://app.example.com")
        .await
        .expect("preflight");
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(
        header(&ok, "access-control-allow-origin"),
        "https://app.example.com"
    );
    assert_eq!(header(&ok, "access-control-allow-credentials"), "true");
    assert!(header(&ok, "access-control-allow-headers").contains("authorization"));
    let other = preflight("https://evil.example").await.expect("preflight");
    assert_eq!(header(&other, "access-control-allow-origin"), "");

    // A listed origin may also use the server's key.
    let (status, _, r) = answer(
        post(&t, json!({ "query": "{ __typename }" })).header("origin", "https://app.example.com"),
    )
    .await;
    assert_eq!(status, 200, "{r:#}");
}
