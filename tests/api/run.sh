#!/usr/bin/env bash
# The API against the third-party tools integrators use, on a throwaway desk (the sample
# fact-checks and posts, an editor, a reviewer and a viewer with API tokens):
#
#   schemathesis   every operation of /api/openapi.json, as the viewer and as the editor,
#                  a bounded number of examples: 0 failures, 0 server errors
#   client         a Python client generated from the document by openapi-python-client
#                  does a desk's round trip (post items, open a case, add evidence, write a
#                  verdict, publish it as the reviewer, read the case back)
#   html           the Nu HTML checker (npm vnu-jar, a Debian JRE) on the pages of that
#                  round trip: sign-in, queue, item, item with an image, case, fact-checks, public verdict
#                  and list: 0 errors (runs the client first)
#
#   bash tests/api/run.sh [schemathesis|client|api|html|all]     (default all; api: the
#                                                                 first two)
#   CLAIMDESK_BIN=path/to/claimdesk bash tests/api/run.sh
#
# Installs its Python tools from PyPI when they are missing (pinned majors). Every wait is
# bounded; the server is always stopped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
what="${1:-all}"
case "$what" in schemathesis|client|api|html|all) ;; *) echo "usage: tests/api/run.sh [schemathesis|client|api|html|all]" >&2; exit 2;; esac
run_schemathesis=""; run_client=""; run_html=""
case "$what" in
  schemathesis) run_schemathesis=1 ;;
  client) run_client=1 ;;
  api) run_schemathesis=1; run_client=1 ;;
  html) run_client=1; run_html=1 ;;
  all) run_schemathesis=1; run_client=1; run_html=1 ;;
esac

log() { printf '[api] %s\n' "$*" >&2; }

pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check "$@" >&2
}
if [ -n "$run_schemathesis" ] && ! command -v st >/dev/null; then
  log "installing schemathesis"
  pip_install 'schemathesis>=4,<5'
fi
if [ -n "$run_client" ] && ! command -v openapi-python-client >/dev/null; then
  log "installing openapi-python-client"
  pip_install 'openapi-python-client>=0.29,<0.30'
fi

if [ -n "$run_html" ]; then
  if ! command -v java >/dev/null; then
    log "installing a Java runtime (Debian default-jre-headless) for the Nu HTML checker"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless) >&2
  fi
  if [ ! -f "$root/tests/html/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
    log "installing vnu-jar"
    (cd "$root/tests/html" && timeout 300 npm ci --no-audit --no-fund >&2)
  fi
fi

if [ -z "${CLAIMDESK_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/claimdesk-target}"
  log "building claimdesk (debug)"
  timeout 1800 cargo build -q -p claimdesk
  CLAIMDESK_BIN="$CARGO_TARGET_DIR/debug/claimdesk"
fi
[ -x "$CLAIMDESK_BIN" ] || { log "no executable at $CLAIMDESK_BIN"; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/claimdesk-api.XXXXXX")"
server_pid=""
stop() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap 'stop; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

data="$work/data"
cd_() { timeout 300 "$CLAIMDESK_BIN" --data "$data" --lexical-only "$@"; }
cd_ init >&2
cd_ import crates/claimdesk/sample/factchecks.jsonl >&2
cd_ ingest crates/claimdesk/sample/posts.jsonl >&2
for role in editor reviewer viewer; do
  printf '%s\n' "$role-pw-$RANDOM$RANDOM" | cd_ user add "$role" --role "$role" >&2
done
export CLAIMDESK_EDITOR_TOKEN CLAIMDESK_REVIEWER_TOKEN CLAIMDESK_VIEWER_TOKEN
CLAIMDESK_EDITOR_TOKEN="$(cd_ token create editor api-tests 2>/dev/null)"
CLAIMDESK_REVIEWER_TOKEN="$(cd_ token create reviewer api-tests 2>/dev/null)"
CLAIMDESK_VIEWER_TOKEN="$(cd_ token create viewer api-tests 2>/dev/null)"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
export CLAIMDESK_URL="http://127.0.0.1:$port"
log "serving on $CLAIMDESK_URL"
"$CLAIMDESK_BIN" --data "$data" --lexical-only serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
healthy=""
for _ in $(seq 1 600); do   # 60 s
  kill -0 "$server_pid" 2>/dev/null || break
  if curl -fsS --max-time 2 "$CLAIMDESK_URL/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.1
done
if [ -z "$healthy" ]; then
  log "the server did not become healthy; its log:"
  cat "$work/server.log" >&2
  exit 1
fi

status=0
server_errors() {
  # A panic or an internal error in the server's log is a failure whatever the tools say.
  if grep -E '"level":"ERROR"|ERROR|panicked' "$work/server.log" >&2; then
    log "the server logged errors (above)"
    status=1
  fi
}

if [ -n "$run_schemathesis" ]; then
  examples="${SCHEMATHESIS_EXAMPLES:-10}"
  # One worker: Python 3.11's `ast` is not thread-safe ("AST constructor recursion depth
  # mismatch"), and Hypothesis parses sources with it while describing draws.
  for who in viewer editor; do
    token_var="CLAIMDESK_${who^^}_TOKEN"
    log "schemathesis as the $who ($examples examples per operation)"
    (cd "$work" && timeout 900 st --config-file "$here/schemathesis.toml" --no-color \
      run "$CLAIMDESK_URL/api/openapi.json" \
      -H "Authorization: Bearer ${!token_var}" \
      --max-examples "$examples" --seed 17 --generation-database none \
      ${SCHEMATHESIS_ARGS:-} \
      --workers 1 --request-timeout 30 \
      --report junit --report-dir "$work/report-$who") || status=$?
  done
fi

if [ -n "$run_client" ]; then
  log "generating a Python client from the document"
  curl -fsS --max-time 10 "$CLAIMDESK_URL/api/openapi.json" >"$work/openapi.json"
  mkdir -p "$work/gen"
  (cd "$work" && timeout 300 openapi-python-client generate --path openapi.json \
    --output-path "$work/gen/claimdesk_client" --meta none >&2)
  log "the generated client's round trip"
  PYTHONPATH="$work/gen" ROUNDTRIP_IDS="$work/ids" \
    timeout 300 python3 "$here/client_roundtrip.py" || status=$?
fi

if [ -n "$run_html" ]; then
  if [ ! -s "$work/ids" ]; then
    log "the round trip did not finish: no pages to check"
    exit 1
  fi
  read -r item case fact_check image_item <"$work/ids"
  mkdir -p "$work/html"
  auth="Authorization: Bearer $CLAIMDESK_EDITOR_TOKEN"
  for page in "login /login" "queue /" "item /items/$item" "image-item /items/$image_item" \
      "case /cases/$case" \
      "factchecks /factchecks" "verdict /verdicts/$fact_check" "verdicts /verdicts" \
      "vi-case /cases/$case"; do
    set -- $page
    lang_cookie=""
    case "$1" in vi-*) lang_cookie="lang=vi" ;; esac
    curl -fsS --max-time 20 -H "$auth" ${lang_cookie:+-b "$lang_cookie"} \
      "$CLAIMDESK_URL$2" >"$work/html/$1.html"
  done
  log "the Nu HTML checker on $(ls "$work/html" | wc -l) pages"
  if ! timeout 300 java -jar "$root/tests/html/node_modules/vnu-jar/build/dist/vnu.jar" \
      --errors-only --format gnu "$work"/html/*.html; then
    log "the Nu HTML checker found errors (above)"
    status=1
  else
    log "the Nu HTML checker: 0 errors"
  fi
fi

server_errors
exit "$status"
