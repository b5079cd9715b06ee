#!/usr/bin/env bash
# Makes v7.db, the store fixture at schema version 7, with a claimdesk binary built at that
# version (commit 65652ed): CLAIMDESK_V7_BIN=/path/to/claimdesk bash v7.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${CLAIMDESK_V7_BIN:?the path of a claimdesk binary built at commit 65652ed}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" --data "$work/d" init >/dev/null
printf '\n[narratives]\nburst_items = 5\nburst_sources = 4\nburst_minutes = 10\n\n[alerts]\nfalse_match_min_lexical = 1\n' >>"$work/d/claimdesk.toml"
echo "a-long-enough-secret-value" | "$bin" --data "$work/d" webhook add https://hooks.example/claimdesk >/dev/null
cat >"$work/fc.jsonl" <<'EOF'
{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://factcheck.example/lemon", "claimReviewed": "Uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư trong ba tuần", "datePublished": "2026-11-01", "inLanguage": "vi", "author": {"@type": "Organization", "name": "fixture"}, "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "Sai sự thật"}}
EOF
"$bin" --data "$work/d" --lexical-only import "$work/fc.jsonl" --format claimreview >/dev/null
claim="Uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư trong ba tuần, các bác sĩ không muốn bạn biết"
for i in 0 1 2 3 4 5; do
  prefix=("" "CHIA SẺ:" "" "Tin nóng!!" "" "#share")
  printf '{"id":"c%s","text":"%s %s","source":"page%s","published_at":"2026-11-20T10:0%s:00Z"}\n' \
    "$i" "${prefix[$i]}" "$claim" "$i" "$i"
done >"$work/posts.jsonl"
echo '{"id":"o1","text":"Hội đồng thành phố thông qua ngân sách giao thông công cộng mới","source":"news","published_at":"2026-11-20T11:00:00Z"}' >>"$work/posts.jsonl"
"$bin" --data "$work/d" --lexical-only ingest "$work/posts.jsonl" >/dev/null 2>&1
python3 - "$work/d/claimdesk.db" "$here/v7.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("VACUUM INTO ?", (sys.argv[2] + ".tmp",))
db.close()
PY
mv "$here/v7.db.tmp" "$here/v7.db"
python3 -c "
import sqlite3, sys
db = sqlite3.connect('$here/v7.db')
print('version', db.execute('SELECT MAX(version) FROM _sqlx_migrations').fetchone()[0])
print('alerts', db.execute('SELECT rule, subject FROM alerts').fetchall())
print('outbox', db.execute('SELECT COUNT(*) FROM webhook_outbox').fetchone()[0], 'deliveries', db.execute('SELECT COUNT(*) FROM webhook_deliveries').fetchone()[0])
"
