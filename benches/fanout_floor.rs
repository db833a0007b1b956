//! Benchmark: the floor under `fanout`'s one-socket-per-subscription shape on this machine. The
//! same 10,000 websocket clients as `fanout` (`support/subscriber.rs`), but served by the least a
//! server can do: after the handshake, two plain threads (as the gateway has two lanes on two
//! cores) each write one ready-made `next` frame to each of their sockets per event, with blocking
//! `write` calls in a loop. No GraphQL, no async runtime, no JSON: only the kernel's work per
//! delivery (the loopback send, the receiver's TCP work and wake-up that the sender pays for) and
//! the clients' own.
//!
//! Run: `cargo bench --bench fanout_floor` (loopback only; bounded by counts and timeouts), best
//! interleaved with `fanout`, since this VM's speed varies by the minute. Compare its row with
//! `fanout`'s 10,000-socket row: its server CPU per event is the floor for any server, and the gap
//! to the gateway's is the gateway's own work. Its p99 is what the simplest server shows, not a
//! bound: each thread writes its half in one burst and the clients read behind it, where the
//! gateway's lanes interleave better (its p99 was the lower in every pair measured).
//!
//! The floor server is this same binary, started again as its own process (`--floor-server`), so
//! its CPU is measured apart from the clients', as the gateway's is in `fanout`.

// Only the subscriber and the arithmetic are used here, not the webhook helpers.
#[allow(dead_code)]
#[path = "support/subscriber.rs"]
mod subscriber;
#[allow(dead_code)]
mod support;

use subscriber::{collect_latencies, ms, percentile, subscriber};
use support::{cpu_ms, Proc};

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd};
use std::process::{Command, Stdio};
use std::sync::{mpsc as std_mpsc, Arc};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

const SUBSCRIBERS: usize = 10_000;
const EVENTS: usize = 20;
const EVENT_GAP: Duration = Duration::from_millis(250);
const CONNECT_CONCURRENCY: usize = 100;
/// As many sending threads as the gateway has lanes on this machine's two cores.
const SENDERS: usize = 2;

/// What a sending thread is told: a new socket to serve, or a frame for all of its sockets.
enum ToSender {
    Socket(TcpStream),
    Frame(Arc<Vec<u8>>),
}

/// A websocket text frame as a server sends it (unmasked), holding the `next` message the gateway
/// sends for this benchmark's subscription: `{ eventId status }` of `accessCodeStatusChanged`.
fn next_frame(event_id: &str) -> Vec<u8> {
    let payload = format!(
        r#"{{"id":"1","type":"next","payload":{{"data":{{"accessCodeStatusChanged":{{"eventId":"{event_id}","status":"SET"}}}}}}}}"#
    );
    let mut frame = vec![0x81];
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload.as_bytes());
    frame
}

