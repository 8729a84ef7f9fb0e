#!/usr/bin/env bash
# Check that the client installs and type-checks from another project, as a consumer gets it:
# `npm pack` (its prepack builds dist/src), install the tarball and typescript into a scratch
# project, compile a consumer with `tsc --strict` (NodeNext, and a stricter bundler setup),
# compile a file whose marked lines must each fail to type-check, and run the consumer against
# a stub fetch. Needs no server; exits 1 on any failure; removes its temporary directories.
#
#   bash clients/typescript/scripts/pack-check.sh        (from anywhere)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"

PACK=""
APP=""
cleanup() { rm -rf "$PACK" "$APP"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PACK="$(mktemp -d "${TMPDIR:-/tmp}/content-api-client-pack.XXXXXX")"
APP="$(mktemp -d "${TMPDIR:-/tmp}/content-api-client-consumer.XXXXXX")"

fail() {
  echo "pack-check: FAIL: $*" >&2
  exit 1
}

# The same TypeScript as the client's own (an exact version in devDependencies).
TS_VERSION="$(node -p 'require("./package.json").devDependencies.typescript')"
[[ "$TS_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "devDependencies.typescript is '$TS_VERSION', not an exact version"

if [[ ! -x node_modules/.bin/tsc ]]; then
  echo "== npm ci (prepack builds with the client's devDependencies)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== npm pack (prepack: npm run build:lib)"
npm pack --pack-destination "$PACK" --no-audit --no-fund --loglevel=error >"$PACK/pack.log" 2>&1 \
  || { cat "$PACK/pack.log" >&2; fail "npm pack failed"; }
shopt -s nullglob
TARBALLS=("$PACK"/*.tgz)
shopt -u nullglob
[[ ${#TARBALLS[@]} -eq 1 ]] || { cat "$PACK/pack.log" >&2; fail "npm pack made ${#TARBALLS[@]} tarballs in $PACK, expected 1"; }
TARBALL="${TARBALLS[0]}"

echo "== tarball contents: $(basename "$TARBALL")"
CONTENTS="$(tar -tzf "$TARBALL" | sort)"
sed 's/^/   /' <<<"$CONTENTS"
for required in package/package.json package/README.md \
  package/dist/src/index.js package/dist/src/index.d.ts package/dist/src/schema.d.ts; do
  grep -qxF "$required" <<<"$CONTENTS" || fail "the tarball has no $required"
done
UNEXPECTED="$(grep -vE '^package/(package\.json|README\.md|dist/src/.+)$' <<<"$CONTENTS" || true)"
[[ -z "$UNEXPECTED" ]] || fail "the tarball carries files a consumer does not need: $UNEXPECTED"

echo "== scratch project: npm install the tarball and typescript@$TS_VERSION"
cd "$APP"
npm init -y >/dev/null
npm pkg set type=module private=true
npm install --no-audit --no-fund --loglevel=error "$TARBALL" "typescript@$TS_VERSION" >/dev/null
[[ -f node_modules/openapi-fetch/package.json ]] || fail "openapi-fetch was not installed as a dependency of the client"

# Type-checked, then run against a stub fetch: typed calls, their answers, and proof that the
# types are real (an unresolved declaration quietly turns them into `any`).
cat >consumer.ts <<'EOF'
import {
  createContentClient,
  type ContentClient,
  type News,
  type NewsFields,
  type Problem,
  type Query,
} from "@osce/content-api-client";

type IsAny<T> = 0 extends 1 & T ? true : false;

const problem: Problem = {
  type: "/problems/not-found",
  title: "Not Found",
  status: 404,
  detail: "No participating State with slug 'atlantis'.",
  instance: "/api/v1/states/atlantis",
};
const answers: Record<string, { status: number; body: unknown }> = {
  "/api/v1/news": {
    status: 200,
    body: {
      data: [{ slug: "a-story", title: "A story", type: "story" }],
      meta: { total: 1, total_exact: true, limit: 5, offset: 0 },
      links: { self: "http://api.example/api/v1/news?limit=5", next: null, prev: null },
    },
  },
  "/api/v1/states/albania": {
    status: 200,
    body: { data: { slug: "albania", name: "Albania", iso_alpha2: "AL" } },
  },
  "/api/v1/states/atlantis": { status: 404, body: problem },
};

// No server: answers by path, and remembers what was asked.
const requested: string[] = [];
async function stubFetch(request: Request): Promise<Response> {
  requested.push(request.url);
  const answer = answers[new URL(request.url).pathname] ?? { status: 500, body: problem };
  const type = answer.status === 200 ? "application/json" : "application/problem+json";
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { "content-type": type },
  });
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`consumer: ${message}`);
}

const api: ContentClient = createContentClient("http://api.example/", { fetch: stubFetch });

const query: Query<"listNews"> = { limit: 5, type: ["story"] };
const news = await api.GET("/api/v1/news", { params: { query } });
if (news.error) throw new Error(`news: ${news.error.status} ${news.error.title}`);
const item: News | NewsFields | undefined = news.data.data[0];
const title: string | undefined = news.data.data[0]?.title;
const total: number = news.data.meta.total;
const next: string | null = news.data.links.next;
const titleIsTyped: IsAny<typeof title> = false;
const dataIsTyped: IsAny<typeof news.data> = false;
expect(title === "A story", `data[0].title is ${String(title)}`);
expect(item?.type === "story" && total === 1 && next === null, "news page");
expect(titleIsTyped === dataIsTyped, "unreachable");

const state = await api.GET("/api/v1/states/{slug}", { params: { path: { slug: "albania" } } });
const code: string | undefined = state.data?.data.iso_alpha2;
expect(code === "AL", `states/albania: iso_alpha2 is ${String(code)}`);

const missing = await api.GET("/api/v1/states/{slug}", { params: { path: { slug: "atlantis" } } });
const status: number | undefined = missing.error?.status;
expect(missing.response.status === 404 && status === 404, `states/atlantis: status ${String(status)}`);

expect(
  requested.join(" ") ===
    "http://api.example/api/v1/news?limit=5&type=story" +
      " http://api.example/api/v1/states/albania http://api.example/api/v1/states/atlantis",
  `requested ${requested.join(" ")}`,
);
console.log(`consumer: ${requested.length} typed requests answered as typed`);
EOF

# Every line marked MUST-FAIL must be reported by tsc, and no other line.
cat >must-fail.ts <<'EOF'
import { createContentClient } from "@osce/content-api-client";

const api = createContentClient("http://api.example");
await api.GET("/api/v1/news", { params: { query: { limt: 5 } } }); // MUST-FAIL misspelled query parameter
await api.GET("/api/v1/news", { params: { query: { type: ["storey"] } } }); // MUST-FAIL not a NewsType
await api.GET("/api/v1/newz", {}); // MUST-FAIL no such path
await api.GET("/api/v1/states/{slug}", { params: { path: { sulg: "albania" } } }); // MUST-FAIL misspelled path parameter
const news = await api.GET("/api/v1/news");
export const n: number | undefined = news.data?.data[0]?.title; // MUST-FAIL title is a string
EOF

TSC="$APP/node_modules/.bin/tsc"
STRICT=(--strict --noEmit --pretty false --skipLibCheck false --target es2022)
NODENEXT=(--module nodenext --moduleResolution nodenext)
BUNDLER=(--module esnext --moduleResolution bundler --exactOptionalPropertyTypes --noUncheckedIndexedAccess)

echo "== tsc --strict --noEmit, NodeNext: consumer.ts"
"$TSC" "${STRICT[@]}" "${NODENEXT[@]}" consumer.ts || fail "consumer.ts does not compile against the installed package (NodeNext)"
echo "== tsc --strict --noEmit, bundler, exactOptionalPropertyTypes, noUncheckedIndexedAccess: consumer.ts"
"$TSC" "${STRICT[@]}" "${BUNDLER[@]}" consumer.ts || fail "consumer.ts does not compile against the installed package (bundler)"

echo "== tsc --strict --noEmit, NodeNext: must-fail.ts (each MUST-FAIL line must be an error)"
if "$TSC" "${STRICT[@]}" "${NODENEXT[@]}" must-fail.ts >must-fail.log 2>&1; then
  fail "must-fail.ts compiled: the package's types accept a misspelled parameter, a wrong path and a wrong type"
fi
EXPECTED="$(grep -n 'MUST-FAIL' must-fail.ts | cut -d: -f1 | sort -n | uniq)"
REPORTED="$(sed -nE 's/^must-fail\.ts\(([0-9]+),[0-9]+\): error .*/\1/p' must-fail.log | sort -n | uniq)"
if [[ "$EXPECTED" != "$REPORTED" ]]; then
  cat must-fail.log >&2
  fail "tsc reported errors on lines [$(echo $REPORTED)] of must-fail.ts, expected exactly [$(echo $EXPECTED)]"
fi
grep -q '^must-fail\.ts(4,.*limt' must-fail.log || { cat must-fail.log >&2; fail "the misspelled 'limt' was not the error on line 4"; }
echo "   rejected as expected: lines $(echo $EXPECTED)"

echo "== run consumer.js against a stub fetch (no server)"
"$TSC" --strict --pretty false --target es2022 "${NODENEXT[@]}" --outDir out consumer.ts \
  || fail "consumer.ts does not emit"
node out/consumer.js || fail "consumer.js failed at run time"

echo "pack-check: PASS: $(basename "$TARBALL") installs, type-checks with tsc $TS_VERSION --strict and runs"
