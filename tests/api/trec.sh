#!/usr/bin/env bash
# A TREC run file written by `claimdesk match --queries` from queries with awkward ids
# (spaces, a tab, a no-break space, a line break), read by pytrec_eval (PyPI
# `pytrec-eval-terrier`): every line has its six columns, the ids come back as the run file
# spells them (white space percent-encoded), and pytrec_eval evaluates the run against qrels
# written the same way.
#
#   bash tests/api/trec.sh
#   CLAIMDESK_BIN=path/to/claimdesk bash tests/api/trec.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
log() { printf '[trec] %s\n' "$*" >&2; }

python3 -c "import pytrec_eval" 2>/dev/null || {
  log "installing pytrec-eval-terrier"
  python3 -m pip install --quiet --disable-pip-version-check 'pytrec-eval-terrier>=0.5,<0.6' >&2
}
if [ -z "${CLAIMDESK_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
  timeout 1800 cargo build -q -p claimdesk
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/debug/claimdesk"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-trec.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$work/data" --lexical-only "$@"; }
cd_ init >&2
cd_ import crates/claimdesk/sample/factchecks.jsonl >&2
python3 - "$work/queries.jsonl" <<'PY'
import json, sys
queries = [
    ("lemon water 1", "Uống nước chanh nóng chữa khỏi ung thư"),
    ("tab\there", "vắc-xin gây vô sinh"),
    ("no\u00a0break", "mã OTP ngân hàng"),
    ("two\nlines", "nước chanh nóng ung thư"),
    ("plain-id", "tỏi sống chữa cúm"),
]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for qid, text in queries:
        f.write(json.dumps({"id": qid, "text": text}, ensure_ascii=False) + "\n")
PY
cd_ match --queries "$work/queries.jsonl" --run-out "$work/run.txt" --top 3 >/dev/null 2>"$work/match.err"
grep -q "4 id(s) .* written percent-encoded" "$work/match.err" || {
  log "match did not say which ids it wrote encoded:"; cat "$work/match.err" >&2; exit 1
}
python3 - "$work/run.txt" <<'PY'
import sys
import pytrec_eval

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().splitlines()
bad = [l for l in lines if len(l.split()) != 6]
assert lines and not bad, f"lines without six columns: {bad!r}"
with open(path, encoding="utf-8") as f:
    run = pytrec_eval.parse_run(f)
expected = {"lemon%20water%201", "tab%09here", "no%C2%A0break", "two%0Alines", "plain-id"}
assert set(run) == expected, sorted(run)
# Qrels spelled the run file's way: each query's top fact-check is the relevant one.
qrels = {q: {max(docs, key=docs.get): 1} for q, docs in run.items()}
scores = pytrec_eval.RelevanceEvaluator(qrels, {"map", "recip_rank"}).evaluate(run)
assert set(scores) == expected, sorted(scores)
assert all(s["recip_rank"] == 1.0 for s in scores.values()), scores
print(f"pytrec_eval read {len(lines)} run lines for {len(run)} queries")
print(f"{len(expected)} passed, 0 failed")
PY
