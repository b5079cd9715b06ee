#!/usr/bin/env python3
"""Fact-checks for the scale benchmark of matching (bench/serve.sh with SERVE_FACTCHECKS), in
the CLEF verified-claims layout (`vclaim_id<TAB>vclaim<TAB>title`, `--format clef`) on stdout.

    python3 bench/scale_factchecks.py N CLEF2020_TASK2_DIR CROSSLINGUAL_DIR [SEED] > fc.tsv

Streams (constant memory whatever N). The first rows are the 10,375 CLEF claims as they are
(their own ids), so the CLEF dev tweets still find the fact-checks that answer them among the
others; then, up to N, fact-checks made from them the way a network of partners repeats the
same claims in other words: 7 in 10 English, the halves of two CLEF claims spliced and two
words swapped (title likewise); 3 in 10 Vietnamese, the same from the repository's
cross-lingual fact-checks. Ids are `scale-fc-<i>`; the same N and seed give the same file.
The data is read from the data directories and never copied here.
"""

import csv
import random
import sys


def read_pairs(path, text_column, title_column):
    csv.field_size_limit(1 << 24)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        t, h = header.index(text_column), header.index(title_column)
        for row in rows:
            if len(row) > max(t, h) and row[t].strip():
                out.append((row[0], " ".join(row[t].split()), " ".join(row[h].split())))
    return out


def clean(text):
    return " ".join(text.replace("\t", " ").split())


def main():
    n = int(sys.argv[1])
    clef2, cross = sys.argv[2], sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 2026)
    en = read_pairs(f"{clef2}/verified_claims.docs.tsv", "vclaim", "title")
    vi = read_pairs(f"{cross}/factchecks_vi.tsv", "claim", "headline")

    def swap(words, times):
        for _ in range(times):
            if len(words) > 2:
                j = rng.randrange(len(words) - 1)
                words[j], words[j + 1] = words[j + 1], words[j]
        return words

    def splice(a, b):
        a, b = a.split(), b.split()
        return " ".join(swap(a[: max(1, len(a) // 2)] + b[len(b) // 2:], 2))

    out = sys.stdout
    out.write("\tvclaim\ttitle\n")
    for cid, claim, title in en[:n]:
        out.write(f"{cid}\t{clean(claim)}\t{clean(title)}\n")
    for i in range(len(en), n):
        pool = en if rng.random() < 0.7 else vi
        (_, c1, t1), (_, c2, t2) = rng.choice(pool), rng.choice(pool)
        out.write(f"scale-fc-{i}\t{clean(splice(c1, c2))}\t{clean(splice(t1, t2))}\n")


if __name__ == "__main__":
    main()
