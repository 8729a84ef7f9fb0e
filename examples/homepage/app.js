// The OSCE home page rebuilt from the OSCE Content API: plain DOM, no framework, no build step.
// Every piece of API data goes into the page through textContent or a checked href, never as
// HTML. The API base comes from ?api=… (default http://127.0.0.1:8000).
"use strict";

const DEFAULT_API = "http://127.0.0.1:8000";
const SITE = "https://www.osce.org"; // where the menus' paths (/our-work, …) live
const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

class ApiError extends Error {}

/** The API's origin from ?api=, or an ApiError when it is not an http(s) URL. */
function apiBase() {
  const given = new URLSearchParams(window.location.search).get("api") || DEFAULT_API;
  let url;
  try {
    url = new URL(given);
  } catch {
    throw new ApiError(`The api parameter is not a URL: ${given}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiError(`The api parameter must be an http or https URL: ${given}`);
  }
  return url.href.replace(/\/+$/, "");
}

let API = DEFAULT_API;

/** GET a path of the API as JSON; any failure is an ApiError with a readable message. */
async function getJson(path) {
  const url = API + path;
  let response;
  try {
    // Accept is a CORS-safelisted header: a simple request, no preflight.
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (error) {
    throw new ApiError(
      `Could not reach ${url} (${error.message}). Is the API running, and does it allow this origin (CORS)?`,
    );
  }
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const problem = await response.json(); // RFC 9457 problem document
      detail = problem.detail || problem.title || detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(`${url} answered ${response.status}: ${detail}`);
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError(`${url} did not answer JSON.`);
  }
}

// ---- DOM helpers ------------------------------------------------------------------------------

/** An element with attributes and children; strings become text nodes (never parsed as HTML). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An http(s) URL for a menu path or URL from the API, or null (no javascript:, data:, …). */
function safeHref(value, base = SITE) {
  if (!value) return null;
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A link when there is a safe href, else plain text. */
function link(text, href, attributes = {}) {
  const safe = safeHref(href);
  return safe ? el("a", { href: safe, ...attributes }, text) : el("span", attributes, text);
}

function menuHref(item) {
  return item.external ? item.url : item.path || item.url;
}

function menuLink(item, attributes = {}) {
  const extra = item.external ? { rel: "external noopener noreferrer" } : {};
  return link(item.label, menuHref(item), { ...attributes, ...extra });
}

/** "news-item" → "News Item", as the website labels its content types. */
function typeLabel(type) {
  return String(type || "")
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

// ---- dates, as the website shows them -----------------------------------------------------------

function parseDay(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
  if (!match) return null;
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

/** "2026-02-08" → "8 February 2026" (a calendar date: no time zone involved). */
function formatDay(value) {
  const d = parseDay(value);
  return d ? `${d.day} ${MONTHS[d.month - 1]} ${d.year}` : "";
}

/** An RFC 3339 instant → its UTC day, "31 December 2025". */
function formatInstant(value) {
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return "";
  return `${instant.getUTCDate()} ${MONTHS[instant.getUTCMonth()]} ${instant.getUTCFullYear()}`;
}

/** "8 - 10 February 2026", "20 November - 31 December 2025", "30 December 2025 - 2 January 2026". */
function formatRange(startsOn, endsOn) {
  const a = parseDay(startsOn);
  const b = parseDay(endsOn);
  if (!a) return "";
  if (!b || (a.year === b.year && a.month === b.month && a.day === b.day)) return formatDay(startsOn);
  if (a.year === b.year && a.month === b.month) {
    return `${a.day} - ${b.day} ${MONTHS[b.month - 1]} ${b.year}`;
  }
  if (a.year === b.year) {
    return `${a.day} ${MONTHS[a.month - 1]} - ${b.day} ${MONTHS[b.month - 1]} ${b.year}`;
  }
  return `${formatDay(startsOn)} - ${formatDay(endsOn)}`;
}

/** A "Date"/"Location" line as on the website; null when there is no value. */
function fact(label, value, className) {
  if (!value) return null;
  return el("p", { class: `fact ${className}` }, el("span", { class: "fact-label" }, label), " ", value);
}

// ---- sections -----------------------------------------------------------------------------------

function renderMainNav(menu) {
  const list = el("ul", { class: "nav-list" });
  menu.data.items.forEach((item, index) => {
    if (!item.children || item.children.length === 0) {
      list.append(el("li", { class: "nav-item" }, menuLink(item, { class: "nav-link" })));
      return;
    }
    const panelId = `subnav-${index}`;
    const toggle = el(
      "button",
      { type: "button", class: "nav-toggle", "aria-expanded": "false", "aria-controls": panelId },
      item.label,
    );
    const groups = el("ul", { class: "subnav-groups" });
    for (const child of item.children) {
      const grandchildren = child.children || [];
      groups.append(
        el(
          "li",
          { class: grandchildren.length > 12 ? "subnav-group subnav-group-wide" : "subnav-group" },
          menuLink(child, { class: "subnav-heading" }),
          grandchildren.length
            ? el("ul", { class: "subnav-links" }, grandchildren.map((g) => el("li", {}, menuLink(g))))
            : null,
        ),
      );
    }
    const panel = el(
      "div",
      { class: "subnav", id: panelId, hidden: true },
      el("div", { class: "wrap" }, el("p", { class: "subnav-overview" }, menuLink(item)), groups),
    );
    toggle.addEventListener("click", () => openSubnav(toggle.getAttribute("aria-expanded") !== "true" ? toggle : null));
    list.append(el("li", { class: "nav-item has-children" }, toggle, panel));
  });
  const nav = document.getElementById("main-nav");
  nav.replaceChildren(el("div", { class: "wrap" }, list));
}

/** Open one sub-navigation panel (or none) and close the others. */
function openSubnav(toggle) {
  for (const other of document.querySelectorAll("#main-nav .nav-toggle")) {
    const open = other === toggle;
    other.setAttribute("aria-expanded", String(open));
    document.getElementById(other.getAttribute("aria-controls")).hidden = !open;
  }
}

function renderMenu(targetId, menu, className) {
  const items = menu.data.items.map((item) => el("li", {}, menuLink(item)));
  document.getElementById(targetId).replaceChildren(el("ul", { class: className }, items));
}

/** An API path (`/api/v1/…`) as a URL of the API. */
function apiUrl(path) {
  return safeHref(path, API);
}

function itemLink(title, href) {
  return link(title, apiUrl(href), { class: "title-link" });
}

function placeOf(item) {
  const where = item.location;
  if (!where) return "";
  if (where.venue) return where.venue;
  return [where.city, where.country && where.country.name].filter(Boolean).join(", ");
}

function newsCard(item, href) {
  return el(
    "article",
    { class: "card story" },
    el("p", { class: "kicker" }, typeLabel(item.type)),
    el("h3", { class: "card-title" }, itemLink(item.title, href)),
    fact("Date", formatInstant(item.published_at), "date"),
  );
}

function newsEntry(item) {
  return el(
    "li",
    { class: "news-item" },
    el("p", { class: "kicker" }, typeLabel(item.type)),
    el("h3", { class: "news-title" }, itemLink(item.title, `/api/v1/news/${encodeURIComponent(item.slug)}`)),
    fact("Date", formatInstant(item.published_at), "date"),
    fact("Location", placeOf(item), "location"),
  );
}

function eventEntry(event) {
  return el(
    "li",
    { class: "event", "data-status": event.status },
    el("p", { class: "kicker" }, typeLabel(event.type), " ", el("span", { class: "badge" }, typeLabel(event.status))),
    el("h3", { class: "event-title" }, itemLink(event.title, `/api/v1/events/${encodeURIComponent(event.slug)}`)),
    event.summary ? el("p", { class: "summary" }, event.summary) : null,
    fact("Date", formatRange(event.starts_on, event.ends_on), "date"),
    fact("Location", placeOf(event), "location"),
  );
}

/** A paragraph's spans: text, emphasis, and links to a URL, a website path, an item or an anchor. */
function span(part) {
  let node = document.createTextNode(part.text);
  if (part.emphasis) node = el("em", {}, node);
  if (part.strong) node = el("strong", {}, node);
  if (part.url) return link(node, part.url, { rel: "external noopener noreferrer" });
  if (part.path) return link(node, part.path);
  if (part.ref) return link(node, apiUrl(part.ref.href));
  if (part.anchor) return el("a", { href: `#${part.anchor}` }, node);
  return node;
}

/** An image as a <picture>: the best format the browser takes, at the width it needs. */
function figure(image, caption) {
  const sources = image.sources
    .filter((s) => s.type !== "image/jpeg")
    .map((s) => el("source", { type: s.type, srcset: absoluteSrcset(s.srcset), sizes: "(min-width: 1100px) 1040px, 100vw" }));
  const jpeg = image.sources.find((s) => s.type === "image/jpeg");
  const img = el("img", {
    src: apiUrl(image.src),
    srcset: jpeg ? absoluteSrcset(jpeg.srcset) : null,
    sizes: "(min-width: 1100px) 1040px, 100vw",
    alt: image.alt,
    width: image.width,
    height: image.height,
    loading: "lazy",
  });
  return el(
    "figure",
    { class: "figure" },
    el("picture", {}, sources, img),
    el("figcaption", {}, caption || image.caption || "", " ", el("small", { class: "credit" }, image.credit)),
  );
}

function absoluteSrcset(srcset) {
  return srcset
    .split(", ")
    .map((entry) => {
      const [path, width] = entry.split(" ");
      return `${apiUrl(path)} ${width}`;
    })
    .join(", ");
}

const BLOCKS = {
  heading(block) {
    const tag = `h${Math.min(Math.max(block.level, 1), 4)}`;
    return [
      block.kicker ? el("p", { class: "kicker" }, block.kicker) : null,
      el(tag, { id: block.level === 1 ? null : block.anchor, class: "block-heading" }, block.text),
      block.subtitle ? el("p", { class: "section-lead" }, block.subtitle) : null,
    ];
  },
  paragraph(block) {
    return [el("p", { class: "paragraph" }, block.content.map(span))];
  },
  image(block) {
    return block.image.item ? [figure(block.image.item, block.caption)] : [];
  },
  quote(block) {
    return [el("blockquote", {}, el("p", {}, block.text), block.attribution ? el("footer", {}, block.attribution) : null)];
  },
  call_to_action(block) {
    const href = block.url || block.path || (block.ref && apiUrl(block.ref.href));
    const attributes = { class: "cta" };
    if (block.external) attributes.rel = "external noopener noreferrer";
    return [
      el(
        "p",
        { class: block.external ? "cta-block external" : "cta-block" },
        link(block.label, href, attributes),
        block.description ? el("span", { class: "cta-description" }, block.description) : null,
      ),
    ];
  },
  references(block) {
    const cards = block.items.filter((ref) => ref.item).map((ref) => newsCard(ref.item, ref.href));
    return [el("div", { class: "cards" }, cards)];
  },
  query(block) {
    const items = block.items || [];
    if (items.length === 0) {
      return [el("p", { class: "empty" }, `Nothing to show at the moment.`)];
    }
    if (block.collection === "events") return [el("ul", { class: "event-list" }, items.map(eventEntry))];
    return [el("ul", { class: "news-list" }, items.map(newsEntry))];
  },
  contents(block) {
    return [
      el(
        "nav",
        { class: "contents", "aria-label": block.title || "Contents" },
        block.title ? el("p", { class: "contents-title" }, block.title) : null,
        el("ul", {}, block.entries.map((e) => el("li", {}, el("a", { href: `#${e.anchor}` }, e.label)))),
      ),
    ];
  },
  social(block, site) {
    return [
      el(
        "div",
        { class: "newsroom" },
        block.title ? el("p", { class: "newsroom-title" }, block.title) : null,
        el(
          "ul",
          { class: "inline-menu" },
          site.social.map((account) =>
            el("li", {}, link(`${account.network} ${account.handle}`, account.url, { rel: "external noopener noreferrer" })),
          ),
        ),
      ),
    ];
  },
};

/** The page's blocks in sections: the title opens the hero, each second-level heading a section. */
function renderPage(page, site) {
  const sections = [];
  let current = null;
  for (const block of page.data.body) {
    if (block.type === "heading" && block.level <= 2) {
      const id = block.level === 1 ? "hero" : block.anchor;
      const kind = block.level === 1 ? "hero" : "section";
      current = el("div", { class: "wrap" });
      sections.push(el("section", { id, class: kind }, current));
    } else if (current === null) {
      current = el("div", { class: "wrap" });
      sections.push(el("section", { class: "section" }, current));
    }
    const render = BLOCKS[block.type];
    if (render) current.append(...render(block, site).filter(Boolean));
  }
  return sections;
}

function renderSite(site) {
  byId("brand-mark").textContent = site.data.short_name;
  byId("brand-name").textContent = site.data.name;
  document.title = `${site.data.short_name} – ${site.data.name} (rebuilt from the API)`;
}

// ---- loading and errors -------------------------------------------------------------------------

function reportError(where, error) {
  const box = document.getElementById("errors");
  box.hidden = false;
  document.getElementById("error-list").append(el("li", {}, `${where}: ${error.message}`));
}

/** Run one part of the page; on failure show the message in place and in the error box. */
async function part(where, target, load) {
  target.setAttribute("aria-busy", "true");
  try {
    const nodes = await load();
    if (nodes) target.replaceChildren(...nodes);
    target.dataset.state = "ready";
  } catch (error) {
    const message = error instanceof ApiError ? error : new ApiError(String(error));
    target.replaceChildren(el("p", { class: "error" }, `${where} could not be loaded: ${message.message}`));
    target.dataset.state = "error";
    reportError(where, message);
    throw error;
  } finally {
    target.removeAttribute("aria-busy");
  }
}

function byId(id) {
  return document.getElementById(id);
}

async function main() {
  try {
    API = apiBase();
  } catch (error) {
    reportError("Configuration", error);
    document.body.dataset.state = "error";
    return;
  }
  byId("api-base").textContent = API;

  const menu = (slug, render) => () => getJson(`/api/v1/menus/${slug}`).then(render);
  const site = getJson("/api/v1/site");
  const home = async () => {
    const [page, settings] = await Promise.all([getJson("/api/v1/pages/home?expand=1"), site]);
    return renderPage(page, settings.data);
  };
  const parts = [
    part("Site", byId("brand-name"), () => site.then((s) => void renderSite(s))),
    part("Main navigation", byId("main-nav"), menu("main", (m) => void renderMainNav(m))),
    part("Meta navigation", byId("meta-nav"), menu("meta", (m) => void renderMenu("meta-nav", m, "inline-menu"))),
    part("Home page", byId("content"), home),
    part("Footer", byId("footer-nav"), menu("footer", (m) => void renderMenu("footer-nav", m, "footer-menu"))),
    part("Social media", byId("social-nav"), menu("social", (m) => void renderMenu("social-nav", m, "social-menu"))),
    part("Secondary footer", byId("footer-secondary-nav"), menu("footer-secondary", (m) => void renderMenu("footer-secondary-nav", m, "inline-menu"))),
  ];
  const results = await Promise.allSettled(parts);
  document.body.dataset.state = results.some((r) => r.status === "rejected") ? "error" : "ready";
}

document.addEventListener("click", (event) => {
  if (!event.target.closest("#main-nav .nav-item.has-children")) openSubnav(null);
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector('#main-nav .nav-toggle[aria-expanded="true"]');
  if (open) {
    openSubnav(null);
    open.focus();
  }
});

main();
