#!/usr/bin/env bash
# Embedding benchmark: claimdesk-embed (crates/embed, example `throughput`) against the numpy
# reference (../shared/bench/reference_e5_numpy.py) on the same texts in this same invocation:
# `passage: ` + claim + " " + title for the CLEF 2020 Task 2 verified claims. Prints
# sentences/s of each, the ratio, load times, peak RSS (GNU time) and the largest difference
# between the two sets of vectors.
#
#   bash bench/embed.sh            full run: all 10,375 claims
#   bash bench/embed.sh --smoke    CI: the first 1,000 claims; fails only on accuracy or memory
#   bash bench/embed.sh --record   full run, and saves the block under bench/results/
#
# CLEF_DIR (default ../shared/data/clef2020-task2), REFERENCE (default
# ../shared/bench/reference_e5_numpy.py) and MODEL (default models/e5-small-q4.bin, fetched by
# scripts/fetch-model when missing) can be overridden.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
# The shared folder sits beside the checkout; CI clones elsewhere, so also look at /work/shared.
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
reference="${REFERENCE:-$shared/bench/reference_e5_numpy.py}"
model="${MODEL:-$root/models/e5-small-q4.bin}"

if [ ! -f "$clef/verified_claims.docs.tsv" ]; then
  echo "bench: CLEF data not found at $clef (set CLEF_DIR); skipping the benchmark" >&2
  exit 0
fi
[ -f "$model" ] || scripts/fetch-model "$(dirname "$model")"

source "$root/bench/binary.sh"
bench_build -p claimdesk-embed --example throughput
bin="$bench_dir/examples/throughput"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

claims="$clef/verified_claims.docs.tsv"
if [ "$mode" = "--smoke" ]; then
  # The first 1,000 records (csv-aware: quoted fields may span lines).
  python3 - "$claims" "$work/claims.tsv" <<'PY'
import csv, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline="", encoding="utf-8") as f, \
     open(sys.argv[2], "w", newline="", encoding="utf-8") as g:
    w = csv.writer(g, delimiter="\t", lineterminator="\n")
    for i, row in enumerate(csv.reader(f, delimiter="\t")):
        if i > 1000:
            break
        w.writerow(row)
PY
  claims="$work/claims.tsv"
fi

# Back to back on the same file; each under GNU time for its peak RSS.
/usr/bin/time -v -o "$work/ours.time" "$bin" "$model" "$claims" --out "$work/ours.npy" \
  > "$work/ours.log"
/usr/bin/time -v -o "$work/ref.time" python3 "$reference" "$model" embed --tsv "$claims" \
  --text-cols 1,2 --prefix "passage: " --out "$work/ref.npy" 2> "$work/ref.log"

rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
summary="$(python3 - "$work" "$(rss_mb "$work/ours.time")" "$(rss_mb "$work/ref.time")" <<'PY'
import re, sys
import numpy as np
work, our_rss, ref_rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ours, ref = open(f"{work}/ours.log").read(), open(f"{work}/ref.log").read()
our_load = float(re.search(r"load: ([0-9.]+) s", ours).group(1))
ref_load = float(re.search(r"load: ([0-9.]+) s", ref).group(1))
m = re.search(r"embed: (\d+) sentences \((\d+) tokens\) in ([0-9.]+) s = ([0-9.]+) sentences/s", ours)
n, tokens, our_s, our_sps = int(m.group(1)), int(m.group(2)), float(m.group(3)), float(m.group(4))
m = re.search(r"embed: (\d+) sentences in ([0-9.]+) s = ([0-9.]+) sentences/s", ref)
ref_n, ref_s, ref_sps = int(m.group(1)), float(m.group(2)), float(m.group(3))
a, b = np.load(f"{work}/ours.npy"), np.load(f"{work}/ref.npy")
assert a.shape == b.shape, (a.shape, b.shape)
diff = float(np.abs(a - b).max())
cos = float((a * b).sum(1).min())
print(f"texts       {n} claims, {tokens} tokens (ours), passage: claim + title")
print(f"numpy       load {ref_load:.2f} s  embed {ref_s:.1f} s = {ref_sps:.1f} sentences/s  peak RSS {ref_rss} MB")
print(f"claimdesk   load {our_load:.2f} s  embed {our_s:.1f} s = {our_sps:.1f} sentences/s  peak RSS {our_rss} MB")
print(f"ratio       {our_sps / ref_sps:.2f}x numpy sentences/s")
print(f"vectors     max |ours - numpy| = {diff:.2e} per component, min cosine {cos:.7f}")
print(f"CHECK {diff} {our_rss} {n} {ref_n}")
PY
)"

report="$(cat <<REPORT
claimdesk embedding benchmark (multilingual-e5-small, e5-small-q4.bin)
date        $(date -u +%Y-%m-%dT%H:%MZ)
machine     $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)
commit      $(git rev-parse --short HEAD 2>/dev/null || echo unknown)
command     bash bench/embed.sh $mode
$(grep -v '^CHECK' <<<"$summary")
REPORT
)"
echo "$report"

if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-embed.txt"
  echo "$report" > "$out"
  echo "saved $out" >&2
fi

# Deterministic checks (never a wall-clock limit: the machines are noisy).
read -r _ diff rss n ref_n < <(grep '^CHECK' <<<"$summary")
python3 - "$diff" "$rss" "$n" "$ref_n" "$((300 + bench_rss_slack_mb))" <<'PY'
import sys
diff, rss, n, ref_n = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ceiling = int(sys.argv[5])
problems = []
if n != ref_n:
    problems.append(f"{n} vectors against the reference's {ref_n}")
if diff > 1e-5:
    problems.append(f"vectors differ from the reference by {diff:.2e} (> 1e-5)")
if rss > ceiling:
    problems.append(f"peak RSS {rss} MB is over {ceiling} MB")
if problems:
    sys.exit("bench: " + "; ".join(problems))
PY
