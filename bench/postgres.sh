#!/usr/bin/env bash
# PostgreSQL and several nodes (issue 19): what the same intake and the same queue cost on
# PostgreSQL next to SQLite, measured in one run on one machine. Run inside
# scripts/test-postgres (it starts a throw-away cluster and exports its URL):
#
#   scripts/test-postgres bash bench/postgres.sh            PG_N=100,000 items; no big desk
#   PG_BIG_N=1000000 PG_FACTCHECKS=100000 scripts/test-postgres bash bench/postgres.sh --record
#   PG_N=3000 scripts/test-postgres bash bench/postgres.sh --smoke     (CI: the path, no figures)
#
# 1. Intake: PG_N tweet-like items (bench/scale_items.py) posted in batches of 500 to
#    `POST /api/items` by two concurrent senders, into a fresh desk each time: SQLite with one
#    node; PostgreSQL with one node; PostgreSQL with two nodes (the senders alternate between
#    them; the intake leases share the scoring and matching, the node that leads places items
#    in narratives). Timed from the first post until no item is pending; items/s of each and
#    the ratio to SQLite. On 2 cores two nodes cannot be faster than one: the figure is their
#    overhead, and every run checks that each item was stored and processed once.
# 2. The queue under wrk (1 thread, 16 connections, PG_SECONDS per endpoint) on the SQLite and
#    PostgreSQL one-node desks of step 1: the first API page, a filtered page, a search and
#    the HTML queue; req/s, p50, p99 and the PostgreSQL/SQLite ratio of req/s.
# 3. With PG_BIG_N > 0: a PostgreSQL desk of PG_BIG_N items and PG_FACTCHECKS fact-checks
#    (the CLEF claims and variants of them; generated, never committed), filled with
#    `claimdesk import` and `claimdesk ingest`; then a new node (an empty data directory
#    naming the database) is started and timed until it answers /healthz, and the queue runs
#    under wrk as in step 2; the node's peak RSS with its index is read from /proc.
# HTTP errors, a lost or twice-processed item fail the run; speed never does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
case "$mode" in full|--record|--smoke) ;; *) echo "usage: bench/postgres.sh [--record|--smoke]" >&2; exit 2;; esac
: "${CLAIMDESK_TEST_DATABASE_URL:?run inside scripts/test-postgres}"
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef2="${CLEF_DIR:-$shared/data/clef2020-task2}"
clef1="${CLEF1_DIR:-$shared/data/clef2020-task1}"
if [ ! -f "$clef2/verified_claims.docs.tsv" ] || [ ! -f "$clef1/training_v2.tsv" ]; then
  echo "bench: CLEF data not found (set CLEF_DIR, CLEF1_DIR); skipping the PostgreSQL benchmark" >&2
  exit 0
fi
n="${PG_N:-100000}"
big_n="${PG_BIG_N:-0}"
factchecks="${PG_FACTCHECKS:-100000}"
seconds="${PG_SECONDS:-10}"
[ "$mode" = "--smoke" ] && seconds=2
command -v wrk >/dev/null || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >&2; }
source "$root/bench/binary.sh"
bench_claimdesk

