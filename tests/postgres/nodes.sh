#!/usr/bin/env bash
# Three desk nodes on one PostgreSQL, one of them killed and restarted twice while posts
# arrive (issue 19). Run inside scripts/test-postgres:
#
#   scripts/test-postgres bash tests/postgres/nodes.sh            # 100,000 posts (CI)
#   NODES_ITEMS=20000 scripts/test-postgres bash tests/postgres/nodes.sh    # a quicker try
#
# ITEMS posts are sent in batches of 100, round-robin to the three nodes' POST /api/items
# (a batch a dead node refused goes to the next node: posts are keyed by id, so a batch sent
# twice is stored once). At a third and at two thirds of the posts, a node is SIGKILLed and
# started again (the second time the node that leads). Afterwards:
# - every post is stored once, with its text (a hash over all of them);
# - every item is scored once and placed in one narrative, nothing is left pending;
# - no alert is raised twice and no webhook delivery is made twice (a receiver counts them);
# - `audit verify` passes;
# - a fact-check imported through node A is matched on node C within 2 s.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
log() { printf '[nodes] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

: "${CLAIMDESK_TEST_DATABASE_URL:?run inside scripts/test-postgres}"
ITEMS="${NODES_ITEMS:-100000}"
if [ -z "${CLAIMDESK_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
  timeout 1800 cargo build -q -p claimdesk
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/debug/claimdesk"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-nodes.XXXXXX")"
declare -A pid port
receiver_pid=""
cleanup() {
  for n in a b c; do
    [ -n "${pid[$n]:-}" ] && kill -KILL "${pid[$n]}" 2>/dev/null || true
  done
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

db_name="claimdesk_nodes_$$"
psql -q -v ON_ERROR_STOP=1 "$CLAIMDESK_TEST_DATABASE_URL" -c "CREATE DATABASE $db_name" >&2
db="${CLAIMDESK_TEST_DATABASE_URL%/*}/$db_name"
sql() { psql -qAt -v ON_ERROR_STOP=1 "$db" -c "$1"; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# A webhook receiver that counts deliveries per alert.
receiver_port="$(free_port)"
python3 - "$receiver_port" "$work/deliveries.txt" <<'PY' &
import http.server, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        alert = json.loads(body)["alert"]
        with open(out, "a") as f:
            f.write(f"{alert['id']}\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
receiver_pid=$!

# Three data directories on the one database (each node its own index), sharing the audit key.
for n in a b c; do
  mkdir -p "$work/$n"
  cat >"$work/$n/claimdesk.toml" <<TOML
[store]
url = "$db"

[audit]
key = "$work/a/audit-key.ed25519"

[fetch]
allow = ["127.0.0.1:$receiver_port"]

[webhooks]
timeout_seconds = 5
TOML
done
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$work/a" --database-url "$db" --lexical-only "$@"; }
cd_ init >&2
cd_ import crates/claimdesk/sample/factchecks.jsonl >&2
printf 'admin-pw-%s-%s\n' "$RANDOM" "$RANDOM" | cd_ user add admin --role admin >&2
printf 'editor-pw-%s-%s\n' "$RANDOM" "$RANDOM" | cd_ user add editor --role editor >&2
token="$(cd_ token create editor nodes 2>/dev/null)"
admin="$(cd_ token create admin nodes 2>/dev/null)"
printf 'a-webhook-secret-of-the-test\n' | cd_ webhook add "http://127.0.0.1:$receiver_port/hook" >&2

start() {
  local n="$1"
  [ -n "${port[$n]:-}" ] || port[$n]="$(free_port)"
  RUST_LOG=warn,desk::lead=info "$CLAIMDESK_BIN" --data "$work/$n" --lexical-only serve --addr "127.0.0.1:${port[$n]}" \
    >>"$work/$n.log" 2>&1 &
  pid[$n]=$!
  for _ in $(seq 1 600); do
    curl -fsS --max-time 2 "http://127.0.0.1:${port[$n]}/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$work/$n.log" >&2
  fail "node $n did not become healthy"
}
for n in a b c; do start "$n"; done
log "three nodes on $db: a=${port[a]} b=${port[b]} c=${port[c]}"
# The node that took the lead last (each node logs it).
leader() {
  local n t best="" latest=""
  for n in a b c; do
    t="$(grep -h 'took the lead' "$work/$n.log" 2>/dev/null | tail -n 1 | cut -c1-27)"
    if [ -n "$t" ] && [[ "$t" > "$latest" ]]; then latest="$t"; best="$n"; fi
  done
  echo "${best:-a}"
}

# The posts: repeats of the sample's claims (narratives, matches, alerts) among unrelated ones.
python3 - "$ITEMS" "$work/posts" <<'PY'
import json, random, sys, hashlib
n, out = int(sys.argv[1]), sys.argv[2]
random.seed(19)
claims = [json.loads(l)["claimReviewed"] for l in open("crates/claimdesk/sample/factchecks.jsonl", encoding="utf-8") if l.strip()]
words = "river market bus rain festival school bridge price harvest concert traffic garden".split()
posts = []
for i in range(n):
    if i % 5 == 0:
        text = f"{random.choice(claims)} — share this! #{i % 97}"
    else:
        text = " ".join(random.choice(words) for _ in range(8)) + f" {i}"
    posts.append({"id": f"n{i}", "source": f"page{i % 211}", "text": text})
batches = [posts[i:i + 100] for i in range(0, n, 100)]
for k, b in enumerate(batches):
    with open(f"{out}.{k:05d}.json", "w", encoding="utf-8") as f:
        json.dump(b, f, ensure_ascii=False)
digest = hashlib.sha256("\n".join(f"n{i}\t{p['text']}" for i, p in sorted(((int(p['id'][1:]), p) for p in posts))).encode()).hexdigest()
open(f"{out}.sha256", "w").write(digest)
print(len(batches))
PY
batches=$(ls "$work"/posts.*.json | wc -l)
log "posting $ITEMS posts in $batches batches round-robin"
nodes=(a b c)
k=0
kills=0
for f in "$work"/posts.*.json; do
  if [ "$kills" -eq 0 ] && [ "$k" -ge $((batches / 3)) ]; then
    log "SIGKILL node b at batch $k"; kill -KILL "${pid[b]}"; wait "${pid[b]}" 2>/dev/null || true; start b; kills=1
  elif [ "$kills" -eq 1 ] && [ "$k" -ge $((2 * batches / 3)) ]; then
    l="$(leader)"; log "SIGKILL node $l (the leader) at batch $k"
    kill -KILL "${pid[$l]}"; wait "${pid[$l]}" 2>/dev/null || true; start "$l"; kills=2
  fi
  sent=""
  for try in 0 1 2 3 4 5; do
    n="${nodes[$(((k + try) % 3))]}"
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 120 -X POST \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-binary @"$f" "http://127.0.0.1:${port[$n]}/api/items" || true)"
    if [ "$code" = 200 ]; then sent=1; break; fi
    sleep 0.2
  done
  [ -n "$sent" ] || fail "batch $k was refused by every node"
  k=$((k + 1))
done
log "posted; waiting for the nodes to finish the intake"
for _ in $(seq 1 900); do
  left="$(sql 'SELECT count(*) FROM pending_items')"
  [ "$left" = 0 ] && break
  sleep 0.2
done
[ "$left" = 0 ] || fail "$left items still pending"

stored="$(sql 'SELECT count(*) FROM items')"
[ "$stored" = "$ITEMS" ] || fail "$stored items stored for $ITEMS posts"
hash="$(sql "SELECT encode(sha256(convert_to(string_agg(external_id || chr(9) || text, chr(10) ORDER BY substr(external_id, 2)::int), 'UTF8')), 'hex') FROM items")"
[ "$hash" = "$(cat "$work/posts.sha256")" ] || fail "the stored texts differ from the posts"
scored="$(sql 'SELECT count(*) FROM item_check_worthiness')"
[ "$scored" = "$ITEMS" ] || fail "$scored items scored"
placed="$(sql 'SELECT count(*) FROM narrative_items')"
[ "$placed" = "$ITEMS" ] || fail "$placed items in narratives"
sum="$(sql 'SELECT coalesce(sum(item_count), 0) FROM narratives')"
[ "$sum" = "$ITEMS" ] || fail "narratives count $sum items for $ITEMS"
alerts="$(sql 'SELECT count(*) FROM alerts')"
[ "$alerts" -gt 0 ] || fail "no alert raised"
# Deliveries: each alert once (give the leader a moment to send the last ones).
for _ in $(seq 1 150); do
  due="$(sql "SELECT count(*) FROM webhook_outbox WHERE state = 'pending'")"
  [ "$due" = 0 ] && break
  sleep 0.2
done
delivered="$(sort "$work/deliveries.txt" | uniq | wc -l)"
twice="$(sort "$work/deliveries.txt" | uniq -d | wc -l)"
[ "$twice" = 0 ] || fail "$twice alerts delivered twice"
[ "$delivered" = "$alerts" ] || fail "$delivered of $alerts alerts delivered"
cd_ audit verify >&2 || fail "the audit chain does not verify"
log "stored $stored once each (hash ok), scored $scored, placed $placed, $alerts alerts each delivered once, audit intact"

# A fact-check imported through node A is matched on node C within 2 s.
claim="Drinking cold coffee at midnight cures insomnia"
review="$(python3 -c 'import json,sys; print(json.dumps({"claim":sys.argv[1],"url":"https://fc.example/coffee","rating":"false","language":"en","author":"Another desk"}))' "$claim")"
t0="$(date +%s%N)"
curl -fsS --max-time 30 -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  --data-binary "$review" "http://127.0.0.1:${port[a]}/api/factchecks" >/dev/null || fail "import through node a"
seen=""
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ]; do
  top="$(curl -fsS --max-time 5 -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "{\"text\":\"cold coffee at midnight cures insomnia\",\"top\":1}" \
    "http://127.0.0.1:${port[c]}/api/match" | python3 -c 'import json,sys; m=json.load(sys.stdin)["matches"]; print(m[0]["fact_check"]["url"] if m else "")')"
  if [ "$top" = "https://fc.example/coffee" ]; then seen=1; break; fi
  sleep 0.05
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ -n "$seen" ] || fail "node c did not match the fact-check imported through node a within 2 s"
log "imported through a, matched on c after $ms ms"
if grep -h 'panicked' "$work"/*.log >&2; then fail "a node panicked"; fi
log "ok"
