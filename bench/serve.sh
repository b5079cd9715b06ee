#!/usr/bin/env bash
# HTTP load benchmark of `claimdesk serve` (release build) over the 10,375 CLEF 2020 Task 2
# claims and the CLEF dev tweets as items: wrk, 1 thread, 16 connections, on
#   (a) the queue page  GET /
#   (b) POST /api/match with the dev tweets' texts as bodies, cycled
# with the lexical matcher (--lexical-only), then (b) again with the semantic model.
#
#   bash bench/serve.sh            10 s per run, prints the result block
#   bash bench/serve.sh --smoke    CI: 3 s per run, lexical only; fails only on HTTP errors
#                                  (non-2xx answers, socket errors), never on speed
#   bash bench/serve.sh --record   10 s per run, and saves the block in bench/results/
#
# Goal on a 2-core machine: >= 500 requests/s and p99 < 100 ms per endpoint (lexical).
# CLEF_DIR points at the data (default ../shared/data/clef2020-task2). The semantic run keeps
# its data directory (embeddings computed once) in SERVE_BENCH_CACHE
# (default /var/tmp/claimdesk-bench-serve).
#
# SERVE_FACTCHECKS=FILE serves the fact-checks of FILE instead (CLEF layout, `--format clef`;
# bench/scale_factchecks.py makes a million of them): the import is timed (wall and peak RSS),
# the server's peak RSS is reported, and the semantic run is left out (embedding a large file
# takes hours on 2 cores: bench/embed.sh measures the rate).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
case "$mode" in full|--smoke|--record) ;; *) echo "usage: bench/serve.sh [--smoke|--record]" >&2; exit 2;; esac
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
duration=10
[ "$mode" = "--smoke" ] && duration=3
factchecks="${SERVE_FACTCHECKS:-$clef/verified_claims.docs.tsv}"
[ -f "$factchecks" ] || { echo "bench: SERVE_FACTCHECKS=$factchecks is not a file" >&2; exit 2; }
factcheck_rows=$(($(wc -l <"$factchecks") - 1))
if [ ! -f "$clef/verified_claims.docs.tsv" ]; then
  echo "bench: CLEF data not found at $clef (set CLEF_DIR); skipping the serve benchmark" >&2
  exit 0
fi

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2
fi

source "$root/bench/binary.sh"
bench_claimdesk

work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-serve-bench.XXXXXX")"
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
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The dev tweets: items for the queue (JSON Lines) and the match bodies, one JSON a line.
python3 - "$clef/dev/tweets.queries.tsv" "$work/tweets.jsonl" "$work/bodies.txt" <<'PY'
import csv, json, sys
src, items, bodies = sys.argv[1:4]
csv.field_size_limit(1 << 24)
n = 0
with open(src, encoding="utf-8", newline="") as f, open(items, "w", encoding="utf-8") as it, \
        open(bodies, "w", encoding="utf-8") as bo:
    rows = csv.reader(f, delimiter="\t")
    next(rows)  # header: (index), tweet_content
    for row in rows:
        if len(row) < 2 or not row[1].strip():
            continue
        it.write(json.dumps({"id": f"clef-dev-{row[0]}", "text": row[1], "source": "clef2020-dev",
                             "published_at": "2020-01-15T00:00:00Z"}, ensure_ascii=False) + "\n")
        bo.write(json.dumps({"text": row[1], "top": 5}, ensure_ascii=False) + "\n")
        n += 1
print(f"bench: {n} dev tweets", file=sys.stderr)
PY