work="$(mktemp -d "${PG_WORK:-/var/tmp}/cd-pg-bench.XXXXXX")"
pids=()
stop_nodes() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_nodes; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
log() { printf '[pg-bench] %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
new_database() {
  psql -q -v ON_ERROR_STOP=1 "$CLAIMDESK_TEST_DATABASE_URL" -c "CREATE DATABASE $1" >&2
  echo "${CLAIMDESK_TEST_DATABASE_URL%/*}/$1"
}

# Starts a node serving data directory $1 (its config names the store): its base URL in
# `node_url`, its pid appended to `pids`, the seconds until it answered /healthz in
# `started_in`.
start_node() {
  local dir="$1" port t0
  port="$(free_port)"
  t0=$(date +%s.%N)
  "$bin" --data "$dir" --lexical-only serve --addr "127.0.0.1:$port" >>"$dir.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 3000); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      started_in=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
      node_url="http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$dir.log" >&2
  log "FAIL: the node of $dir did not start"
  exit 1
}

# A desk in data directory $1 on store URL $2 (empty for SQLite) with the CLEF claims and an
# editor's token (in $1.token).
make_desk() {
  local dir="$1" url="$2"
  mkdir -p "$dir"
  if [ -n "$url" ]; then
    printf '[store]\nurl = "%s"\n' "$url" >"$dir/claimdesk.toml"
    "$bin" --data "$dir" --database-url "$url" --lexical-only init >/dev/null
  else
    "$bin" --data "$dir" --lexical-only init >/dev/null
  fi
  "$bin" --data "$dir" --lexical-only import "$clef2/verified_claims.docs.tsv" --format clef >/dev/null
  printf 'bench-editor-pw-%s\n' "$RANDOM$RANDOM" | "$bin" --data "$dir" user add editor --role editor >/dev/null
  "$bin" --data "$dir" token create editor bench 2>/dev/null >"$dir.token"
}

# How many items wait for the intake pipeline in the desk $1 (SQLite file) or database $2.
pending() {
  if [ -n "$2" ]; then
    psql -qAt "$2" -c 'SELECT count(*) FROM pending_items'
  else
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM pending_items").fetchone()[0])' "$1/claimdesk.db"
  fi
}
counts() {
  local q='SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM item_check_worthiness), (SELECT count(*) FROM narrative_items)'
  if [ -n "$2" ]; then
    psql -qAt -F' ' "$2" -c "$q"
  else
    python3 -c 'import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())' "$1/claimdesk.db" "$q"
  fi
}

log "generating $n items"
python3 bench/scale_items.py "$n" "$clef1" "$clef2" eval/crosslingual >"$work/items.jsonl"
python3 - "$work/items.jsonl" "$work/batch" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
batch, k = [], 0
def flush():
    global batch, k
    if batch:
        with open(f"{out}.{k:05d}.json", "w", encoding="utf-8") as f:
            json.dump(batch, f, ensure_ascii=False)
        k += 1
        batch = []
for line in open(src, encoding="utf-8"):
    batch.append(json.loads(line))
    if len(batch) == 500:
        flush()
flush()
PY
rm -f "$work/items.jsonl"

# Posts every batch with two senders alternating over the nodes $@ (token in $token).
post_all() {
  python3 - "$token" "$work" "$@" <<'PY'
import glob, sys, threading, urllib.request, time
token, work, nodes = sys.argv[1], sys.argv[2], sys.argv[3:]
files = sorted(glob.glob(f"{work}/batch.*.json"))
lock, nxt, errors = threading.Lock(), [0], []
def sender():
    while True:
        with lock:
            k = nxt[0]; nxt[0] += 1
        if k >= len(files):
            return
        body = open(files[k], "rb").read()
        for attempt in range(5):
            node = nodes[(k + attempt) % len(nodes)]
            req = urllib.request.Request(f"{node}/api/items", data=body, method="POST", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=300) as r:
                    if r.status == 200:
                        break
            except Exception as e:
                last = e
                time.sleep(0.5)
        else:
            errors.append(f"batch {k}: {last}")
threads = [threading.Thread(target=sender) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
if errors:
    sys.exit("refused: " + "; ".join(errors[:3]))
PY
}

# intake NAME NODES URL: a fresh desk (PostgreSQL when URL is set), NODES nodes, every batch
# posted; appends "NAME seconds items/s" to intake-results; leaves the first node serving
# (its URL in $first) for the queue figures.
intake() {
  local name="$1" nodes="$2" url="$3" dir="$work/$1" urls=() k t0 t1 left
  make_desk "$dir" "$url"
  token="$(cat "$dir.token")"
  start_node "$dir"
  urls+=("$node_url")
  for k in $(seq 2 "$nodes"); do
    mkdir -p "$dir-$k"
    cp "$dir/claimdesk.toml" "$dir-$k/"
    printf '\n[audit]\nkey = "%s"\n' "$dir/audit-key.ed25519" >>"$dir-$k/claimdesk.toml"
    start_node "$dir-$k"
    urls+=("$node_url")
  done
  log "$name: posting $n items to ${urls[*]}"
  t0=$(date +%s.%N)
  post_all "${urls[@]}"
  for _ in $(seq 1 36000); do
    left="$(pending "$dir" "$url")"
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  t1=$(date +%s.%N)
  [ "$left" = 0 ] || { log "FAIL: $name: $left items still pending"; exit 1; }
  read -r stored scored placed < <(counts "$dir" "$url")
  [ "$stored" = "$n" ] && [ "$scored" = "$n" ] && [ "$placed" = "$n" ] ||
    { log "FAIL: $name: $stored stored, $scored scored, $placed placed for $n items"; exit 1; }
  python3 -c "s=$t1-$t0; print('$name', f'{s:.1f}', round($n/s))" >>"$work/intake-results"
  log "$name: $(tail -n 1 "$work/intake-results")"
  first="${urls[0]}"
  if [ "$nodes" -gt 1 ]; then
    # Only the first node stays up for the queue figures.
    local keep="${pids[0]}" p
    for p in "${pids[@]:1}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    pids=("$keep")
  fi
}

# queue NAME BASE: the queue's endpoints under wrk, appended to queue-results.
queue() {
  local name="$1" base="$2" path out line
  for path in "/api/items" "/api/items?language=vi&status=unmatched" "/api/items?q=vaccine" "/"; do
    out="$(BENCH_METHOD=GET BENCH_PATH="$path" BENCH_BODIES="" BENCH_AUTH="Authorization: Bearer $token" \
      timeout $((seconds + 60)) wrk -t1 -c16 -d"${seconds}s" --timeout 10s --latency -s bench/serve.lua "$base$path")"
    line="$(printf '%s\n' "$out" | grep '^RESULT ' | tail -n 1)"
    [ -n "$line" ] || { log "wrk printed no result for $path"; printf '%s\n' "$out" >&2; exit 1; }
    printf '%s %s %s\n' "$name" "$path" "${line#RESULT }" >>"$work/queue-results"
  done
}
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
peak_rss_mb() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$1/status"; }

: >"$work/intake-results"
: >"$work/queue-results"
intake sqlite 1 ""
queue sqlite "$first"
sqlite_rss="$(peak_rss_mb "${pids[0]}")"
stop_nodes
intake "postgresql" 1 "$(new_database cd_bench_pg1_$$)"
queue postgresql "$first"
pg_rss="$(peak_rss_mb "${pids[0]}")"
stop_nodes
intake "postgresql-2-nodes" 2 "$(new_database cd_bench_pg2_$$)"
stop_nodes

big=""
if [ "$big_n" -gt 0 ]; then
  url="$(new_database cd_bench_big_$$)"
  dir="$work/big"
  mkdir -p "$dir"
  printf '[store]\nurl = "%s"\n' "$url" >"$dir/claimdesk.toml"
  "$bin" --data "$dir" --database-url "$url" --lexical-only init >/dev/null
  log "generating $factchecks fact-checks"
  python3 - "$clef2/verified_claims.docs.tsv" "$factchecks" "$work/factchecks.tsv" <<'PY'
import csv, random, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
csv.field_size_limit(1 << 24)
rows = list(csv.reader(open(src, encoding="utf-8", newline=""), delimiter="\t"))[1:]
rng = random.Random(19)
lead = ["", "Claim: ", "Viral post says ", "Fact check: ", "Rumour: ", "Online posts claim ",
        "Report: ", "Social media users say ", "A video claims ", "Messages say "]
with open(out, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, delimiter="\t", lineterminator="\n")
    w.writerow(["", "vclaim", "title"])
    for k in range(n):
        _, claim, title = rows[k % len(rows)][:3]
        r = k // len(rows)
        if r:
            words = claim.split()
            if len(words) > 3:
                i = rng.randrange(len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
            claim = lead[r % len(lead)] + " ".join(words) + f" ({2000 + r})"
        w.writerow([f"g{k}", claim, title])
PY
  t0=$(date +%s.%N)
  "$bin" --data "$dir" --lexical-only import "$work/factchecks.tsv" --format clef >/dev/null
  import_s=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.0f}')")
  log "generating and ingesting $big_n items"
  python3 bench/scale_items.py "$big_n" "$clef1" "$clef2" eval/crosslingual >"$work/big.jsonl"
  t0=$(date +%s.%N)
  "$bin" --data "$dir" --lexical-only ingest "$work/big.jsonl" >/dev/null 2>"$work/big-ingest.err"
  ingest_s=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.0f}')")
  rm -f "$work/big.jsonl"
  printf 'bench-editor-pw-%s\n' "$RANDOM$RANDOM" | "$bin" --data "$dir" user add editor --role editor >/dev/null
  token="$("$bin" --data "$dir" token create editor bench 2>/dev/null)"
  # A new node: a data directory holding only the config, so it builds its index from the database.
  mkdir -p "$work/big-node"
  cp "$dir/claimdesk.toml" "$work/big-node/"
  printf '\n[audit]\nkey = "%s"\n' "$dir/audit-key.ed25519" >>"$work/big-node/claimdesk.toml"
  start_node "$work/big-node"
  new_node_s="$started_in"
  queue big "$node_url"
  big_rss="$(peak_rss_mb "${pids[0]}")"
  db_mb="$(psql -qAt "$url" -c 'SELECT pg_database_size(current_database()) / 1048576')"
  stop_nodes
  big="$(
    echo "big desk on PostgreSQL: $big_n items, $factchecks fact-checks (database $db_mb MB):"
    echo "  import of the fact-checks $import_s s, ingest of the items $ingest_s s ($(python3 -c "print(round($big_n / max($ingest_s, 1)))") items/s)"
    echo "  a new node (empty data directory) answered /healthz after $new_node_s s; its peak RSS after the queue load: $big_rss MB"
  )"
