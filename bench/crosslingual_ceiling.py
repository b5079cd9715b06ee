#!/usr/bin/env python3
"""How far multilingual-e5-small alone can carry the cross-lingual set (eval/crosslingual).

For each Vietnamese post whose fact-check is an English CLEF claim, ranks *only* the 10,375
English claims by cosine (no Vietnamese fact-checks to compete with, no reranker), so the
Recall@k it prints is an upper bound for any ordering of the model's dense candidates at that
depth. Embeddings come from the numpy reference peer (../shared/bench/reference_e5_numpy.py),
which reads the same e5-small-q4.bin as claimdesk; they are cached in CACHE_DIR.

  python3 bench/crosslingual_ceiling.py [CACHE_DIR]     (needs numpy and models/e5-small-q4.bin)
"""
import csv, os, subprocess, sys
import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(root, "..", "shared")
if not os.path.isdir(os.path.join(shared, "data")):
    shared = "/work/shared"
clef = os.path.join(shared, "data", "clef2020-task2", "verified_claims.docs.tsv")
posts = os.path.join(root, "eval", "crosslingual", "posts.tsv")
qrels = os.path.join(root, "eval", "crosslingual", "qrels")
model = os.path.join(root, "models", "e5-small-q4.bin")
cache = sys.argv[1] if len(sys.argv) > 1 else "/tmp/claimdesk-xl-ceiling"
os.makedirs(cache, exist_ok=True)
csv.field_size_limit(1 << 30)


def ids(path):
    with open(path, newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        return [r[0] for r in rows]


def embed(tsv, cols, prefix, name):
    out = os.path.join(cache, name)
    if not os.path.exists(out):
        subprocess.run([sys.executable, os.path.join(shared, "bench", "reference_e5_numpy.py"), model,
                        "embed", "--tsv", tsv, "--text-cols", cols, "--prefix", prefix, "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
    return np.load(out)


claims = embed(clef, "1,2", "passage: ", "clef.npy")
claim_ids = ids(clef)
where = {c: i for i, c in enumerate(claim_ids)}
target = dict((l.split()[0], l.split()[2]) for l in open(qrels))
post_ids = ids(posts)
for prefix, name in (("query: ", "posts-query.npy"), ("passage: ", "posts-passage.npy")):
    vecs = embed(posts, "1", prefix, name)
    ranks = []
    for i, p in enumerate(post_ids):
        t = target[p]
        if t.startswith("vi-"):
            continue
        s = claims @ vecs[i]
        ranks.append(int((s > s[where[t]]).sum()))
    ranks = np.array(ranks)
    cells = "  ".join(f"R@{k} {(ranks < k).mean():.2f}" for k in (1, 5, 10, 50, 100))
    print(f"{len(ranks)} posts with English targets, English pool only, posts as {prefix!r}: {cells}")
