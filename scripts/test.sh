#!/usr/bin/env bash
# The test command (README): installs what the tests need beyond Rust, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/install-test-deps.sh ]; then
  scripts/install-test-deps.sh
fi
cargo test --locked --all-targets "$@"
