/**
 * Small, explicit run-time checks of the API's JSON against the generated types.
 *
 * Each check is typed `Check<T>` with T taken from src/schema.d.ts, and `object<T>()` demands
 * exactly T's keys: when the OpenAPI document gains, loses or renames a field, `npm run
 * typecheck` fails here until the run-time check is updated to match.
 */
import type {
  ApiIndex,
  Capital,
  CollectionLink,
  ContentPage,
  CountrySummary,
  Event,
  EventStatus,
  EventType,
  FieldOperation,
  FieldOperationStatus,
  FieldOperationType,
  FocalPoint,
  HealthStatus,
  Image,
  ImageSource,
  IndexLinks,
  Institution,
  InstitutionType,
  Location,
  Menu,
  MenuLink,
  MenuNode,
  MenuResource,
  MenuSummary,
  News,
  NewsType,
  PageBlock,
  PageLinks,
  PageMeta,
  Partner,
  PartnerGroup,
  Problem,
  ProblemItem,
  Region,
  Rendition,
  ResourceType,
  Seo,
  State,
  Summary,
  Topic,
} from "../src/index.js";

export class ShapeError extends Error {}

/**
 * A run-time check that `value` has type T: it returns true or throws a ShapeError naming
 * `path`. (A type predicate rather than an assertion signature, because tsc compares predicates
 * when it matches a check against a schema's field type, and it does not compare assertions.)
 */
export type Check<T> = (value: unknown, path: string) => value is T;

function describe(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ShapeError(`${path}: expected ${expected}, got ${describe(value)}`);
}

/** A check from a test that throws; the only place where a test is declared to prove T. */
function check<T>(test: (value: unknown, path: string) => void): Check<T> {
  return (value, path): value is T => {
    test(value, path);
    return true;
  };
}

function matching(pattern: RegExp, expected: string): Check<string> {
  return check((v, p) => {
    if (typeof v !== "string" || !pattern.test(v)) fail(p, expected, v);
  });
}

export const string = check<string>((v, p) => {
  if (typeof v !== "string") fail(p, "a string", v);
});
export const nonEmpty = matching(/\S/, "a non-blank string");
/** `YYYY-MM-DD`. */
export const date = matching(/^\d{4}-\d{2}-\d{2}$/, "a YYYY-MM-DD date");
/** RFC 3339 instant in UTC, with `Z`. */
export const instant = matching(
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
  "an RFC 3339 instant in UTC ending in Z",
);
/** An absolute http(s) URL. */
export const url = matching(/^https?:\/\/[^/]/, "an absolute http(s) URL");
/** A path on this server under /api/v1/. */
export const apiPath = matching(/^\/api\/v1\//, "a path under /api/v1/");

export const integer = check<number>((v, p) => {
  if (!Number.isInteger(v)) fail(p, "an integer", v);
});
export const number = check<number>((v, p) => {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(p, "a number", v);
});
export const boolean = check<boolean>((v, p) => {
  if (typeof v !== "boolean") fail(p, "a boolean", v);
});

export function nullable<T>(inner: Check<T>): Check<T | null> {
  return check((v, p) => v === null || inner(v, p));
}

/** For optional keys: absent (undefined) or T. */
export function optional<T>(inner: Check<T>): Check<T | undefined> {
  return check((v, p) => v === undefined || inner(v, p));
}

/** A JSON object whose keys the schema leaves open. */
export const record = check<{ [key: string]: unknown }>((v, p) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(p, "an object", v);
});

export function arrayOf<T>(item: Check<T>): Check<T[]> {
  return check((v, p) => {
    if (!Array.isArray(v)) fail(p, "an array", v);
    v.forEach((element, i) => item(element, `${p}[${i}]`));
  });
}

/** For recursive shapes: the check is looked up when it runs. */
export function lazy<T>(get: () => Check<T>): Check<T> {
  return check((v, p) => get()(v, p));
}

/** One of an enumeration; the Record makes tsc demand exactly the generated values. */
export function oneOf<T extends string>(values: Record<T, true>): Check<T> {
  const allowed = Object.keys(values);
  return check((v, p) => {
    if (typeof v !== "string" || !allowed.includes(v)) fail(p, `one of ${allowed.join(", ")}`, v);
  });
}

export type Shape<T> = { readonly [K in keyof T]-?: Check<T[K]> };

