#!/usr/bin/env python3
"""Chooses claimdesk's lexical ranking settings on the CLEF 2020 Task 2 *train* split only.

  bench/tune_lexical.py CLAIMDESK_BIN DATA_DIR CLEF_DIR

DATA_DIR must hold the imported claim file (`claimdesk import verified_claims.docs.tsv
--format clef`). Runs `claimdesk eval --param ...` on train for every setting of a small grid
and prints the best by MAP@5 (ties: the earlier, simpler setting). The dev split is never
read here; report it afterwards with the chosen defaults."""
import itertools, json, subprocess, sys

binary, data, clef = sys.argv[1:4]
# A first, wider grid (k1 0.6-1.5, b 0.5-0.9, headline 0.5/1, folded 0.25-1, bigrams 0-1)
# put every top setting at k1 = 0.6, headline 0.5, bigrams 0.25; this grid is centred there.
grid = {
    "k1": [0.3, 0.45, 0.6, 0.9],
    "b": [0.5, 0.75],
    "headline": [0.35, 0.5, 0.75],
    "folded": [0.5, 1.0],
    "w_bigrams": [0.0, 0.25],
}
results = []
for k1, b, head, folded, big in itertools.product(*grid.values()):
    params = {
        "k1": k1, "b": b,
        "w_claim_exact": 1.0, "w_headline_exact": head,
        "w_claim_folded": folded, "w_headline_folded": folded * head,
        "w_bigrams": big,
    }
    cmd = [binary, "--data", data, "eval", "--json",
           "--queries", f"{clef}/train/tweets.queries.tsv",
           "--qrels", f"{clef}/train/tweet-vclaim-pairs.qrels"]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    results.append((out["map"], params))
    print(f"{out['map']:.4f} {params}", flush=True)
results.sort(key=lambda r: -r[0])
print("best on train:", results[0])
