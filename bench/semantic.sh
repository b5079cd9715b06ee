#!/usr/bin/env bash
# Semantic and hybrid matching benchmark on CLEF 2020 Task 2 and the project's cross-lingual
# Vietnamese set (eval/crosslingual): MAP@5, MRR@5, Recall@5 per ranking (lexical, dense, RRF,
# min-max fusion, learned reranker), on train (where the reranker was fitted) and dev, latency
# per post (p50/p99, one thread, embedding included), the confident-match calibration on dev,
# and peak RSS with the model and all claims indexed.
#
#   bash bench/semantic.sh            full run
#   bash bench/semantic.sh --smoke    CI: dev and the cross-lingual set only, lexical and the
#                                     reranker only; fails on quality
#                                     (dev MAP@5 < 0.90; with the answer absent, confident
#                                     false alarms > 2%; with it present, confident precision
#                                     < 0.97) or memory (> 400 MB), never on time.
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
source "$root/bench/binary.sh"
bench_claimdesk
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd_() { "$bin" --data "$work/data" --model "$root/models/e5-small-q4.bin" "$@"; }

cd_ init >/dev/null
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
# CI's smoke run ranks with the reranker (its gate on MAP@5) and lexical (the baseline beside
# it); each other ranking is an `eval` of its own (about a minute each on the test build).
rankings="lexical dense rrf minmax reranker"
[ "$mode" = "--smoke" ] && rankings="lexical reranker"
report="$work/report"
{
  echo "claimdesk semantic matching benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  printf "%-28s %-9s %7s %7s %9s %9s %8s %8s\n" set ranking MAP@5 MRR@5 Recall@5 Recall@1 p50_ms p99_ms
} > "$report"
for split in $splits; do
  for ranking in $rankings; do
    read -r map mrr rec rec1 p50 p99 < <(measure "$split" "$clef/$split/tweets.queries.tsv" "$clef/$split/tweet-vclaim-pairs.qrels" "$ranking")
    printf "%-28s %-9s %7s %7s %9s %9s %8s %8s\n" "clef2020-task2 $split" "$ranking" "$map" "$mrr" "$rec" "$rec1" "$p50" "$p99" >> "$report"
    if [ "$split $ranking" = "dev reranker" ]; then dev_map="$map"; cp "$work/e.json" "$work/dev-reranker.json"; fi
  done
done
for ranking in lexical reranker; do
  read -r map mrr rec rec1 p50 p99 < <(measure x eval/crosslingual/posts.tsv eval/crosslingual/qrels "$ranking")
  printf "%-28s %-9s %7s %7s %9s %9s %8s %8s\n" "crosslingual vi (160)" "$ranking" "$map" "$mrr" "$rec" "$rec1" "$p50" "$p99" >> "$report"
  [ "$ranking" = reranker ] && cross_recall="$rec"
done
# Calibration: precision and recall of the "confident" top match on dev (thresholds from train),
# read off the dev reranker eval above (the reranker is the default ranking with the model, so
# a second `eval` of dev would compute the same thing again).
python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['confident']; print(f\"confident top match on dev: {c['count']} of {c['queries']} queries, precision {c['precision']:.3f}, recall {c['recall']:.3f}\")" "$work/dev-reranker.json" >> "$report"
# With the answer absent as well as present (bench/README.md, "Confidence when the answer is
# absent"): every dev tweet against the whole desk and against desks of 25, 100 and 1,000
# fact-checks sampled per tweet, each with its fact-check (and its aliases) and without.
absent_sizes="25,100,1000"
for split in $splits; do
  cd_ eval --queries "$clef/$split/tweets.queries.tsv" --qrels "$clef/$split/tweet-vclaim-pairs.qrels" \
    --absent "$absent_sizes" > "$work/absent-$split.txt"
  { echo; echo "clef2020-task2 $split, answer present and absent:"; sed -n '/^pool /,$p' "$work/absent-$split.txt"; } >> "$report"
done
# The full run only (CI's smoke run keeps to dev): the cross-lingual set and the unrelated stream.
task1="$shared/data/clef2020-task1"
[ "$mode" = "--smoke" ] && task1=""
if [ -n "$task1" ]; then
  cd_ eval --queries eval/crosslingual/posts.tsv --qrels eval/crosslingual/qrels --absent "$absent_sizes" > "$work/absent-x.txt"
  { echo; echo "crosslingual vi (160), answer present and absent:"; sed -n '/^pool /,$p' "$work/absent-x.txt"; } >> "$report"
fi
# An unrelated stream: the CLEF 2020 Task 1 tweets (COVID-19, March 2020) against the Task 2
# claims; the confident matches are listed for a person to check which are true repeats.
if [ -n "$task1" ] && [ -f "$task1/dev_v2.tsv" ]; then
  python3 - "$task1" "$work/task1.tsv" <<'PY'
import csv, sys
rows = []
for name in ("training_v2.tsv", "dev_v2.tsv"):
    with open(f"{sys.argv[1]}/{name}", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows.append((r["tweet_id"], " ".join(r["tweet_text"].split())))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("id\ttext\n")
    for i, t in rows:
        out.write(f"{i}\t{t}\n")
PY
  cd_ match --json --top 1 --queries "$work/task1.tsv" > "$work/task1.jsonl" 2>/dev/null
  python3 - "$work/task1.jsonl" >> "$report" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
conf = [r for r in rows if r["matches"] and r["matches"][0]["explanation"].get("confident")]
sugg = [r for r in rows if r["matches"] and r["matches"][0]["explanation"].get("strength") == "suggestion"]
print(f"\nunrelated stream, CLEF 2020 Task 1 tweets ({len(rows)}) against the Task 2 claims: "
      f"{len(conf)} confident top matches ({len(conf) / max(1, len(rows)):.3f}), {len(sugg)} suggestions")
for r in conf:
    m = r["matches"][0]
    print(f"  confident: tweet {r['id']} -> {m['source_id']} ({m['explanation'].get('probability', 0):.3f}): {m['claim'][:90]}")
PY
fi
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
# Confidence with the answer absent (dev): at most 2% false alarms in every pool without the
# answer, and confident matches at least 0.97 precise with it. Their recall is reported, not
# gated: it is below its 0.80 goal (see bench/README.md).
python3 - "$work/absent-dev.txt" <<'PY' || fail=1
import sys
bad = []
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.split()
    if not f or f[0] == "pool" or not f[-1].isdigit():
        continue
    # pool name (1-3 words), queries, confident, precision, recall, false-alarm, suggested
    precision, recall, alarm = f[-4], f[-3], f[-2]
    name = " ".join(f[:-6])
    if "without" in name and float(alarm) > 0.02:
        bad.append(f"{name}: false-alarm rate {alarm} > 0.02")
    if "with answer" in name or name == "all":
        if float(precision) < 0.97:
            bad.append(f"{name}: confident precision {precision} < 0.97")
        if float(recall) < 0.80:
            print(f"note: dev {name}: confident recall {recall} is below the 0.80 goal", file=sys.stderr)
for b in bad:
    print("FAIL: dev " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
python3 -c "import sys; sys.exit(0 if float('$cross_recall') >= 0.90 else 1)" || echo "note: cross-lingual Recall@5 $cross_recall is below the 0.90 goal" >&2
ceiling_mb=$((400 + bench_rss_slack_mb))
if [ -n "$rss_kb" ] && [ "$rss_kb" -gt $((ceiling_mb * 1024)) ]; then echo "FAIL: RSS ${rss_kb} kB > $ceiling_mb MB" >&2; fail=1; fi
exit $fail
