//! One websocket connection: waits for `connection_init`, runs the client's operations, and ends
//! with the close code graphql-transport-ws prescribes.
//!
//! Everything runs in the connection's own task: operations are streams polled from a
//! [`StreamMap`] rather than tasks of their own, so an idle subscription costs only its stream,
//! and dropping the session drops (and unregisters) all of them.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use async_graphql::Request;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::{self, Stream, StreamExt};
use futures::{FutureExt, SinkExt};
use tokio::time::{sleep_until, timeout_at, Instant};
use tokio_stream::StreamMap;

use super::init::connection_key;
use super::protocol::{ClientMessage, Close, Outgoing, Protocol};
use super::woken::Woken;
use crate::http::multiplex::Shared;
use crate::http::AppState;
use crate::schema::ErrorCode;
use crate::seam::ApiKey;

/// How long a closing socket may take: to send our Close frame, then to hear the client's.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// On shutdown, results already on their way (events published just before) are still sent, as
/// long as the next one comes within this gap (and all within `CLOSE_GRACE`).
const SHUTDOWN_FLUSH_GAP: Duration = Duration::from_millis(100);
/// Most results written to a connection at once (the rest go in the next write).
const MAX_BATCH: usize = 64;

/// The sources a session waits on, as numbered for [`Woken`].
const SHUTDOWN: usize = 0;
const INIT_DEADLINE: usize = 1;
const KEEPALIVE: usize = 2;
const SOCKET: usize = 3;
const OPERATIONS: usize = 4;
const SOURCES: usize = 5;

/// An operation's results, then `None` once it is over (so that `complete` can be sent).
type Operation = Pin<Box<dyn Stream<Item = Option<Shared>> + Send>>;

enum Phase {
    AwaitingInit,
    /// Acknowledged; `None` when there is no key at all (operations answer UNAUTHENTICATED).
    Ready(Option<ApiKey>),
}

enum Event {
    Shutdown,
    InitTimeout,
    KeepAlive,
    Frame(Option<Result<Message, axum::Error>>),
    Output(String, Option<Shared>),
}

/// What the connection does next.
enum Step {
    Continue,
    Close(Close),
    /// Our read side failed: we may still write a Close, but must give the client time to read
    /// it, since dropping a socket with unread input resets the connection.
    CloseBroken(Close),
    /// The peer is gone: nothing to send.
    End,
}

pub(super) struct Session {
    socket: WebSocket,
    state: AppState,
    protocol: Protocol,
    origin_allowed: bool,
    phase: Phase,
    operations: StreamMap<String, Operation>,
    /// When the client last sent anything (a message, a ping, a pong).
    last_heard: Instant,
}

impl Session {
    pub(super) fn new(
        socket: WebSocket,
        state: AppState,
        protocol: Protocol,
        origin_allowed: bool,
    ) -> Self {
        Self {
            socket,
            state,
            protocol,
            origin_allowed,
            phase: Phase::AwaitingInit,
            operations: StreamMap::new(),
            last_heard: Instant::now(),
        }
    }

    pub(super) async fn run(mut self) {
        let end = self.serve().await;
        // Subscriptions leave the hub now, not after the closing handshake.
        self.operations = StreamMap::new();
        let (close, read_broken) = match end {
            Step::Close(close) => (close, false),
            Step::CloseBroken(close) => (close, true),
            Step::Continue | Step::End => return,
        };
        // Boxed, as `handle` below: only closing sockets need its state.
        Box::pin(finish(self.socket, close, read_broken)).await;
    }

    /// Runs the connection until it must end; how it ends is the returned step.
    async fn serve(&mut self) -> Step {
        let shutdown = self.state.shutdown.clone();
        let init_deadline = tokio::time::sleep(self.state.limits.ws_init_timeout);
        tokio::pin!(init_deadline);
        let every = self.state.limits.ws_keepalive;
        let mut keepalive = tokio::time::interval_at(Instant::now() + every, every);
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Made once: waiting on the token registers with it, and every connection wakes per event.
        let shutting_down = shutdown.cancelled();
        tokio::pin!(shutting_down);
        // Each source has a waker of its own, so a result wakes the session without its socket,
        // timers and shutdown token being polled again to say they have nothing.
        let mut sources = Woken::<SOURCES>::new();
        loop {
            let awaiting_init = matches!(self.phase, Phase::AwaitingInit);
            let (socket, operations) = (&mut self.socket, &mut self.operations);
            let event = poll_fn(|cx| {
                sources.poll(cx, |source, cx| match source {
                    SHUTDOWN => Some(shutting_down.as_mut().poll(cx).map(|()| Event::Shutdown)),
                    INIT_DEADLINE => awaiting_init
                        .then(|| init_deadline.as_mut().poll(cx).map(|()| Event::InitTimeout)),
                    KEEPALIVE => {
                        (!awaiting_init).then(|| keepalive.poll_tick(cx).map(|_| Event::KeepAlive))
                    }
                    SOCKET => Some(socket.poll_next_unpin(cx).map(Event::Frame)),
                    // A map with no operations is a finished stream: nothing to wait on.
                    OPERATIONS => {
                        (!operations.is_empty()).then(|| match operations.poll_next_unpin(cx) {
                            Poll::Ready(Some((id, output))) => {
                                Poll::Ready(Event::Output(id, output))
                            }
                            Poll::Ready(None) | Poll::Pending => Poll::Pending,
                        })
                    }
                    _ => unreachable!("a session has {SOURCES} sources"),
                })
            })
            .await;
            // A message may start operations, or the keep-alive: their streams must be polled to
            // be waited on.
            let changes_sources = matches!(event, Event::Frame(_));
            // Boxed: handling nests several async calls, and inlined their state would be part
            // of every idle connection's task for its whole life.
            match Box::pin(self.handle(event)).await {
                Step::Continue => {}
                step => return step,
            }
            if changes_sources {
                sources.mark_all();
            }
        }
    }

