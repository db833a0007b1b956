#!/usr/bin/env python3
# Memory per subscription with padded documents. Start the sandbox and a gateway on it with
# SEAM_API_KEY=seam_apikey1_token, then
#   python3 benches/padded-subscriptions.py <port> <sockets> <per socket> <document bytes>
# (loopback only; it holds the subscriptions 60 s) and read the gateway's VmRSS once it prints
# "opened", against its RSS before. Each subscription is distinct (a padded comment).
import base64, json, os, socket, sys, time
port, sockets, per, size = map(int, sys.argv[1:5])
def frame(text):
    data = text.encode(); mask = os.urandom(4); n = len(data)
    head = bytes([0x81, 0x80 | n]) if n < 126 else (bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big") if n < 65536 else bytes([0x81, 0x80 | 127]) + n.to_bytes(8, "big"))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))
held = []
for s_i in range(sockets):
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /graphql/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())
    s.recv(4096)
    s.sendall(frame(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer seam_apikey1_token"}})))
    s.recv(4096)
    for j in range(per):
        q = "subscription { accessCodeStatusChanged { eventId } }\n#" + f"{s_i}-{j}" + "x" * (size - 60)
        s.sendall(frame(json.dumps({"id": str(j), "type": "subscribe", "payload": {"query": q}})))
    held.append(s)
print("opened", flush=True); time.sleep(60)
print(f"{sockets * per} subscriptions sent")
