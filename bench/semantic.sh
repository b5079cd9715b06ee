#!/usr/bin/env bash
# Semantic and hybrid matching benchmark on CLEF 2020 Task 2 and the project's cross-lingual
# Vietnamese set (eval/crosslingual): MAP@5, MRR@5, Recall@5 per ranking (lexical, dense, RRF,
# min-max fusion, learned reranker), on train (where the reranker was fitted) and dev, latency
# per post (p50/p99, one thread, embedding included), the confident-match calibration on dev,
# and peak RSS with the model and all claims indexed.
#
#   bash bench/semantic.sh            full run
#   bash bench/semantic.sh --smoke    CI: dev and the cross-lingual set only; fails on quality
#                                     (dev MAP@5 < 0.90) or memory (> 400 MB), never on time.
#                                     The cross-lingual set is reported, not gated: it is below
#                                     its 0.90 goal (see bench/README.md).
#   bash bench/semantic.sh --record   full run, block saved under bench/results/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
if [ ! -f "$clef/verified_claims.docs.tsv" ]; then
  echo "bench: CLEF data not found at $clef (set CLEF_DIR); skipping" >&2
  exit 0
fi
[ -f models/e5-small-q4.bin ] || scripts/fetch-model
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
cargo build --release -p claimdesk --quiet
bin="$CARGO_TARGET_DIR/release/claimdesk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd_() { "$bin" --data "$work/data" --model "$root/models/e5-small-q4.bin" "$@"; }

cd_ import "$clef/verified_claims.docs.tsv" --format clef >/dev/null
cd_ import eval/crosslingual/factchecks_vi.tsv >/dev/null
started=$(date +%s)
# The first ranker embeds every fact-check once and stores the vectors; later runs reuse them.
cd_ match --text "warm-up" >/dev/null 2>&1 || true
echo "embedded $(wc -l < "$clef/verified_claims.docs.tsv") fact-check texts in $(( $(date +%s) - started )) s" >&2

measure() { # split queries qrels ranking -> "map mrr recall p50 p99"
  cd_ eval --json --queries "$2" --qrels "$3" --ranking "$4" > "$work/e.json"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['map']:.4f} {d['mrr']:.4f} {d['recall']:.4f} {d['recall_1']:.4f} {d['latency_ms_p50']:.1f} {d['latency_ms_p99']:.1f}\")" "$work/e.json"
}
splits="dev"
[ "$mode" = "--smoke" ] || splits="train dev"
report="$work/report"
{
  echo "claimdesk semantic matching benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  printf "%-28s %-9s %7s %7s %9s %9s %8s %8s\n" set ranking MAP@5 MRR@5 Recall@5 Recall@1 p50_ms p99_ms
} > "$report"
for split in $splits; do
  for ranking in lexical dense rrf minmax reranker; do
    read -r map mrr rec rec1 p50 p99 < <(measure "$split" "$clef/$split/tweets.queries.tsv" "$clef/$split/tweet-vclaim-pairs.qrels" "$ranking")
    printf "%-28s %-9s %7s %7s %9s %9s %8s %8s\n" "clef2020-task2 $split" "$ranking" "$map" "$mrr" "$rec" "$rec1" "$p50" "$p99" >> "$report"
    [ "$split $ranking" = "dev reranker" ] && dev_map="$map"
  done
done
for ranking in lexical reranker; do
  read -r map mrr rec rec1 p50 p99 < <(measure x eval/crosslingual/posts.tsv eval/crosslingual/qrels "$ranking")
  printf "%-28s %-9s %7s %7s %9s %9s %8s %8s\n" "crosslingual vi (160)" "$ranking" "$map" "$mrr" "$rec" "$rec1" "$p50" "$p99" >> "$report"
  [ "$ranking" = reranker ] && cross_recall="$rec"
done
# Calibration: precision and recall of the "confident" top match on dev (thresholds from train).
cd_ eval --json --queries "$clef/dev/tweets.queries.tsv" --qrels "$clef/dev/tweet-vclaim-pairs.qrels" > "$work/e.json"
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['confident']; print(f\"confident top match on dev: {c['count']} of {c['queries']} queries, precision {c['precision']:.3f}, recall {c['recall']:.3f}\")" "$work/e.json" >> "$report"
rss_kb=""
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "%M" -o "$work/rss" "$bin" --data "$work/data" --model "$root/models/e5-small-q4.bin" match \
    --queries "$clef/dev/tweets.queries.tsv" --run-out "$work/run" >/dev/null 2>&1
  rss_kb="$(tail -1 "$work/rss")"
  echo "peak RSS matching dev with the model and $(( $(wc -l < "$clef/verified_claims.docs.tsv") - 1 + 40 )) fact-checks: $(( rss_kb / 1024 )) MB" >> "$report"
fi
cat "$report"
if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  cp "$report" "bench/results/$(date -u +%Y-%m-%d)-semantic.txt"
fi
fail=0
python3 -c "import sys; sys.exit(0 if float('$dev_map') >= 0.90 else 1)" || { echo "FAIL: dev MAP@5 $dev_map < 0.90" >&2; fail=1; }
python3 -c "import sys; sys.exit(0 if float('$cross_recall') >= 0.90 else 1)" || echo "note: cross-lingual Recall@5 $cross_recall is below the 0.90 goal" >&2
if [ -n "$rss_kb" ] && [ "$rss_kb" -gt $((400 * 1024)) ]; then echo "FAIL: RSS ${rss_kb} kB > 400 MB" >&2; fail=1; fi
exit $fail
