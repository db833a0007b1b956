//! A minimal graphql-sse client over real HTTP: opens an event stream and reads its events one at
//! a time, keep-alive comments included, so tests can see exactly what the gateway sends.

use std::time::Duration;

use serde_json::Value;

/// One event of the stream: a comment (`:`) has neither name nor data.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// `next`, `complete`; empty for a comment.
    pub event: String,
    /// The `data:` lines joined, as JSON (`Null` when there were none or they were empty).
    pub data: Value,
}

impl SseEvent {
    pub fn is_comment(&self) -> bool {
        self.event.is_empty() && self.data.is_null()
    }
}

/// An open `text/event-stream` response.
pub struct SseStream {
    pub response: reqwest::Response,
    buffer: String,
}

impl SseStream {
    /// Wraps a response, which must be a 200 event stream.
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200, "the stream opens");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event or comment within `wait`; `None` on timeout or at the end of the stream.
    pub async fn next_any(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&block));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("utf-8 stream"));
        }
    }

    /// The next event, skipping keep-alive comments; `None` on timeout or at the end.
    pub async fn next_event(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
            let event = self.next_any(left).await?;
            if !event.is_comment() {
                return Some(event);
            }
        }
    }

    /// The next event, which must come within 10 s.
    pub async fn expect_event(&mut self) -> SseEvent {
        self.next_event(Duration::from_secs(10))
            .await
            .expect("an event within 10 s")
    }

    /// True when the server ends the stream within `wait` (events before the end are dropped).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) else {
                return false;
            };
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Ok(Ok(Some(_))) => {}
                Err(_) => return false,
            }
        }
    }
}

fn parse(block: &str) -> SseEvent {
    let mut event = String::new();
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(name) = line.strip_prefix("event:") {
            event = name.trim().to_owned();
        } else if let Some(d) = line.strip_prefix("data:") {
            data.push(d.strip_prefix(' ').unwrap_or(d).to_owned());
        }
    }
    let data = data.join("\n");
    let data = if data.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&data).expect("event data is JSON")
    };
    SseEvent { event, data }
}
