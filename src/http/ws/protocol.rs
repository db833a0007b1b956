//! The two wire protocols: graphql-transport-ws (the `graphql-ws` npm package) and the legacy
//! subscriptions-transport-ws (which confusingly negotiates as `graphql-ws`). Parsing is strict
//! per protocol so that a message of the other protocol is an invalid message, not a guess.

use async_graphql::Request;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Protocol {
    /// graphql-transport-ws: `subscribe` / `next` / `complete` / `ping` / `pong`.
    TransportWs,
    /// subscriptions-transport-ws: `start` / `data` / `stop` / `connection_terminate`.
    Legacy,
}

/// What a client asked for, whichever protocol it spoke.
pub(super) enum ClientMessage {
    Init(Option<Value>),
    Subscribe { id: String, request: Box<Request> },
    Complete(String),
    Ping,
    Pong,
    Terminate,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum TransportWsIn {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: Box<Request>,
    },
    Complete {
        id: String,
    },
    Ping {},
    Pong {},
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum LegacyIn {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Start {
        id: String,
        payload: Box<Request>,
    },
    Stop {
        id: String,
    },
    ConnectionTerminate {},
}

/// A message to the client. Operation results carry the whole GraphQL response (errors
/// included), which is what both protocols' clients expect from a single-result operation too.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Outgoing<'a> {
    ConnectionAck,
    ConnectionError {
        payload: Value,
    },
    Next {
        id: &'a str,
        payload: &'a RawValue,
    },
    Data {
        id: &'a str,
        payload: &'a RawValue,
    },
    Error {
        id: &'a str,
        payload: Value,
    },
    Complete {
        id: &'a str,
    },
    Ping,
    Pong,
    /// The legacy protocol's keep-alive.
    Ka,
}

impl Outgoing<'_> {
    pub(super) fn to_text(&self) -> String {
        // Only JSON values and async-graphql responses go in, and both always serialize.
        serde_json::to_string(self).expect("protocol messages serialize")
    }
}

impl Protocol {
    /// The first subprotocol the client offers that the gateway speaks (the client's preference).
    pub(super) fn negotiate(offered: &str) -> Option<Self> {
        offered.split(',').map(str::trim).find_map(|name| {
            [Self::TransportWs, Self::Legacy]
                .into_iter()
                .find(|p| p.name().eq_ignore_ascii_case(name))
        })
    }

    /// The protocol's keep-alive message: graphql-transport-ws `ping` (clients answer `pong`),
    /// the legacy protocol's `ka`.
    pub(super) fn keep_alive(self) -> Outgoing<'static> {
        match self {
            Self::TransportWs => Outgoing::Ping,
            Self::Legacy => Outgoing::Ka,
        }
    }

    /// The transport label of `/metrics`.
    pub(super) fn transport(self) -> crate::metrics::Transport {
        match self {
            Self::TransportWs => crate::metrics::Transport::GraphqlTransportWs,
            Self::Legacy => crate::metrics::Transport::GraphqlWs,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::Legacy => "graphql-ws",
        }
    }

    pub(super) fn parse(self, bytes: &[u8]) -> serde_json::Result<ClientMessage> {
        Ok(match self {
            Self::TransportWs => match serde_json::from_slice(bytes)? {
                TransportWsIn::ConnectionInit { payload } => ClientMessage::Init(payload),
                TransportWsIn::Subscribe { id, payload } => ClientMessage::Subscribe {
                    id,
                    request: payload,
                },
                TransportWsIn::Complete { id } => ClientMessage::Complete(id),
                TransportWsIn::Ping {} => ClientMessage::Ping,
                TransportWsIn::Pong {} => ClientMessage::Pong,
            },
            Self::Legacy => match serde_json::from_slice(bytes)? {
                LegacyIn::ConnectionInit { payload } => ClientMessage::Init(payload),
                LegacyIn::Start { id, payload } => ClientMessage::Subscribe {
                    id,
                    request: payload,
                },
                LegacyIn::Stop { id } => ClientMessage::Complete(id),
                LegacyIn::ConnectionTerminate {} => ClientMessage::Terminate,
            },
        })
    }

    /// A result, already serialised (see `http::multiplex`).
    pub(super) fn result<'a>(self, id: &'a str, payload: &'a RawValue) -> Outgoing<'a> {
        match self {
            Self::TransportWs => Outgoing::Next { id, payload },
            Self::Legacy => Outgoing::Data { id, payload },
        }
    }

    /// An operation refused before it ran: graphql-transport-ws sends a list of GraphQL errors,
    /// subscriptions-transport-ws a single one.
    pub(super) fn error<'a>(self, id: &'a str, message: &str, code: &str) -> Outgoing<'a> {
        let error = json!({ "message": message, "extensions": { "code": code } });
        let payload = match self {
            Self::TransportWs => json!([error]),
            Self::Legacy => error,
        };
        Outgoing::Error { id, payload }
    }
}

