#!/usr/bin/env bash
# A/B of gateway binaries on the cold path: `device(id)` with a new id every request, through the
# peers' stub (set up target/peers first: see ../shared/peers/README.md). For each round, each binary
# in turn: start the stub and the gateway on loopback, warm up 2 s, then `wrk -c$CONC` for 5 s;
# prints req/s and the gateway's CPU µs per request per run, then the medians. Loopback only,
# bounded: ROUNDS (3, at most 9) x binaries x 7 s.
#
# A gateway argument may start with environment settings for that gateway alone; QUERY=codes asks
# for access codes by id with their devices (the stub answers 3 codes on 2 devices never seen).
#
#   benches/cold-ab.sh old-binary target/release/seam-graphql
#   CONC=50 ROUNDS=5 benches/cold-ab.sh a b
#   PRE="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2" benches/cold-ab.sh bin   # allocator A/B
#   benches/cold-ab.sh "SEAM_GRAPHQL_CONNECTION_THREADS=0 bin" bin                        # setting A/B
#   QUERY=codes benches/cold-ab.sh a b
set -euo pipefail
TOP=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
PEERS=$TOP/target/peers
CONC=${CONC:-10} ROUNDS=${ROUNDS:-3} PRE=${PRE:-}
(( ROUNDS >= 1 && ROUNDS <= 9 && CONC >= 1 && CONC <= 256 )) || { echo "ROUNDS 1..9, CONC 1..256" >&2; exit 2; }
[[ -f $PEERS/mesh/stub-upstream.mjs ]] || { echo "no $PEERS (cp -r ../shared/peers target/peers)" >&2; exit 2; }
(( $# >= 1 )) || { echo "usage: $0 <gateway binary>..." >&2; exit 2; }
RUN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$RUN"' EXIT
HZ=$(getconf CLK_TCK)
# A fresh run number in the ids of every run (vary.lua fills __N__ per request), as compare.sh does.
case ${QUERY:-device} in
  device) TEMPLATE='{"query":"query($id: ID!){ device(id: $id){ id displayName isOnline } }","variables":{"id":"33333333-__R__-4333-8333-__N__"}}' ;;
  codes) TEMPLATE='{"query":"query($ids: [ID!]){ accessCodes(accessCodeIds: $ids){ nodes { id code device { id displayName } } } }","variables":{"ids":["44444444-__R__-4444-8444-__N__"]}}' ;;
  *) echo "QUERY is device or codes" >&2; exit 2 ;;
esac
body() { sed "s/__R__/$(printf '%04d' $((RANDOM % 10000)))/" <<<"$TEMPLATE" >"$RUN/body.json"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
once() { # once "[NAME=value ...] <binary>": prints "rps cpu_us"
  STUB_PORT=4820 node "$PEERS/mesh/stub-upstream.mjs" >"$RUN/stub.log" 2>&1 & local stub=$!
  sleep 0.5
  # shellcheck disable=SC2086 # the argument's settings and binary, split on spaces
  env $PRE SEAM_ENDPOINT=http://127.0.0.1:4820 SEAM_API_KEY=seam_bench_key $1 --listen 127.0.0.1:4823 >"$RUN/gw.log" 2>&1 & local gw=$!
  for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:4823/healthz && break; sleep 0.1; done
  body; BODY_FILE=$RUN/body.json VARY=1 wrk -t1 -c"$CONC" -d2s -s "$PEERS/bench/vary.lua" http://127.0.0.1:4823/graphql >/dev/null
  body; local t0; t0=$(ticks $gw)
  local out; out=$(BODY_FILE=$RUN/body.json VARY=1 wrk -t1 -c"$CONC" -d5s -s "$PEERS/bench/vary.lua" http://127.0.0.1:4823/graphql | grep '^RESULT')
  local t1; t1=$(ticks $gw)
  kill $gw $stub; wait $gw $stub 2>/dev/null || true
  local n rps; n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out"); rps=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$out")
  echo "$rps $(( (t1 - t0) * 1000000 / HZ / n ))"
}
declare -A RPS CPU
for r in $(seq "$ROUNDS"); do for b in "$@"; do
  read -r rps cpu < <(once "$b"); RPS[$b]+="$rps "; CPU[$b]+="$cpu "
  echo "round $r $b: $rps req/s, $cpu CPU µs/request"
done; done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for b in "$@"; do echo "$b: median $(median <<<"${RPS[$b]}") req/s, $(median <<<"${CPU[$b]}") CPU µs/request (c=$CONC)"; done
