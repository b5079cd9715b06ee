# Sourced by the benchmark scripts: the build they measure. BENCH_PROFILE names the cargo
# profile (`release` by default: every recorded figure comes from it); CI's smoke runs pass
# `dev`, whose dependencies (SQLite, tantivy, ...), model and clustering code are built
# optimized by the test build they reuse: they check that the scripts still work, not the
# figures.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
bench_profile="${BENCH_PROFILE:-release}"
case "$bench_profile" in
  dev) bench_dir="$CARGO_TARGET_DIR/debug" ;;
  *) bench_dir="$CARGO_TARGET_DIR/$bench_profile" ;;
esac
# The memory ceilings the scripts check are set for release builds. A debug build's own code
# and unoptimized paths hold more, and by an amount that varies from run to run with thread
# timing (lexical matching of the CLEF dev queries on 2026-12-06, same commit, same data:
# release 74-88 MB, dev 78-82 MB; before that day's allocator change, dev 141-168 MB), so a
# dev build gets this much headroom on each ceiling: the smoke runs still catch memory that
# grows with the data, not the build's fixed overhead.
case "$bench_profile" in
  dev) bench_rss_slack_mb=100 ;;
  *) bench_rss_slack_mb=0 ;;
esac
# bench_build ARGS...: `cargo build` of ARGS in that profile, bounded.
bench_build() { timeout 3600 cargo build --profile "$bench_profile" --quiet "$@"; }
# bench_claimdesk: sets `bin` to the claimdesk binary measured: CLAIMDESK_RELEASE_BIN when set
# (a build made beforehand; CI passes its test build's, as a `-p claimdesk` build resolves the
# dependencies' features anew and rebuilds some of them), else this profile's build of it.
bench_claimdesk() {
  if [ -z "${CLAIMDESK_RELEASE_BIN:-}" ]; then
    bench_build -p claimdesk
    CLAIMDESK_RELEASE_BIN="$bench_dir/claimdesk"
  fi
  bin="$CLAIMDESK_RELEASE_BIN"
}
