#!/usr/bin/env bash
# Installs what the tests need beyond Rust: the npm `graphql-ws` client (tests/live/npm_client.rs) and the
# `graphql-http` conformance audit (tests/gateway/over_http/audit.rs).
set -euo pipefail
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