# fill DIR TIMES: fills a data directory (idempotent: a cached one only gains what it lacks);
# the import's wall time and peak RSS go to the file TIMES.
fill() {
  local dir="$1" times="$2"
  timeout 900 "$bin" --data "$dir" --lexical-only init >&2
  /usr/bin/time -f 'import: %e s wall, peak RSS %M KB' -o "$times" \
    timeout 7200 "$bin" --data "$dir" --lexical-only import "$factchecks" --format clef >&2
  timeout 900 "$bin" --data "$dir" --lexical-only ingest "$work/tweets.jsonl" >&2
  printf '%s\n' "bench-password-serve" | "$bin" --data "$dir" user add bench --role viewer >/dev/null 2>&1 || true
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start DIR WAIT_SECONDS [serve flags...]: serves DIR, waits for /healthz.
start() {
  local dir="$1" wait="$2"; shift 2
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  "$bin" --data "$dir" "$@" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server_pid=$!
  local i
  for i in $(seq 1 $((wait * 10))); do
    kill -0 "$server_pid" 2>/dev/null || break
    if curl -fsS --max-time 2 "$base/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "bench: the server did not become healthy in ${wait} s; its log:" >&2
  tail -n 30 "$work/server.log" >&2
  return 1
}

# The header wrk sends: an API token of the `bench` viewer (the desk needs a user).
auth_for() {
  local dir="$1" token
  token="$("$bin" --data "$dir" token create bench load-benchmark)"
  [ -n "$token" ] || { echo "bench: claimdesk token create printed no token" >&2; return 1; }
  auth="Authorization: Bearer $token"
}

# run NAME METHOD PATH [BODIES]: one wrk run (CONNECTIONS, default 16); appends "NAME rps p50 p99
# non2xx errors" to results.
run() {
  local name="$1" method="$2" path="$3" bodies="${4:-}"
  local connections="${CONNECTIONS:-16}"
  local out
  out="$(BENCH_METHOD="$method" BENCH_PATH="$path" BENCH_BODIES="$bodies" BENCH_AUTH="$auth" \
    timeout $((duration + 60)) wrk -t1 -c"$connections" -d"${duration}s" --timeout 5s --latency -s bench/serve.lua "$base$path")"
  printf '%s\n' "$out" >"$work/wrk-${name//[^A-Za-z0-9]/_}.txt"
  local line
  line="$(printf '%s\n' "$out" | grep '^RESULT ' | tail -n 1)"
  [ -n "$line" ] || { echo "bench: wrk printed no result for $name:" >&2; printf '%s\n' "$out" >&2; return 1; }
  printf '%s %s\n' "$name" "${line#RESULT }" >>"$work/results"
}
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

: >"$work/results"
echo "bench: lexical data directory" >&2
fill "$work/lexical" "$work/import-time"
start "$work/lexical" 60 --lexical-only
auth_for "$work/lexical"
curl -fsS --max-time 10 -H "${auth:-X-Bench: 1}" -H 'content-type: application/json' \
  -d "$(head -n 1 "$work/bodies.txt")" "$base/api/match" >/dev/null
run "queue GET /" GET /
run "match POST /api/match" POST /api/match "$work/bodies.txt"
# With many fact-checks, also one query at a time: what a query costs without queueing.
if [ -n "${SERVE_FACTCHECKS:-}" ]; then
  CONNECTIONS=1 run "match POST /api/match (1 connection)" POST /api/match "$work/bodies.txt"
fi
server_rss="$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server_pid/status" 2>/dev/null || true)"
stop_server

if [ "$mode" != "--smoke" ] && [ -z "${SERVE_FACTCHECKS:-}" ]; then
  cache="${SERVE_BENCH_CACHE:-/var/tmp/claimdesk-bench-serve}"
  echo "bench: semantic data directory $cache (fact-check embeddings kept there)" >&2
  mkdir -p "$cache"
  fill "$cache" "$work/import-time-semantic"
  start "$cache" 3600   # the first start embeds the 10,375 claims (minutes on 2 cores)
  grep -i "matching with" "$work/server.log" >&2 || true
  auth_for "$cache"
  run "match POST /api/match (semantic)" POST /api/match "$work/bodies.txt"
  semantic_retrievers="$(sed -n 's/^matching with: //p' "$work/server.log" | head -n 1)"
  stop_server
fi

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
block="$(
  echo "claimdesk serve load benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min load average at the end; other work on the machine skews these numbers)"
  echo "binary: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)); data: $factcheck_rows fact-checks ($factchecks), $(wc -l <"$work/tweets.jsonl") CLEF dev tweets as items"
  echo "fact-checks $(cat "$work/import-time" 2>/dev/null || echo 'import: not timed'); lexical server peak RSS ${server_rss:-unknown}"
  echo "wrk: 1 thread, 16 connections (1 where the endpoint says so), ${duration} s per endpoint, loopback; match bodies: the dev tweets cycled, top 5"
  [ -n "${semantic_retrievers:-}" ] && echo "semantic server matched with: $semantic_retrievers"
  printf '%-34s %10s %10s %10s %8s %8s\n' endpoint "req/s" "p50 ms" "p99 ms" non-2xx errors
  while read -r line; do
    name="${line%% requests=*}"
    rest="requests=${line#* requests=}"
    printf '%-34s %10s %10s %10s %8s %8s\n' "$name" "$(field rps "$rest")" "$(field p50_ms "$rest")" \
      "$(field p99_ms "$rest")" "$(field non2xx "$rest")" "$(field socket_errors "$rest")"
  done <"$work/results"
  echo "goal (lexical endpoints): >= 500 req/s and p99 < 100 ms"
  while read -r line; do
    name="${line%% requests=*}"
    case "$name" in *semantic*) continue;; esac
    rest="requests=${line#* requests=}"
    verdict="$(python3 -c 'import sys; r,p=float(sys.argv[1]),float(sys.argv[2]); print("met" if r>=500 and p<100 else "NOT met")' "$(field rps "$rest")" "$(field p99_ms "$rest")")"
    echo "  $name: $verdict"
  done <"$work/results"
)"
printf '%s\n' "$block"

if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-serve.txt"
  printf '%s\n' "$block" >"$out"
  echo "bench: recorded $out" >&2
fi

# HTTP errors fail every mode (smoke included); speed never does.
failed=0
while read -r line; do
  rest="requests=${line#* requests=}"
  if [ "$(field non2xx "$rest")" != 0 ] || [ "$(field socket_errors "$rest")" != 0 ]; then
    echo "bench: FAILED: ${line%% requests=*} had $(field non2xx "$rest") non-2xx answers (first: $(field first_non2xx "$rest")) and $(field socket_errors "$rest") socket errors" >&2
    failed=1
  fi
  [ "$(field requests "$rest")" -gt 0 ] || { echo "bench: FAILED: ${line%% requests=*} made no request" >&2; failed=1; }
done <"$work/results"
exit "$failed"
