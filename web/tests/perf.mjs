// Measures how long the explorer's views take to update after a filter
// change, as the page itself records it (src/timing.js), against a running
// server — meant for one loaded with many (e.g. 100,000) generated events.
//
//   ANNALS_URL=http://127.0.0.1:8000 node tests/perf.mjs [rounds]
//
// Prints, per filter action and per view, the median and max over the
// rounds, the first-render time, and how many GraphQL requests each change
// sent. Exits non-zero only when the page fails to render at all.

import { chromium } from "@playwright/test";

const BASE = (process.env.ANNALS_URL || "").replace(/\/$/, "");
if (!BASE) {
  console.error("set ANNALS_URL, e.g. ANNALS_URL=http://127.0.0.1:8000 node tests/perf.mjs");
  process.exit(2);
}
const ROUNDS = Number(process.argv[2] || process.env.PERF_ROUNDS || 3);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
let graphqlRequests = 0;
page.on("request", (r) => {
  if (r.url().endsWith("/graphql") && r.method() === "POST") graphqlRequests += 1;
});
page.on("pageerror", (e) => console.error(`page error: ${e.message}`));

const generation = () => page.evaluate(() => Number(document.documentElement.dataset.renderGeneration || 0));
async function measure(action) {
  const before = await generation();
  const requestsBefore = graphqlRequests;
  await action();
  await page.waitForFunction((g) => Number(document.documentElement.dataset.renderGeneration || 0) > g, before, { timeout: 60000 });
  // Let the views settle so a late request is counted with this change.
  await page.waitForLoadState("networkidle");
  const timings = await page.evaluate(() => window.__annalsTimings);
  return { timings, requests: graphqlRequests - requestsBefore };
}

const check = (label) => () => page.getByLabel(label, { exact: true }).check();
const uncheck = (label) => () => page.getByLabel(label, { exact: true }).uncheck();

async function dragTimeline(fromFrac, toFrac) {
  const box = await page.locator(".timeline svg.chart .drag-background").boundingBox();
  if (!box) throw new Error("no timeline to drag across");
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * fromFrac, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((fromFrac + toFrac) / 2), y, { steps: 4 });
  await page.mouse.move(box.x + box.width * toFrac, y, { steps: 4 });
  await page.mouse.up();
}

async function firstCountry() {
  const values = await page.locator("#f-country option").evaluateAll((os) => os.map((o) => o.value));
  await page.locator("#f-country").selectOption(values.slice(0, 1));
}

const ACTIONS = [
  ["type: Battles", check("Battles")],
  ["type: none", uncheck("Battles")],
  ["type: Riots", check("Riots")],
  ["types: Riots + Protests", check("Protests")],
  ["dates: drag timeline", () => dragTimeline(0.3, 0.6)],
  ["text: \"attack\"", async () => {
    await page.getByLabel("Text in title, summary or place").fill("attack");
    await page.getByLabel("Text in title, summary or place").press("Enter");
  }],
  ["country: first listed", firstCountry],
  ["clear filters", () => page.getByRole("button", { name: "Clear filters" }).click()],
];

await page.goto(`${BASE}/`);
await page.waitForFunction(() => Number(document.documentElement.dataset.renderGeneration || 0) > 0, null, { timeout: 60000 });
const first = await page.evaluate(() => window.__annalsTimingLog.find((e) => e.kind === "first"));
console.log(`first render: ${first.timings.map((t) => `${t.view} ${t.ms} ms`).join(", ")}`);
const total = await page.locator(".list h2 .count").getAttribute("data-total-count");
console.log(`events in the database (no filter): ${total}`);

const results = new Map();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, action] of ACTIONS) {
    try {
      const r = await measure(action);
      if (!results.has(name)) results.set(name, []);
      results.get(name).push(r);
    } catch (err) {
      console.error(`${name}: ${err.message.split("\n")[0]}`);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const views = ["timeline", "map", "list", "all"];
console.log(`\n${"filter change".padEnd(28)}${views.map((v) => `${v} med/max ms`.padStart(20)).join("")}${"requests".padStart(10)}`);
const overall = Object.fromEntries(views.map((v) => [v, []]));
for (const [name, runs] of results) {
  const cells = views.map((v) => {
    const ms = runs.map((r) => (r.timings.find((t) => t.view === v) || {}).ms).filter((x) => x != null);
    overall[v].push(...ms);
    return `${median(ms).toFixed(0)}/${Math.max(...ms).toFixed(0)}`.padStart(20);
  });
  console.log(`${name.padEnd(28)}${cells.join("")}${String(Math.max(...runs.map((r) => r.requests))).padStart(10)}`);
}
console.log(`${"overall".padEnd(28)}${views.map((v) => `${median(overall[v]).toFixed(0)}/${Math.max(...overall[v]).toFixed(0)}`.padStart(20)).join("")}`);
await browser.close();
