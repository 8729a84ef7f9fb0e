/**
 * Typed client for the OSCE Content API.
 *
 * `schema.d.ts` is generated from ../../openapi.json by `npm run generate` (`make client`);
 * never edit it by hand. Everything here is a thin layer over openapi-fetch.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];

/**
 * A client whose paths, parameters and responses are checked against the OpenAPI document.
 * It reads JSON: the collections' other formats (RSS, Atom, iCalendar, GeoJSON) are text for
 * their own consumers, so the response types are those of JSON and of problems only.
 */
export type ContentClient = Client<paths, JsonMedia>;

/** The media types the client reads: JSON answers and JSON problems. */
type JsonMedia = "application/json" | "application/problem+json";

/**
 * A client for the server at `baseUrl` (its origin, e.g. `http://127.0.0.1:8000`: the paths
 * already start with `/api/v1`). `options` are passed to openapi-fetch (headers, fetch, …).
 */
export function createContentClient(
  baseUrl: string,
  options: Omit<ClientOptions, "baseUrl"> = {},
): ContentClient {
  return createClient<paths, JsonMedia>({
    ...options,
    baseUrl: baseUrl.replace(/\/+$/, ""),
  });
}

// Items, as answered without `fields` (with `fields`, the `…Fields` variants: every key optional).
export type State = Schemas["StatePublic"];
export type Partner = Schemas["PartnerPublic"];
export type Institution = Schemas["InstitutionPublic"];
export type FieldOperation = Schemas["FieldOperationPublic"];
export type News = Schemas["NewsPublic"];
export type Event = Schemas["EventPublic"];
export type Topic = Schemas["TopicPublic"];
export type Menu = Schemas["MenuPublic"];
export type MenuSummary = Schemas["MenuSummaryPublic"];
export type MenuNode = Schemas["MenuNodePublic"];
export type MenuResource = Schemas["MenuResource"];
export type ContentPage = Schemas["PagePublic"];
export type PageBlock = ContentPage["body"][number];
export type Seo = Schemas["Seo"];
export type Image = Schemas["ImagePublic"];
export type FocalPoint = Schemas["FocalPoint"];
export type Rendition = Schemas["Rendition"];
export type ImageSource = Schemas["Source"];

export type StateFields = Schemas["StatePublicFields"];
export type PartnerFields = Schemas["PartnerPublicFields"];
export type InstitutionFields = Schemas["InstitutionPublicFields"];
export type FieldOperationFields = Schemas["FieldOperationPublicFields"];
export type NewsFields = Schemas["NewsPublicFields"];
export type EventFields = Schemas["EventPublicFields"];
export type TopicFields = Schemas["TopicPublicFields"];
export type MenuFields = Schemas["MenuPublicFields"];
export type MenuSummaryFields = Schemas["MenuSummaryPublicFields"];

// Embedded objects.
export type Capital = Schemas["Capital"];
export type Location = Schemas["Location"];
export type CountrySummary = Schemas["CountrySummary"];
export type Summary = Schemas["Summary"];
export type MenuLink = Schemas["MenuLink"];

// Envelopes, discovery, health and errors.
export type PageMeta = Schemas["PageMeta"];
export type PageLinks = Schemas["PageLinks"];
export type StateCollection = Schemas["StateCollection"];
export type PartnerCollection = Schemas["PartnerCollection"];
export type InstitutionCollection = Schemas["InstitutionCollection"];
export type FieldOperationCollection = Schemas["FieldOperationCollection"];
export type NewsCollection = Schemas["NewsCollection"];
export type EventCollection = Schemas["EventCollection"];
export type TopicCollection = Schemas["TopicCollection"];
export type MenuSummaryCollection = Schemas["MenuSummaryCollection"];
export type StateItem = Schemas["StateItem"];
export type PartnerItem = Schemas["PartnerItem"];
export type InstitutionItem = Schemas["InstitutionItem"];
export type FieldOperationItem = Schemas["FieldOperationItem"];
export type NewsItem = Schemas["NewsItem"];
export type EventItem = Schemas["EventItem"];
export type TopicItem = Schemas["TopicItem"];
export type MenuItem = Schemas["MenuItem"];
export type ApiIndex = Schemas["ApiIndex"];
export type CollectionLink = Schemas["CollectionLink"];
export type IndexLinks = Schemas["IndexLinks"];
export type HealthStatus = Schemas["HealthStatus"];
export type Problem = Schemas["Problem"];
export type ProblemItem = Schemas["ProblemItem"];

// Enumerations.
export type Region = Schemas["Region"];
export type PartnerGroup = Schemas["PartnerGroup"];
export type InstitutionType = Schemas["InstitutionType"];
export type NewsType = Schemas["NewsType"];
export type EventType = Schemas["EventType"];
export type EventStatus = Schemas["EventStatus"];
export type FieldOperationType = Schemas["FieldOperationType"];
export type FieldOperationStatus = Schemas["FieldOperationStatus"];
export type ResourceType = Schemas["ResourceType"];

/** The query parameters of an operation, e.g. `Query<"listNews">`. */
export type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
