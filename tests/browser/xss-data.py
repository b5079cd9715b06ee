#!/usr/bin/env python3
"""Turns tests/browser/xss-corpus.txt (one hostile payload a line) into desk data:
items (JSON Lines for `claimdesk ingest`) and fact-checks (CSV for `claimdesk import`).

Item i:       id xss-item-<i>, text = source = payload, url = payload when it looks like a URL,
              else a javascript: URL for every third one, else none.
Fact-check i: id xss-fc-<i>, claim = headline = author = payload, url an https one (the
              importer refuses links that are not http or https, so hostile URLs reach the
              pages through items only).
Usage: xss-data.py CORPUS ITEMS_JSONL FACTCHECKS_CSV
"""
import csv
import json
import re
import sys

LOOKS_LIKE_URL = re.compile(r"^\s*([a-z][a-z0-9+.\-\t]*(:|&colon;)|//|&#|%[0-9a-f]{2})", re.I)
JS_URL = "javascript:window.__xss=1;alert(1)"


def main() -> None:
    corpus, items_path, fcs_path = sys.argv[1:4]
    with open(corpus, encoding="utf-8") as f:
        payloads = [line.rstrip("\n") for line in f if line.strip()]
    with open(items_path, "w", encoding="utf-8") as items:
        for i, p in enumerate(payloads):
            url = p if LOOKS_LIKE_URL.match(p) else (JS_URL if i % 3 == 0 else None)
            rec = {
                "id": f"xss-item-{i}",
                "text": p,
                "source": p,
                "published_at": "2026-02-01T08:00:00+07:00",
                "language": "en",
            }
            if url is not None:
                rec["url"] = url
            items.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open(fcs_path, "w", encoding="utf-8", newline="") as fcs:
        w = csv.writer(fcs)
        w.writerow(["id", "claim", "headline", "rating", "url", "author", "date_published", "language"])
        for i, p in enumerate(payloads):
            url = f"https://factcheck.example/xss/{i}"
            w.writerow([f"xss-fc-{i}", p, p, "False", url, p, "2026-02-02", "en"])
    print(f"{len(payloads)} payloads -> {items_path}, {fcs_path}")


if __name__ == "__main__":
    main()
