/**
 * End-to-end check of the typed client against a running server:
 *
 *   API_URL=http://127.0.0.1:8000 node dist/scripts/check.js
 *
 * Fetches every collection and one item of each, follows `links.next` on news, and checks every
 * answer's shape at run time (scripts/shapes.ts) and the 404 and 422 problem documents. Prints
 * one line per check; exits 1 if any failed.
 */
import { createContentClient, type MenuNode, type Problem } from "../src/index.js";
import * as shape from "./shapes.js";
import { ShapeError, type Check, type Page } from "./shapes.js";

// Node's globals, declared here rather than depending on @types/node for two of them.
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const API_URL = (process.env["API_URL"] ?? "").replace(/\/+$/, "");
const client = createContentClient(API_URL);

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
 * The body of a successful answer, checked against `check`. T extends D: what the check proves
 * must be something the OpenAPI document allows for this operation, or tsc refuses.
 */
async function ok<D, T extends D>(answer: Promise<Answer<D>>, check: Check<T>): Promise<T> {
  const { data, error, response } = await answer;
  const where = response.url;
  if (response.status !== 200) {
    throw new CheckError(`${where}: status ${response.status}, ${JSON.stringify(error)}`);
  }
  if (mediaType(response) !== "application/json") {
    throw new CheckError(`${where}: content-type ${mediaType(response)}, not application/json`);
  }
  return checked(where, data, check);
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

async function main(): Promise<number> {
  if (!/^https?:\/\/[^/]+$/.test(API_URL)) {
    console.error(
      `API_URL must be the server's origin, e.g. http://127.0.0.1:8000 (got "${API_URL}")`,
    );
    return 1;
  }
  let failed = 0;
  for (const [name, run] of checks) {
    try {
      console.log(`ok    ${name}: ${await run()}`);
    } catch (err) {
      failed += 1;
      const kind = err instanceof ShapeError ? "wrong shape: " : "";
      const message =
        err instanceof Error
          ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ""}`
          : String(err);
      console.log(`FAIL  ${name}: ${kind}${message}`);
    }
  }
  const passed = checks.length - failed;
  console.log(
    `${failed === 0 ? "PASS" : "FAIL"}: ${passed}/${checks.length} checks passed against ${API_URL}`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
