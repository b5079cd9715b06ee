#!/usr/bin/env bash
# Bounded load test of `claimdesk serve`: 10,000 mixed requests on loopback from valid and
# invalid callers (signed-in pages, API calls with a good token and with bad ones, wrong
# passwords for many made-up users, junk methods and paths, broken JSON, oversized bodies),
# after a warm-up of 2,000. The server must answer every request without a 5xx, and its
# resident memory after the run must stay within 10% of what it was after the warm-up
# (nothing a caller sends may grow the server's memory without bound).
#
#   bash tests/load/run.sh                      builds the debug binary first
#   CLAIMDESK_BIN=path/to/claimdesk bash tests/load/run.sh
#   LOAD_REQUESTS=50000 bash tests/load/run.sh  a longer run
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
log() { printf '[load] %s\n' "$*" >&2; }

if [ -z "${CLAIMDESK_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
  timeout 1800 cargo build -q -p claimdesk
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/debug/claimdesk"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-load.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$data" --lexical-only "$@"; }
cd_ init >/dev/null
cd_ import crates/claimdesk/sample/factchecks.jsonl >/dev/null
cd_ ingest crates/claimdesk/sample/posts.jsonl >/dev/null 2>&1
password="editor-pw-$RANDOM$RANDOM$RANDOM"
printf '%s\n' "$password" | cd_ user add editor --role editor >/dev/null
token="$(cd_ token create editor load-test 2>/dev/null)"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
"$CLAIMDESK_BIN" --data "$data" --lexical-only serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

timeout 900 python3 "$here/mix.py" "127.0.0.1" "$port" "$server_pid" "$token" "$password" \
  "${LOAD_WARMUP:-2000}" "${LOAD_REQUESTS:-10000}" || {
  log "failed; the server's log (last 30 lines):"
  tail -n 30 "$work/server.log" >&2
  exit 1
}
