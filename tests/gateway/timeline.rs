//! A code's timeline (`AccessCode.timeline`), paged with the connection's cursors.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{data, error_codes, TestGateway, KEY_1};

const PAGE: &str = "query($id: ID!, $first: Int, $after: String) { accessCode(id: $id) {
    timeline(first: $first, after: $after) { nodes { id eventType occurredAt description actor { type } eventId }
      pageInfo { hasNextPage endCursor } } } }";

/// Every timeline event of the code, `first` at a time.
async fn whole_timeline(t: &TestGateway, id: &str, first: i64) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    for _ in 0..50 {
        let r = t
            .gql(PAGE, json!({"id": id, "first": first, "after": after}))
            .await;
        let timeline = &data(&r)["accessCode"]["timeline"];
        let nodes = timeline["nodes"].as_array().expect("nodes");
        assert!(nodes.len() <= first as usize);
        all.extend(nodes.iter().cloned());
        if timeline["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = timeline["pageInfo"]["endCursor"].clone();
    }
    panic!("the timeline never ended");
}

#[tokio::test]
async fn should_page_through_a_codes_timeline_oldest_first() {
    let t = TestGateway::start().await;
    let id = t.create_code(KEY_1, "august_device_1", "timeline").await;
    // Renamed in the same instant it was created: two events share one timestamp.
    let r = t
        .gql(
            "mutation($id: ID!) { updateAccessCode(input: {accessCodeId: $id, name: \"renamed\"}) { __typename } }",
            json!({"id": id}),
        )
        .await;
    data(&r);
    t.sandbox.advance(Duration::from_secs(3)).await;

    let whole = whole_timeline(&t, &id, 200).await;
    let types: Vec<&str> = whole
        .iter()
        .map(|e| e["eventType"].as_str().expect("type"))
        .collect();
    assert_eq!(types.first(), Some(&"access_code.created"), "{types:?}");
    assert!(types.contains(&"access_code.set_on_device"), "{types:?}");
    assert_eq!(whole[0]["actor"]["type"], "API_KEY");
    assert!(whole.len() >= 3, "{types:?}");
    let times: Vec<&str> = whole
        .iter()
        .map(|e| e["occurredAt"].as_str().expect("at"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {times:?}"
    );

    // One at a time, across the events that share an instant: the same events, none twice.
    let paged = whole_timeline(&t, &id, 1).await;
    let ids = |events: &[Value]| events.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&whole));
}

#[tokio::test]
async fn must_refuse_pages_larger_than_seams() {
    let t = TestGateway::start().await;
    let id = t.create_code(KEY_1, "august_device_1", "timeline").await;
    let r = t.gql(PAGE, json!({"id": id, "first": 201})).await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
    let r = t
        .gql(PAGE, json!({"id": id, "after": "not-a-cursor"}))
        .await;
    assert_eq!(error_codes(&r), ["BAD_USER_INPUT"]);
}
