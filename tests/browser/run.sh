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
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data="$work/data"
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$data" --lexical-only "$@"; }

log "data directory $data"
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

ready=""
for _ in $(seq 1 300); do   # 30 s
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if curl -fsS --max-time 2 "$CLAIMDESK_URL/healthz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  log "the server did not become healthy; its log:"
  cat "$work/server.log" >&2
  exit 1
fi

export CLAIMDESK_XSS_CORPUS="$here/xss-corpus.txt"
export CLAIMDESK_SCREENSHOTS="${CLAIMDESK_SCREENSHOTS:-$root/docs/screenshots}"
status=0
(cd "$here" && timeout 900 node --test --test-concurrency=1 --test-timeout=300000 ./*.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
  log "tests failed ($status); the server's log (last 40 lines):"
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