/// The floor server: websocket handshakes on `ws` (async, as any server would), then sockets
/// handed round robin to the sending threads. Control lines on `control`: `count` answers how
/// many sockets are being served, `event ID` has every sender write ID's frame to all of its sockets.
// The handshake callback's error type is tungstenite's, however large clippy finds it.
#[allow(clippy::result_large_err)]
fn floor_server(ws: TcpListener, control: TcpListener) {
    let senders: Vec<std_mpsc::Sender<ToSender>> = (0..SENDERS)
        .map(|i| {
            let (tx, rx) = std_mpsc::channel::<ToSender>();
            std::thread::Builder::new()
                .name(format!("sender-{i}"))
                .spawn(move || {
                    let mut sockets = Vec::new();
                    for message in rx {
                        match message {
                            ToSender::Socket(s) => sockets.push(s),
                            ToSender::Frame(frame) => {
                                for s in &mut sockets {
                                    let _ = s.write_all(&frame);
                                }
                            }
                        }
                    }
                })
                .expect("sender thread");
            tx
        })
        .collect();
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    let accepting = {
        let (senders, served) = (senders.clone(), served.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                ws.set_nonblocking(true).expect("nonblocking");
                let listener = tokio::net::TcpListener::from_std(ws).expect("listener");
                let mut next = 0;
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let ws = tokio_tungstenite::accept_hdr_async(
                        stream,
                        |_: &Request, mut response: Response| {
                            response.headers_mut().insert(
                                "sec-websocket-protocol",
                                "graphql-transport-ws".parse().expect("header"),
                            );
                            Ok(response)
                        },
                    )
                    .await;
                    let Ok(ws) = ws else { continue };
                    // What the client sends after this (init, subscribe) stays unread: this
                    // server only writes. tokio-tungstenite gives no way to take the stream back: a duplicate of its
                    // descriptor keeps the socket open once the websocket is dropped.
                    let fd = unsafe { libc::dup(ws.get_ref().as_raw_fd()) };
                    assert!(fd >= 0, "dup");
                    drop(ws);
                    let std = unsafe { TcpStream::from_raw_fd(fd) };
                    std.set_nonblocking(false).expect("blocking");
                    std.set_nodelay(true).expect("nodelay");
                    let _ = senders[next % SENDERS].send(ToSender::Socket(std));
                    next += 1;
                    served.store(next, std::sync::atomic::Ordering::Relaxed);
                }
            })
        })
    };

    for stream in control.incoming().flatten() {
        let mut out = stream.try_clone().expect("clone");
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if line == "count" {
                let n = served.load(std::sync::atomic::Ordering::Relaxed);
                let _ = writeln!(out, "{n}");
            } else if let Some(id) = line.strip_prefix("event ") {
                let frame = Arc::new(next_frame(id));
                for s in &senders {
                    let _ = s.send(ToSender::Frame(frame.clone()));
                }
                let _ = writeln!(out, "ok");
            }
        }
    }
    drop(accepting);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--floor-server") {
        let ws = TcpListener::bind(&args[2]).expect("bind ws");
        let control = TcpListener::bind(&args[3]).expect("bind control");
        floor_server(ws, control);
        return;
    }

    let ws_port = support::free_port();
    let control_port = support::free_port();
    let server = Proc(
        Command::new(std::env::current_exe().expect("exe"))
            .args([
                "--floor-server",
                &format!("127.0.0.1:{ws_port}"),
                &format!("127.0.0.1:{control_port}"),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("floor server"),
    );
    let mut control = None;
    for _ in 0..200 {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", control_port)) {
            control = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let control = control.expect("floor server never came up");
    let mut reply = BufReader::new(control.try_clone().expect("clone"));
    let mut control = control;
    let mut ask = move |line: &str| {
        writeln!(control, "{line}").expect("control");
        let mut answer = String::new();
        reply.read_line(&mut answer).expect("control answer");
        answer.trim().to_owned()
    };

    let pid = server.0.id();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let row = rt.block_on(async move {
        eprintln!("floor: {SUBSCRIBERS} sockets, {EVENTS} events...");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let url = format!("ws://127.0.0.1:{ws_port}/graphql/ws");
        let sem = Arc::new(tokio::sync::Semaphore::new(CONNECT_CONCURRENCY));
        let mut tasks = Vec::with_capacity(SUBSCRIBERS);
        for _ in 0..SUBSCRIBERS {
            let permit = sem.clone().acquire_owned().await.expect("permit");
            let (url, tx) = (url.clone(), tx.clone());
            tasks.push(tokio::spawn(async move {
                let fut = subscriber(url, 1, tx);
                drop(permit);
                fut.await
            }));
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        while ask("count").parse::<usize>().unwrap_or(0) < SUBSCRIBERS {
            assert!(Instant::now() < deadline, "sockets did not all connect");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;

        let (server_before, clients_before) = (cpu_ms(pid), cpu_ms(std::process::id()));
        let mut sent_at = HashMap::new();
        for _ in 0..EVENTS {
            let id = uuid::Uuid::new_v4().to_string();
            let at = Instant::now();
            assert_eq!(ask(&format!("event {id}")), "ok");
            sent_at.insert(id, at);
            tokio::time::sleep(EVENT_GAP).await;
        }
        let expected = SUBSCRIBERS * EVENTS;
        let mut latencies = collect_latencies(&mut rx, &sent_at, expected).await;
        let server_cpu = cpu_ms(pid) - server_before;
        let clients_cpu = cpu_ms(std::process::id()) - clients_before;
        for t in &tasks {
            t.abort();
        }
        latencies.sort();
        format!(
            "| {SUBSCRIBERS} | {SUBSCRIBERS} | {}/{expected} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
            latencies.len(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            latencies.last().map_or(f64::NAN, |d| ms(*d)),
            server_cpu / EVENTS as f64,
            clients_cpu / EVENTS as f64,
        )
    });
    drop(server);
    println!();
    println!("fan-out floor: {EVENTS} events, a ready-made frame written to each socket by {SENDERS} plain threads");
    println!("| subscribers | sockets | delivered | event->delivery p50 | p99 | max | server CPU per event | clients' CPU per event |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!("{row}");
}
