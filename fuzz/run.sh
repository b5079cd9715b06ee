#!/usr/bin/env bash
# Fuzzes the parsers of outside input with cargo-fuzz (libFuzzer, AddressSanitizer) on the
# nightly toolchain. A benchmark run by hand, not in CI: CI replays the committed corpus as
# an ordinary test (`cargo test -p claimdesk-engine --test engine fuzz_corpus`).
#
#   bash fuzz/run.sh                 # every target, RUNS executions each (default 10,000,000)
#   RUNS=100000 bash fuzz/run.sh feed config
#   MAX_SECONDS=150 bash fuzz/run.sh # stop each target after this long if RUNS are not done
#   SANITIZER=none bash fuzz/run.sh  # without AddressSanitizer: cheaper executions; the
#                                    # parsers are safe Rust, so panics, overflow checks
#                                    # and runaway allocations (-rss_limit_mb) still stop it
#
# Each run starts from fuzz/corpus/<target>, adds what it finds there, and ends with the
# corpus minimized (libFuzzer's `-set_cover_merge=1`) so that what is committed stays small, also
# when a run is stopped by hand with SIGINT (kill -INT the target's process). A crash stops
# the run with its input under fuzz/artifacts/<target>/: fix it, copy the input to
# fuzz/regressions/<target>/ (replayed by the test too), and run again. The last line of
# each target's log (fuzz/logs/<target>.log, not committed) holds its counts and coverage.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/claimdesk-fuzz-target}"
export CARGO_INCREMENTAL=0
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
all=(claimreview table items_jsonl feed article decode model_file config labelled qrels privacy)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
runs="${RUNS:-10000000}"
max_seconds="${MAX_SECONDS:-0}"
sanitizer="${SANITIZER:-address}"
mkdir -p logs
for t in "${targets[@]}"; do
  echo "== $t: $runs executions" >&2
  start=$(date +%s)
  status=0
  cargo +nightly fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" -- \
    -runs="$runs" -max_total_time="$max_seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 2>"logs/$t.log" || status=$?
  # Stopped by hand (SIGINT: libFuzzer says "run interrupted" and cargo-fuzz exits 72): the
  # corpus so far is kept and minimized like a finished run's. Anything else is a crash.
  if [ "$status" -ne 0 ] && ! grep -q 'run interrupted' "logs/$t.log"; then
    echo "$t: stopped with status $status; see fuzz/logs/$t.log and fuzz/artifacts/$t/" >&2
    exit "$status"
  fi
  secs=$(( $(date +%s) - start ))
  # Minimize: keep the smallest set of inputs with the same coverage (libFuzzer's set-cover merge).
  bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$t"
  minimized="$(mktemp -d)"
  "$bin" -set_cover_merge=1 -max_len=65536 "$minimized" "corpus/$t" 2>"logs/$t.cmin.log"
  rm -rf "corpus/$t" && mv "$minimized" "corpus/$t" && chmod 755 "corpus/$t"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  ft=$(grep -o 'ft: [0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  files=$(find "corpus/$t" -type f | wc -l)
  printf '%-12s executions %-10s seconds %-6s coverage %-6s features %-6s corpus %s files\n' \
    "$t" "$execs" "$secs" "$cov" "$ft" "$files"
done