/** An object with exactly the keys of `shape` (optional ones may be absent), each checked. */
export function object<T extends object>(shape: Shape<T>): Check<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return check((v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail(p, "an object", v);
    const record = v as Record<string, unknown>;
    const extra = Object.keys(record).filter((key) => !keys.includes(key as keyof T & string));
    if (extra.length > 0) {
      throw new ShapeError(`${p}: unexpected key(s) ${extra.join(", ")} (not in the schema)`);
    }
    for (const key of keys) {
      const inner: Check<unknown> = shape[key];
      inner(record[key], `${p}.${key}`);
    }
  });
}

// Enumerations.
export const region = oneOf<Region>({
  "northern-europe": true,
  "western-europe": true,
  "eastern-europe": true,
  "southern-europe": true,
  "central-asia": true,
  "western-asia": true,
  "eastern-asia": true,
  "southern-asia": true,
  "south-eastern-asia": true,
  "northern-america": true,
  "northern-africa": true,
  "australia-and-new-zealand": true,
});
export const institutionType = oneOf<InstitutionType>({
  secretariat: true,
  institution: true,
  "parliamentary-assembly": true,
  court: true,
  office: true,
});
export const partnerGroup = oneOf<PartnerGroup>({ asian: true, mediterranean: true });
export const newsType = oneOf<NewsType>({ "news-item": true, "press-release": true, story: true });
export const eventType = oneOf<EventType>({
  ceremony: true,
  conference: true,
  meeting: true,
  training: true,
  workshop: true,
  seminar: true,
  exhibition: true,
  forum: true,
});
export const eventStatus = oneOf<EventStatus>({ upcoming: true, ongoing: true, past: true });
export const fieldOperationType = oneOf<FieldOperationType>({
  mission: true,
  presence: true,
  centre: true,
  "programme-office": true,
  "project-co-ordinator": true,
  office: true,
  "assistance-group": true,
  "advisory-and-monitoring-group": true,
  "monitoring-mission": true,
  "verification-mission": true,
  "observer-mission": true,
  "support-programme": true,
});
export const fieldOperationStatus = oneOf<FieldOperationStatus>({ active: true, closed: true });
export const resourceType = oneOf<ResourceType>({
  state: true,
  institution: true,
  partner: true,
  "field-operation": true,
  topic: true,
});

// Embedded objects.
export const summary = object<Summary>({ slug: nonEmpty, name: nonEmpty });
export const countrySummary = object<CountrySummary>({
  slug: nonEmpty,
  name: nonEmpty,
  iso_alpha2: nonEmpty,
});
export const capital = object<Capital>({ name: nonEmpty, latitude: number, longitude: number });
export const location = object<Location>({
  venue: nullable(string),
  city: nullable(string),
  territory: nullable(string),
  country: nullable(countrySummary),
  region: nullable(region),
  latitude: nullable(number),
  longitude: nullable(number),
});

// Items (as answered without `fields`).
export const state = object<State>({
  slug: nonEmpty,
  name: nonEmpty,
  iso_alpha2: nonEmpty,
  iso_alpha3: nonEmpty,
  region,
  capital,
  joined_on: date,
  chairpersonship_years: arrayOf(integer),
  fallback: arrayOf(string),
});
export const partner = object<Partner>({
  slug: nonEmpty,
  name: nonEmpty,
  iso_alpha2: nonEmpty,
  iso_alpha3: nonEmpty,
  group: partnerGroup,
  region,
  capital,
  partner_since: date,
  fallback: arrayOf(string),
});
export const menuLink = object<MenuLink>({
  menu: nonEmpty,
  label: nonEmpty,
  path: nullable(string),
  url: nullable(url),
});
export const institution = object<Institution>({
  slug: nonEmpty,
  name: nonEmpty,
  acronym: nullable(nonEmpty),
  type: institutionType,
  part_of: nullable(summary),
  seat: location,
  established_on: date,
  summary: string,
  topics: arrayOf(summary),
  menu_links: arrayOf(menuLink),
  fallback: arrayOf(string),
});
export const fieldOperation = object<FieldOperation>({
  slug: nonEmpty,
  name: nonEmpty,
  type: fieldOperationType,
  status: fieldOperationStatus,
  location,
  host_state: nullable(countrySummary),
  established_on: date,
  closed_on: nullable(date),
  mandate: string,
  topics: arrayOf(summary),
  fallback: arrayOf(string),
});
export const news = object<News>({
  slug: nonEmpty,
  title: nonEmpty,
  type: newsType,
  published_at: instant,
  summary: string,
  body: string,
  location: nullable(location),
  countries: arrayOf(countrySummary),
  topics: arrayOf(summary),
  field_operation: nullable(summary),
  fallback: arrayOf(string),
});
export const event = object<Event>({
  slug: nonEmpty,
  title: nonEmpty,
  type: eventType,
  status: eventStatus,
  all_day: boolean,
  starts_on: date,
  ends_on: date,
  starts_at: instant,
  ends_at: instant,
  time_zone: nonEmpty,
  location: nullable(location),
  summary: string,
  organiser: string,
  field_operation: nullable(summary),
  topics: arrayOf(summary),
  fallback: arrayOf(string),
});
export const topic = object<Topic>({
  slug: nonEmpty,
  name: nonEmpty,
  position: integer,
  fallback: arrayOf(string),
});
export const menuSummary = object<MenuSummary>({ slug: nonEmpty, name: nonEmpty, href: apiPath });
export const menuResource = object<MenuResource>({
  type: resourceType,
  slug: nonEmpty,
  href: apiPath,
});
export const menuNode: Check<MenuNode> = object<MenuNode>({
  label: nonEmpty,
  path: nullable(string),
  url: nullable(url),
  external: boolean,
  resource: nullable(menuResource),
  has_children: boolean,
  children: arrayOf(lazy(() => menuNode)),
});
export const menu = object<Menu>({ slug: nonEmpty, name: nonEmpty, items: arrayOf(menuNode) });

