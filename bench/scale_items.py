#!/usr/bin/env python3
"""Tweet-like items for the scale benchmark (bench/scale.sh), as JSON Lines on stdout.

    python3 bench/scale_items.py N CLEF2020_DIR CROSSLINGUAL_DIR [SEED] > items.jsonl

Streams (constant memory whatever N): item i is published at 2026-01-01 + i/N of a year
(plus up to an hour either way; 1 in 50 undated), by one of 5,000 accounts (`acct-NNNN`, a
few of them far busier than the rest, as on a real platform), in English (3 in 5) or
Vietnamese. The texts are made from the CLEF 2020 tweets and verified claims (English) and
the repository's cross-lingual posts and fact-checks (Vietnamese), read from the data
directories and never copied here:
  - 3 in 4 ordinary posts: halves of two posts spliced, three words swapped;
  - 1 in 5 repeating a verified claim (a prefix, a word swapped), so they find matches;
  - 1 in 20 copies of one of 200 rumours (light edits), which become narratives.
Ids are `scale-<i>`; the same N and seed give the same file.
"""

import csv
import json
import random
import sys
from datetime import datetime, timedelta, timezone


def read_tsv(path, column):
    csv.field_size_limit(1 << 24)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        k = header.index(column) if isinstance(column, str) else column
        for row in rows:
            if len(row) > k and row[k].strip():
                out.append(" ".join(row[k].split()))
    return out


def main():
    n = int(sys.argv[1])
    clef1, clef2, cross = sys.argv[2], sys.argv[3], sys.argv[4]
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 2026)
    en_posts = (read_tsv(f"{clef1}/training_v2.tsv", "tweet_text")
                + read_tsv(f"{clef1}/dev_v2.tsv", "tweet_text")
                + read_tsv(f"{clef2}/train/tweets.queries.tsv", 1)
                + read_tsv(f"{clef2}/dev/tweets.queries.tsv", 1))
    en_claims = read_tsv(f"{clef2}/verified_claims.docs.tsv", "vclaim")
    vi_posts = read_tsv(f"{cross}/posts.tsv", "text")
    vi_posts = [p for p in vi_posts if any(ord(c) > 127 for c in p)] or vi_posts
    vi_claims = read_tsv(f"{cross}/factchecks_vi.tsv", "claim")
    rumours = [(rng.choice(en_claims), "en") for _ in range(140)] + \
              [(rng.choice(vi_claims), "vi") for _ in range(60)]
    prefixes = {"en": ["BREAKING:", "Share this!", "Wow.", "RT", "Read this:", "FYI"],
                "vi": ["Tin nóng:", "Chia sẻ ngay!", "Ai biết chưa?", "Cảnh báo:", "Nóng:"]}
    hashtags = {"en": ["#news", "#covid19", "#truth", "#breaking"],
                "vi": ["#tinnong", "#canhbao", "#suckhoe", "#hanoi"]}

    def swap(words, times):
        for _ in range(times):
            if len(words) > 2:
                j = rng.randrange(len(words) - 1)
                words[j], words[j + 1] = words[j + 1], words[j]
        return words

    def splice(pool):
        a, b = rng.choice(pool).split(), rng.choice(pool).split()
        words = a[: max(1, len(a) // 2)] + b[len(b) // 2:]
        return " ".join(swap(words, 3))

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    year = 365 * 24 * 3600
    out = sys.stdout
    for i in range(n):
        language = "en" if rng.random() < 0.6 else "vi"
        r = rng.random()
        if r < 0.05:
            text, language = rng.choice(rumours)
            words = text.split()
            if rng.random() < 0.5:
                swap(words, 1)
            if rng.random() < 0.3:
                words.insert(0, rng.choice(prefixes[language]))
            if rng.random() < 0.3:
                words.append(rng.choice(hashtags[language]))
            text = " ".join(words)
        elif r < 0.25:
            claim = rng.choice(en_claims if language == "en" else vi_claims)
            text = rng.choice(prefixes[language]) + " " + " ".join(swap(claim.split(), 1))
        else:
            text = splice(en_posts if language == "en" else vi_posts)
        # Accounts: a few busy ones and a long tail.
        source = f"acct-{int(5000 * rng.random() ** 2):04d}"
        item = {"id": f"scale-{i}", "text": text, "source": source, "language": language}
        if rng.random() >= 0.02:
            at = start + timedelta(seconds=year * i / n + rng.uniform(-3600, 3600))
            item["published_at"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(json.dumps(item, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
