#!/usr/bin/env bash
# Flood benchmark: the narrative stage on a copy-paste flood. Two lexical-only `claimdesk ingest`
# runs in one invocation, each into a fresh store holding the 10,375 CLEF 2020 claims and one
# fact-check rated False:
#   ordinary  N ordinary posts (halves of two CLEF tweets spliced, 3 words swapped), 500 sources;
#   flood     the same N ordinary posts with N near-identical posts of the false claim
#             interleaved at random (small random edits, each with some probability: two
#             adjacent words swapped, a short prefix, an emoji, a hashtag, a link), from 2,000
#             accounts; one post a second on the time line.
# Reported for each: narrative-stage items/s (items / "narratives and alerts" time of the
# command's timing line) and peak RSS (GNU time); their ratios flood/ordinary; how many
# narratives the flood's posts formed; the alerts raised, by rule.
#
#   bash bench/flood.sh            100,000 + 100,000 posts
#   bash bench/flood.sh --smoke    CI: 10,000 + 10,000; fails on the narrative or alert counts,
#                                  never on time or memory
#   bash bench/flood.sh --record   the full run, saved under bench/results/
#
# Targets (issue 14): flood items/s within 2x of ordinary, peak RSS within 1.5x, one
# narrative for the flood, one burst alert plus escalations (not one alert per post).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
case "$mode" in full|--smoke|--record) ;; *) echo "usage: bench/flood.sh [--smoke|--record]" >&2; exit 2;; esac
shared="$root/../shared"
[ -d "$shared/data" ] || shared="/work/shared"
clef="${CLEF_DIR:-$shared/data/clef2020-task2}"
n="${FLOOD_N:-100000}"
[ "$mode" = "--smoke" ] && n="${FLOOD_N:-10000}"
if [ ! -f "$clef/verified_claims.docs.tsv" ]; then
  echo "bench: CLEF data not found at $clef (set CLEF_DIR); skipping the flood benchmark" >&2
  exit 0
fi
source "$root/bench/binary.sh"
bench_claimdesk
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "peak_rss_kb %M")
work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-flood-bench.XXXXXX")"
[ -n "${FLOOD_KEEP:-}" ] && echo "bench: keeping $work" >&2 || trap 'rm -rf "$work"' EXIT

echo "bench: generating $n ordinary posts and $n flood posts" >&2
python3 - "$clef" "$n" "$work" <<'PY'
import csv, datetime, json, random, sys
clef, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
csv.field_size_limit(1 << 24)
rng = random.Random(20261204)
start = datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)
tweets = []
for split in ("train", "dev"):
    with open(f"{clef}/{split}/tweets.queries.tsv", encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        tweets += [r[1].split() for r in rows if len(r) > 1 and len(r[1].split()) > 3]
vocabulary = [w for t in tweets for w in t]
claim = ("Drinking a glass of hot lemon water every morning kills cancer cells within three "
         "weeks and the hospitals do not want you to know it")
prefixes = ["RT", "WOW", "Please read:", "BREAKING:", "Share this!"]
emoji = ["🍋", "🔥🔥", "😱", "🙏", "‼️"]
tags = ["#health", "#cancer", "#wakeup", "#sharethis", "#lemon"]

def ordinary(i):
    a, b = rng.choice(tweets), rng.choice(tweets)
    words = a[: len(a) // 2] + b[len(b) // 2 :]
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
    return {"id": f"post-{i}", "source": f"source-{i % 500}", "text": " ".join(words)}

def flood(i):
    # A copy of the claim with small random edits, each independently: two adjacent words
    # swapped, a short prefix, an emoji, a hashtag, a link with a random path.
    words = claim.split()
    if rng.random() < 0.3:
        k = rng.randrange(len(words) - 1)
        words[k], words[k + 1] = words[k + 1], words[k]
    parts = [" ".join(words)]
    if rng.random() < 0.2:
        parts.insert(0, rng.choice(prefixes))
    if rng.random() < 0.5:
        parts.append(rng.choice(emoji))
    if rng.random() < 0.4:
        parts.append(rng.choice(tags))
    if rng.random() < 0.3:
        parts.append("https://sh.example/" + "".join(rng.choice("abcdefghkmnpqrstuvwxyz23456789") for _ in range(7)))
    return {"id": f"flood-{i}", "source": f"account-{rng.randrange(2000)}", "text": " ".join(parts)}

def stamp(post, second):
    # One post a second on the time line, from 2026-11-30T00:00:00Z.
    t = start + datetime.timedelta(seconds=second)
    return dict(post, published_at=t.strftime("%Y-%m-%dT%H:%M:%SZ"))

ordinary_posts = [ordinary(i) for i in range(n)]
flood_posts = [flood(i) for i in range(n)]
# Interleaved at random, keeping each stream's order.
order = [0] * n + [1] * n
rng.shuffle(order)
mixed, a, b = [], 0, 0
for which in order:
    if which == 0:
        mixed.append(ordinary_posts[a]); a += 1
    else:
        mixed.append(flood_posts[b]); b += 1
stamped = [stamp(post, s) for s, post in enumerate(mixed)]
with open(f"{out}/flood.jsonl", "w", encoding="utf-8") as f:
    for post in stamped:
        f.write(json.dumps(post, ensure_ascii=False) + "\n")
# The ordinary run: the same posts at the same times, in the same order.
with open(f"{out}/ordinary.jsonl", "w", encoding="utf-8") as f:
    for post in stamped:
        if post["id"].startswith("post-"):
            f.write(json.dumps(post, ensure_ascii=False) + "\n")
with open(f"{out}/false.jsonl", "w", encoding="utf-8") as f:
    f.write(json.dumps({
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://factcheck.example/en/hot-lemon-water-does-not-kill-cancer",
        "claimReviewed": "Drinking hot lemon water every morning kills cancer cells within three weeks.",
        "datePublished": "2026-11-01", "inLanguage": "en",
        "author": {"@type": "Organization", "name": "claimdesk flood benchmark (fictional)"},
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                         "alternateName": "False"},
    }) + "\n")
PY

# run NAME -> "items monitor_s rss_kb" ; the store stays in $work/NAME
run() {
  local name="$1" dir="$work/$1"
  "$bin" --data "$dir" --lexical-only init >/dev/null
  "$bin" --data "$dir" --lexical-only import "$clef/verified_claims.docs.tsv" --format clef >/dev/null
  "$bin" --data "$dir" --lexical-only import "$work/false.jsonl" --format claimreview >/dev/null
  "${timer[@]}" "$bin" --data "$dir" --lexical-only ingest "$work/$name.jsonl" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "bench: ingest failed:" >&2; tail -n 20 "$work/$name.err" >&2; return 1; }
  python3 - "$work/$name.err" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"stored (\d+) items in [\d.]+ s; (?:scored and )?matched in [\d.]+ s; narratives and alerts in ([\d.]+) s", text)
