#!/usr/bin/env bash
# A year of intake on one machine (issue 22): a desk of N generated items against the 10,375
# CLEF 2020 claims, lexical-only, then every desk page and API list under load.
#
#   bash bench/scale.sh                 N = 20,000 (CI-sized smoke of the whole path)
#   SCALE_N=300000 bash bench/scale.sh  by hand; SCALE_N=3000000 for a year of a busy desk
#                                       (SCALE_BASE_N=100000 ingests that many into a desk of
#                                       their own first and compares items/s; SCALE_ITEMS
#                                       names a file bench/scale_items.py already made for
#                                       SCALE_N, instead of generating it again)
#   bash bench/scale.sh --record        saves the result block as bench/results/<date>-scale.txt
#   SCALE_N=1000000 bash bench/scale.sh --ingest
#                                       ingest only, in constant memory: SCALE_BASE_N items
#                                       (default 100,000) then SCALE_N, each into a fresh desk
#                                       under GNU time; peak RSS and items/s of each and their
#                                       ratio (goals: RSS <= 400 MB, items/s within 20%)
#
# Steps: generate N tweet-like items (bench/scale_items.py: English and Vietnamese, 5,000
# accounts, dates over 2026) into SCALE_DATA (default /var/tmp/cd-scale-data; the data
# directory is kept for another run with SCALE_KEEP=1, else deleted); `claimdesk ingest` them
# under GNU time (items/s of each stage from the command's timing line, peak RSS); open 200
# cases on items through the API; serve the desk (--lexical-only) and run wrk (1 thread, 16
# connections, SCALE_SECONDS per endpoint, default 10) on each page and API list: the queue
# with no filter, deep (page 400), with each filter alone, combined, and with search; an
# item; narratives; alerts; sources; cases. Reported per endpoint: requests/s, p50, p99,
# non-2xx answers. Goal: p99 <= 100 ms everywhere. HTTP errors fail the run; speed never does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
case "$mode" in full|--record|--ingest) ;; *) echo "usage: bench/scale.sh [--record|--ingest]" >&2; exit 2;; esac
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef2="${CLEF_DIR:-$shared/data/clef2020-task2}"
clef1="${CLEF1_DIR:-$shared/data/clef2020-task1}"
n="${SCALE_N:-20000}"
seconds="${SCALE_SECONDS:-10}"
if [ ! -f "$clef2/verified_claims.docs.tsv" ] || [ ! -f "$clef1/training_v2.tsv" ]; then
  echo "bench: CLEF data not found (set CLEF_DIR, CLEF1_DIR); skipping the scale benchmark" >&2
  exit 0
fi
if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2
fi
source "$root/bench/binary.sh"
bench_claimdesk

