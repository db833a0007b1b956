#!/usr/bin/env bash
# The test command (README): installs what the tests need beyond Rust, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/install-test-deps.sh ]; then
  scripts/install-test-deps.sh
fi
# Not --all-targets: that would also run the benchmarks (harness = false) as tests.
if [ $# -gt 0 ]; then
  cargo test --locked --lib --bins --tests "$@"
  exit
fi
# The soak asserts that its process's RSS ends near where it started, and it runs for two minutes:
# beside the other tests (two at a time, in one process per suite) their memory counted in it and its
# load slowed them, so it runs alone, after the rest.
SOAK=soak::should_come_back_whole_after_a_soak_of_faults_under_load
cargo test --locked --lib --bins --tests -- --skip "$SOAK"
cargo test --locked --test live -- --exact "$SOAK"