    async fn handle(&mut self, event: Event) -> Step {
        match event {
            Event::Shutdown => {
                self.flush_before_shutdown().await;
                Step::Close(Close::going_away())
            }
            Event::InitTimeout => Step::Close(Close::init_timeout()),
            Event::KeepAlive => self.keep_alive().await,
            Event::Frame(frame) => self.on_frame(frame).await,
            Event::Output(id, output) => self.send_outputs(id, output).await,
        }
    }

    /// Sends an operation's output together with every other output already waiting on this
    /// connection, flushed once: a client with many subscriptions gets an event's results in one
    /// write rather than one write each.
    async fn send_outputs(&mut self, id: String, output: Option<Shared>) -> Step {
        let mut batch = Vec::with_capacity(1);
        let mut next = Some((id, output));
        while let Some((id, output)) = next.take() {
            let text = match output {
                Some(result) => self.protocol.result(&id, &result.json).to_text(),
                None => {
                    self.operations.remove(&id);
                    Outgoing::Complete { id: &id }.to_text()
                }
            };
            batch.push(Message::Text(text.into()));
            if batch.len() < MAX_BATCH {
                next = self.operations.next().now_or_never().flatten();
            }
        }
        self.write(batch).await
    }

    /// Sends the results that are ready now: shutdown waits for accepted webhooks to be published
    /// before it closes sockets, and their subscribers should get them rather than a bare 1001.
    async fn flush_before_shutdown(&mut self) {
        let deadline = Instant::now() + CLOSE_GRACE;
        while !self.operations.is_empty() {
            let gap = (Instant::now() + SHUTDOWN_FLUSH_GAP).min(deadline);
            let Ok(Some((id, output))) = timeout_at(gap, self.operations.next()).await else {
                return;
            };
            let message = match &output {
                Some(result) => self.protocol.result(&id, &result.json),
                None => Outgoing::Complete { id: &id },
            };
            let text = Message::Text(message.to_text().into());
            if !matches!(
                timeout_at(deadline, self.socket.send(text)).await,
                Ok(Ok(()))
            ) {
                return;
            }
            if output.is_none() {
                self.operations.remove(&id);
            }
        }
    }

    /// Keeps a quiet connection alive through proxies that cut idle ones, and notices a client
    /// that has gone without closing: one that answered nothing for two intervals is closed.
    async fn keep_alive(&mut self) -> Step {
        let every = self.state.limits.ws_keepalive;
        if self.last_heard.elapsed() > every * 2 {
            tracing::debug!("websocket client stopped answering keep-alives; closing");
            return Step::Close(Close::keepalive_timeout());
        }
        // A WebSocket ping: browsers answer it with a pong whatever the subprotocol.
        let ping = tokio::select! {
            sent = self.socket.send(Message::Ping(Vec::new().into())) => sent.is_ok(),
            _ = self.state.shutdown.cancelled() => return Step::Close(Close::going_away()),
        };
        if !ping {
            return Step::End;
        }
        self.send(self.protocol.keep_alive()).await
    }

