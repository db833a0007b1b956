#!/usr/bin/env bash
# Context switches per request on the cold path, with the CPU each side spent: `device(id)` with a
# new id every request, through the peers' stub (set up target/peers first: see
# ../shared/peers/README.md). For each round, each target in turn: start the stub and the target on
# loopback, warm up 2 s, then `wrk -c$CONC` for 5 s while `perf stat` counts the target's context
# switches; prints req/s, switches per request, the target's and the stub's CPU µs per request.
# Loopback only, bounded: ROUNDS (3, at most 9) x targets x ~9 s. Needs `perf` (Debian's
# linux-perf: software events are enough) and `wrk`.
#
# A target is a gateway binary, optionally preceded by environment settings for it alone (as in
# cold-ab.sh), or the word `tailcall` (target/peers/tailcall, after its setup.sh).
#
#   benches/switches.sh target/release/seam-graphql tailcall
#   CONC=10 benches/switches.sh "SEAM_GRAPHQL_CONNECTION_THREADS=1 bin" "SEAM_GRAPHQL_CONNECTION_THREADS=0 bin" bin tailcall
set -euo pipefail
TOP=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
PEERS=$TOP/target/peers
CONC=${CONC:-10} ROUNDS=${ROUNDS:-3}
(( ROUNDS >= 1 && ROUNDS <= 9 && CONC >= 1 && CONC <= 256 )) || { echo "ROUNDS 1..9, CONC 1..256" >&2; exit 2; }
[[ -f $PEERS/mesh/stub-upstream.mjs ]] || { echo "no $PEERS (cp -r ../shared/peers target/peers)" >&2; exit 2; }
for tool in perf wrk node; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
(( $# >= 1 )) || { echo "usage: $0 <gateway binary | tailcall>..." >&2; exit 2; }
RUN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$RUN"' EXIT
HZ=$(getconf CLK_TCK)
STUB=4850 PORT=4853
ours='{"query":"query($id: ID!){ device(id: $id){ id displayName isOnline } }","variables":{"id":"33333333-__R__-4333-8333-__N__"}}'
tailcall='{"query":"query($id: String!) { device(id: $id) { device_id display_name properties { online } } }","variables":{"id":"33333333-__R__-4333-8333-__N__"}}'
sed "s/port: 4130/port: $PORT/" "$PEERS/tailcall/seam.graphql" >"$RUN/tailcall.graphql"
body() { sed "s/__R__/$(printf '%04d' $((RANDOM % 10000)))/" <<<"$1" >"$RUN/body.json"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
once() { # once <target>: prints "rps switches_per_request target_cpu_us stub_cpu_us"
  STUB_PORT=$STUB node "$PEERS/mesh/stub-upstream.mjs" >"$RUN/stub.log" 2>&1 & local stub=$!
  sleep 0.5
  local template=$ours gw
  if [[ $1 == tailcall ]]; then
    template=$tailcall
    SEAM_URL=http://127.0.0.1:$STUB "$PEERS/tailcall/bin/tailcall" start "$RUN/tailcall.graphql" >"$RUN/gw.log" 2>&1 & gw=$!
  else
    # shellcheck disable=SC2086 # the argument's settings and binary, split on spaces
    env SEAM_ENDPOINT=http://127.0.0.1:$STUB SEAM_API_KEY=seam_bench_key $1 --listen 127.0.0.1:$PORT >"$RUN/gw.log" 2>&1 & gw=$!
  fi
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
  # Tailcall's start-up may fork: count the process that listens.
  local serving; serving=$(pgrep -P "$gw" 2>/dev/null | head -1 || true); [[ -n $serving ]] || serving=$gw
  body "$template"; BODY_FILE=$RUN/body.json VARY=1 SEAM_API_KEY=seam_bench_key wrk -t1 -c"$CONC" -d2s -s "$PEERS/bench/vary.lua" "http://127.0.0.1:$PORT/graphql" >/dev/null
  body "$template"
  perf stat -e context-switches -p "$serving" -o "$RUN/perf.txt" & local perf=$!
  local g0 s0 g1 s1; g0=$(ticks "$serving"); s0=$(ticks $stub)
  local out; out=$(BODY_FILE=$RUN/body.json VARY=1 SEAM_API_KEY=seam_bench_key wrk -t1 -c"$CONC" -d5s -s "$PEERS/bench/vary.lua" "http://127.0.0.1:$PORT/graphql" | grep '^RESULT')
  g1=$(ticks "$serving"); s1=$(ticks $stub)
  kill -INT $perf; wait $perf || true
  kill "$gw" $stub; wait "$gw" $stub 2>/dev/null || true
  local n rps switches
  n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out"); rps=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$out")
  switches=$(awk '/context-switches/ {gsub(",", "", $1); print $1}' "$RUN/perf.txt")
  awk -v r="$rps" -v n="$n" -v s="$switches" -v g=$((g1 - g0)) -v t=$((s1 - s0)) -v hz="$HZ" \
    'BEGIN { printf "%d %.2f %.0f %.0f\n", r, s / n, g / hz * 1e6 / n, t / hz * 1e6 / n }'
}
for r in $(seq "$ROUNDS"); do for target in "$@"; do
  read -r rps switches cpu stub_cpu < <(once "$target")
  echo "round $r $target: $rps req/s, $switches switches/request, $cpu CPU µs/request (stub $stub_cpu) (c=$CONC)"
done; done
