#!/usr/bin/env python3
# A flood of requests with made-up API keys: how many calls reach Seam, and how many at once.
# Loopback only, bounded: one run of `seconds` (at most 30) at `concurrency` (at most 500).
#   python3 benches/made-up-keys.py <gateway binary> [seconds=5] [concurrency=200]
# Starts a fake Seam on a free loopback port that answers every call 401 after 100 ms (as Seam
# answers a key it never issued, at a realistic round trip), starts the gateway in front of it
# (SEAM_ENDPOINT, with a key of its own so there is no sandbox), then sends `{ devices { nodes { id } } }`
# with a new random key per request. Reports the gateway's answers by code, and the calls Seam got:
# in all, per second, and the most in flight at once.
import asyncio, json, os, socket, subprocess, sys, time
from collections import Counter

binary = sys.argv[1]
seconds = min(float(sys.argv[2]) if len(sys.argv) > 2 else 5, 30)
concurrency = min(int(sys.argv[3]) if len(sys.argv) > 3 else 200, 500)
seam = {"calls": 0, "in_flight": 0, "most": 0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def fake_seam(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            seam["calls"] += 1
            seam["in_flight"] += 1
            seam["most"] = max(seam["most"], seam["in_flight"])
            await asyncio.sleep(0.1)
            seam["in_flight"] -= 1
            body = b'{"error":{"type":"unauthorized","message":"Unauthorized"}}'
            writer.write(b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n"
                         + f"content-length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def client(port, deadline, answers):
    query = json.dumps({"query": "{ devices { nodes { id } } }"}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.time() < deadline:
        key = "seam_made_up_" + os.urandom(8).hex()
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + f"Authorization: Bearer {key}\r\nContent-Length: {len(query)}\r\n\r\n".encode() + query)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
        body = json.loads(await reader.readexactly(length))
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])] or ["none"]
        answers[codes[0]] += 1
    writer.close()


async def main():
    seam_port, gateway_port = free_port(), free_port()
    server = await asyncio.start_server(fake_seam, "127.0.0.1", seam_port)
    env = dict(os.environ, SEAM_ENDPOINT=f"http://127.0.0.1:{seam_port}", SEAM_API_KEY="seam_own_key")
    gateway = subprocess.Popen([binary, "--listen", f"127.0.0.1:{gateway_port}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", gateway_port), timeout=0.1).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        seam.update(calls=0, most=0)
        answers = Counter()
        started = time.time()
        await asyncio.gather(*(client(gateway_port, started + seconds, answers) for _ in range(concurrency)))
        elapsed = time.time() - started
        print(f"{sum(answers.values())} requests with made-up keys in {elapsed:.1f} s at c={concurrency}:",
              ", ".join(f"{n} {code}" for code, n in answers.most_common()))
        print(f"Seam got {seam['calls']} calls ({seam['calls'] / elapsed:.0f}/s), at most {seam['most']} at once")
    finally:
        gateway.terminate()
        gateway.wait()
        server.close()


asyncio.run(main())
