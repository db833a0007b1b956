#!/usr/bin/env bash
# Installs what the tests need beyond Rust, idempotently (quick when everything is there):
# - npm packages in tests/js: the `graphql-ws` and `graphql-sse` clients (tests/live/npm_client.rs),
#   the `graphql-http` conformance audit (tests/gateway/over_http/audit.rs), and playwright-core
#   (tests/live/browser.rs);
# - the npm packages of examples/typescript-client (tests/live/typescript_example.rs);
# - Debian packages (apt-get, when missing; CI runs this as root on a fresh Debian machine): chromium for
#   the browser test, and redis-server for the cluster suite (tests/cluster: two replicas sharing state
#   through Redis).
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

# Debian packages the tests run: what is missing, installed in one apt-get call.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "install-test-deps: missing ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
