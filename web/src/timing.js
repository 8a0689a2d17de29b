// Instrumentation read by the browser tests and tests/perf.mjs: after every
// filter change (or live refetch) it records how long each view took from
// the change to having rendered the new data, as {view, ms} entries in
// window.__annalsTimings, a performance measure "annals:views", and
// <html data-rendered-at data-render-generation data-render-kind>.

let current = null;
let generation = 0;
const log = [];
window.__annalsTimingLog = log;
window.__annalsTimings = [];

// kind: "first" (measured from navigation start), "filter", "live", "page".
export function beginUpdate(views, kind) {
  generation += 1;
  const start = kind === "first" ? 0 : performance.now();
  current = { gen: generation, start, kind, pending: new Set(views), timings: [] };
  try {
    performance.mark(`annals:start:${generation}`, { startTime: start });
  } catch {
    // marks are a convenience for the devtools timeline; timings still work
  }
  return generation;
}

export function currentGeneration() {
  return generation;
}

export function reportRendered(view, gen) {
  if (!current || gen !== current.gen || !current.pending.has(view)) return;
  const now = performance.now();
  const ms = Math.round((now - current.start) * 10) / 10;
  current.pending.delete(view);
  current.timings.push({ view, ms });
  if (current.pending.size) return;
  current.timings.push({ view: "all", ms });
  try {
    performance.measure("annals:views", { start: current.start, end: now });
  } catch {
    // see above
  }
  window.__annalsTimings = current.timings;
  log.push({ generation: current.gen, kind: current.kind, timings: current.timings });
  const root = document.documentElement.dataset;
  root.renderGeneration = String(current.gen);
  root.renderKind = current.kind;
  root.renderedAt = String(Date.now());
}
