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

function newsLink(item) {
  return link(item.title, `${API}/api/v1/news/${encodeURIComponent(item.slug)}`, { class: "title-link" });
}

function newsLocation(item) {
  const where = item.location;
  if (!where) return "";
  return [where.venue, where.city, where.country && where.country.name].filter(Boolean).join(", ");
}

function renderHighlights(page) {
  if (page.data.length === 0) return [el("p", { class: "empty" }, "No stories at the moment.")];
  return page.data.map((story) =>
    el(
      "article",
      { class: "card story" },
      el("p", { class: "kicker" }, typeLabel(story.type)),
      el("h3", { class: "card-title" }, newsLink(story)),
      fact("Date", formatInstant(story.published_at), "date"),
    ),
  );
}

function renderNews(page) {
  if (page.data.length === 0) return [el("p", { class: "empty" }, "No news at the moment.")];
  return [
    el(
      "ul",
      { class: "news-list" },
      page.data.map((item) =>
        el(
          "li",
          { class: "news-item" },
          el("p", { class: "kicker" }, typeLabel(item.type)),
          el("h3", { class: "news-title" }, newsLink(item)),
          fact("Date", formatInstant(item.published_at), "date"),
          fact("Location", newsLocation(item), "location"),
        ),
      ),
    ),
  ];
}

function eventLocation(event) {
  const where = event.location;
  if (!where) return "";
  if (where.venue) return where.venue;
  return [where.city, where.country && where.country.name].filter(Boolean).join(", ");
}

function renderEvents(page, lead) {
  document.getElementById("events-lead").textContent = lead;
  if (page.data.length === 0) return [el("p", { class: "empty" }, "No events to show.")];
  return [
    el(
      "ul",
      { class: "event-list" },
      page.data.map((event) =>
        el(
          "li",
          { class: "event", "data-status": event.status },
          el("p", { class: "kicker" }, typeLabel(event.type), " ", el("span", { class: "badge" }, typeLabel(event.status))),
          el("h3", { class: "event-title" }, link(event.title, `${API}/api/v1/events/${encodeURIComponent(event.slug)}`, { class: "title-link" })),
          event.summary ? el("p", { class: "summary" }, event.summary) : null,
          fact("Date", formatRange(event.starts_on, event.ends_on), "date"),
          fact("Location", eventLocation(event), "location"),
        ),
      ),
    ),
  ];
}

async function loadEvents() {
  // What the website shows: what is coming up and what is on now, soonest first.
  const current = await getJson("/api/v1/events?status=upcoming,ongoing&sort=starts_on&limit=6");
  if (current.data.length > 0) return renderEvents(current, "Upcoming meetings and conferences");
  // Nothing current: say so, and show the latest past ones rather than an empty box.
  const past = await getJson("/api/v1/events?status=past&sort=-ends_on&limit=3");
  return renderEvents(past, "No upcoming or ongoing events at the moment. Recent events:");
}

function renderStates(page) {
  document.getElementById("state-count").textContent = String(page.meta.total);
  return [
    el(
      "ul",
      { class: "state-list" },
      page.data.map((state) =>
        el("li", {}, link(state.name, `/participating-states/${encodeURIComponent(state.slug)}`)),
      ),
    ),
  ];
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

function body(sectionId) {
  return document.querySelector(`#${sectionId} .section-body`);
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
  const parts = [
    part("Main navigation", byId("main-nav"), menu("main", (m) => void renderMainNav(m))),
    part("Meta navigation", byId("meta-nav"), menu("meta", (m) => void renderMenu("meta-nav", m, "inline-menu"))),
    part("Highlights", body("highlights"), () => getJson("/api/v1/news?type=story&limit=5").then(renderHighlights)),
    part("News", body("news"), () => getJson("/api/v1/news?type=news-item,press-release&limit=4").then(renderNews)),
    part("Events", body("events"), loadEvents),
    part("Participating States", body("states"), () => getJson("/api/v1/states?limit=100&fields=slug,name").then(renderStates)),
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
