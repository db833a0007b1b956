#!/usr/bin/env python3
# Idle connections with made-up keys: how many a gateway holds, what they cost, and whether the
# gateway still answers afterwards. Loopback only; n at most 30,000, one pass, no retries.
#   python3 benches/connection-flood.py <port> <n> [gateway pid]
# e.g. target/release/seam-graphql --listen 127.0.0.1:4834 &
#      (ulimit -n 40000; python3 benches/connection-flood.py 4834 19990 $!)
# Opens n graphql-transport-ws connections one after the other (upgrade, then connection_init
# with `Authorization: Bearer seam_made_up_<i>`, a key Seam has never issued) and keeps them open
# and idle (the gateway closes sockets that answer no pings for 30 s, so the whole run must be
# quicker: it stops after 10 connections go unanswered, each waiting 1 s). Reports how many were acknowledged and how the rest were answered, the gateway's
# resident memory before and after (with a pid), then times one ordinary `POST /graphql` and one
# `GET /healthz` on fresh connections.
import base64, json, os, socket, sys, time

port, n = int(sys.argv[1]), min(int(sys.argv[2]), 30000)
pid = sys.argv[3] if len(sys.argv) > 3 else None


def rss_mib():
    if not pid:
        return None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def frame(text):
    data = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81, 0x80 | len(data)]) if len(data) < 126 else bytes([0x81, 0x80 | 126]) + len(data).to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def timed_request(raw):
    t0 = time.time()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        s.settimeout(3)
        s.sendall(raw)
        head = s.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
        s.close()
        return f"{head or 'connection closed'} in {(time.time() - t0) * 1000:.1f} ms"
    except Exception as e:
        return f"no answer ({type(e).__name__}) after {(time.time() - t0) * 1000:.0f} ms"


before = rss_mib()
held, answers = [], {}
t0 = time.time()
unanswered = 0
for i in range(n):
    if unanswered >= 10:
        answers["not tried: 10 went unanswered"] = n - i
        break
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)
    except OSError as e:
        answers[f"connect: {type(e).__name__}"] = answers.get(f"connect: {type(e).__name__}", 0) + 1
        continue
    s.settimeout(1)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /graphql/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())
    try:
        head = s.recv(4096)
        if head.startswith(b"HTTP/1.1 101"):
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer seam_made_up_{i}"}}
            s.sendall(frame(json.dumps(init)))
            answer = "acknowledged" if b"connection_ack" in s.recv(4096) else "upgraded, not acknowledged"
        else:
            answer = head.split(b"\r\n", 1)[0].decode(errors="replace") or "closed"
    except Exception as e:
        answer = f"no answer ({type(e).__name__})"
        unanswered += 1
    answers[answer] = answers.get(answer, 0) + 1
    held.append(s)
elapsed = time.time() - t0
after = rss_mib()
print(f"{n} websockets with made-up keys in {elapsed:.1f} s:")
for answer, count in sorted(answers.items(), key=lambda kv: -kv[1]):
    print(f"  {count:>6}  {answer}")
if before is not None:
    print(f"gateway RSS {before:.1f} -> {after:.1f} MiB")
query = json.dumps({"query": "{ __typename }"}).encode()
print("then POST /graphql:", timed_request(
    b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
    + f"Content-Length: {len(query)}\r\n\r\n".encode() + query))
print("then GET /healthz: ", timed_request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
