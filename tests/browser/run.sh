#!/usr/bin/env bash
# The browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by playwright-core
# against `claimdesk serve` over a throwaway data directory (the sample fact-checks and posts
# plus the XSS corpus as items and fact-checks, three users).
#
#   bash tests/browser/run.sh                  # builds the debug binary first
#   CLAIMDESK_BIN=path/to/claimdesk bash tests/browser/run.sh
#
# Needs node (>= 18), `npm ci` in tests/browser, chromium and python3. Every wait is bounded;
# the server is always stopped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

log() { printf '[browser] %s\n' "$*" >&2; }

if [ -z "${CLAIMDESK_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
  log "building claimdesk (debug)"
  timeout 1800 cargo build -q -p claimdesk
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/debug/claimdesk"
fi
[ -x "$CLAIMDESK_BIN" ] || { log "no executable at $CLAIMDESK_BIN"; exit 2; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { log "chromium missing: apt-get install -y chromium"; exit 2; }
[ -d "$here/node_modules/playwright-core" ] || { log "run 'npm ci' in tests/browser first"; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-browser.XXXXXX")"
server_pid=""
semantic_pid=""
stop() {
  local pid="$1"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$server_pid"
  stop "$semantic_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data="$work/data"
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$data" --lexical-only "$@"; }

log "data directory $data"
cd_ init >&2
python3 "$here/xss-data.py" "$here/xss-corpus.txt" "$work/xss-items.jsonl" "$work/xss-factchecks.csv" >&2
cd_ import crates/claimdesk/sample/factchecks.jsonl >&2
cd_ import "$work/xss-factchecks.csv" >&2
cd_ ingest crates/claimdesk/sample/posts.jsonl >&2
cd_ ingest "$work/xss-items.jsonl" >&2

# Users: the passwords exist only for this run and reach the CLI on stdin.
export CLAIMDESK_EDITOR_PASSWORD="editor-pw-$RANDOM$RANDOM"
export CLAIMDESK_REVIEWER_PASSWORD="reviewer-pw-$RANDOM$RANDOM"
export CLAIMDESK_VIEWER_PASSWORD="viewer-pw-$RANDOM$RANDOM"
printf '%s\n' "$CLAIMDESK_EDITOR_PASSWORD" | cd_ user add editor --role editor >&2
printf '%s\n' "$CLAIMDESK_REVIEWER_PASSWORD" | cd_ user add reviewer --role reviewer >&2
printf '%s\n' "$CLAIMDESK_VIEWER_PASSWORD" | cd_ user add viewer --role viewer >&2

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
export CLAIMDESK_URL="http://127.0.0.1:$port"
log "serving on $CLAIMDESK_URL"
"$CLAIMDESK_BIN" --data "$data" --lexical-only serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!

# Waits until the server $1 (pid) answers /healthz at $2; prints its log $3 and fails if not.
wait_healthy() {
  for _ in $(seq 1 600); do   # 60 s
    if ! kill -0 "$1" 2>/dev/null; then break; fi
    if curl -fsS --max-time 2 "$2/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "the server at $2 did not become healthy; its log:"
  cat "$3" >&2
  exit 1
}
wait_healthy "$server_pid" "$CLAIMDESK_URL" "$work/server.log"

# A second desk with the semantic model (the sample only, the same users), for what only
# the model decides: whether a post matches any fact-check at all.
model="${CLAIMDESK_MODEL:-$root/models/e5-small-q4.bin}"
[ -f "$model" ] || { log "model file $model missing: run scripts/fetch-model"; exit 2; }
semantic="$work/semantic"
cs_() { timeout 600 "$CLAIMDESK_BIN" --data "$semantic" --model "$model" "$@"; }
cs_ init >&2
cs_ import crates/claimdesk/sample/factchecks.jsonl >&2
cs_ ingest crates/claimdesk/sample/posts.jsonl >&2
printf '%s\n' '{"id": "rain", "text": "Hôm nay trời Sài Gòn mưa to, kẹt xe khắp nơi.", "source": "browser-test", "language": "vi"}' >"$work/rain.jsonl"
cs_ ingest "$work/rain.jsonl" >&2
printf '%s\n' "$CLAIMDESK_EDITOR_PASSWORD" | cs_ user add editor --role editor >&2
port2="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
export CLAIMDESK_SEMANTIC_URL="http://127.0.0.1:$port2"
log "serving the semantic desk on $CLAIMDESK_SEMANTIC_URL"
"$CLAIMDESK_BIN" --data "$semantic" --model "$model" serve --addr "127.0.0.1:$port2" >"$work/semantic.log" 2>&1 &
semantic_pid=$!
wait_healthy "$semantic_pid" "$CLAIMDESK_SEMANTIC_URL" "$work/semantic.log"

export CLAIMDESK_XSS_CORPUS="$here/xss-corpus.txt"
export CLAIMDESK_SCREENSHOTS="${CLAIMDESK_SCREENSHOTS:-$root/docs/screenshots}"
status=0
(cd "$here" && timeout 900 node --test --test-concurrency=1 --test-timeout=300000 ${BROWSER_TESTS:-./*.test.mjs}) || status=$?
if [ "$status" -ne 0 ]; then
  log "tests failed ($status); the server's log (last 40 lines):"
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
