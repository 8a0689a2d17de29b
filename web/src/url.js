// The whole view lives in the query string, so any view can be bookmarked
// or sent: the shared filter (from, to, country*, type*, actor*, text) plus
// the route (event=<global id> for an event page, search=<words> for search
// results; neither for the timeline/map/list home).

import { EVENT_TYPES } from "./enums.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const EMPTY_FILTER = Object.freeze({ from: "", to: "", countries: [], types: [], actors: [], text: "" });

export function readLocation(loc = window.location) {
  const p = new URLSearchParams(loc.search);
  const date = (name) => {
    const v = p.get(name) || "";
    return DATE.test(v) ? v : "";
  };
  const unique = (values) => [...new Set(values.filter(Boolean))];
  const filter = {
    from: date("from"),
    to: date("to"),
    countries: unique(p.getAll("country").map((c) => c.toUpperCase())),
    types: unique(p.getAll("type")).filter((t) => EVENT_TYPES.includes(t)),
    actors: unique(p.getAll("actor")),
    text: p.get("text") || "",
  };
  let route = { name: "home" };
  if (p.get("event")) {
    route = { name: "event", id: p.get("event") };
    // #statement-<id>: the statement a search hit led to.
    const m = /^#statement-(.+)$/.exec(loc.hash || "");
    if (m) route.statement = decodeURIComponent(m[1]);
  }
  else if (p.has("search")) route = { name: "search", query: p.get("search") || "" };
  return { filter, route };
}

export function toSearch({ filter, route }) {
  const p = new URLSearchParams();
  if (route.name === "event") p.set("event", route.id);
  if (route.name === "search") p.set("search", route.query);
  if (filter.from) p.set("from", filter.from);
  if (filter.to) p.set("to", filter.to);
  for (const t of filter.types) p.append("type", t);
  for (const c of filter.countries) p.append("country", c);
  for (const a of filter.actors) p.append("actor", a);
  if (filter.text) p.set("text", filter.text);
  const s = p.toString();
  return s ? `?${s}` : "";
}

// The fragment of a route: an event page's statement to scroll to.
export function toHash({ route }) {
  return route.name === "event" && route.statement ? `#statement-${encodeURIComponent(route.statement)}` : "";
}

export function href(state) {
  return `${window.location.pathname}${toSearch(state)}${toHash(state)}`;
}

// The API's EventFilter for the page's filter; empty criteria are left out
// because an empty list would match nothing.
export function toEventFilter(filter) {
  const f = {};
  if (filter.from) f.from = filter.from;
  if (filter.to) f.to = filter.to;
  if (filter.types.length) f.types = filter.types;
  if (filter.countries.length) f.countryCodes = filter.countries;
  if (filter.actors.length) f.actorIds = filter.actors;
  if (filter.text.trim()) f.search = filter.text.trim();
  return f;
}

export function filterKey(filter) {
  return JSON.stringify(toEventFilter(filter));
}
