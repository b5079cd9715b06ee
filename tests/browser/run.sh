#!/usr/bin/env bash
# The browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by playwright-core
# against `claimdesk serve` over a throwaway data directory (the sample fact-checks and posts
# plus the XSS corpus as items and fact-checks, three users).
#
#   bash tests/browser/run.sh                  # builds the debug binary first
#   CLAIMDESK_BIN=path/to/claimdesk bash tests/browser/run.sh
#   bash tests/browser/run.sh pages workflow   # only pages.test.mjs and workflow.test.mjs
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
# The desk's publisher, named on the public pages and in their ClaimReview.
sed -i "s/^# name = 'Example Fact Check'/name = 'Example Fact Check'/" "$data/claimdesk.toml"
python3 "$here/xss-data.py" "$here/xss-corpus.txt" "$work/xss-items.jsonl" "$work/xss-factchecks.csv" >&2
cd_ import crates/claimdesk/sample/factchecks.jsonl >&2
cd_ import "$work/xss-factchecks.csv" >&2
cd_ ingest crates/claimdesk/sample/posts.jsonl >&2
cd_ ingest "$work/xss-items.jsonl" >&2
# A copy-paste burst: the bank-OTP rumour pasted 24 times by 12 accounts in 24 minutes, for
# the narrative page's burst evidence (and its screenshot).
python3 - "$work/burst.jsonl" <<'PY' >&2
import json, sys
endings = ["", " Chia sẻ ngay!", " Cẩn thận nhé mọi người.", " Ai chưa làm thì làm luôn đi."]
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for i in range(24):
        out.write(json.dumps({
            "id": f"burst-{i}",
            "text": "Ngân hàng đang gửi tin nhắn yêu cầu khách hàng cung cấp mã OTP qua đường link "
                    "để cập nhật thông tin, nếu không tài khoản sẽ bị khóa sau 24 giờ." + endings[i % 4],
            "url": f"https://social.example/group-{i % 12}/post/{9000 + i}",
            "published_at": f"2025-12-05T20:{10 + i:02d}:00+07:00",
            "source": f"group-{i % 12}.social.example",
            "language": "vi",
        }, ensure_ascii=False) + "\n")
PY
cd_ ingest "$work/burst.jsonl" >&2
# A fact-check of its own for the withdrawal test (withdrawing a sample one would change
# what the other tests match).
printf '%s\n' '{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://factcheck.example/vi/tram-phat-song-5g-lay-virus", "headline": "Trạm phát sóng 5G không lây virus", "claimReviewed": "Trạm phát sóng 5G làm lây lan virus trong khu dân cư.", "datePublished": "2026-02-03", "inLanguage": "vi", "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "Sai sự thật"}}' >"$work/withdraw.jsonl"
cd_ import "$work/withdraw.jsonl" >&2

# Users: the passwords exist only for this run and reach the CLI on stdin.
export CLAIMDESK_EDITOR_PASSWORD="editor-pw-$RANDOM$RANDOM"
export CLAIMDESK_REVIEWER_PASSWORD="reviewer-pw-$RANDOM$RANDOM"
export CLAIMDESK_VIEWER_PASSWORD="viewer-pw-$RANDOM$RANDOM"
printf '%s\n' "$CLAIMDESK_EDITOR_PASSWORD" | cd_ user add editor --role editor >&2
printf '%s\n' "$CLAIMDESK_REVIEWER_PASSWORD" | cd_ user add reviewer --role reviewer >&2
printf '%s\n' "$CLAIMDESK_VIEWER_PASSWORD" | cd_ user add viewer --role viewer >&2
export CLAIMDESK_ADMIN_PASSWORD="admin-pw-$RANDOM$RANDOM"
printf '%s\n' "$CLAIMDESK_ADMIN_PASSWORD" | cd_ user add admin --role admin >&2
# A watched drop folder with a long path, for /sources on a phone.
export CLAIMDESK_DROP="$work/drop-folder-for-posts-exported-by-the-monitoring-partners"
mkdir -p "$CLAIMDESK_DROP"
cd_ source add "$CLAIMDESK_DROP" --interval 1h >&2

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
(
  cd "$here"
  files=()
  for name in "$@"; do files+=("./${name%.test.mjs}.test.mjs"); done
  [ "${#files[@]}" -gt 0 ] || files=(./*.test.mjs)
  timeout 900 node --test --test-concurrency=1 --test-timeout=300000 "${files[@]}"
) || status=$?
if [ "$status" -ne 0 ]; then
  log "tests failed ($status); the server's log (last 40 lines):"
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
