#!/usr/bin/env bash
# Installs what the tests need beyond Rust, idempotently (quick when everything is there):
# - npm packages in tests/js: the `graphql-ws` and `graphql-sse` clients (tests/live/npm_client.rs),
#   the `graphql-http` conformance audit (tests/gateway/over_http/audit.rs), and playwright-core
#   (tests/live/browser.rs);
# - Debian's chromium for that browser test (apt-get, when /usr/bin/chromium is missing; CI runs this
#   as root on a fresh Debian machine);
# - the npm packages of examples/typescript-client (tests/live/typescript_example.rs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-test-deps: node and npm are required (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi

# `npm ci` in $1 unless its node_modules was installed from the same lock file.
npm_ci() {
  local dir="$1"
  if [ -f "$dir/node_modules/.installed-lock" ] && cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock"; then
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund)
  cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock"
}

npm_ci "$root/tests/js"
npm_ci "$root/examples/typescript-client"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: /usr/bin/chromium is missing; run as root or: sudo apt-get install chromium" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
