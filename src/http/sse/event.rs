//! The text of the event stream: graphql-sse's `next` and `complete` events, and the keep-alive
//! comment. In distinct connections mode an event carries the result alone; in single connection
//! mode it names the operation it belongs to.

use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use serde::Serialize;
use serde_json::value::RawValue;

/// A comment line: ignored by every SSE parser, but traffic for proxies that cut idle connections.
/// Also the stream's first bytes, so that browsers which wait for a body before reporting the
/// response open (Firefox, Safari) see the stream as open at once.
pub(super) const KEEP_ALIVE: &str = ":\n\n";

/// The response headers of an event stream. `no-cache` keeps caches from storing it and
/// `X-Accel-Buffering` keeps nginx from holding events back.
pub(super) fn headers() -> [(axum::http::HeaderName, HeaderValue); 3] {
    [
        (
            CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        ),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            axum::http::HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        ),
    ]
}

/// Which operation an event belongs to: none in distinct connections mode (the stream is the
/// operation), its `extensions.operationId` in single connection mode.
#[derive(Clone, Copy)]
pub(super) enum For<'a> {
    Stream,
    Operation(&'a str),
}

#[derive(Serialize)]
struct Addressed<'a, T: Serialize> {
    id: &'a str,
    payload: T,
}

/// `event: next` with one execution result, already serialised (see `http::multiplex`).
pub(super) fn next(to: For<'_>, result: &RawValue) -> Bytes {
    // JSON text never holds a raw newline, so it fits on one `data:` line.
    let text = match to {
        // The shared JSON as it is: copied once, into the event.
        For::Stream => format!("event: next\ndata: {}\n\n", result.get()),
        For::Operation(id) => {
            let addressed = Addressed {
                id,
                payload: result,
            };
            let data = serde_json::to_string(&addressed).expect("an id and JSON serialize");
            format!("event: next\ndata: {data}\n\n")
        }
    };
    Bytes::from(text)
}

/// `event: complete`: the operation has no more results.
pub(super) fn complete(to: For<'_>) -> Bytes {
    match to {
        // An empty `data:` as the reference implementation sends (its client reads it as null).
        For::Stream => Bytes::from_static(b"event: complete\ndata:\n\n"),
        For::Operation(id) => {
            let data = serde_json::json!({ "id": id });
            Bytes::from(format!("event: complete\ndata: {data}\n\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_frame_events_as_graphql_sse_does() {
        let result = serde_json::value::to_raw_value(&serde_json::json!({"data": {"a": "x\ny"}}))
            .expect("raw");
        assert_eq!(
            next(For::Stream, &result),
            "event: next\ndata: {\"data\":{\"a\":\"x\\ny\"}}\n\n"
        );
        assert_eq!(
            next(For::Operation("op-1"), &result),
            "event: next\ndata: {\"id\":\"op-1\",\"payload\":{\"data\":{\"a\":\"x\\ny\"}}}\n\n"
        );
        assert_eq!(complete(For::Stream), "event: complete\ndata:\n\n");
        assert_eq!(
            complete(For::Operation("op-1")),
            "event: complete\ndata: {\"id\":\"op-1\"}\n\n"
        );
    }
}