fi

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
block="$(
  echo "claimdesk on PostgreSQL next to SQLite ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM; $(psql -qAt "$CLAIMDESK_TEST_DATABASE_URL" -c 'SHOW server_version') on the same machine (scripts/test-postgres defaults)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min at the end)"
  echo "binary: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)); --lexical-only, 10,375 CLEF 2020 claims; $n items of bench/scale_items.py posted in batches of 500 by 2 senders"
  echo "intake (first post until nothing is pending; every item stored, scored and placed once):"
  sqlite_ips="$(awk '$1 == "sqlite" {print $3}' "$work/intake-results")"
  while read -r name secs ips; do
    printf '  %-22s %8s s %8s items/s  %5s x SQLite\n' "$name" "$secs" "$ips" "$(python3 -c "print(f'{$ips / $sqlite_ips:.2f}')")"
  done <"$work/intake-results"
  echo "queue under wrk (1 thread, 16 connections, $seconds s each), one node:"
  printf '  %-12s %-42s %9s %8s %8s %9s\n' desk endpoint "req/s" "p50 ms" "p99 ms" "x SQLite"
  while read -r name path rest; do
    ref="$(awk -v p="$path" '$1 == "sqlite" && $2 == p' "$work/queue-results" | tr ' ' '\n' | sed -n 's/^rps=//p')"
    rps="$(field rps "$rest")"
    ratio="-"  # the big desk holds other data: no ratio
    [ "$name" = big ] || ratio="$(python3 -c "print(f'{$rps / $ref:.2f}')")"
    printf '  %-12s %-42s %9s %8s %8s %9s\n' "$name" "$path" "$rps" "$(field p50_ms "$rest")" "$(field p99_ms "$rest")" "$ratio"
  done <"$work/queue-results"
  echo "node peak RSS after intake and queue load: SQLite $sqlite_rss MB, PostgreSQL $pg_rss MB"
  if [ -n "$big" ]; then echo "$big"; fi
)"
printf '%s\n' "$block"
if [ "$mode" = "--record" ]; then
  out="bench/results/$(date -u +%Y-%m-%d)-postgres.txt"
  { printf '%s\n\n' "$block"; [ -f "$out" ] && cat "$out"; } >"$out.new"
  mv "$out.new" "$out"
  log "recorded $out"
fi
failed=0
while read -r name path rest; do
  if [ "$(field non2xx "$rest")" != 0 ] || [ "$(field socket_errors "$rest")" != 0 ]; then
    log "FAILED: $name $path: $(field non2xx "$rest") non-2xx, $(field socket_errors "$rest") socket errors"
    failed=1
  fi
done <"$work/queue-results"
exit "$failed"
