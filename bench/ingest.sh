#!/usr/bin/env bash
# Ingest throughput: `claimdesk ingest` of generated posts (CLEF 2020 tweets with words swapped,
# so every post is distinct) into a store holding the 10,375 CLEF claims: read → normalize →
# store → match (top 5 with explanations stored) → narratives and alerts, timed per stage by
# the command itself. Lexical matching on N posts, then semantic matching (the model) on a
# smaller number. The reference peer bm25s (../shared/bench/reference_bm25.py) ranks the same
# posts in the same run, single-threaded, ranking only (no parsing, storing or explanations).
#
#   bash bench/ingest.sh            50,000 posts lexical, 1,000 semantic
#   bash bench/ingest.sh --smoke    CI: 10,000 lexical, no semantic; fails only on errors
#   bash bench/ingest.sh --record   the full run, saved under bench/results/
#
# Goal on a 2-core machine: >= 2,000 posts/s through read → normalize → store → lexical match.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
case "$mode" in full|--smoke|--record) ;; *) echo "usage: bench/ingest.sh [--smoke|--record]" >&2; exit 2;; esac
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
reference="${REFERENCE:-$shared/bench/reference_bm25.py}"
lexical_n=50000
semantic_n=1000
[ "$mode" = "--smoke" ] && lexical_n=10000 && semantic_n=0
if [ ! -f "$clef/verified_claims.docs.tsv" ]; then
  echo "bench: CLEF data not found at $clef (set CLEF_DIR); skipping the ingest benchmark" >&2
  exit 0
fi
source "$root/bench/binary.sh"
bench_claimdesk
work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-ingest-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# posts N PREFIX -> $work/PREFIX.jsonl (items) and $work/PREFIX.tsv (the same texts as queries)
posts() {
  python3 - "$clef" "$1" "$work/$2" <<'PY'
import csv, json, random, sys
clef, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
csv.field_size_limit(1 << 24)
random.seed(n)
tweets = []
for split in ("train", "dev"):
    with open(f"{clef}/{split}/tweets.queries.tsv", encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        tweets += [r[1] for r in rows if len(r) > 1 and r[1].strip()]
vocabulary = " ".join(tweets).split()
with open(out + ".jsonl", "w", encoding="utf-8") as items, open(out + ".tsv", "w", encoding="utf-8") as queries:
    queries.write("id\ttext\n")
    for i in range(n):
        words = random.choice(tweets).split()
        for _ in range(3):
            words[random.randrange(len(words))] = random.choice(vocabulary)
        text = " ".join(words)
        items.write(json.dumps({"id": f"bench-{i}", "source": f"source-{i % 200}", "text": text,
                                "published_at": f"2026-11-30T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"},
                               ensure_ascii=False) + "\n")
        queries.write(f"bench-{i}\t{text.replace(chr(9), ' ')}\n")
PY
}

# run DIR FILE [flags...] -> "stored_s matched_s monitor_s total_s"
run() {
  local dir="$1" file="$2"; shift 2
  local started ended
  started=$(date +%s.%N)
  "$bin" --data "$dir" "$@" ingest "$file" >"$work/out.txt" 2>"$work/err.txt" || {
    echo "bench: ingest failed:" >&2; tail -n 20 "$work/err.txt" >&2; return 1; }
  ended=$(date +%s.%N)
  python3 - "$work/err.txt" "$started" "$ended" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"stored (\d+) items in ([\d.]+) s; (?:scored and )?matched in ([\d.]+) s; narratives and alerts in ([\d.]+) s", text)
if not m:
    sys.exit("bench: no timing line in the ingest output")
print(m.group(2), m.group(3), m.group(4), f"{float(sys.argv[3]) - float(sys.argv[2]):.2f}")
PY
}

