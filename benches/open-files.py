#!/usr/bin/env python3
# Open files under a low limit: start a gateway with `ulimit -Sn 1024`, then
#   python3 benches/open-files.py <port> <n>     (loopback only; n at most 5,000)
# e.g. sh -c "ulimit -Sn 1024; exec target/release/seam-graphql --listen 127.0.0.1:4833" &
#      (ulimit -n 4096; python3 benches/open-files.py 4833 1300)
# Opens n graphql-transport-ws connections (upgrade + connection_init) one after
# the other, each waiting at most 2 s for its answer; reports how many were acknowledged.
import base64, json, os, socket, sys, time

port, n = int(sys.argv[1]), min(int(sys.argv[2]), 5000)
def frame(text):
    data = text.encode(); mask = os.urandom(4)
    head = bytes([0x81, 0x80 | len(data)]) if len(data) < 126 else bytes([0x81, 0x80 | 126]) + len(data).to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))
held, acked, first_fail = [], 0, None
t0 = time.time()
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(2)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /graphql/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())
    try:
        head = s.recv(4096)
        s.sendall(frame(json.dumps({"type": "connection_init", "payload": {}})))
        ack = s.recv(4096)
        ok = head.startswith(b"HTTP/1.1 101") and b"connection_ack" in ack
    except Exception:
        ok = False
    if ok: acked += 1
    elif first_fail is None: first_fail = i
    held.append(s)
print(f"{acked}/{n} websockets acknowledged in {time.time()-t0:.1f} s; first failure at #{first_fail}")
