/**
 * End-to-end check of the typed client against a running server:
 *
 *   API_URL=http://127.0.0.1:8000 EDITOR_TOKEN=osce_… node dist/scripts/check.js
 *
 * Fetches every collection and one item of each, follows `links.next` on news, and checks every
 * answer's shape at run time (scripts/shapes.ts) and the 404 and 422 problem documents. Then,
 * with EDITOR_TOKEN (a key with every scope: `content-api keys create --scope all`), walks one
 * news item through the editor API: a draft, published, a stale write refused, its revisions,
 * scheduled and previewed, trashed and restored; a key made, used and revoked over HTTP; and
 * the audit log of it all. Prints one line per check; exits 1 if any failed.
 */
import type { Middleware } from "openapi-fetch";
import {
  createContentClient,
  type components,
  type MenuNode,
  type Problem,
} from "../src/index.js";
import * as shape from "./shapes.js";
import { ShapeError, type Check, type Page } from "./shapes.js";

// Node's globals, declared here rather than depending on @types/node for two of them.
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const API_URL = (process.env["API_URL"] ?? "").replace(/\/+$/, "");
const EDITOR_TOKEN = process.env["EDITOR_TOKEN"] ?? "";
/** Anonymous: the public API as anyone reads it. */
const client = createContentClient(API_URL);
/** The same client with the editor key: the editor API, and previews of the public one. */
const editor = createContentClient(API_URL, {
  headers: { Authorization: `Bearer ${EDITOR_TOKEN}` },
});

class CheckError extends Error {}

interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