rate() { python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print(f'{n / s:,.0f}' if s > 0 else '-')" "$@"; }

echo "bench: $lexical_n posts, lexical" >&2
posts "$lexical_n" lexical
"$bin" --data "$work/lexical" --lexical-only init >/dev/null
"$bin" --data "$work/lexical" --lexical-only import "$clef/verified_claims.docs.tsv" --format clef >/dev/null
read -r l_store l_match l_monitor l_total < <(run "$work/lexical" "$work/lexical.jsonl" --lexical-only)
# Ingesting the same file again: every post is already stored, nothing is matched again.
read -r r_store r_match r_monitor r_total < <(run "$work/lexical" "$work/lexical.jsonl" --lexical-only)
grep -q "0 added, 0 updated, $lexical_n unchanged" "$work/out.txt" || {
  echo "bench: FAILED: the second ingest of the same posts was not a no-op:" >&2; cat "$work/out.txt" >&2; exit 1; }

if ! python3 -c "import bm25s" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check bm25s >&2 || true
fi
peer=""
if python3 -c "import bm25s" 2>/dev/null; then
  peer="$(python3 "$reference" "$clef/verified_claims.docs.tsv" "$work/lexical.tsv" "$work/peer.run" --top 5 \
    2>&1 >/dev/null | sed -n 's/.*qps=\([0-9.]*\).*/\1/p' | tail -1)"
fi

if [ "$semantic_n" -gt 0 ] && [ -f models/e5-small-q4.bin ]; then
  echo "bench: $semantic_n posts, semantic (the fact-checks' embeddings are computed once, cached in ${SERVE_BENCH_CACHE:-/var/tmp/claimdesk-bench-serve})" >&2
  posts "$semantic_n" semantic
  cache="${SERVE_BENCH_CACHE:-/var/tmp/claimdesk-bench-serve}"
  mkdir -p "$cache"
  "$bin" --data "$cache" --lexical-only init >/dev/null
  "$bin" --data "$cache" --lexical-only import "$clef/verified_claims.docs.tsv" --format clef >/dev/null
  cp -r "$cache" "$work/semantic"
  read -r s_store s_match s_monitor s_total < <(run "$work/semantic" "$work/semantic.jsonl")
fi

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
block="$(
  echo "claimdesk ingest benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr); load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "binary: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)); store: 10,375 CLEF 2020 claims; posts: CLEF tweets with 3 words swapped, 200 sources"
  printf '%-34s %9s %12s %11s %11s %9s\n' run posts "store/s" "+match/s" "+narr./s" "total s"
  printf '%-34s %9s %12s %11s %11s %9s\n' "lexical, new posts" "$lexical_n" "$(rate "$lexical_n" "$l_store")" \
    "$(rate "$lexical_n" "$(python3 -c "print($l_store + $l_match)")")" "$(rate "$lexical_n" "$(python3 -c "print($l_store + $l_match + $l_monitor)")")" "$l_total"
  printf '%-34s %9s %12s %11s %11s %9s\n' "lexical, the same posts again" "$lexical_n" "$(rate "$lexical_n" "$r_store")" \
    "-" "-" "$r_total"
  if [ -n "${s_total:-}" ]; then
    printf '%-34s %9s %12s %11s %11s %9s\n' "semantic (model), new posts" "$semantic_n" "$(rate "$semantic_n" "$s_store")" \
      "$(rate "$semantic_n" "$(python3 -c "print($s_store + $s_match)")")" "$(rate "$semantic_n" "$(python3 -c "print($s_store + $s_match + $s_monitor)")")" "$s_total"
  fi
  echo "columns: posts per second through read+normalize+store, then also matching (top 5 with explanations stored), then also narratives and alerts; total: wall time of the command (with loading the index)"
  if [ -n "$peer" ]; then
    echo "peer: bm25s ranks the same $lexical_n posts (top 5, ranking only, 1 thread) at $(printf '%.0f' "$peer") posts/s;" \
      "claimdesk store+match is $(python3 -c "print(f'{($lexical_n / ($l_store + $l_match)) / $peer:.2f}')")x that"
  fi
  verdict=$(python3 -c "print('met' if $lexical_n / ($l_store + $l_match) >= 2000 else 'NOT met')")
  echo "goal: >= 2,000 posts/s through read, normalize, store and lexical match: $verdict"
)"
printf '%s\n' "$block"
if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-ingest.txt"
  printf '%s\n' "$block" >"$out"
  echo "bench: recorded $out" >&2
fi
