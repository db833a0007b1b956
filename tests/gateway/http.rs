//! The HTTP surface besides GraphQL itself: GraphiQL, health, metrics.

use serde_json::json;

use crate::support::{data, router_for, start_sandbox, TestGateway};

#[tokio::test]
async fn should_serve_graphiql_health_and_metrics() {
    let t = TestGateway::start().await;
    let base = format!("http://{}", t.gateway.addr());
    let http = reqwest::Client::new();

    let page = http
        .get(format!("{base}/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("graphiql");
    assert!(page.status().is_success());
    let html = page.text().await.expect("html");
    assert!(
        html.contains("graphiql") || html.contains("GraphiQL"),
        "not a GraphiQL page"
    );

    let health: serde_json::Value = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health, json!({"status": "ok"}));

    data(
        &t.gql("{ device(id: \"august_device_1\") { id } }", json!({}))
            .await,
    );
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("seam_graphql_upstream_calls_total{path=\"/devices/list\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn should_answer_graphql_through_the_router_without_a_socket() {
    use tower::ServiceExt;
    let sandbox = start_sandbox().await;
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({ "query": "{ device(id: \"august_device_1\") { id } }" }).to_string(),
        ))
        .expect("request");
    let response = router_for(&sandbox).oneshot(request).await.expect("answer");
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(data(&body)["device"]["id"], "august_device_1");
}

#[tokio::test]
async fn should_be_ready_only_while_the_upstream_answers() {
    let t = TestGateway::start().await;
    let ready = reqwest::get(format!("http://{}/readyz", t.gateway.addr()))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["status"], "ready", "{body:#}");

    // Nothing listens on the upstream port: not ready, and the body says which part and why.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let gateway = crate::support::start_gateway(
        &crate::support::config(),
        seam_graphql::UpstreamTarget {
            base_url: dead,
            default_key: None,
        },
    )
    .await;
    let not_ready = reqwest::get(format!("http://{}/readyz", gateway.addr()))
        .await
        .expect("readyz");
    assert_eq!(not_ready.status(), 503);
    let body: serde_json::Value = not_ready.json().await.expect("json");
    assert_eq!(body["checks"]["upstream"]["ready"], false, "{body:#}");
    assert_eq!(body["checks"]["events"]["ready"], true, "{body:#}");
    assert!(body["checks"]["upstream"]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("connection refused")));
}
