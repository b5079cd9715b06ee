#!/usr/bin/env bash
# Check-worthiness on CLEF 2020 CheckThat! Task 1 (English tweets, one topic): MAP over the
# whole ranked list (the task's official measure) and P@30 of the shipped detector, with the
# embedding model and with the hand-written cues only. Train numbers are the cross-validation
# recorded in the detector file (settings were chosen there); dev is scored once.
#
#   bash bench/detect.sh [DETECTOR]     (default: the built-in crates/match/src/detector.json)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF1_DIR:-$shared/data/clef2020-task1}"
[ -f models/e5-small-q4.bin ] || scripts/fetch-model
source "$root/bench/binary.sh"
bench_claimdesk
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
detector=()
[ -n "${1:-}" ] && detector=(--detector "$1")
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m), $(nproc) cores; git $(git rev-parse --short HEAD)"
"$bin" --data "$work/data" init >/dev/null
"$bin" --data "$work/data" --model models/e5-small-q4.bin eval-detector "${detector[@]}" \
  --tsv "$clef/dev_v2.tsv"
# The `detect --tsv` contract (id, text) on the same file, converted from the CLEF layout.
awk -F'\t' 'BEGIN{OFS="\t"} {print $2, $4}' "$clef/dev_v2.tsv" >"$work/dev.tsv"
start=$(date +%s.%N)
"$bin" --data "$work/data" --model models/e5-small-q4.bin detect "${detector[@]}" \
  --tsv "$work/dev.tsv" >"$work/scores.tsv"
end=$(date +%s.%N)
echo "detect --tsv: $(wc -l <"$work/scores.tsv") rows scored in $(echo "$end - $start" | bc) s (model load included)"
# The trained match threshold on posts that all repeat a checked claim (the project-written
# Vietnamese set): the share it would let through to matching.
"$bin" --data "$work/data" --model models/e5-small-q4.bin detect "${detector[@]}" \
  --tsv eval/crosslingual/posts.tsv >"$work/vi.tsv"
python3 - "$work/vi.tsv" crates/match/src/detector.json <<'PY'
import json, sys
scores = [float(l.split("\t")[1]) for l in open(sys.argv[1], encoding="utf-8") if "\t" in l]
t = json.load(open(sys.argv[2], encoding="utf-8"))["with_model"]["match_threshold"]
kept = sum(s >= t for s in scores)
print(f"eval/crosslingual posts (all repeat a checked claim): {kept} of {len(scores)} reach the trained threshold {t:.4f} ({100 * kept / len(scores):.0f}%); the desk's default threshold is 0")
PY
