#!/usr/bin/env bash
# Privacy check benchmark (issue 21): precision and recall per kind of personal data on the
# project's generated draft posts (bench/privacy_posts.py: Vietnamese and English, half with
# planted personal data, half with look-alikes; patterns tuned on the tuning half, both
# halves reported), and the check's time on a 2,000-character post with two photos (a
# 12-megapixel JPEG with EXIF and a screenshot, Tesseract reading both).
#
#   bash bench/privacy.sh            full run (800 posts, 20 timed runs), prints a result block
#   bash bench/privacy.sh --smoke    CI: 200 posts and 2 timed runs; fails only on quality
#                                    floors far below the recorded figures, never on time
#   bash bench/privacy.sh --record   full run, and saves the block under bench/results/
#
# The full run also checks that the committed set (eval/privacy) is what the generator
# writes. Needs Python 3; the timing needs Tesseract with Vietnamese and English
# (scripts/test-deps) and is skipped, said so, without it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mode="${1:-full}"
posts=800; runs=20
if [ "$mode" = "--smoke" ]; then posts=200; runs=2; fi

source "$root/bench/binary.sh"
bench_build -p claimdesk-privacy --example privacy_eval --features fixtures
eval_bin="$bench_dir/examples/privacy_eval"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

python3 bench/privacy_posts.py "$work/set" --posts "$posts"
if [ "$mode" != "--smoke" ]; then
  cmp -s "$work/set/posts.jsonl" eval/privacy/posts.jsonl \
    || { echo "bench: eval/privacy/posts.jsonl is not what bench/privacy_posts.py writes" >&2; exit 1; }
fi
"$eval_bin" quality "$work/set/posts.jsonl" "$work/set/config.json" > "$work/quality.txt"
if tesseract --list-langs 2>&1 | grep -qx vie; then
  "$eval_bin" speed --runs "$runs" > "$work/speed.txt"
else
  echo "speed: skipped (tesseract with Vietnamese data not installed)" > "$work/speed.txt"
fi

block="$work/block.txt"
{
  echo "claimdesk privacy check benchmark (issue 21)"
  echo "date        $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine     $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit      $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "command     bash bench/privacy.sh $mode   (profile $bench_profile; $(tesseract --version 2>&1 | head -1 || true))"
  echo "data        $posts posts from bench/privacy_posts.py (seed 2112): half planted, half look-alikes; split by a fixed shuffle"
  echo "counting    a finding is right when a label of its kind overlaps it (each label once)"
  echo
  cat "$work/quality.txt"
  echo
  cat "$work/speed.txt"
  echo
  echo "took        $(( $(date +%s) - started )) s"
} > "$block"
cat "$block"

if [ "$mode" = "--record" ]; then
  mkdir -p bench/results
  out="bench/results/$(date -u +%Y-%m-%d)-privacy.txt"
  cp "$block" "$out"
  echo "bench: saved $out" >&2
fi

# Deterministic floors, far below the recorded figures (never a wall-clock limit).
python3 - "$work/quality.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"lowest precision of a kind ([0-9.]+), lowest recall ([0-9.]+)", text)
if not m:
    sys.exit("bench: no quality line")
p, r = float(m.group(1)), float(m.group(2))
if p < 0.8 or r < 0.8:
    sys.exit(f"bench: held-out lowest precision {p} / recall {r} under the floor 0.8")
PY
