#!/usr/bin/env bash
# A flood of SSE stream reservations (`PUT /graphql`, graphql-sse's single connection mode) with one
# API key: what the gateway answers, and what its memory does. Starts the sandbox and the gateway as
# their own processes on loopback, then `wrk -c$CONC` PUTs for $SECS s; prints the requests, the
# answers by status and the gateway's RSS before and after. Loopback only, bounded in time.
#
#   benches/sse-reserve-flood.sh                         # target/release/seam-graphql
#   CONC=50 SECS=5 benches/sse-reserve-flood.sh path/to/other/seam-graphql
set -euo pipefail
TOP=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
BIN=${1:-$TOP/target/release/seam-graphql}
CONC=${CONC:-50} SECS=${SECS:-5}
(( CONC >= 1 && CONC <= 256 && SECS >= 1 && SECS <= 30 )) || { echo "CONC 1..256, SECS 1..30" >&2; exit 2; }
[[ -x $BIN ]] || { echo "no $BIN: cargo build --release" >&2; exit 2; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
RUN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$RUN"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
KEY=seam_apikey1_token SANDBOX=$(free_port) GATEWAY=$(free_port)

"$BIN" sandbox --listen "127.0.0.1:$SANDBOX" >"$RUN/sandbox.log" 2>&1 &
SEAM_ENDPOINT=http://127.0.0.1:$SANDBOX SEAM_API_KEY=$KEY RUST_LOG=warn \
  "$BIN" --listen "127.0.0.1:$GATEWAY" >"$RUN/gateway.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$GATEWAY/healthz" && break; sleep 0.1; done

cat >"$RUN/put.lua" <<LUA
wrk.method = "PUT"
wrk.headers["authorization"] = "Bearer $KEY"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init() created, limited, other = 0, 0, 0 end
function response(status)
  if status == 201 then created = created + 1
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end
function done(summary)
  local c, l, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c, l, o = c + t:get("created"), l + t:get("limited"), o + t:get("other")
  end
  io.write(string.format("%d PUTs in %.1f s: %d reserved (201), %d refused (429), %d other\n",
    summary.requests, summary.duration / 1e6, c, l, o))
end
LUA
echo "gateway RSS before: $(rss $PID)"
wrk -t1 -c"$CONC" -d"${SECS}s" -s "$RUN/put.lua" "http://127.0.0.1:$GATEWAY/graphql" | tail -1
echo "gateway RSS after:  $(rss $PID)"