function mediaType(response: Response): string {
  return (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
}

/** `body` narrowed by `check`; a ShapeError names the URL. */
function checked<T>(where: string, body: unknown, check: Check<T>): T {
  try {
    if (check(body, "body")) return body;
  } catch (err) {
    if (err instanceof ShapeError) throw new ShapeError(`${where}: ${err.message}`);
    throw err;
  }
  throw new CheckError(`${where}: check returned false`);
}

/**
 * The body of a successful answer (status 200 unless told), checked against `check`, with the
 * response. T extends D: what the check proves must be something the OpenAPI document allows for
 * this operation, or tsc refuses.
 */
async function answered<D, T extends D>(
  answer: Promise<Answer<D>>,
  check: Check<T>,
  status = 200,
): Promise<{ body: T; response: Response }> {
  const { data, error, response } = await answer;
  const where = response.url;
  if (response.status !== status) {
    throw new CheckError(
      `${where}: status ${response.status}, expected ${status}, ${JSON.stringify(error)}`,
    );
  }
  if (mediaType(response) !== "application/json") {
    throw new CheckError(`${where}: content-type ${mediaType(response)}, not application/json`);
  }
  return { body: checked(where, data, check), response };
}

/** The body of a 200 answer, checked against `check`. */
async function ok<D, T extends D>(answer: Promise<Answer<D>>, check: Check<T>): Promise<T> {
  return (await answered(answer, check)).body;
}

/** A problem document with the given status. */
async function problem(answer: Promise<Answer<unknown>>, status: number): Promise<Problem> {
  const { error, response } = await answer;
  const where = response.url;
  if (response.status !== status) {
    throw new CheckError(`${where}: status ${response.status}, expected ${status}`);
  }
  if (mediaType(response) !== "application/problem+json") {
    throw new CheckError(
      `${where}: content-type ${mediaType(response)}, expected application/problem+json`,
    );
  }
  const body = checked(where, error, shape.problem);
  if (body.status !== status) {
    throw new CheckError(`${where}: body.status is ${body.status}, expected ${status}`);
  }
  return body;
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckError(message);
}

function first<T extends { slug: string }>(list: Page<T>, collection: string): string {
  const item = list.data[0];
  expect(item !== undefined, `${collection}: the collection is empty, no item to fetch`);
  return item.slug;
}

/** The page's count and meta, for the summary line. */
function counted<T>(list: Page<T>): string {
  const { total, total_exact, limit } = list.meta;
  return `${list.data.length} of ${total}${total_exact ? "" : "+"} (limit ${limit})`;
}

const checks: [string, () => Promise<string>][] = [
  [
    "GET /livez and /readyz",
    async () => {
      const live = await ok(client.GET("/livez"), shape.healthStatus);
      const ready = await ok(client.GET("/readyz"), shape.healthStatus);
      expect(ready.status === "ok", `readyz says ${ready.status}: ${ready.detail ?? ""}`);
      return `livez ${live.status}, readyz ${ready.status} (schema ${ready.schema ?? "?"})`;
    },
  ],
  [
    "GET /api/v1 (discovery)",
    async () => {
      const index = await ok(client.GET("/api/v1"), shape.apiIndex);
      const names = index.data.map((c) => c.name);
      for (const name of [
        "states",
        "partners",
        "field-operations",
        "institutions",
        "news",
        "events",
        "menus",
        "topics",
        "pages",
        "images",
      ]) {
        expect(names.includes(name), `discovery does not list ${name}: ${names.join(", ")}`);
      }
      return `${names.length} collections: ${names.join(", ")}`;
    },
  ],
  [
    "states: list, by slug, by ISO code",
    async () => {
      const list = await ok(
        client.GET("/api/v1/states", { params: { query: { limit: 100 } } }),
        shape.page(shape.state),
      );
      const slug = first(list, "states");
      const item = await ok(
        client.GET("/api/v1/states/{slug}", { params: { path: { slug } } }),
        shape.single(shape.state),
      );
      expect(item.data.slug === slug, `states/${slug} answered ${item.data.slug}`);
      const code = item.data.iso_alpha2;
      const byCode = await ok(
        client.GET("/api/v1/states/{slug}", { params: { path: { slug: code } } }),
        shape.single(shape.state),
      );
      expect(byCode.data.slug === slug, `states/${code} answered ${byCode.data.slug}, not ${slug}`);
      return `${counted(list)}; ${slug} = ${code}`;
    },
  ],
  [
    "partners: list and by slug",
    async () => {
      const list = await ok(client.GET("/api/v1/partners"), shape.page(shape.partner));
      const slug = first(list, "partners");
      const item = await ok(
        client.GET("/api/v1/partners/{slug}", { params: { path: { slug } } }),
        shape.single(shape.partner),
      );
      expect(item.data.slug === slug, `partners/${slug} answered ${item.data.slug}`);
      return `${counted(list)}; ${slug}`;
    },
  ],
  [
    "institutions: list and by slug",
    async () => {
      const list = await ok(client.GET("/api/v1/institutions"), shape.page(shape.institution));
      const slug = first(list, "institutions");
      const item = await ok(
        client.GET("/api/v1/institutions/{slug}", { params: { path: { slug } } }),
        shape.single(shape.institution),
      );
      expect(item.data.slug === slug, `institutions/${slug} answered ${item.data.slug}`);
      return `${counted(list)}; ${slug}`;
    },
  ],
  [
    "field-operations: list and by slug",
    async () => {
      const list = await ok(
        client.GET("/api/v1/field-operations"),
        shape.page(shape.fieldOperation),
      );
      const slug = first(list, "field-operations");
      const item = await ok(
        client.GET("/api/v1/field-operations/{slug}", { params: { path: { slug } } }),
        shape.single(shape.fieldOperation),
      );
      expect(item.data.slug === slug, `field-operations/${slug} answered ${item.data.slug}`);
      return `${counted(list)}; ${slug}`;
    },
  ],
  [
    "news: list, links.next to the last page, by slug",
    async () => {
      const limit = 3;
      const pages = [
        await ok(
          client.GET("/api/v1/news", { params: { query: { limit } } }),
          shape.page(shape.news),
        ),
      ];
      for (let next = pages[0]?.links.next; next; next = pages[pages.length - 1]?.links.next) {
        expect(pages.length < 100, "news: more than 100 pages of links.next");
        // Follow the link exactly: it must be this collection, with our limit and a cursor.
        const url = new URL(next);
        expect(
          `${url.origin}${url.pathname}` === `${API_URL}/api/v1/news`,
          `links.next ${next} leaves ${API_URL}/api/v1/news`,
        );
        const params = [...url.searchParams.keys()].sort().join(",");
        expect(
          params === "cursor,limit",
          `links.next ${next} has parameters ${params}, expected cursor,limit`,
        );
        const cursor = url.searchParams.get("cursor");
        expect(
          url.searchParams.get("limit") === String(limit),
          `links.next ${next} changed the limit`,
        );
        const page = await ok(
          client.GET("/api/v1/news", { params: { query: { limit, cursor } } }),
          shape.page(shape.news),
        );
        expect(
          page.meta.offset === null,
          `a page reached by cursor has meta.offset ${page.meta.offset}, not null`,
        );
        expect(page.links.prev !== null, "a page reached by links.next has no links.prev");
        pages.push(page);
      }
      expect(
        pages.length >= 2,
        `news: only one page at limit ${limit}; links.next was never followed`,
      );
      const slugs = pages.flatMap((p) => p.data.map((n) => n.slug));
      expect(new Set(slugs).size === slugs.length, "news: pages overlap (a slug appears twice)");
      const times = pages.flatMap((p) => p.data.map((n) => n.published_at));
      expect(
        times.every((t, i) => i === 0 || (times[i - 1] ?? "") >= t),
        "news: not newest first across pages",
      );
      const total = pages[0]?.meta.total ?? -1;
      expect(
        pages[0]?.meta.total_exact !== true || slugs.length === total,
        `news: ${slugs.length} items over the pages, meta.total ${total}`,
      );
      const slug = slugs[0] ?? "";
      const item = await ok(
        client.GET("/api/v1/news/{slug}", { params: { path: { slug } } }),
        shape.single(shape.news),
      );
      expect(item.data.slug === slug, `news/${slug} answered ${item.data.slug}`);
      return `${slugs.length} of ${total} over ${pages.length} pages of ${limit} (${pages.length - 1} links.next followed); ${slug}`;
    },
  ],
  [
    "events: list and by slug",
    async () => {
      const list = await ok(client.GET("/api/v1/events"), shape.page(shape.event));
      const slug = first(list, "events");
      const item = await ok(
        client.GET("/api/v1/events/{slug}", { params: { path: { slug } } }),
        shape.single(shape.event),
      );
      expect(item.data.slug === slug, `events/${slug} answered ${item.data.slug}`);
      return `${counted(list)}; ${slug}`;
    },
  ],
  [
    "topics: list and by slug",
    async () => {
      const list = await ok(client.GET("/api/v1/topics"), shape.page(shape.topic));
      const slug = first(list, "topics");
      const item = await ok(
        client.GET("/api/v1/topics/{slug}", { params: { path: { slug } } }),
        shape.single(shape.topic),
      );
      expect(item.data.slug === slug, `topics/${slug} answered ${item.data.slug}`);
      return `${counted(list)}; ${slug}`;
    },
  ],
  [
    "pages: list and by slug",
    async () => {
      const list = await ok(client.GET("/api/v1/pages"), shape.page(shape.contentPage));
      const slug = first(list, "pages");
      const item = await ok(
        client.GET("/api/v1/pages/{slug}", { params: { path: { slug } } }),
        shape.single(shape.contentPage),
      );
      expect(item.data.slug === slug, `pages/${slug} answered ${item.data.slug}`);
      return `${counted(list)}; ${slug}: ${item.data.body.length} blocks`;
    },
  ],
  [
    "images: list, by slug, and each rendition",
    async () => {
      const list = await ok(client.GET("/api/v1/images"), shape.page(shape.image));
      const slug = first(list, "images");
      const item = await ok(
        client.GET("/api/v1/images/{slug}", { params: { path: { slug } } }),
        shape.single(shape.image),
      );
      expect(item.data.slug === slug, `images/${slug} answered ${item.data.slug}`);
      // The files are not JSON, and not in the OpenAPI document: plain fetch.
      for (const rendition of item.data.renditions) {
        const response = await fetch(`${API_URL}${rendition.url}`);
        expect(response.status === 200, `${rendition.url}: status ${response.status}`);
        expect(
          mediaType(response) === rendition.type,
          `${rendition.url}: content-type ${mediaType(response)}, not ${rendition.type}`,
        );
        await response.arrayBuffer();
      }
      return `${counted(list)}; ${slug}: ${item.data.renditions.length} renditions answer 200`;
    },
  ],
  [
    "menus: list and each by slug",
    async () => {
      const list = await ok(client.GET("/api/v1/menus"), shape.page(shape.menuSummary));
      for (const { slug } of list.data) {
        const item = await ok(
          client.GET("/api/v1/menus/{menu}", { params: { path: { menu: slug } } }),
          shape.single(shape.menu),
        );
        expect(item.data.slug === slug, `menus/${slug} answered ${item.data.slug}`);
      }
      return `${counted(list)}: ${list.data.map((m) => m.slug).join(", ")}`;
    },
  ],
  [
    "GET /api/v1/menus/main",
    async () => {
      const main = await ok(
        client.GET("/api/v1/menus/{menu}", { params: { path: { menu: "main" } } }),
        shape.single(shape.menu),
      );
      const count = (nodes: MenuNode[]): number =>
        nodes.reduce((n, node) => n + 1 + count(node.children), 0);
      expect(main.data.items.length > 0, "menus/main has no items");
      return `"${main.data.name}": ${main.data.items.length} top-level items, ${count(main.data.items)} nodes`;
    },
  ],
  [
    "unknown slug is a 404 problem",
    async () => {
      const slug = "no-such-news-item-anywhere";
      const body = await problem(
        client.GET("/api/v1/news/{slug}", { params: { path: { slug } } }),
        404,
      );
      return `404 application/problem+json, type ${body.type}`;
    },
  ],
  [
    "limit=0 is a 422 problem with errors",
    async () => {
      const body = await problem(
        client.GET("/api/v1/news", { params: { query: { limit: 0 } } }),
        422,
      );
      const errors = body.errors ?? [];
      expect(errors.length > 0, "the 422 problem has no errors array, or an empty one");
      expect(
        errors.some((e) => e.parameter === "limit"),
        `the errors do not name limit: ${JSON.stringify(errors)}`,
      );
      return `422 application/problem+json, errors: ${errors.map((e) => `${e.parameter ?? "?"}: ${e.detail}`).join("; ")}`;
    },
  ],
];

// --- The editor API ---------------------------------------------------------------------------
//
// The answers' types come from the OpenAPI document (`NewsEditorItem`, `NewsRevision`, `NewKey`,
// `AuditOut`, …) and are checked at run time like the public ones. What is sent is typed by the
// document too: `NewsWrite`, `KeyIn`, the `If-Match` and `Idempotency-Key` headers, the paths and
// their parameters.

type Schemas = components["schemas"];
type NewsIn = Schemas["NewsIn"];
type NewsWrite = Schemas["NewsWrite"];
type EditorStatus = Schemas["Status"];

/** RFC 7396 over T: any key may be left out and `null` removes one; objects merge, arrays and
 * other values replace. The document types a PATCH body as any object; this keeps it to T's. */
type MergePatch<T> = { [K in keyof T]?: Patched<T[K]> | null };
type Patched<V> = V extends readonly unknown[] ? V : V extends object ? MergePatch<V> : V;
type NewsPatch = MergePatch<NewsWrite>;

// The answers, as the OpenAPI document describes them.
type EditorNews = Schemas["NewsEditorItem"];
type EditorNewsList = Schemas["NewsEditorPage"];
type RevisionOut = Schemas["NewsRevision"];
/** A key as `POST /api/v1/editor/keys` answers it: the only answer with its token. */
type CreatedKey = Schemas["NewKey"];
type AuditEntry = Schemas["AuditOut"];
type AuditLog = Schemas["AuditPage"];

function maybe<T>(check: Check<T>): Check<T | null | undefined> {
  return shape.optional(shape.nullable(check));
}
const editorStatus = shape.oneOf<EditorStatus>({ draft: true, published: true, scheduled: true });
const newsIn = shape.object<NewsIn>({
  slug: shape.nonEmpty,
  title: shape.nonEmpty,
  type: shape.newsType,
  published_at: shape.instant,
  summary: shape.string,
  body: shape.string,
  location: maybe(
    shape.object<Schemas["LocationIn"]>({
      venue: maybe(shape.string),
      city: maybe(shape.string),
      territory: maybe(shape.string),
      country: maybe(shape.string),
      region: maybe(shape.region),
      latitude: maybe(shape.number),
      longitude: maybe(shape.number),
    }),
  ),
  countries: shape.arrayOf(shape.string),
  topics: shape.arrayOf(shape.string),
  field_operation: maybe(shape.string),
});
const editorNews = shape.object<EditorNews>({
  collection: shape.nonEmpty,
  slug: shape.nonEmpty,
  status: editorStatus,
  publish_at: shape.nullable(shape.instant),
  unpublish_at: shape.nullable(shape.instant),
  visible: shape.boolean,
  trashed: shape.boolean,
  revision: shape.integer,
  updated_at: shape.instant,
  document: newsIn,
});
const editorNewsList = shape.object<EditorNewsList>({
  data: shape.arrayOf(editorNews),
  meta: shape.object<EditorNewsList["meta"]>({
    total: shape.integer,
    limit: shape.integer,
    offset: shape.integer,
  }),
});
const revisionList = shape.object<{ data: RevisionOut[] }>({
  data: shape.arrayOf(
    shape.object<RevisionOut>({
      number: shape.integer,
      action: shape.nonEmpty,
      status: editorStatus,
      publish_at: shape.nullable(shape.instant),
      unpublish_at: shape.nullable(shape.instant),
      key_id: shape.nullable(shape.integer),
      // A news item's translations after the revision ({lang: {field: text}}), or null.
      translations: shape.nullable(
        shape.record as shape.Check<NonNullable<RevisionOut["translations"]>>,
      ),
      created_at: shape.instant,
      document: newsIn,
    }),
  ),
});
const createdKey = shape.object<CreatedKey>({
  id: shape.integer,
  name: shape.nonEmpty,
  scopes: shape.arrayOf(shape.nonEmpty),
  created_at: shape.instant,
  expires_at: shape.nullable(shape.instant),
  last_used_at: shape.nullable(shape.instant),
  revoked_at: shape.nullable(shape.instant),
  token: shape.nonEmpty,
});
const auditLog = shape.object<AuditLog>({
  data: shape.arrayOf(
    shape.object<AuditEntry>({
      id: shape.integer,
      at: shape.instant,
      key_id: shape.nullable(shape.integer),
      action: shape.nonEmpty,
      collection: shape.nullable(shape.string),
      slug: shape.nullable(shape.string),
      revision: shape.nullable(shape.integer),
      request_id: shape.nullable(shape.string),
    }),
  ),
  meta: shape.object<AuditLog["meta"]>({ limit: shape.integer, offset: shape.integer }),
});

/**
 * `?preview=true`, for a request made with the key. The server reads it in a middleware before
 * any route (api/editor/preview.py), so the document declares it on no operation and a typed
 * `query` cannot carry it: this adds it to the request's URL.
 */
const preview: Middleware = {
  onRequest({ request }) {
    const url = new URL(request.url);
    url.searchParams.set("preview", "true");
    return new Request(url, request);
  },
};

/** The editor's answers are `private, no-store` and vary on `Authorization`. */
function privateAnswer(response: Response): void {
  const cache = response.headers.get("cache-control");
  expect(cache === "private, no-store", `${response.url}: Cache-Control ${cache}`);
  const vary = (response.headers.get("vary") ?? "").split(",").map((v) => v.trim().toLowerCase());
  expect(vary.includes("authorization"), `${response.url}: Vary ${vary.join(", ")}`);
}

/** The answer's ETag, which must name `revision`. */
function etagOf(response: Response, revision: number): string {
  const tag = response.headers.get("etag");
  expect(tag === `"${revision}"`, `${response.url}: ETag ${tag}, expected "${revision}"`);
  return tag;
}

/** One item's editorial state, for messages: `scheduled, hidden, revision 3`. */
function state(item: EditorNews): string {
  const seen = item.trashed ? "trashed" : item.visible ? "visible" : "hidden";
  return `${item.status}, ${seen}, revision ${item.revision}`;
}

function expectState(
  item: EditorNews,
  status: EditorStatus,
  visible: boolean,
  trashed: boolean,
): void {
  expect(
    item.status === status && item.visible === visible && item.trashed === trashed,
    `${item.slug}: ${state(item)}; expected ${status}, ${trashed ? "trashed" : visible ? "visible" : "hidden"}`,
  );
}

function publicNews(slug: string) {
  return client.GET("/api/v1/news/{slug}", { params: { path: { slug } } });
}

function previewNews(slug: string) {
  return editor.GET("/api/v1/news/{slug}", { params: { path: { slug } }, middleware: [preview] });
}

/** A preview of `slug`: 200, `private, no-store`, the draft's title. */
async function previewed(slug: string, title: string): Promise<void> {
  const { body, response } = await answered(previewNews(slug), shape.single(shape.news));
  privateAnswer(response);
  expect(body.data.title === title, `preview of ${slug}: title "${body.data.title}"`);
}

function patchNews(slug: string, ifMatch: string, body: NewsPatch) {
  return editor.PATCH("/api/v1/editor/news/{slug}", {
    params: { path: { slug }, header: { "If-Match": ifMatch } },
    body,
    headers: { "Content-Type": "application/merge-patch+json" }, // the type the document gives
  });
}

/** What the scenario made and learned, step by step. */
const stamp = Date.now().toString(36);
const draft = {
  slug: `client-check-${stamp}`,
  title: `Client check ${stamp}`,
  requestId: `client-check-${stamp}`,
  etag: "", // the item's current ETag
  publishAt: "",
  adminKey: -1, // the id of EDITOR_TOKEN's key, as the revisions name it
  readerKey: -1, // the key made over HTTP
};

const editorSteps: [string, () => Promise<string>][] = [
  [
    "editor: create a news draft (Idempotency-Key), retry it",
    async () => {
      expect(
        EDITOR_TOKEN !== "",
        "EDITOR_TOKEN is not set: give a key with every scope (content-api keys create --name client-check --scope all)",
      );
      const list = await ok(
        editor.GET("/api/v1/editor/news", { params: { query: { status: "published", limit: 1 } } }),
        editorNewsList,
      );
      const source = list.data[0];
      expect(source !== undefined, "the editor lists no published news to copy");
      const seeded = await answered(
        editor.GET("/api/v1/editor/news/{slug}", { params: { path: { slug: source.slug } } }),
        shape.single(editorNews),
      );
      privateAnswer(seeded.response);
      etagOf(seeded.response, seeded.body.data.revision);

      const write: NewsWrite = {
        document: { ...seeded.body.data.document, slug: draft.slug, title: draft.title },
        status: "draft",
      };
      const create = () =>
        editor.POST("/api/v1/editor/news", {
          params: { header: { "Idempotency-Key": draft.slug } },
          body: write,
          headers: { "X-Request-Id": draft.requestId },
        });
      const { body, response } = await answered(create(), shape.single(editorNews), 201);
      privateAnswer(response);
      draft.etag = etagOf(response, 1);
      const location = response.headers.get("location");
      expect(location === `/api/v1/editor/news/${draft.slug}`, `Location ${location}`);
      expect(body.data.slug === draft.slug, `created ${body.data.slug}, not ${draft.slug}`);
      expect(body.data.document.title === draft.title, `title "${body.data.document.title}"`);
      expect(body.data.revision === 1, `created at revision ${body.data.revision}`);
      expectState(body.data, "draft", false, false);

      // The same request again: the first answer, replayed, its ETag included; nothing new
      // is made.
      const again = await answered(create(), shape.single(editorNews), 201);
      const replayed = again.response.headers.get("idempotent-replayed");
      expect(replayed === "true", `the retry's Idempotent-Replayed is ${replayed}`);
      etagOf(again.response, 1);
      expect(
        JSON.stringify(again.body) === JSON.stringify(body),
        "the retry's body is not the first answer's",
      );
      return `${draft.slug} from ${source.slug}: 201, ETag ${draft.etag}, Location ${location}; retry 201 replayed`;
    },
  ],
  [
    "editor: a draft is hidden, and previewed with the key",
    async () => {
      const hidden = await problem(publicNews(draft.slug), 404);
      await previewed(draft.slug, draft.title);
      await problem(
        client.GET("/api/v1/news/{slug}", {
          params: { path: { slug: draft.slug } },
          middleware: [preview],
        }),
        401,
      );
      return `public ${hidden.status}; ?preview=true with the key 200, without one 401`;
    },
  ],
  [
    "editor: publish with a merge patch and If-Match",
    async () => {
      const { body, response } = await answered(
        patchNews(draft.slug, draft.etag, { status: "published" }),
        shape.single(editorNews),
      );
      privateAnswer(response);
      const before = draft.etag;
      draft.etag = etagOf(response, 2);
      expectState(body.data, "published", true, false);
      const item = await ok(publicNews(draft.slug), shape.single(shape.news));
      expect(item.data.title === draft.title, `public title "${item.data.title}"`);
      return `If-Match ${before} -> 200, ETag ${draft.etag}; public 200 "${item.data.title}"`;
    },
  ],
  [
    "editor: a PATCH with a stale ETag is a 412 problem",
    async () => {
      const stale = '"1"';
      const refused = await problem(
        patchNews(draft.slug, stale, { document: { title: "a lost update" } }),
        412,
      );
      const now = await answered(
        editor.GET("/api/v1/editor/news/{slug}", { params: { path: { slug: draft.slug } } }),
        shape.single(editorNews),
      );
      expect(now.body.data.document.title === draft.title, "the refused PATCH changed the title");
      etagOf(now.response, 2);
      return `If-Match ${stale} -> ${refused.status} ${refused.type}; the item is still at ${draft.etag}`;
    },
  ],
  [
    "editor: revisions",
    async () => {
      const list = await ok(
        editor.GET("/api/v1/editor/news/{slug}/revisions", {
          params: { path: { slug: draft.slug } },
        }),
        revisionList,
      );
      const seen = list.data.map((r) => `${r.number} ${r.action} ${r.status}`).join(", ");
      expect(list.data.length === 2, `${list.data.length} revisions: ${seen}`);
      expect(seen === "2 updated published, 1 created draft", `revisions: ${seen}`);
      const keys = new Set(list.data.map((r) => r.key_id));
      const key = list.data[0]?.key_id ?? null;
      expect(keys.size === 1 && key !== null, `revisions by keys ${[...keys].join(", ")}`);
      draft.adminKey = key;
      return `${list.data.length}, newest first: ${seen} (key ${key})`;
    },
  ],
  [
    "editor: schedule an hour ahead, preview it",
    async () => {
      // Whole seconds, as the API writes instants back.
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
      draft.publishAt = at.toISOString().replace(".000Z", "Z");
      const { body, response } = await answered(
        patchNews(draft.slug, draft.etag, { status: "scheduled", publish_at: draft.publishAt }),
        shape.single(editorNews),
      );
      draft.etag = etagOf(response, 3);
      expectState(body.data, "scheduled", false, false);
      expect(
        body.data.publish_at === draft.publishAt,
        `publish_at ${body.data.publish_at}, sent ${draft.publishAt}`,
      );
      await problem(publicNews(draft.slug), 404);
      await previewed(draft.slug, draft.title);
      return `publish_at ${draft.publishAt}, ETag ${draft.etag}; public 404, preview 200`;
    },
  ],
  [
    "editor: trash, then restore",
    async () => {
      const trashed = await answered(
        editor.DELETE("/api/v1/editor/news/{slug}", {
          params: { path: { slug: draft.slug }, header: { "If-Match": draft.etag } },
        }),
        shape.single(editorNews),
      );
      draft.etag = etagOf(trashed.response, 4);
      expectState(trashed.body.data, "scheduled", false, true);
      await problem(publicNews(draft.slug), 404);
      await problem(previewNews(draft.slug), 404); // a preview shows no trash
      const restored = await answered(
        editor.POST("/api/v1/editor/news/{slug}/restore", {
          params: { path: { slug: draft.slug }, header: { "If-Match": draft.etag } },
        }),
        shape.single(editorNews),
      );
      draft.etag = etagOf(restored.response, 5);
      // Back in the state it had: scheduled, for the same instant.
      expectState(restored.body.data, "scheduled", false, false);
      expect(
        restored.body.data.publish_at === draft.publishAt,
        `restored with publish_at ${restored.body.data.publish_at}`,
      );
      await problem(publicNews(draft.slug), 404);
      await previewed(draft.slug, draft.title);
      return `DELETE 200 (public and preview 404); restore 200, ETag ${draft.etag}, ${state(restored.body.data)}`;
    },
  ],
  [
    "editor: a key made, used and revoked over HTTP",
    async () => {
      const name = `client-check reader ${stamp}`;
      const made = await answered(
        editor.POST("/api/v1/editor/keys", { body: { name, scopes: ["news:read"] } }),
        shape.single(createdKey),
        201,
      );
      privateAnswer(made.response);
      const key = made.body.data;
      draft.readerKey = key.id;
      const location = made.response.headers.get("location");
      expect(location === `/api/v1/editor/keys/${key.id}`, `Location ${location}`);
      expect(
        /^osce_[A-Za-z0-9_-]{43}$/.test(key.token),
        "the token is not osce_ and 43 characters",
      );
      expect(
        key.name === name && key.scopes.join(" ") === "news:read" && key.revoked_at === null,
        `created ${JSON.stringify({ ...key, token: "…" })}`,
      );

      const reader = createContentClient(API_URL, {
        headers: { Authorization: `Bearer ${key.token}` },
      });
      const listed = await ok(reader.GET("/api/v1/editor/news"), editorNewsList);
      const refused = await problem(reader.GET("/api/v1/editor/topics"), 403);
      expect(refused.detail.includes("topics:read"), `the 403 does not name topics:read`);

      const { response } = await editor.DELETE("/api/v1/editor/keys/{key_id}", {
        params: { path: { key_id: key.id } },
      });
      expect(response.status === 204, `DELETE ${response.url}: status ${response.status}`);
      const after = reader.GET("/api/v1/editor/news");
      await problem(after, 401);
      const challenge = (await after).response.headers.get("www-authenticate") ?? "";
      expect(challenge.startsWith('Bearer realm="editor"'), `WWW-Authenticate ${challenge}`);
      return `key ${key.id} (news:read): editor/news 200 (${listed.meta.total} items), editor/topics 403; revoked 204, then 401`;
    },
  ],
  [
    "editor: the audit log",
    async () => {
      const news = await ok(
        editor.GET("/api/v1/editor/audit", {
          params: { query: { collection: "news", slug: draft.slug } },
        }),
        auditLog,
      );
      const seen = news.data.map((e) => `${e.action}@${e.revision ?? "-"}`).join(", ");
      const wanted = [
        "news.restored@5",
        "news.trashed@4",
        "news.updated@3",
        "news.updated@2",
        "news.created@1",
      ].join(", ");
      expect(seen === wanted, `audit of ${draft.slug}: ${seen}; expected ${wanted}`);
      expect(
        news.data.every((e) => e.key_id === draft.adminKey),
        `audit entries by keys ${news.data.map((e) => e.key_id).join(", ")}, not ${draft.adminKey}`,
      );
      const created = news.data[news.data.length - 1];
      expect(
        created?.request_id === draft.requestId,
        `news.created has request_id ${created?.request_id}, sent ${draft.requestId}`,
      );

      const keys = await ok(
        editor.GET("/api/v1/editor/audit", {
          params: { query: { collection: "keys", slug: String(draft.readerKey) } },
        }),
        auditLog,
      );
      const keyActions = keys.data.map((e) => e.action).join(", ");
      expect(
        keyActions === "key.revoked, key.created",
        `audit of keys/${draft.readerKey}: ${keyActions}`,
      );
      expect(
        keys.data.every((e) => e.key_id === draft.adminKey),
        `keys/${draft.readerKey} audited under keys ${keys.data.map((e) => e.key_id).join(", ")}`,
      );
      return `${draft.slug}: ${seen}; keys/${draft.readerKey}: ${keyActions}; all by key ${draft.adminKey}`;
    },
  ],
];

/** Runs one check and prints its line; false if it failed. */
async function passes(name: string, run: () => Promise<string>): Promise<boolean> {
  try {
    console.log(`ok    ${name}: ${await run()}`);
    return true;
  } catch (err) {
    const kind = err instanceof ShapeError ? "wrong shape: " : "";
    const message =
      err instanceof Error
        ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ""}`
        : String(err);
    console.log(`FAIL  ${name}: ${kind}${message}`);
    return false;
  }
}

async function main(): Promise<number> {
  if (!/^https?:\/\/[^/]+$/.test(API_URL)) {
    console.error(
      `API_URL must be the server's origin, e.g. http://127.0.0.1:8000 (got "${API_URL}")`,
    );
    return 1;
  }
  let failed = 0;
  for (const [name, run] of checks) {
    if (!(await passes(name, run))) failed += 1;
  }
  // One scenario: each step builds on the one before, so the first failure ends it.
  let broken = "";
  for (const [name, run] of editorSteps) {
    if (broken) {
      failed += 1;
      console.log(`skip  ${name}: after "${broken}" failed`);
    } else if (!(await passes(name, run))) {
      failed += 1;
      broken = name;
    }
  }
  const total = checks.length + editorSteps.length;
  console.log(
    `${failed === 0 ? "PASS" : "FAIL"}: ${total - failed}/${total} checks passed against ${API_URL}`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