if not m:
    sys.exit("bench: no timing line in the ingest output")
rss = re.search(r"peak_rss_kb (\d+)", text)
print(m.group(1), m.group(2), rss.group(1) if rss else 0)
PY
}

echo "bench: ordinary run ($n posts)" >&2
read -r o_items o_monitor o_rss < <(run ordinary)
echo "bench: flood run ($n ordinary + $n flood posts)" >&2
read -r f_items f_monitor f_rss < <(run flood)

# What the flood formed and raised, read from the flood run's store.
counts="$(python3 - "$work/flood/claimdesk.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
narratives = db.execute(
    "SELECT ni.narrative_id, COUNT(*) FROM narrative_items ni JOIN items i ON i.id = ni.item_id "
    "WHERE i.external_id LIKE 'flood-%' GROUP BY ni.narrative_id ORDER BY COUNT(*) DESC").fetchall()
largest = narratives[0][1] if narratives else 0
rules = dict(db.execute("SELECT rule, COUNT(*) FROM alerts GROUP BY rule").fetchall())
total = sum(rules.values())
by_rule = ", ".join(f"{r} {rules[r]}" for r in sorted(rules)) or "none"
print(len(narratives), largest, total, rules.get("burst", 0), rules.get("escalation", 0), by_rule.replace(" ", "_"))
PY
)"
read -r f_narratives f_largest f_alerts f_bursts f_escalations f_by_rule <<<"$counts"
f_by_rule="${f_by_rule//_/ }"

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a / b:.2f}' if b > 0 else '-')" "$@"; }
rate() { python3 -c "import sys; n,s=float(sys.argv[1]),float(sys.argv[2]); print(f'{n / s:.0f}' if s > 0 else '-')" "$@"; }
o_rate="$(rate "$o_items" "$o_monitor")"
f_rate="$(rate "$f_items" "$f_monitor")"
speed="$(ratio "$o_rate" "$f_rate")"
memory="$(ratio "$f_rss" "$o_rss")"
# A flood of n posts alerts at most once per rule (false match, burst, growth) and escalates
# at 10x, 100x, ... of the count at its first alert: at most 3 + log10(n) alerts.
max_alerts="$(python3 -c "import math,sys; print(3 + int(math.log10(int(sys.argv[1]))))" "$n")"

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
block="$(
  echo "claimdesk flood benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr); load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "binary: $bin ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)); store: 10,375 CLEF 2020 claims + 1 fact-check rated False; lexical-only ingest"
  printf '%-44s %9s %14s %10s %14s\n' run items "narr. items/s" "narr. s" "peak RSS MB"
  printf '%-44s %9s %14s %10s %14s\n' "ordinary: $n posts" "$o_items" "$o_rate" "$o_monitor" "$((o_rss / 1024))"
  printf '%-44s %9s %14s %10s %14s\n' "flood: $n ordinary + $n near-identical" "$f_items" "$f_rate" "$f_monitor" "$((f_rss / 1024))"
  echo "ratios: ordinary/flood items/s $speed (target <= 2); flood/ordinary peak RSS $memory (target <= 1.5)"
  echo "flood: $f_narratives narrative(s) hold its $n posts (largest: $f_largest); alerts raised in the flood run: $f_alerts ($f_by_rule)"
  echo "narr. items/s: items / the 'narratives and alerts' time of the command's timing line; peak RSS: GNU time, the whole command"
)"
printf '%s\n' "$block"
if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-flood.txt"
  printf '%s\n' "$block" >"$out"
  echo "bench: recorded $out" >&2
fi
failed=0
if [ "$f_narratives" != 1 ]; then
  echo "bench: FAILED: the flood formed $f_narratives narratives, not 1" >&2; failed=1
fi
if [ "$f_bursts" != 1 ]; then
  echo "bench: FAILED: $f_bursts burst alerts, not 1" >&2; failed=1
fi
if [ "$f_alerts" -gt "$max_alerts" ]; then
  echo "bench: FAILED: $f_alerts alerts for one flood (at most $max_alerts: one per rule and the escalations)" >&2; failed=1
fi
exit "$failed"
