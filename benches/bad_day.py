#!/usr/bin/env python3
"""A bad day upstream, measured: how long requests wait while Seam is a black hole, and how many codes
20 concurrent identical creates make. Loopback only, bounded in count and time.

Run: python3 benches/bad_day.py [path/to/seam-graphql]   (default: target/release/seam-graphql;
build it first with `cargo build --release`). Pass an older build to compare.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/seam-graphql"
KEY = "seam_apikey1_token"
TIMEOUT_MS = 2000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def black_hole():
    """Accepts connections and never answers; returns its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(256)
    held = []

    def accept():
        while True:
            conn, _ = server.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def start(args, env):
    proc = subprocess.Popen([BIN, *args], env={**os.environ, "RUST_LOG": "warn", **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc


def wait_ready(url):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.05)
    raise SystemExit(f"{url} never came up")


def gql(port, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"content-type": "application/json",
                                              "authorization": f"Bearer {KEY}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            answer = json.load(r)
    except urllib.error.HTTPError as e:
        answer = json.load(e)
    return time.monotonic() - started, answer


def concurrently(n, fn):
    results = [None] * n
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, fn())) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def code(answer):
    errors = answer.get("errors") or [{}]
    return errors[0].get("extensions", {}).get("code", "-")


def black_hole_case():
    port = free_port()
    gateway = start(["--listen", f"127.0.0.1:{port}"],
                    {"SEAM_API_KEY": KEY, "SEAM_ENDPOINT": f"http://127.0.0.1:{black_hole()}",
                     "SEAM_GRAPHQL_UPSTREAM_TIMEOUT_MS": str(TIMEOUT_MS)})
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        query = '{ device(id: "august_device_1") { id } }'
        for _ in range(5):  # an outage that has been going on for a while
            gql(port, query)
        results = concurrently(20, lambda: gql(port, query))
        times = sorted(t for t, _ in results)
        codes = sorted({code(a) for _, a in results})
        print(f"black hole, {TIMEOUT_MS} ms upstream timeout, 20 concurrent reads after 5 failed ones: "
              f"p50 {times[10] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms, codes {codes}")
    finally:
        gateway.kill()


def duplicate_creates_case():
    sandbox_port, port = free_port(), free_port()
    sandbox = start(["sandbox", "--listen", f"127.0.0.1:{sandbox_port}"], {})
    gateway = None
    try:
        wait_ready(f"http://127.0.0.1:{sandbox_port}/_sandbox/calls")
        gateway = start(["--listen", f"127.0.0.1:{port}"],
                        {"SEAM_API_KEY": KEY, "SEAM_ENDPOINT": f"http://127.0.0.1:{sandbox_port}"})
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        count = '{ accessCodes(deviceId: "august_device_2") { nodes { id } } }'
        before = len(gql(port, count)[1]["data"]["accessCodes"]["nodes"])
        create = ('mutation($i: CreateAccessCodeInput!) { createAccessCode(input: $i) '
                  '{ accessCode { id } } }')
        keyed = {"deviceId": "august_device_2", "name": "front desk", "idempotencyKey": "bench-1"}
        results = concurrently(20, lambda: gql(port, create, {"i": keyed}))
        if any(code(a) == "BAD_USER_INPUT" for _, a in results):  # a build without idempotency keys
            plain = {k: v for k, v in keyed.items() if k != "idempotencyKey"}
            results = concurrently(20, lambda: gql(port, create, {"i": plain}))
        after = len(gql(port, count)[1]["data"]["accessCodes"]["nodes"])
        print(f"20 concurrent identical creates (generated PIN): {after - before} codes made, "
              f"outcomes {sorted({code(a) for _, a in results})}")
    finally:
        if gateway:
            gateway.kill()
        sandbox.kill()


if __name__ == "__main__":
    print(f"binary: {BIN}")
    black_hole_case()
    duplicate_creates_case()
