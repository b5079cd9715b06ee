#!/usr/bin/env bash
# Text-only intake with two builds of claimdesk, alternating on the same posts: a fresh desk per
# run, the CLEF claims imported, then `ingest` of N generated posts timed (wall, CPU, peak RSS).
# For "this change must not slow intake down": build each commit in release and give both.
#
#   OLD=path/to/claimdesk NEW=path/to/claimdesk [N=20000] [ROUNDS=3] [ORDER="old new"] bash bench/intake-ab.sh
#
# CLEF_DIR (default ../shared/data/clef2020-task2) points at the data; nothing is committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
old="${OLD:?OLD: the reference build of claimdesk}"
new="${NEW:?NEW: the build measured}"
n="${N:-20000}"
w="$(mktemp -d)"
trap 'rm -rf "$w"' EXIT
python3 - "$clef" "$n" "$w/posts" <<'PY'
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
with open(out + ".jsonl", "w", encoding="utf-8") as items:
    for i in range(n):
        words = random.choice(tweets).split()
        for _ in range(3):
            words[random.randrange(len(words))] = random.choice(vocabulary)
        items.write(json.dumps({"id": f"bench-{i}", "source": f"source-{i % 200}", "text": " ".join(words),
                                "published_at": f"2026-11-30T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"},
                               ensure_ascii=False) + "\n")
PY
for round in $(seq 1 "${ROUNDS:-3}"); do
  for which in ${ORDER:-old new}; do
    bin=${!which}; d=$w/desk-$which
    rm -rf "$d"; "$bin" --data "$d" init >/dev/null
    "$bin" --data "$d" --lexical-only import "$clef/verified_claims.docs.tsv" --format clef >/dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$w/t" "$bin" --data "$d" --lexical-only ingest "$w/posts.jsonl" >/dev/null 2>&1
    read -r wall user sys rss < "$w/t"
    cpu=$(python3 -c "print(round($user + $sys, 1))")
    echo "round $round $which wall ${wall}s cpu ${cpu}s items/cpu-s $(python3 -c "print(round($n / ($user + $sys)))") rss $((rss / 1024))MB load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
