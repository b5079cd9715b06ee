#!/usr/bin/env bash
# Crash safety of the drop-folder intake: 100,000 posts are dropped into a watched folder
# (20 files of 5,000), `claimdesk source poll` is killed with SIGKILL while it ingests them
# (twice, at different moments), then restarted until the folder is empty. Every post must be
# stored exactly once: the count, the distinct keys, and a SHA-256 over every (id, text)
# pair are checked against what was dropped.
#
#   bash tests/crash/run.sh              (CLAIMDESK_BIN: the binary to test, default: release build)
#   CRASH_ITEMS=20000 bash tests/crash/run.sh    a smaller run
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
items="${CRASH_ITEMS:-100000}"
files=20
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
if [ -z "${CLAIMDESK_BIN:-}" ]; then
  timeout 3600 cargo build --release -p claimdesk --quiet
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/release/claimdesk"
fi
bin="$CLAIMDESK_BIN"
work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-crash.XXXXXX")"
poller=""
cleanup() {
  if [ -n "$poller" ]; then kill -KILL "$poller" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
data="$work/data"
drop="$work/drop"
mkdir -p "$drop"

"$bin" --data "$data" --lexical-only init >/dev/null
"$bin" --data "$data" --lexical-only import crates/claimdesk/sample/factchecks.jsonl >/dev/null
python3 - "$data/claimdesk.toml" <<'PY'
import sys
p = sys.argv[1]
text = open(p, encoding="utf-8").read()
text = text.replace("[sources]\n", "[sources]\nfolder_settle_secs = 0\n", 1) if "[sources]\n" in text \
    else text + "\n[sources]\nfolder_settle_secs = 0\n"
open(p, "w", encoding="utf-8").write(text)
PY
"$bin" --data "$data" source add "$drop" --interval 1s >/dev/null

# The posts, written as .part and renamed (as a partner's export job would), and the digest
# of what was dropped.
python3 - "$drop" "$items" "$files" >"$work/expected" <<'PY'
import hashlib, json, os, random, sys
drop, items, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(20261201)
words = ("vaccine vắc-xin lockdown phong tỏa election bầu cử flood lũ lụt salt muối lemon chanh "
         "cure chữa cancer ung thư minister bộ trưởng million triệu percent phần trăm").split()
per = items // files
pairs = []
for f in range(files):
    name = os.path.join(drop, f"export-{f:02d}.jsonl")
    with open(name + ".part", "w", encoding="utf-8") as out:
        for i in range(f * per, (f + 1) * per):
            text = f"post {i}: " + " ".join(random.choice(words) for _ in range(12))
            pairs.append((f"crash-{i}", text))
            out.write(json.dumps({"id": f"crash-{i}", "source": "crash-test", "text": text,
                                  "published_at": "2026-11-30T08:00:00Z"}, ensure_ascii=False) + "\n")
    os.rename(name + ".part", name)
h = hashlib.sha256()
for ext, text in sorted(pairs):
    h.update(ext.encode() + b"\t" + text.encode() + b"\n")
print(len(pairs), h.hexdigest())
PY

stored() {
  python3 - "$data/claimdesk.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT external_id, text FROM items WHERE source = 'crash-test'").fetchall()
keys = db.execute("SELECT COUNT(DISTINCT item_key) FROM items WHERE source = 'crash-test'").fetchone()[0]
h = hashlib.sha256()
for ext, text in sorted(rows):
    h.update(ext.encode() + b"\t" + text.encode() + b"\n")
print(len(rows), h.hexdigest(), keys)
PY
}

# Processing: "pending check_worthiness narrative_members narrative_count_sum".
processed() {
  python3 - "$data/claimdesk.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
q = lambda sql: db.execute(sql).fetchone()[0] or 0
crash = "SELECT id FROM items WHERE source = 'crash-test'"
print(q("SELECT COUNT(*) FROM pending_items"),
      q(f"SELECT COUNT(*) FROM item_check_worthiness WHERE item_id IN ({crash})"),
      q(f"SELECT COUNT(*) FROM narrative_items WHERE item_id IN ({crash})"),
      q("SELECT SUM(item_count) FROM narratives") - q(
        "SELECT COUNT(*) FROM narrative_items WHERE item_id NOT IN (SELECT id FROM items WHERE source = 'crash-test')"))
PY
}

count() {
  python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM items WHERE source = 'crash-test'\").fetchone()[0])" "$data/claimdesk.db" 2>/dev/null || echo 0
}

# Two kills: the first once some posts are stored (a file in flight or being matched), the
# second past half of them.
for threshold in 1 $((items / 2)); do
  "$bin" --data "$data" --lexical-only source poll >"$work/poll.log" 2>&1 &
  poller=$!
  for _ in $(seq 1 1200); do
    [ "$(count)" -ge "$threshold" ] && break
    kill -0 "$poller" 2>/dev/null || break
    sleep 0.1
  done
  sleep 0.$((RANDOM % 10))
  kill -KILL "$poller" 2>/dev/null || true
  wait "$poller" 2>/dev/null || true
  poller=""
  left=$(find "$drop" -maxdepth 1 -name '*.jsonl' | wc -l)
  echo "crash: killed with $left of $files files still to read; stored so far: $(count)" >&2
done

# Restart (at least once: the kill may have left items stored but unprocessed) until the
# folder is empty.
for _ in $(seq 1 30); do
  timeout 2700 "$bin" --data "$data" --lexical-only source poll --once >/dev/null 2>>"$work/restart.log"
  left=$(find "$drop" -maxdepth 1 -name '*.jsonl' | wc -l)
  [ "$left" -eq 0 ] && break
done
left=$(find "$drop" -maxdepth 1 -name '*.jsonl' | wc -l)

read -r want_n want_hash <"$work/expected"
read -r got_n got_hash got_keys < <(stored)
echo "crash: dropped $want_n posts; stored $got_n ($got_keys distinct keys); files left: $left" >&2
fail=0
[ "$left" -eq 0 ] || { echo "crash: FAILED: $left files were never read" >&2; fail=1; }
[ "$got_n" = "$want_n" ] || { echo "crash: FAILED: $got_n stored, $want_n dropped" >&2; fail=1; }
[ "$got_keys" = "$want_n" ] || { echo "crash: FAILED: $got_keys distinct keys" >&2; fail=1; }
[ "$got_hash" = "$want_hash" ] || { echo "crash: FAILED: content digest differs" >&2; fail=1; }
read -r pending worthy members counted < <(processed)
echo "crash: processing: $pending pending; check-worthiness of $worthy; $members in narratives (counted $counted)" >&2
[ "$pending" = 0 ] || { echo "crash: FAILED: $pending items never processed" >&2; fail=1; }
[ "$worthy" = "$want_n" ] || { echo "crash: FAILED: check-worthiness of $worthy, $want_n stored" >&2; fail=1; }
[ "$members" = "$want_n" ] || { echo "crash: FAILED: $members posts in narratives, $want_n stored" >&2; fail=1; }
[ "$counted" = "$want_n" ] || { echo "crash: FAILED: narratives count $counted posts, $want_n joined" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "crash: ok: every post stored and processed exactly once (count, keys, content digest, check-worthiness, narratives)" >&2
exit "$fail"