base_dir="${SCALE_DATA:-/var/tmp/cd-scale-data}"
mkdir -p "$base_dir"
work="$(mktemp -d "$base_dir/run-$n.XXXXXX")"
data="$work/desk"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  if [ "${SCALE_KEEP:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ingest_fresh SIZE DESK: SIZE generated items into a new desk DESK (the claims imported first),
# under GNU time; sets ingest_seconds, peak_kb and timing (the command's stage timing line).
ingest_fresh() {
  local size="$1" desk="$2" started ended items="$work/items.jsonl"
  if [ -n "${SCALE_ITEMS:-}" ] && [ "$size" = "$n" ]; then
    items="$SCALE_ITEMS"
    echo "bench: items from $items" >&2
  else
    echo "bench: generating $size items" >&2
    python3 bench/scale_items.py "$size" "$clef1" "$clef2" eval/crosslingual >"$items"
  fi
  "$bin" --data "$desk" --lexical-only init >&2
  "$bin" --data "$desk" --lexical-only import "$clef2/verified_claims.docs.tsv" --format clef >/dev/null
  echo "bench: ingesting $size items" >&2
  started=$(date +%s.%N)
  /usr/bin/time -v "$bin" --data "$desk" --lexical-only ingest "$items" \
    >"$work/ingest.out" 2>"$work/ingest.err"
  ended=$(date +%s.%N)
  rm -f "$work/items.jsonl"
  ingest_seconds=$(python3 -c "print(f'{$ended - $started:.1f}')")
  peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/ingest.err")
  timing="$(grep '^timing:' "$work/ingest.err" | tail -n 1 || true)"
  echo "bench: $size items in $ingest_seconds s, peak RSS $((peak_kb / 1024)) MB" >&2
}

if [ "$mode" = "--ingest" ]; then
  base_n="${SCALE_BASE_N:-100000}"
  : >"$work/ingest-results"
  for size in "$base_n" "$n"; do
    desk="$work/desk-$size"
    ingest_fresh "$size" "$desk"
    narratives="?"
    if command -v sqlite3 >/dev/null; then
      narratives=$(sqlite3 "$desk/claimdesk.db" 'SELECT count(*) FROM narratives')
    fi
    printf '%s %s %s %s %s\n' "$size" "$ingest_seconds" "$peak_kb" "$narratives" "$timing" \
      >>"$work/ingest-results"
    rm -rf "$desk"
  done
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  block="$(
    echo "claimdesk ingest in constant memory, $base_n and $n items ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min at the end)"
    echo "binary: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)); --lexical-only, 10,375 CLEF 2020 claims, bench/scale_items.py (seed 2026)"
    while read -r size secs peak narratives timing; do
      echo "ingest $size items: $secs s whole, $(python3 -c "print(round($size / $secs))") items/s, peak RSS $((peak / 1024)) MB, $narratives narratives"
      echo "  $timing"
    done <"$work/ingest-results"
    python3 - "$work/ingest-results" <<'PY'
import sys
rows = [l.split(maxsplit=4) for l in open(sys.argv[1])]
(bn, bs, bp, _, _), (n, s, p, _, _) = rows
ratio = (int(n) / float(s)) / (int(bn) / float(bs))
print(f"items/s {n} vs {bn}: {ratio:.2f}x (goal >= 0.80: {'met' if ratio >= 0.8 else 'NOT met'}); "
      f"peak RSS {int(p) // 1024} MB (goal <= 400 MB: {'met' if int(p) <= 400 * 1024 else 'NOT met'})")
PY
  )"
  printf '%s\n' "$block"
  exit 0
fi

# With SCALE_BASE_N, first that many items into a desk of their own: the desk's items/s
# against a smaller one's, in the same run (goal: within 20%).
base_line=""
if [ -n "${SCALE_BASE_N:-}" ]; then
  ingest_fresh "$SCALE_BASE_N" "$work/desk-base"
  base_line="base: $SCALE_BASE_N items in $ingest_seconds s, $(python3 -c "print(round($SCALE_BASE_N / $ingest_seconds))") items/s, peak RSS $((peak_kb / 1024)) MB"
  base_rate=$(python3 -c "print($SCALE_BASE_N / $ingest_seconds)")
  [ -n "$timing" ] && base_line="$base_line
  $timing"
  rm -rf "$work/desk-base"
fi
ingest_fresh "$n" "$data"

printf '%s\n' "bench-password-scale" | "$bin" --data "$data" user add bench --role viewer >/dev/null
printf '%s\n' "bench-password-scale" | "$bin" --data "$data" user add bench-editor --role editor >/dev/null
token="$("$bin" --data "$data" token create bench load-benchmark)"
editor_token="$("$bin" --data "$data" token create bench-editor load-benchmark)"
auth="Authorization: Bearer $token"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
"$bin" --data "$data" --lexical-only serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fsS --max-time 2 "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

# 200 cases on items spread over the desk, so the case filter and list have something.
for k in $(seq 1 200); do
  id=$(( (k * 7919) % n + 1 ))
  curl -fsS --max-time 10 -X POST -H "Authorization: Bearer $editor_token" \
    "$base/api/items/$id/case" >/dev/null || true
done

# A busy source, a word common in the English posts, a rarer Vietnamese one, the id of an
# item with matches.
source="$(curl -fsS -H "$auth" "$base/api/items?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["item"]["source"])')"
item_id=$(( n / 2 ))
month_from="2026-06-01"; month_to="2026-06-30"