// Envelopes.
/** A block of a page's body: an object whose `type` is one the document names. */
const BLOCK_TYPES: Record<PageBlock["type"], true> = {
  heading: true,
  paragraph: true,
  image: true,
  quote: true,
  call_to_action: true,
  references: true,
  query: true,
  contents: true,
  social: true,
};
const blockType = oneOf<PageBlock["type"]>(BLOCK_TYPES);
export const pageBlock = check<PageBlock>((v, p) => {
  record(v, p);
  blockType((v as { type?: unknown }).type, `${p}.type`);
});
export const seo = object<Seo>({ title: nonEmpty, description: nullable(string) });
export const contentPage = object<ContentPage>({
  slug: nonEmpty,
  title: nonEmpty,
  summary: string,
  seo,
  parent: nullable(summary),
  published_at: instant,
  updated_at: instant,
  body: arrayOf(pageBlock),
  fallback: arrayOf(string),
});

const mediaType = matching(/^image\/(avif|webp|jpeg)$/, "an image media type");
export const focalPoint = object<FocalPoint>({ x: number, y: number });
export const rendition = object<Rendition>({
  url: apiPath,
  width: integer,
  height: integer,
  type: mediaType,
});
export const imageSource = object<ImageSource>({ type: mediaType, srcset: nonEmpty });
export const image = object<Image>({
  slug: nonEmpty,
  alt: nonEmpty,
  caption: nullable(string),
  credit: nonEmpty,
  width: integer,
  height: integer,
  focal_point: focalPoint,
  src: apiPath,
  sources: arrayOf(imageSource),
  renditions: arrayOf(rendition),
  fallback: arrayOf(string),
});

export const pageMeta = object<PageMeta>({
  total: integer,
  total_exact: boolean,
  limit: integer,
  offset: nullable(integer),
});
export const pageLinks = object<PageLinks>({ self: url, next: nullable(url), prev: nullable(url) });

export interface Page<T> {
  data: T[];
  meta: PageMeta;
  links: PageLinks;
}

export function page<T>(item: Check<T>): Check<Page<T>> {
  return object<Page<T>>({ data: arrayOf(item), meta: pageMeta, links: pageLinks });
}

export function single<T>(item: Check<T>): Check<{ data: T }> {
  return object<{ data: T }>({ data: item });
}

// Errors.
export const problemItem = object<ProblemItem>({
  parameter: optional(nullable(string)),
  pointer: optional(nullable(string)),
  detail: nonEmpty,
});
export const problem = object<Problem>({
  type: nonEmpty,
  title: nonEmpty,
  status: integer,
  detail: string,
  instance: string,
  errors: optional(nullable(arrayOf(problemItem))),
});

// Discovery and health.
export const apiIndex = object<ApiIndex>({
  data: arrayOf(object<CollectionLink>({ name: nonEmpty, description: string, href: apiPath })),
  links: object<IndexLinks>({ self: url, openapi: url, docs: url, redoc: url }),
});
export const healthStatus = object<HealthStatus>({
  status: oneOf<HealthStatus["status"]>({ ok: true, unavailable: true }),
  schema: optional(nullable(string)),
  detail: optional(nullable(string)),
  replica: optional(nullable(record)),
});
