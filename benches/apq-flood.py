#!/usr/bin/env python3
# Persisted-query flood: a gateway must not keep whatever documents anyone sends. Start one, then
#   python3 benches/apq-flood.py <port> <documents> <bytes each>     (loopback only; at most 5,000 x 1 MB)
# and compare its RSS before and after (grep VmRSS /proc/<pid>/status). Registers the documents
# (a query padded with a comment), 8 at a time, then asks for the last 10 by hash alone.
import hashlib, json, sys, urllib.request, concurrent.futures as cf
port, n, size = int(sys.argv[1]), min(int(sys.argv[2]), 5000), min(int(sys.argv[3]), 1_000_000)
url = f"http://127.0.0.1:{port}/graphql"
def post(body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r: return r.status, json.loads(r.read())
def doc(i): return "{ __typename }\n#" + str(i) + "x" * (size - 30)
def register(i):
    d = doc(i); h = hashlib.sha256(d.encode()).hexdigest()
    status, _ = post({"query": d, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": h}}})
    return status
def lookup(i):
    h = hashlib.sha256(doc(i).encode()).hexdigest()
    _, body = post({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": h}}})
    return "errors" not in body
with cf.ThreadPoolExecutor(8) as pool:
    ok = sum(s == 200 for s in pool.map(register, range(n)))
    found = sum(pool.map(lookup, range(n - 10, n)))
print(f"{ok}/{n} registrations answered 200; {found}/10 of the last ones found by hash")
