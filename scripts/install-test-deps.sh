#!/usr/bin/env bash
# Installs what the tests need beyond Rust: the npm `graphql-ws` client (tests/live/npm_client.rs) and the
# `graphql-http` conformance audit (tests/gateway/over_http/audit.rs), and `redis-server` for the
# cluster suite (tests/cluster: two replicas sharing state through Redis).
set -euo pipefail
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y redis-server >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y redis-server >/dev/null; }
  else
    echo "install-test-deps: redis-server is required (e.g. apt-get install redis-server)" >&2
    exit 1
  fi
fi
cd "$(dirname "$0")/../tests/js"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-test-deps: node and npm are required (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