: >"$work/results"
run() {
  local name="$1" path="$2" out line
  out="$(BENCH_METHOD=GET BENCH_PATH="$path" BENCH_BODIES="" BENCH_AUTH="$auth" \
    timeout $((seconds + 60)) wrk -t1 -c16 -d"${seconds}s" --timeout 10s --latency -s bench/serve.lua "$base$path")"
  line="$(printf '%s\n' "$out" | grep '^RESULT ' | tail -n 1)"
  [ -n "$line" ] || { echo "bench: wrk printed no result for $name:" >&2; printf '%s\n' "$out" >&2; return 1; }
  printf '%s %s\n' "$name" "${line#RESULT }" >>"$work/results"
  echo "bench: $name ${line#RESULT }" >&2
}
run "api queue" "/api/items"
run "api queue page 400" "/api/items?page=400"
run "api queue source" "/api/items?source=$source"
run "api queue language" "/api/items?language=vi"
run "api queue status=confident" "/api/items?status=confident"
run "api queue status=unmatched" "/api/items?status=unmatched"
run "api queue status=matched" "/api/items?status=matched"
run "api queue case=triage" "/api/items?case=triage"
run "api queue worthy=0.5" "/api/items?worthy=0.5"
run "api queue worthy=0.9" "/api/items?worthy=0.9"
run "api queue dates" "/api/items?from=$month_from&to=$month_to"
run "api queue combined" "/api/items?language=en&status=review&worthy=0.3&from=$month_from&to=$month_to"
run "api queue q=covid" "/api/items?q=covid"
run "api queue q=vaccine+language" "/api/items?q=vaccine&language=en"
run "api queue q=sốt xuất huyết" "/api/items?q=s%E1%BB%91t%20xu%E1%BA%A5t%20huy%E1%BA%BFt"
run "api queue q=rare" "/api/items?q=guantanamo"
run "api item" "/api/items/$item_id"
run "api narratives" "/api/narratives"
run "api alerts" "/api/alerts"
run "api cases" "/api/cases"
run "page queue" "/"
run "page queue source" "/?source=$source"
run "page queue q=covid" "/?q=covid"
run "page item" "/items/$item_id"
run "page narratives" "/narratives"
run "page alerts" "/alerts"
run "page sources" "/sources"
run "page cases" "/cases"
stop_server

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
db_mb=$(du -sm "$data" | cut -f1)
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
block="$(
  echo "claimdesk scale benchmark, $n items ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min at the end; other work on the machine skews these numbers)"
  echo "binary: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)); data: 10,375 CLEF 2020 claims, $n items of bench/scale_items.py (seed 2026), data directory $db_mb MB"
  echo "ingest (--lexical-only): $ingest_seconds s whole, $(python3 -c "print(round($n / $ingest_seconds))") items/s, peak RSS $((peak_kb / 1024)) MB"
  [ -n "$timing" ] && echo "  $timing"
  if [ -n "$base_line" ]; then
    echo "ingest $base_line"
    python3 -c "r = ($n / $ingest_seconds) / $base_rate; print(f'items/s $n vs ${SCALE_BASE_N}: {r:.2f}x (goal >= 0.80: {\"met\" if r >= 0.8 else \"NOT met\"}); peak RSS $((peak_kb / 1024)) MB (goal <= 400 MB: {\"met\" if $peak_kb <= 400 * 1024 else \"NOT met\"})')"
  fi
  echo "wrk: 1 thread, 16 connections, ${seconds} s per endpoint, loopback, a viewer's API token"
  printf '%-34s %9s %9s %9s %8s\n' endpoint "req/s" "p50 ms" "p99 ms" non-2xx
  while read -r line; do
    name="${line%% requests=*}"
    rest="requests=${line#* requests=}"
    printf '%-34s %9s %9s %9s %8s\n' "$name" "$(field rps "$rest")" "$(field p50_ms "$rest")" \
      "$(field p99_ms "$rest")" "$(field non2xx "$rest")"
  done <"$work/results"
  over="$(while read -r line; do
    rest="requests=${line#* requests=}"
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 100 else 1)' "$(field p99_ms "$rest")" && echo "${line%% requests=*}"
  done <"$work/results" | paste -sd, -)"
  if [ -n "$over" ]; then echo "goal p99 <= 100 ms: NOT met by: $over"; else echo "goal p99 <= 100 ms: met by every endpoint"; fi
)"
printf '%s\n' "$block"
if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-scale.txt"
  { printf '%s\n\n' "$block"; [ -f "$out" ] && cat "$out"; } >"$out.new"
  mv "$out.new" "$out"
  echo "bench: recorded $out" >&2
fi
failed=0
while read -r line; do
  rest="requests=${line#* requests=}"
  if [ "$(field non2xx "$rest")" != 0 ] || [ "$(field socket_errors "$rest")" != 0 ]; then
    echo "bench: FAILED: ${line%% requests=*}: $(field non2xx "$rest") non-2xx (first $(field first_non2xx "$rest")), $(field socket_errors "$rest") socket errors" >&2
    failed=1
  fi
done <"$work/results"
exit "$failed"
