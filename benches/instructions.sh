#!/usr/bin/env bash
# Instructions per cold request, counted by valgrind's callgrind: deterministic where CPU time on
# this VM moves ±10% from one run to the next, so a change of a few percent shows. For each gateway
# binary: the peers' stub and the gateway (under callgrind, counting off) on loopback, 3 s of
# warm-up, then counting on for `wrk -c4` over SECS (10) seconds; prints requests, instructions and
# instructions per request (user space: the gateway's code, its libraries and libc, not the
# kernel), and leaves the profile in OUT (target/instructions) for `callgrind_annotate`.
# Loopback only, bounded: binaries x (SECS + ~10) s. Needs `valgrind` (Debian's package).
#
#   benches/instructions.sh old-binary target/release/seam-graphql
#   QUERY=device benches/instructions.sh target/release/seam-graphql
# QUERY is codes (default: access codes by id with their devices, 3 codes on 2 devices never seen)
# or device (`device(id)` with a new id each request), as in benches/cold-ab.sh.
set -euo pipefail
TOP=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
PEERS=$TOP/target/peers
SECS=${SECS:-10} OUT=${OUT:-$TOP/target/instructions}
(( SECS >= 1 && SECS <= 60 )) || { echo "SECS 1..60" >&2; exit 2; }
[[ -f $PEERS/mesh/stub-upstream.mjs ]] || { echo "no $PEERS (cp -r ../shared/peers target/peers)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
(( $# >= 1 )) || { echo "usage: $0 <gateway binary>..." >&2; exit 2; }
mkdir -p "$OUT"
RUN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$RUN"' EXIT
case ${QUERY:-codes} in
  device) TEMPLATE='{"query":"query($id: ID!){ device(id: $id){ id displayName isOnline } }","variables":{"id":"33333333-__R__-4333-8333-__N__"}}' ;;
  codes) TEMPLATE='{"query":"query($ids: [ID!]){ accessCodes(accessCodeIds: $ids){ nodes { id code device { id displayName } } } }","variables":{"ids":["44444444-__R__-4444-8444-__N__"]}}' ;;
  *) echo "QUERY is device or codes" >&2; exit 2 ;;
esac
body() { sed "s/__R__/$(printf '%04d' $((RANDOM % 10000)))/" <<<"$TEMPLATE" >"$RUN/body.json"; }
# Each request writes one operation log line: the count of lines is the count of requests served
# while counting was on (wrk's own count misses those it gave up on at the end).
served() { grep -c "graphql operation" "$RUN/gw.log" || true; }
n=0
for bin in "$@"; do
  n=$((n + 1))
  profile=$OUT/$n-$(basename "$bin").callgrind
  rm -f "$profile"*
  STUB_PORT=4830 node "$PEERS/mesh/stub-upstream.mjs" >"$RUN/stub.log" 2>&1 & stub=$!
  sleep 0.5
  SEAM_ENDPOINT=http://127.0.0.1:4830 SEAM_API_KEY=seam_bench_key \
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$profile" \
    "$bin" --listen 127.0.0.1:4833 >"$RUN/gw.log" 2>&1 & gw=$!
  for _ in $(seq 300); do curl -sf -o /dev/null http://127.0.0.1:4833/healthz && break; sleep 0.2; done
  body; BODY_FILE=$RUN/body.json VARY=1 wrk -t1 -c4 -d3s -s "$PEERS/bench/vary.lua" http://127.0.0.1:4833/graphql >/dev/null
  sleep 0.5; before=$(served)
  callgrind_control -i on $gw >/dev/null 2>&1
  body; BODY_FILE=$RUN/body.json VARY=1 wrk -t1 -c4 -d"${SECS}s" -s "$PEERS/bench/vary.lua" http://127.0.0.1:4833/graphql >/dev/null
  callgrind_control -i off $gw >/dev/null 2>&1
  callgrind_control -d $gw >/dev/null 2>&1
  sleep 0.5; requests=$(( $(served) - before ))
  kill $gw $stub; wait $gw $stub 2>/dev/null || true
  total=$(callgrind_annotate "$profile.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo "$bin: $requests requests, $total instructions, $(( total / requests )) per request ($profile.1)"
done
