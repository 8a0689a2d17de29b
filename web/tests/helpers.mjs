// Shared by the browser tests: direct GraphQL calls (to look up IDs and
// expected values, and to write through the API) and render waits based on
// the page's own instrumentation (see src/timing.js).

import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const BASE = (process.env.ANNALS_URL || "").replace(/\/$/, "");
export const BACKEND = process.env.ANNALS_BACKEND || "local";
export const SCREENSHOTS = process.env.ANNALS_SCREENSHOTS || "test-results/screenshots";

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${BACKEND}-${name}.png`);
}

export async function api(query, variables = {}, key = null) {
  const headers = { "Content-Type": "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(`${BASE}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors && body.errors.length) {
    throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

// The event with this dataset key, found through full-text search on its
// title (keys are not a filter criterion).
export async function eventByKey(key, words) {
  const d = await api(
    `query($s: String!) { events(filter: { search: $s }, first: 50) { edges { node { id key title version } } } }`,
    { s: words },
  );
  const hit = d.events.edges.map((e) => e.node).find((n) => n.key === key);
  if (!hit) throw new Error(`no event with key ${key} found by searching "${words}"`);
  return hit;
}

export async function renderGeneration(page) {
  return page.evaluate(() => Number(document.documentElement.dataset.renderGeneration || 0));
}

// Waits until the page has rendered every view of an update newer than `after`.
export async function waitForRender(page, after = 0, timeout = 15000) {
  await page.waitForFunction(
    (g) => Number(document.documentElement.dataset.renderGeneration || 0) > g,
    after,
    { timeout },
  );
  return renderGeneration(page);
}

// Records console errors, uncaught exceptions and every request's URL.
export function watch(page) {
  const errors = [];
  const requests = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  page.on("websocket", (ws) => requests.push(ws.url()));
  return { errors, requests };
}
