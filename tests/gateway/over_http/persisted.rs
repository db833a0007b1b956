//! Automatic persisted queries: hash only, hash and document, a wrong hash, the cost budget.

use serde_json::{json, Value};

use super::{answer, get, post, sha256, DEVICE};
use crate::support::{error_codes, TestGateway};

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn should_run_a_persisted_query_by_its_hash_once_it_is_known() {
    let t = TestGateway::start().await;
    let hash = sha256(DEVICE);
    let variables = json!({ "d": "august_device_1" });
    let (_, _, r) = answer(post(
        &t,
        json!({ "variables": variables, "extensions": persisted(&hash) }),
    ))
    .await;
    assert_eq!(error_codes(&r), ["PERSISTED_QUERY_NOT_FOUND"], "{r:#}");
    assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound");

    let full = json!({ "query": DEVICE, "variables": variables, "extensions": persisted(&hash) });
    let (_, _, r) = answer(post(&t, full)).await;
    assert_eq!(r["data"]["device"]["id"], "august_device_1", "{r:#}");

    // Hash-only over GET: a stable URL a CDN can cache.
    let extensions = persisted(&hash).to_string();
    let params = [
        ("variables", r#"{"d":"august_device_1"}"#),
        ("extensions", extensions.as_str()),
    ];
    let (status, _, r) = answer(get(&t, &params)).await;
    assert_eq!(status, 200, "{r:#}");
    assert_eq!(r["data"]["device"]["id"], "august_device_1", "{r:#}");
}

#[tokio::test]
async fn should_refuse_a_hash_that_is_not_the_querys() {
    let t = TestGateway::start().await;
    t.sandbox.reset_calls();
    let wrong = sha256("{ __typename }");
    let body = json!({
        "query": DEVICE,
        "variables": { "d": "august_device_1" },
        "extensions": persisted(&wrong),
    });
    let (_, _, r) = answer(post(&t, body)).await;
    assert_eq!(error_codes(&r), ["PERSISTED_QUERY_HASH_MISMATCH"], "{r:#}");
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());
    // Nor was the document filed under that hash.
    let (_, _, r) = answer(post(&t, json!({ "extensions": persisted(&wrong) }))).await;
    assert_eq!(error_codes(&r), ["PERSISTED_QUERY_NOT_FOUND"], "{r:#}");
}

#[tokio::test]
async fn should_apply_the_cost_budget_to_persisted_queries() {
    let t = TestGateway::start().await;
    let nested = r#"{device(id:"harness_lock_4to8"){accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{device{accessCodes(first:60){nodes{id}}}}}}}}}}"#;
    let hash = sha256(nested);
    let (_, _, r) = answer(post(
        &t,
        json!({ "query": nested, "extensions": persisted(&hash) }),
    ))
    .await;
    assert_eq!(error_codes(&r), ["COST_LIMIT_EXCEEDED"], "{r:#}");
    t.sandbox.reset_calls();
    let extensions = persisted(&hash).to_string();
    let (_, _, r) = answer(get(&t, &[("extensions", extensions.as_str())])).await;
    assert_eq!(error_codes(&r), ["COST_LIMIT_EXCEEDED"], "{r:#}");
    assert!(t.upstream().values().all(|n| *n == 0), "{:?}", t.upstream());
}

/// Anyone may send documents, so only those worth keeping are kept: a document over 32 KiB (here
/// a query padded with a comment) runs but is asked for again, and one that does not parse is
/// answered with its syntax error and not kept either.
#[tokio::test]
async fn must_not_keep_documents_too_large_or_that_do_not_parse() {
    let t = TestGateway::start().await;
    let large = format!("{{ __typename }}\n#{}", "x".repeat(40 * 1024));
    let broken = "{ __typename ";
    for query in [large.as_str(), broken] {
        let hash = sha256(query);
        let (_, _, ran) = answer(post(
            &t,
            json!({ "query": query, "extensions": persisted(&hash) }),
        ))
        .await;
        if query == broken {
            assert_eq!(error_codes(&ran), ["BAD_USER_INPUT"], "{ran:#}");
        } else {
            assert_eq!(ran["data"]["__typename"], "Query", "{ran:#}");
        }
        let (_, _, by_hash) = answer(post(&t, json!({ "extensions": persisted(&hash) }))).await;
        assert_eq!(
            error_codes(&by_hash),
            ["PERSISTED_QUERY_NOT_FOUND"],
            "{by_hash:#}"
        );
    }
}
