//! The HTTP surface besides GraphQL itself: GraphiQL, health, metrics.

use serde_json::json;

use crate::support::{data, TestGateway};

#[tokio::test]
async fn should_serve_graphiql_health_and_metrics() {
    let t = TestGateway::start().await;
    let base = format!("http://{}", t.gateway.addr());
    let http = reqwest::Client::new();

    let page = http
        .get(format!("{base}/graphql"))
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
