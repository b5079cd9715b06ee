#!/usr/bin/env bash
# claimdesk on PostgreSQL with real processes (issue 19). Run inside scripts/test-postgres,
# which starts a throw-away cluster and exports CLAIMDESK_TEST_DATABASE_URL and
# CLAIMDESK_TEST_PG_CTL:
#
#   scripts/test-postgres bash tests/postgres/run.sh
#   CLAIMDESK_BIN=path/to/claimdesk scripts/test-postgres bash tests/postgres/run.sh
#
# 1. Moving a desk: a SQLite desk with the sample data and a full case history (posts by the
#    API, a case through every step with a note, evidence, a verdict and the reviewer's
#    publication, an item linked to a fact-check) is copied with `claimdesk migrate --to`.
#    The PostgreSQL desk gives the same exports, the same queue and the same `match` run file;
#    `audit verify` passes on it; a second `migrate` into it is refused and changes nothing.
# 2. An outage: the database stops under a serving desk. /healthz answers 503 and a post is
#    refused with 503 `store_unavailable` (nothing half-stored); when the database is back the
#    same desk answers 200 again without a restart, and the refused post goes in on retry.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
log() { printf '[postgres] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

: "${CLAIMDESK_TEST_DATABASE_URL:?run inside scripts/test-postgres}"
: "${CLAIMDESK_TEST_PG_CTL:?run inside scripts/test-postgres}"
if [ -z "${CLAIMDESK_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
  timeout 1800 cargo build -q -p claimdesk
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/debug/claimdesk"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-pg-e2e.XXXXXX")"
pids=()
stop_all() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_all; "$CLAIMDESK_TEST_PG_CTL" start >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

base="${CLAIMDESK_TEST_DATABASE_URL%/*}"
new_database() {
  psql -q -v ON_ERROR_STOP=1 "$CLAIMDESK_TEST_DATABASE_URL" -c "CREATE DATABASE $1" >&2
  echo "$base/$1"
}

data="$work/data"
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$data" --lexical-only "$@"; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# serve LOG [FLAGS...]: starts a desk on a free port, waits for /healthz, sets $url.
serve() {
  local out="$1"; shift
  local port; port="$(free_port)"
  "$CLAIMDESK_BIN" --data "$data" --lexical-only "$@" serve --addr "127.0.0.1:$port" >"$out" 2>&1 &
  pids+=($!)
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$out" >&2
  fail "the desk did not become healthy"
}
# api TOKEN METHOD PATH [JSON]: the body of a request that must succeed.
api() {
  local token="$1" method="$2" path="$3" body="${4:-}"
  local args=(-fsS --max-time 30 -X "$method" -H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" "$url$path" || fail "$method $path"
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

log "a SQLite desk with the sample and a full case history"
cd_ init >&2
# Pages and exports name the desk by this address, whichever port a run serves on.
printf '\n[server]\npublic_url = "https://desk.example"\n' >>"$data/claimdesk.toml"
cd_ import crates/claimdesk/sample/factchecks.jsonl >&2
cd_ ingest crates/claimdesk/sample/posts.jsonl >&2
for role in editor reviewer admin; do
  printf '%s\n' "$role-pw-$RANDOM-$RANDOM-$RANDOM" | cd_ user add "$role" --role "$role" >&2
done
editor="$(cd_ token create editor e2e 2>/dev/null)"
reviewer="$(cd_ token create reviewer e2e 2>/dev/null)"
serve "$work/sqlite.log"
api "$editor" POST /api/items '[{"id":"e2e-1","source":"e2e","text":"Uống nước chanh nóng mỗi sáng chữa khỏi ung thư, bác sĩ xác nhận"},{"id":"e2e-2","source":"e2e","text":"A brand new claim nobody has checked: tap water on Tuesdays makes you taller"}]' >/dev/null
item="$(api "$editor" GET '/api/items?per_page=100' | json '["items"][0]["item"]["id"]')"
api "$editor" POST "/api/items/$item/match" '{"fact_check":1}' >/dev/null
new_item="$(api "$editor" GET '/api/items?q=tap%20water%20tuesdays' | json '["items"][0]["item"]["id"]')"
case_id="$(api "$editor" POST "/api/items/$new_item/case" | json '["id"]')"
api "$editor" POST "/api/cases/$case_id/transition" '{"to":"verifying"}' >/dev/null
api "$editor" POST "/api/cases/$case_id/notes" '{"text":"Asked the water utility; no such effect."}' >/dev/null
api "$editor" POST "/api/cases/$case_id/evidence" '{"url":"https://water.example/report","title":"Utility report","note":"no effect"}' >/dev/null
api "$editor" POST "/api/cases/$case_id/verdict" '{"claim":"Tap water on Tuesdays makes you taller","rating":"false","summary":"No study shows any effect of tap water on height.","evidence":["https://water.example/report"],"language":"en"}' >/dev/null
api "$editor" POST "/api/cases/$case_id/transition" '{"to":"drafted"}' >/dev/null
api "$editor" POST "/api/cases/$case_id/transition" '{"to":"in_review"}' >/dev/null
api "$reviewer" POST "/api/cases/$case_id/transition" '{"to":"published"}' >/dev/null
[ "$(api "$editor" GET "/api/cases/$case_id" | json '["case"]["status"]')" = published ] \
  || fail "the case was not published"

# What each desk is compared on: the exports, the queue, a case, and a run file.
snapshot() {
  local dir="$1"; mkdir -p "$dir"
  for f in factchecks.csv factchecks.jsonl cases.csv cases.jsonl; do
    api "$editor" GET "/export/$f" >"$dir/$f"
  done
  api "$editor" GET '/api/items?per_page=100' >"$dir/items.json"
  api "$editor" GET "/api/cases/$case_id" >"$dir/case.json"
  api "$editor" GET '/api/factchecks?per_page=100' >"$dir/factchecks.json"
}
# Let the desk follow the verdict (its look-back matches older posts again), stop it, and
# read the settled desk from a fresh start.
for _ in $(seq 1 100); do
  h="$(api "$editor" GET /healthz)"
  [ "$(json '["served_revision"]' <<<"$h")" = "$(json '["store_revision"]' <<<"$h")" ] && break
  sleep 0.1
done
sleep 1
stop_all
serve "$work/sqlite-again.log"
snapshot "$work/sqlite"
stop_all
cd_ match --queries crates/claimdesk/sample/posts.jsonl --run-out "$work/sqlite/run.txt" --top 5 2>/dev/null
[ -s "$work/sqlite/run.txt" ] || fail "no run file from the SQLite desk"
[ "$(wc -l <"$work/sqlite/cases.csv")" -ge 2 ] || fail "no case in the SQLite export"

log "migrate --to a new database"
db="$(new_database claimdesk_migrated)"
cd_ migrate --to "$db" >"$work/migrate.out"
cat "$work/migrate.out" >&2
grep -q 'audit_events' "$work/migrate.out" || fail "migrate did not say what it copied"
cd_ --database-url "$db" audit verify >&2 || fail "the audit chain does not verify on PostgreSQL"

serve "$work/postgres.log" --database-url "$db"
snapshot "$work/postgres"
stop_all
cd_ --database-url "$db" match --queries crates/claimdesk/sample/posts.jsonl --run-out "$work/postgres/run.txt" --top 5 2>/dev/null
for f in factchecks.csv factchecks.jsonl cases.csv cases.jsonl items.json case.json factchecks.json run.txt; do
  cmp -s "$work/sqlite/$f" "$work/postgres/$f" || {
    diff <(head -c 4000 "$work/sqlite/$f") <(head -c 4000 "$work/postgres/$f") >&2 || true
    fail "$f differs between the SQLite desk and its copy on PostgreSQL"
  }
done
log "same exports, queue, case and run file on both"

if cd_ migrate --to "$db" >"$work/again.out" 2>&1; then
  fail "a second migrate into a database that holds a desk was accepted"
fi
grep -q 'already holds a desk' "$work/again.out" || { cat "$work/again.out" >&2; fail "the refusal does not say why"; }
cd_ --database-url "$db" audit verify >/dev/null || fail "the refused migrate changed the chain"
log "a second migrate is refused: $(tail -n 1 "$work/again.out")"

log "an outage under a serving desk"
serve "$work/outage.log" --database-url "$db"
before="$(api "$editor" GET /healthz | json '["items"]')"
"$CLAIMDESK_TEST_PG_CTL" stop
code="$(curl -s -o "$work/health.json" -w '%{http_code}' --max-time 30 "$url/healthz")"
[ "$code" = 503 ] || { cat "$work/health.json" >&2; fail "/healthz answered $code with the database down"; }
post='{"id":"during-outage","source":"e2e","text":"Posted while the database was down"}'
code="$(curl -s -o "$work/post.json" -w '%{http_code}' --max-time 30 -X POST \
  -H "Authorization: Bearer $editor" -H 'Content-Type: application/json' --data-binary "$post" "$url/api/items")"
[ "$code" = 503 ] || { cat "$work/post.json" >&2; fail "a post with the database down answered $code"; }
grep -q '"code":"store_unavailable"' "$work/post.json" || { cat "$work/post.json" >&2; fail "the refusal has no clear code"; }
log "database down: /healthz 503, post refused: $(cat "$work/post.json")"
"$CLAIMDESK_TEST_PG_CTL" start
back=""
for _ in $(seq 1 300); do
  if curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1; then back=1; break; fi
  sleep 0.1
done
[ -n "$back" ] || { cat "$work/outage.log" >&2; fail "the desk did not recover when the database came back"; }
api "$editor" POST /api/items "$post" >/dev/null
after="$(api "$editor" GET /healthz | json '["items"]')"
[ "$after" -eq $((before + 1)) ] || fail "items before the outage $before, after the retry $after"
if grep -E 'panicked' "$work/outage.log" >&2; then fail "the desk panicked"; fi
log "database back: the same desk answers again; the retried post is stored once ($before -> $after items)"
log "ok"
