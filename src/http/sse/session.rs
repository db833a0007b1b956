//! One open event stream, as the body of its HTTP response: the operations' results as `next` and
//! `complete` events, a keep-alive comment when nothing else is sent, and a last `complete` for
//! every operation when the server shuts down.
//!
//! The session is the response body itself, polled by hyper: no task of its own. When the client
//! goes away, a write fails (at the latest, the next keep-alive's), hyper drops the body, and with
//! it every operation: subscriptions leave the live hub at once.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_stream::StreamMap;
use tokio_util::sync::CancellationToken;
use tokio_util::task::task_tracker::TaskTrackerToken;

use super::event::{self, For, KEEP_ALIVE};
use super::operation::Operation;
use super::streams::{Command, Reserved, Streams};
use crate::http::multiplex::Shared;
use crate::http::AppState;

/// The one operation of a distinct-connections stream has this id.
const ONLY: &str = "";

pub(super) struct Session {
    mode: Mode,
    operations: StreamMap<String, Operation>,
    shutdown: CancellationToken,
    keepalive: Interval,
    greeted: bool,
    ended: bool,
    /// Counts as a running session for shutdown, which waits for it (within its bound).
    _tracked: TaskTrackerToken,
}

enum Mode {
    /// Distinct connections: the stream is its one operation and ends with it.
    Distinct,
    /// Single connection: operations come and go by the requests that carry the stream's token.
    Single {
        token: String,
        streams: Streams,
        reserved: Arc<Reserved>,
        commands: mpsc::UnboundedReceiver<Command>,
    },
}

// Short-lived, one at a time, on the stack: boxing the response would cost an allocation per result.
#[allow(clippy::large_enum_variant)]
enum Event {
    Shutdown,
    Command(Command),
    Output(String, Option<Shared>),
    KeepAlive,
}

impl Session {
    /// A distinct-connections stream running `operation`.
    pub(super) fn distinct(state: &AppState, operation: Operation) -> Self {
        let mut session = Self::new(state, Mode::Distinct);
        session.start(ONLY.to_owned(), operation);
        session
    }

    /// The reserved stream `token`, opened.
    pub(super) fn single(
        state: &AppState,
        token: String,
        reserved: Arc<Reserved>,
        commands: mpsc::UnboundedReceiver<Command>,
    ) -> Self {
        let streams = state.sse_streams.clone();
        let mode = Mode::Single {
            token,
            streams,
            reserved,
            commands,
        };
        Self::new(state, mode)
    }

    fn new(state: &AppState, mode: Mode) -> Self {
        let every = state.limits.ws_keepalive;
        let mut keepalive = tokio::time::interval_at(Instant::now() + every, every);
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            mode,
            operations: StreamMap::new(),
            shutdown: state.shutdown.clone(),
            keepalive,
            greeted: false,
            ended: false,
            _tracked: state.sessions.token(),
        }
    }

    pub(super) fn into_body(self) -> Body {
        Body::from_stream(futures::stream::unfold(self, |mut session| async move {
            let chunk = session.next_chunk().await?;
            Some((Ok::<_, Infallible>(chunk), session))
        }))
    }

    /// The next bytes to send; `None` ends the response.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if self.ended {
            return None;
        }
        if !self.greeted {
            self.greeted = true;
            return Some(Bytes::from_static(KEEP_ALIVE.as_bytes()));
        }
        loop {
            let commands = match &mut self.mode {
                Mode::Single { commands, .. } => Some(commands),
                Mode::Distinct => None,
            };
            let event = tokio::select! {
                biased;
                _ = self.shutdown.cancelled() => Event::Shutdown,
                Some(command) = recv(commands) => Event::Command(command),
                Some((id, output)) = self.operations.next(), if !self.operations.is_empty() => {
                    Event::Output(id, output)
                }
                _ = self.keepalive.tick() => Event::KeepAlive,
            };
            let keepalive = matches!(event, Event::KeepAlive);
            match self.handle(event) {
                Some(chunk) => {
                    if !keepalive {
                        // Traffic keeps the connection alive as well as a comment would.
                        self.keepalive.reset();
                    }
                    return Some(chunk);
                }
                None if self.ended => return None,
                None => {}
            }
        }
    }

    fn handle(&mut self, event: Event) -> Option<Bytes> {
        match event {
            Event::Shutdown => {
                self.ended = true;
                // Operations already accepted (202) but not yet picked up are owed a `complete` too.
                while let Some(command) = self.pending_command() {
                    match command {
                        Command::Start(id, operation) => self.start(id, operation),
                        Command::Stop(id) => {
                            self.end(&id);
                        }
                    }
                }
                let ids: Vec<String> = self.operations.keys().cloned().collect();
                let mut last = Vec::new();
                for id in ids {
                    self.end(&id);
                    last.extend_from_slice(&event::complete(self.to(&id)));
                }
                (!last.is_empty()).then(|| Bytes::from(last))
            }
            Event::Command(Command::Start(id, operation)) => {
                self.start(id, operation);
                None
            }
            Event::Command(Command::Stop(id)) => {
                self.end(&id).then(|| event::complete(self.to(&id)))
            }
            Event::Output(id, Some(result)) => Some(event::next(self.to(&id), &result.json)),
            Event::Output(id, None) => {
                self.end(&id);
                if let Mode::Single { reserved, .. } = &self.mode {
                    reserved.release(&id);
                } else {
                    self.ended = true;
                }
                Some(event::complete(self.to(&id)))
            }
            Event::KeepAlive => Some(Bytes::from_static(KEEP_ALIVE.as_bytes())),
        }
    }

    fn pending_command(&mut self) -> Option<Command> {
        match &mut self.mode {
            Mode::Single { commands, .. } => commands.try_recv().ok(),
            Mode::Distinct => None,
        }
    }

    /// Where an event of operation `id` goes.
    fn to<'a>(&self, id: &'a str) -> For<'a> {
        match self.mode {
            Mode::Distinct => For::Stream,
            Mode::Single { .. } => For::Operation(id),
        }
    }

    /// The one place an operation on an event stream starts.
    fn start(&mut self, id: String, operation: Operation) {
        tracing::debug!("sse operation started");
        self.operations.insert(id, operation);
    }

    /// The one place an operation on an event stream ends (finished, stopped, or its stream
    /// closed: see `Drop`); false when no such operation runs.
    fn end(&mut self, id: &str) -> bool {
        let ended = self.operations.remove(id).is_some();
        if ended {
            tracing::debug!("sse operation ended");
        }
        ended
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let ids: Vec<String> = self.operations.keys().cloned().collect();
        for id in ids {
            self.end(&id);
        }
        if let Mode::Single { token, streams, .. } = &self.mode {
            streams.remove(token);
        }
    }
}

/// The next command, or never (a distinct-connections stream takes none).
async fn recv(commands: Option<&mut mpsc::UnboundedReceiver<Command>>) -> Option<Command> {
    match commands {
        Some(commands) => commands.recv().await,
        None => std::future::pending().await,
    }
}