/// RFC 6455 allows 123 bytes of reason; a longer one makes the close frame itself invalid and the
/// client sees 1006 instead. A little under, so nothing downstream trips on the edge.
const MAX_REASON_BYTES: usize = 120;

/// A Close frame the gateway sends (graphql-transport-ws codes, shared by the legacy protocol).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Close {
    pub(super) code: u16,
    pub(super) reason: String,
}

impl Close {
    pub(super) fn new(code: u16, reason: &str) -> Self {
        Self {
            code,
            reason: truncate(reason, MAX_REASON_BYTES).to_owned(),
        }
    }
    pub(super) fn normal() -> Self {
        Self::new(1000, "")
    }
    pub(super) fn going_away() -> Self {
        Self::new(1001, "server shutting down")
    }
    pub(super) fn too_big() -> Self {
        Self::new(1009, "message too big")
    }
    pub(super) fn invalid_message(problem: &str) -> Self {
        Self::new(4400, &format!("Invalid message: {problem}"))
    }
    pub(super) fn unauthorized() -> Self {
        Self::new(4401, "Unauthorized")
    }
    pub(super) fn forbidden(reason: &str) -> Self {
        Self::new(4403, reason)
    }
    pub(super) fn init_timeout() -> Self {
        Self::new(4408, "Connection initialisation timeout")
    }
    pub(super) fn duplicate(id: &str) -> Self {
        Self::new(4409, &format!("Subscriber for {id} already exists"))
    }
    pub(super) fn too_many_inits() -> Self {
        Self::new(4429, "Too many initialisation requests")
    }
    /// IANA's 3008, Timeout: the client stopped answering keep-alives.
    pub(super) fn keepalive_timeout() -> Self {
        Self::new(3008, "Keep-alive timeout")
    }
}

/// The longest prefix of `s` within `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_cut_long_reasons_on_a_character_boundary() {
        let long = "é".repeat(100);
        let close = Close::duplicate(&long);
        assert!(
            close.reason.len() <= MAX_REASON_BYTES,
            "{}",
            close.reason.len()
        );
        assert!(close.reason.starts_with("Subscriber for é"));
        assert_eq!(truncate("abc", 10), "abc");
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn should_negotiate_in_the_clients_order_and_parse_strictly_per_protocol() {
        assert_eq!(
            Protocol::negotiate("graphql-ws, graphql-transport-ws"),
            Some(Protocol::Legacy)
        );
        assert_eq!(
            Protocol::negotiate("x, GRAPHQL-TRANSPORT-WS"),
            Some(Protocol::TransportWs)
        );
        assert_eq!(Protocol::negotiate("soap"), None);
        let start = br#"{"type":"start","id":"1","payload":{"query":"{ __typename }"}}"#;
        assert!(Protocol::Legacy.parse(start).is_ok());
        assert!(Protocol::TransportWs.parse(start).is_err());
        let ping = br#"{"type":"ping","payload":{"at":1}}"#;
        assert!(matches!(
            Protocol::TransportWs.parse(ping),
            Ok(ClientMessage::Ping)
        ));
    }
}
