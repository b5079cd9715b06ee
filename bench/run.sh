#!/usr/bin/env bash
# Lexical matching benchmark: quality on CLEF 2020 Task 2 (train and dev) and speed against
# the reference peer bm25s (../shared/bench/reference_bm25.py), run on the same queries in
# this same invocation, both single-threaded.
#
#   bash bench/run.sh            full run: queries repeated 20x, prints a result block
#   bash bench/run.sh --smoke    CI: queries repeated 3x; fails only on quality or memory
#   bash bench/run.sh --record   full run, and saves the block under bench/results/
#
# CLEF_DIR (default ../shared/data/clef2020-task2) and REFERENCE (default
# ../shared/bench/reference_bm25.py) point at the data and the peer.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
# The shared folder sits beside the checkout; CI clones elsewhere, so also look at /work/shared.
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
reference="${REFERENCE:-$shared/bench/reference_bm25.py}"
repeat=20
[ "$mode" = "--smoke" ] && repeat=3

if [ ! -f "$clef/verified_claims.docs.tsv" ]; then
  echo "bench: CLEF data not found at $clef (set CLEF_DIR); skipping the benchmark" >&2
  exit 0
fi

source "$root/bench/binary.sh"
bench_claimdesk
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" --data "$work/data" init >/dev/null
"$bin" --data "$work/data" import "$clef/verified_claims.docs.tsv" --format clef >/dev/null

eval_split() {
  "$bin" --data "$work/data" --lexical-only eval --json --queries "$clef/$1/tweets.queries.tsv" \
    --qrels "$clef/$1/tweet-vclaim-pairs.qrels" > "$work/eval-$1.json"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['map']:.4f} {d['mrr']:.4f} {d['recall']:.4f}\")" "$work/eval-$1.json"
}
read -r train_map train_mrr train_recall < <(eval_split train)
read -r dev_map dev_mrr dev_recall < <(eval_split dev)

# Memory while matching: peak RSS of the whole process (index, catalog, store connection).
rss_kb=""
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "%M" -o "$work/rss" "$bin" --data "$work/data" --lexical-only match \
    --queries "$clef/dev/tweets.queries.tsv" --run-out "$work/rss-run" >/dev/null 2>&1
  rss_kb="$(tail -1 "$work/rss")"
fi

if ! python3 -c "import bm25s" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check bm25s >&2
fi
peer="$(python3 "$reference" "$clef/verified_claims.docs.tsv" "$clef/dev/tweets.queries.tsv" \
  "$work/bm25s.run" --top 5 --repeat "$repeat" 2>&1 >/dev/null | tail -1)"
ours="$("$bin" --data "$work/data" --lexical-only match --queries "$clef/dev/tweets.queries.tsv" \
  --run-out "$work/claimdesk.run" --top 5 --repeat "$repeat" 2>&1 >/dev/null | tail -1)"
peer_qps="$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<<"$peer")"
our_qps="$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<<"$ours")"
ratio="$(python3 -c "print(f'{$our_qps / $peer_qps:.2f}')")"

report="$(cat <<REPORT
claimdesk lexical matching benchmark
date        $(date -u +%Y-%m-%dT%H:%MZ)
machine     $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
commit      $(git rev-parse --short HEAD 2>/dev/null || echo unknown)
command     bash bench/run.sh $mode
data        CLEF 2020 CheckThat! Task 2: 10,375 verified claims; settings chosen on train
quality     train MAP@5 $train_map  MRR@5 $train_mrr  Recall@5 $train_recall  (800 queries)
            dev   MAP@5 $dev_map  MRR@5 $dev_mrr  Recall@5 $dev_recall  (197 queries)
speed       dev queries x$repeat, one thread each, top 5
            bm25s      $peer
            claimdesk  $ours
            ratio      ${ratio}x bm25s queries/s
memory      peak RSS while matching the dev queries: ${rss_kb:-unknown} kB
REPORT
)"
echo "$report"

if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-lexical.txt"
  echo "$report" > "$out"
  echo "saved $out" >&2
fi

# Deterministic checks (never a wall-clock limit: the machines are noisy).
python3 - "$dev_map" "${rss_kb:-0}" "$((150 + bench_rss_slack_mb))" <<'PY'
import sys
dev_map, rss_kb, ceiling_mb = float(sys.argv[1]), int(sys.argv[2] or 0), int(sys.argv[3])
problems = []
if dev_map < 0.76:
    problems.append(f"dev MAP@5 {dev_map:.4f} is below 0.76")
if rss_kb > ceiling_mb * 1024:
    problems.append(f"peak RSS {rss_kb} kB is over {ceiling_mb} MB")
if problems:
    sys.exit("bench: " + "; ".join(problems))
PY
