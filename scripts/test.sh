#!/usr/bin/env bash
# The test command (README): installs what the tests need beyond Rust, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/install-test-deps.sh ]; then
  scripts/install-test-deps.sh
fi
# Not --all-targets: that would also run the benchmarks (harness = false) as tests.
cargo test --locked --lib --bins --tests "$@"