    async fn on_frame(&mut self, frame: Option<Result<Message, axum::Error>>) -> Step {
        if matches!(frame, Some(Ok(_))) {
            self.last_heard = Instant::now();
        }
        match frame {
            None => Step::End,
            Some(Err(error)) if is_too_big(&error) => Step::CloseBroken(Close::too_big()),
            Some(Err(_)) => Step::End,
            Some(Ok(Message::Text(text))) => self.on_message(text.as_bytes()).await,
            Some(Ok(Message::Binary(bytes))) => self.on_message(&bytes).await,
            // Pings are answered, and a client's Close replied to, by the next read.
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_))) => Step::Continue,
        }
    }

    async fn on_message(&mut self, bytes: &[u8]) -> Step {
        let message = match self.protocol.parse(bytes) {
            Ok(message) => message,
            Err(problem) => return Step::Close(Close::invalid_message(&problem.to_string())),
        };
        match message {
            ClientMessage::Init(payload) => self.on_init(payload).await,
            ClientMessage::Subscribe { id, request } => self.on_subscribe(id, *request).await,
            ClientMessage::Complete(id) => {
                // Legacy clients expect the `complete` echo the old handler sent; graphql-ws
                // clients have already forgotten the id.
                let stopped = self.operations.remove(&id).is_some();
                if stopped && self.protocol == Protocol::Legacy {
                    self.send(Outgoing::Complete { id: &id }).await
                } else {
                    Step::Continue
                }
            }
            ClientMessage::Ping => self.send(Outgoing::Pong).await,
            ClientMessage::Pong => Step::Continue,
            ClientMessage::Terminate => Step::Close(Close::normal()),
        }
    }

    async fn on_init(&mut self, payload: Option<serde_json::Value>) -> Step {
        if !matches!(self.phase, Phase::AwaitingInit) {
            return Step::Close(Close::too_many_inits());
        }
        let default_key = self.state.default_key.as_deref();
        match connection_key(payload.as_ref(), self.origin_allowed, default_key) {
            Ok(key) => {
                if let Some(key) = &key {
                    tracing::debug!(tenant = %key.tenant(), "websocket connection initialised");
                }
                self.phase = Phase::Ready(key);
                self.send(Outgoing::ConnectionAck).await
            }
            Err(reason) => {
                if self.protocol == Protocol::Legacy {
                    let payload = serde_json::json!({ "message": reason });
                    if let Step::End = self.send(Outgoing::ConnectionError { payload }).await {
                        return Step::End;
                    }
                }
                Step::Close(Close::forbidden(reason))
            }
        }
    }

    async fn on_subscribe(&mut self, id: String, request: Request) -> Step {
        let Phase::Ready(key) = &self.phase else {
            return Step::Close(Close::unauthorized());
        };
        if self.operations.contains_key(&id) {
            return Step::Close(Close::duplicate(&id));
        }
        let max = self.state.limits.ws_max_subscriptions;
        if self.operations.len() >= max {
            let message = format!("This connection already runs {max} operations, the most it may; complete one first");
            let code = ErrorCode::TooManySubscriptions.as_str();
            return self.send(self.protocol.error(&id, &message, code)).await;
        }
        // Run as an HTTP request runs (a fresh scope per operation); identical subscriptions
        // share one execution.
        let state = &self.state;
        let execution =
            state
                .multiplex
                .execute(&state.schema, &state.services, request, key.clone());
        // Counted while it runs, if it is a subscription (queries and mutations may come this way too).
        let guard = execution.is_subscription.then(|| {
            state
                .services
                .client
                .metrics()
                .subscription_started(self.protocol.transport())
        });
        let operation = execution
            .results
            .map(move |result| {
                let _counted = &guard;
                Some(result)
            })
            .chain(stream::once(async { None }));
        self.operations.insert(id, Box::pin(operation));
        Step::Continue
    }

    /// Sends one message; a client that stops reading cannot hold off shutdown.
    async fn send(&mut self, message: Outgoing<'_>) -> Step {
        self.write(vec![Message::Text(message.to_text().into())])
            .await
    }

    /// Writes `messages` and flushes once.
    async fn write(&mut self, messages: Vec<Message>) -> Step {
        let socket = &mut self.socket;
        let write = async move {
            for message in messages {
                socket.feed(message).await?;
            }
            socket.flush().await
        };
        tokio::pin!(write);
        // Nearly always written at once: only a write that must wait races shutdown (which would
        // otherwise register with the token on every event of every connection).
        if let Some(sent) = (&mut write).now_or_never() {
            return match sent {
                Ok(()) => Step::Continue,
                Err(_) => Step::End,
            };
        }
        tokio::select! {
            // The write first: once shutdown has begun, a message that can go out still goes (a
            // status change published during the drain), and only a stuck one is given up.
            biased;
            sent = write => match sent {
                Ok(()) => Step::Continue,
                Err(_) => Step::End,
            },
            _ = self.state.shutdown.cancelled() => Step::Close(Close::going_away()),
        }
    }
}

/// Whether tungstenite refused a frame or message over `ws_max_message_bytes`.
fn is_too_big(error: &axum::Error) -> bool {
    let error: &(dyn std::error::Error + 'static) = error;
    std::iter::successors(Some(error), |e| e.source()).any(|e| {
        matches!(
            e.downcast_ref::<tungstenite::Error>(),
            Some(tungstenite::Error::Capacity(_))
        )
    })
}

/// Sends the Close frame and waits, briefly, for the client's answering Close.
async fn finish(mut socket: WebSocket, close: Close, read_broken: bool) {
    let deadline = Instant::now() + CLOSE_GRACE;
    let frame = Message::Close(Some(CloseFrame {
        code: close.code,
        reason: close.reason.into(),
    }));
    if !matches!(timeout_at(deadline, socket.send(frame)).await, Ok(Ok(()))) {
        return;
    }
    if read_broken {
        sleep_until(deadline).await;
        return;
    }
    while let Ok(Some(Ok(_))) = timeout_at(deadline, socket.recv()).await {}
}
