//! The cost model, read off refusals of a schema whose budget is 0.

use async_graphql::{Request, Schema};
use serde_json::json;

use super::*;
use crate::schema::hooks::GatewayHooks;
use crate::schema::{mutation::MutationRoot, query::QueryRoot, subscription::SubscriptionRoot};

/// The estimate, read off the refusal of a schema whose budget is 0 (0 when nothing is refused).
async fn estimate(query: &str, variables: serde_json::Value) -> u64 {
    estimate_operation(query, variables, None).await
}

/// The same, for the operation the request names.
async fn estimate_operation(
    query: &str,
    variables: serde_json::Value,
    operation: Option<&str>,
) -> u64 {
    let schema = Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        .extension(GatewayHooks::new(Default::default(), 0))
        .finish();
    let mut request = Request::new(query).variables(Variables::from_json(variables));
    if let Some(name) = operation {
        request = request.operation_name(name);
    }
    let response = schema.execute(request).await;
    let Some(error) = response.errors.first() else {
        return 0;
    };
    match error.extensions.as_ref().and_then(|e| e.get("cost")) {
        Some(Value::Number(n)) => n.as_u64().expect("cost"),
        _ => 0,
    }
}

#[tokio::test]
async fn should_count_nested_connections_per_item() {
    let nested = r#"{device(id:"d"){accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{id}}}}}}}}}}"#;
    // device 1 + its connection 1 + 60 devices in one batch 1 + 60 connections
    // + 3,600 devices in 60 batches + 3,600 connections.
    assert_eq!(
        estimate(nested, json!({})).await,
        1 + 1 + 1 + 60 + 60 + 3600
    );
    assert_eq!(estimate(r#"{device(id:"d"){id name}}"#, json!({})).await, 1);
}

#[tokio::test]
async fn should_share_one_batch_between_aliases_of_a_batched_lookup() {
    let aliases: String = (0..100)
        .map(|i| format!(r#"d{i}: device(id:"x{i}"){{id}} "#))
        .collect();
    assert_eq!(estimate(&format!("{{{aliases}}}"), json!({})).await, 1);
    let attempts: String = (0..100)
        .map(|i| format!(r#"a{i}: actionAttempt(id:"x{i}"){{id}} "#))
        .collect();
    assert_eq!(estimate(&format!("{{{attempts}}}"), json!({})).await, 100);
}

#[tokio::test]
async fn should_read_first_from_variables_and_fragments() {
    let query = r#"query($n: Int) { accessCodes(deviceId: "d", first: $n) { ...Page } }
        fragment Page on AccessCodeConnection { nodes { device { accessCodes { nodes { id } } } } }"#;
    // 1 page + 1 device batch + n connections.
    assert_eq!(estimate(query, json!({ "n": 7 })).await, 1 + 1 + 7);
}

#[tokio::test]
async fn should_charge_the_pages_a_cursor_forces() {
    use base64::Engine;
    let cursor =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"c":"p2","o":1,"l":1}"#);
    let query = r#"query($after: String) { devices(first: 500, after: $after) { nodes { id } } }"#;
    assert_eq!(estimate(query, json!({ "after": cursor })).await, 501);
}

#[tokio::test]
async fn should_charge_the_new_surface_like_the_rest() {
    // A page of codes, each with a page of its timeline.
    let timelines =
        r#"{accessCodes(deviceId:"d",first:5){nodes{timeline(first:3){nodes{eventType}}}}}"#;
    assert_eq!(estimate(timelines, json!({})).await, 1 + 5);
    // A page of unmanaged codes with their devices in one batch.
    let unmanaged = r#"{unmanagedAccessCodes(deviceId:"d"){nodes{device{id}}}}"#;
    assert_eq!(estimate(unmanaged, json!({})).await, 1 + 1);
    assert_eq!(
        estimate(
            r#"{workspace{id} generateCode(deviceId:"d"){code}}"#,
            json!({})
        )
        .await,
        1 + 2
    );
    let pull = r#"mutation{pullBackupAccessCode(input:{accessCodeId:"c"}){backupAccessCode{id}}}"#;
    assert_eq!(estimate(pull, json!({})).await, 2);
    let convert =
        r#"mutation{convertUnmanagedAccessCode(input:{accessCodeId:"c"}){accessCode{device{id}}}}"#;
    assert_eq!(estimate(convert, json!({})).await, 3 + 1);
}

#[tokio::test]
async fn should_estimate_the_operation_the_request_names() {
    let two = r#"query Cheap { __typename } query Costly { a: device(id:"a"){id} b: actionAttempt(id:"b"){id} }"#;
    assert_eq!(estimate_operation(two, json!({}), Some("Costly")).await, 2);
    assert_eq!(estimate_operation(two, json!({}), Some("Cheap")).await, 0);
}

/// Records the estimate of each document it sees parsed, with the schema's own registry.
#[derive(Clone, Default)]
struct SeeEstimate(std::sync::Arc<std::sync::Mutex<Option<Estimate>>>);

impl async_graphql::extensions::ExtensionFactory for SeeEstimate {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(self.clone())
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for SeeEstimate {
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        *self.0.lock().unwrap() = Some(super::estimate(
            &ctx.schema_env.registry,
            &doc,
            variables,
            None,
        ));
        Ok(doc)
    }
}

/// Whether an estimate holds for any variables: only when none of its arguments took a variable.
#[tokio::test]
async fn should_say_whether_a_variable_went_into_the_estimate() {
    let seen = SeeEstimate::default();
    let schema = Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        .extension(seen.clone())
        .finish();
    let read = |query: &'static str, variables: serde_json::Value| {
        let schema = schema.clone();
        let seen = seen.clone();
        async move {
            let _ = schema
                .execute(Request::new(query).variables(Variables::from_json(variables)))
                .await;
            let estimate = seen.0.lock().unwrap().take().expect("parsed");
            (estimate.calls, estimate.read_variables)
        }
    };
    let by_id = "query($id: ID!) { device(id: $id) { id displayName } }";
    assert_eq!(read(by_id, json!({ "id": "d" })).await, (1, false));
    let paged = "query($n: Int) { accessCodes(deviceId: \"d\", first: $n) { nodes { device { accessCodes { nodes { id } } } } } }";
    assert_eq!(read(paged, json!({ "n": 7 })).await, (1 + 1 + 7, true));
    let literal = "{ accessCodes(deviceId: \"d\", first: 7) { nodes { device { accessCodes { nodes { id } } } } } }";
    assert_eq!(read(literal, json!({})).await, (1 + 1 + 7, false));
}
