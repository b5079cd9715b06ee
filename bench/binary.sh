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
# bench_build ARGS...: `cargo build` of ARGS in that profile, bounded.
bench_build() { timeout 3600 cargo build --profile "$bench_profile" --quiet "$@"; }
