#!/usr/bin/env bash
# Regenerate the typed client, fail if the committed src/schema.d.ts is stale, type-check and
# build it, then run dist/scripts/check.js against a freshly seeded server on a free port, with
# an editor key made by the command line (EDITOR_TOKEN) for its editor API scenario.
#
#   bash clients/typescript/run-check.sh        (from anywhere)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON="$REPO/.venv/bin/python"
cd "$HERE"

if [[ ! -x "$PYTHON" ]]; then
  echo "run-check: $PYTHON not found; run 'make install' in $REPO first" >&2
  exit 1
fi

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== npm run generate"
npm run --silent generate
if ! git ls-files --error-unmatch src/schema.d.ts >/dev/null 2>&1; then
  echo "note: src/schema.d.ts is not committed yet; commit it so review shows contract changes"
elif ! git diff --exit-code --stat -- src/schema.d.ts; then
  echo "run-check: src/schema.d.ts is stale: openapi.json changed since it was generated." >&2
  echo "run-check: run 'make client' (or 'npm run generate' in clients/typescript) and commit it." >&2
  exit 1
fi

echo "== npm run typecheck"
npm run --silent typecheck
echo "== npm run build"
npm run --silent build

WORK="$(mktemp -d "${TMPDIR:-/tmp}/content-api-client.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DATABASE_URL="sqlite:///$WORK/content.db"
export HOST=127.0.0.1
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PORT
API_URL="http://$HOST:$PORT"

echo "== migrate and seed $DATABASE_URL"
(cd "$REPO" && "$PYTHON" -m api migrate)
(cd "$REPO" && "$PYTHON" -m api seed) | tail -n 1

# The editor scenario's key, with every scope, made as an administrator makes the first one. Its
# token is printed once ("token (shown once, keep it secret): osce_…"); it is kept out of the log.
echo "== an editor key: keys create --name client-check --scope all"
KEY_OUTPUT="$(cd "$REPO" && "$PYTHON" -m api keys create --name client-check --scope all)"
EDITOR_TOKEN="$(sed -n 's/^token (shown once, keep it secret): \(osce_[A-Za-z0-9_-]*\)$/\1/p' \
  <<<"$KEY_OUTPUT")"
if [[ -z "$EDITOR_TOKEN" ]]; then
  echo "run-check: 'keys create' printed no token line; it printed:" >&2
  sed 's/osce_[A-Za-z0-9_-]*/osce_…/g' <<<"$KEY_OUTPUT" >&2
  exit 1
fi
echo "${KEY_OUTPUT%%:*}"

echo "== serve on $API_URL"
(cd "$REPO" && exec "$PYTHON" -m api serve) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null --max-time 2 "$API_URL/readyz" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run-check: the server exited; its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
if ! curl -fsS -o /dev/null --max-time 2 "$API_URL/readyz"; then
  echo "run-check: $API_URL/readyz did not answer 200 within 20 s; server log:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi

echo "== node dist/scripts/check.js"
API_URL="$API_URL" EDITOR_TOKEN="$EDITOR_TOKEN" node dist/scripts/check.js
