//! The direct transport against small servers on loopback: reuse, a close while idle, TLS refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

const TIMEOUT: Duration = Duration::from_secs(2);

/// What the test server does with a connection after each answer.
#[derive(Clone, Copy)]
enum AfterAnswer {
    KeepAlive,
    /// Closes it a little later, as a server whose keep-alive timeout is short.
    CloseSoon,
}

/// An HTTP/1.1 server answering every request `200 {"ok":true}`; counts the connections it takes.
async fn server(after: AfterAnswer) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(answer_each(socket, after));
        }
    });
    (port, connections)
}

async fn answer_each(mut socket: TcpStream, after: AfterAnswer) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // Requests here have no body: a request ends with its head.
        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.clear();
        let body = br#"{"ok":true}"#;
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
        if socket.write_all(head.as_bytes()).await.is_err() || socket.write_all(body).await.is_err()
        {
            return;
        }
        if let AfterAnswer::CloseSoon = after {
            tokio::time::sleep(Duration::from_millis(30)).await;
            return;
        }
    }
}

fn get() -> Outgoing {
    Outgoing {
        method: Method::GET,
        path: "/".into(),
        headers: HeaderMap::new(),
        body: Bytes::new(),
    }
}

fn transport(base: &str) -> Transport {
    Transport::Direct(direct::Pool::new(&reqwest::Url::parse(base).expect("url")).expect("pool"))
}

#[tokio::test]
async fn should_reuse_one_connection_for_calls_one_after_another() {
    let (port, connections) = server(AfterAnswer::KeepAlive).await;
    let transport = transport(&format!("http://127.0.0.1:{port}"));
    for _ in 0..3 {
        let answer = transport.send(get(), TIMEOUT).await.expect("an answer");
        assert_eq!(answer.status, 200);
        assert_eq!(&answer.body[..], br#"{"ok":true}"#);
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn should_not_reuse_a_connection_the_server_closed_while_it_was_idle() {
    let (port, connections) = server(AfterAnswer::CloseSoon).await;
    let transport = transport(&format!("http://127.0.0.1:{port}"));
    for _ in 0..3 {
        let answer = transport.send(get(), TIMEOUT).await.expect("an answer");
        assert_eq!(answer.status, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn should_say_tls_failed_when_the_server_does_not_speak_tls() {
    // A plain HTTP server that answers the TLS hello with what it sends any garbage.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let transport = transport(&format!("https://127.0.0.1:{port}"));
    match transport.send(get(), TIMEOUT).await {
        Err(TransportError::Unavailable(why)) => assert_eq!(why, "connection failed: TLS failed"),
        Err(other) => panic!("expected a TLS failure, got {other:?}"),
        Ok(answer) => panic!("expected a TLS failure, got {}", answer.status),
    }
}

#[tokio::test]
async fn should_say_refused_when_nothing_listens() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let transport = transport(&format!("http://127.0.0.1:{port}"));
    match transport.send(get(), TIMEOUT).await {
        Err(TransportError::Unavailable(why)) => {
            assert_eq!(why, "connection failed: connection refused")
        }
        Err(other) => panic!("expected a refusal, got {other:?}"),
        Ok(answer) => panic!("expected a refusal, got {}", answer.status),
    }
}

#[tokio::test]
async fn should_keep_connections_per_lane_so_a_call_never_polls_another_runtimes_socket() {
    let (port, connections) = server(AfterAnswer::KeepAlive).await;
    let transport = Arc::new(transport(&format!("http://127.0.0.1:{port}")));
    let lanes = crate::lanes::Lanes::start(2).expect("lanes");
    let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..2 {
        let (transport, done_tx) = (transport.clone(), done_tx.clone());
        // The first is counted open on its lane at once, so the second goes to the other lane.
        lanes.spawn(move |seat| async move {
            for _ in 0..3 {
                transport.send(get(), TIMEOUT).await.expect("an answer");
            }
            done_tx
                .send((crate::lanes::current(), seat))
                .expect("reported");
        });
    }
    let (mut lanes_used, mut seats) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let (lane, seat) = tokio::time::timeout(TIMEOUT, done.recv())
            .await
            .expect("in time")
            .expect("a lane");
        lanes_used.push(lane);
        seats.push(seat);
    }
    lanes_used.sort();
    assert_eq!(lanes_used, [1, 2]);
    assert_eq!(connections.load(Ordering::SeqCst), 2, "one per lane");
    // Off the lanes (the main runtime), neither lane's connection is taken.
    transport.send(get(), TIMEOUT).await.expect("an answer");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}
