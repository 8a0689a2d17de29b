import { useEffect, useMemo, useState } from "preact/hooks";
import { geoNaturalEarth1, geoPath, geoGraticule10 } from "d3-geo";
import { scaleSqrt } from "d3-scale";
import { feature } from "topojson-client";
import { useWidth } from "./hooks.js";
import { reportRendered } from "./timing.js";
import { EVENT_TYPE_COLORS, EVENT_TYPE_LABELS, GEO_PRECISION_LABELS, PRECISE_LOCATIONS } from "./enums.js";
import { formatDates, num, placeText } from "./format.js";
import { href } from "./url.js";
import { Swatch } from "./FilterBar.jsx";
import { MAP_LIMIT } from "./homeData.js";

// Shipped beside app.js (under the server's versioned base path), so it is
// found relative to this module rather than to the page.
const ATLAS_URL = new URL("./countries.json", import.meta.url);
let atlasPromise = null;
function loadCountries() {
  if (!atlasPromise) {
    atlasPromise = fetch(ATLAS_URL)
      .then((r) => {
        if (!r.ok) throw new Error(`countries.json: HTTP ${r.status}`);
        return r.json();
      })
      .then((topo) => feature(topo, topo.objects.countries).features);
  }
  return atlasPromise;
}

const SMALL_R = 3; // events with no killed figure: unknown, not zero
const MIN_SPAN = 24; // degrees; a single town would otherwise fill the map

function boundsOf(points) {
  if (!points.length) return null;
  let [x0, y0, x1, y1] = [180, 90, -180, -90];
  for (const p of points) {
    x0 = Math.min(x0, p.lon);
    x1 = Math.max(x1, p.lon);
    y0 = Math.min(y0, p.lat);
    y1 = Math.max(y1, p.lat);
  }
  const padX = Math.max(0, (MIN_SPAN - (x1 - x0)) / 2) + (x1 - x0) * 0.1;
  const padY = Math.max(0, (MIN_SPAN - (y1 - y0)) / 2) + (y1 - y0) * 0.1;
  return [Math.max(-180, x0 - padX), Math.max(-85, y0 - padY), Math.min(180, x1 + padX), Math.min(85, y1 + padY)];
}

export function MapView({ data, list, gen, filter, navigate, openEvent }) {
  const [ref, width] = useWidth(600);
  const [countries, setCountries] = useState(null);
  const [atlasError, setAtlasError] = useState(null);
  const [hover, setHover] = useState(null);

  useEffect(() => {
    loadCountries().then(setCountries, (err) => setAtlasError(err.message));
  }, []);

  const points = useMemo(() => {
    if (!data || !data.edges) return [];
    return data.edges
      .map((e) => e.node)
      .filter((ev) => ev.location && ev.location.latitude != null && ev.location.longitude != null)
      .map((ev) => ({
        ev,
        lon: ev.location.longitude,
        lat: ev.location.latitude,
        best: ev.killed && ev.killed.best != null ? ev.killed.best : null,
        precise: PRECISE_LOCATIONS.has(ev.location.precision),
      }));
  }, [data]);

  const w = Math.max(260, width - 2);
  const h = Math.round(Math.min(480, Math.max(220, w * 0.55)));
  const bounds = useMemo(() => boundsOf(points), [points]);
  const projection = useMemo(() => {
    const p = geoNaturalEarth1();
    const pad = 12;
    if (bounds) {
      const [x0, y0, x1, y1] = bounds;
      p.fitExtent(
        [
          [pad, pad],
          [w - pad, h - pad],
        ],
        { type: "MultiPoint", coordinates: [[x0, y0], [x1, y0], [x0, y1], [x1, y1], [(x0 + x1) / 2, y0], [(x0 + x1) / 2, y1]] },
      );
    } else {
      p.fitExtent(
        [
          [pad, pad],
          [w - pad, h - pad],
        ],
        { type: "Sphere" },
      );
    }
    return p;
  }, [bounds && bounds.join(","), w, h]);

  const path = useMemo(() => geoPath(projection), [projection]);
  const countryPaths = useMemo(
    () => (countries ? countries.map((f, i) => ({ key: f.id || i, d: path(f), name: f.properties && f.properties.name })) : []),
    [countries, path],
  );
  const maxBest = Math.max(1, ...points.map((p) => p.best || 0));
  const r = scaleSqrt().domain([0, maxBest]).range([SMALL_R + 1, Math.max(10, Math.min(28, w / 25))]);
  // Large dots first so small ones stay visible and hoverable on top.
  const dots = points
    .map((p) => {
      const xy = projection([p.lon, p.lat]);
      return xy ? { ...p, x: xy[0], y: xy[1], r: p.best != null && p.best > 0 ? r(p.best) : SMALL_R } : null;
    })
    .filter(Boolean)
    .sort((a, b) => b.r - a.r);

  useEffect(() => {
    if (data) reportRendered("map", data.gen);
  }, [data]);

  const total = data && data.totalCount != null ? data.totalCount : 0;
  const matching = list && list.totalCount != null ? list.totalCount : null;
  const unlocated = matching != null ? Math.max(0, matching - total) : null;
  const tip = (p) =>
    `${p.ev.title} — ${formatDates(p.ev.startDate, p.ev.endDate, p.ev.datePrecision)}, ${placeText(p.ev.location)}` +
    (p.best != null ? `; killed ${num(p.best)}` : "") +
    (p.precise ? "" : ` (located to the ${GEO_PRECISION_LABELS[p.ev.location.precision]})`);

  return (
    <section class="panel map" aria-labelledby="map-heading" ref={ref}>
      <h2 id="map-heading">Map</h2>
      {!data ? (
        <p class="muted">Loading…</p>
      ) : data.error ? (
        <p class="muted">The map could not be loaded.</p>
      ) : (
        <p class="summary" data-dots={dots.length} data-located={total}>
          Showing <strong class="dot-count">{num(dots.length)}</strong> of {num(total)} events with coordinates
          {total > dots.length ? <> (the latest {num(MAP_LIMIT)} — narrow the filter to see the rest)</> : null}
          {unlocated ? <>; {num(unlocated)} matching events have no coordinates and are not drawn</> : null}.
        </p>
      )}
      {atlasError ? <p class="muted">Country outlines could not be loaded ({atlasError}).</p> : null}
      <div class="map-frame">
        <svg class="map-svg" viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="group" aria-label="Map of events">
          <path class="sphere" d={path({ type: "Sphere" })} />
          <path class="graticule" d={path(geoGraticule10())} />
          <g class="countries">
            {countryPaths.map((c) => (
              <path key={c.key} d={c.d}>
                <title>{c.name}</title>
              </path>
            ))}
          </g>
          <g class="dots">
            {dots.map((p) => (
              <a
                key={p.ev.id}
                href={href({ filter, route: { name: "event", id: p.ev.id } })}
                class={`dot-link ${p.precise ? "precise" : "approximate"}`}
                aria-label={tip(p)}
                onClick={(e) => {
                  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                  e.preventDefault();
                  openEvent(p.ev.id);
                }}
                onPointerEnter={() => setHover(p)}
                onPointerLeave={() => setHover((h2) => (h2 === p ? null : h2))}
                onFocus={() => setHover(p)}
                onBlur={() => setHover(null)}
              >
                <circle
                  class="event-dot"
                  data-type={p.ev.type}
                  cx={p.x}
                  cy={p.y}
                  r={p.r}
                  fill={p.precise ? EVENT_TYPE_COLORS[p.ev.type] : "none"}
                  stroke={EVENT_TYPE_COLORS[p.ev.type]}
                >
                  <title>{tip(p)}</title>
                </circle>
              </a>
            ))}
          </g>
        </svg>
        {hover ? <Tooltip p={hover} w={w} h={h} /> : null}
      </div>
      <MapLegend dots={dots} maxBest={maxBest} r={r} />
    </section>
  );
}

function Tooltip({ p, w, h }) {
  // Positioned through the CSSOM (allowed by the CSP, unlike style="").
  const ref = (el) => {
    if (!el) return;
    el.style.left = `${(p.x / w) * 100}%`;
    el.style.top = `${(p.y / h) * 100}%`;
    el.classList.toggle("flip", p.x > w * 0.6);
  };
  return (
    <div class="map-tooltip" ref={ref} aria-hidden="true">
      <strong>{p.ev.title}</strong>
      <span>{formatDates(p.ev.startDate, p.ev.endDate, p.ev.datePrecision)}</span>
      <span>{placeText(p.ev.location)}</span>
      <span>
        {EVENT_TYPE_LABELS[p.ev.type]}
        {p.best != null ? ` · killed ${num(p.best)}` : " · killed: unknown"}
      </span>
    </div>
  );
}

function MapLegend({ dots, maxBest, r }) {
  const types = [...new Set(dots.map((d) => d.ev.type))];
  const sample = maxBest > 1 ? [Math.round(maxBest / 10) || 1, maxBest] : [];
  return (
    <ul class="legend map-legend" aria-label="Map legend">
      {types.map((t) => (
        <li key={t}>
          <Swatch color={EVENT_TYPE_COLORS[t]} /> {EVENT_TYPE_LABELS[t]}
        </li>
      ))}
      <li>
        <svg class="swatch" width="14" height="14" aria-hidden="true">
          <circle cx="7" cy="7" r="5" class="legend-precise" />
        </svg>{" "}
        town or exact spot
      </li>
      <li>
        <svg class="swatch" width="14" height="14" aria-hidden="true">
          <circle cx="7" cy="7" r="5" class="legend-approximate" />
        </svg>{" "}
        only the region or country (point stands in for the area)
      </li>
      <li>
        Size: killed (best){sample.length ? `, ${sample.map((v) => `${num(v)} ≈ ${Math.round(r(v) * 2)} px`).join(", ")}` : ""}; smallest dot: unknown
      </li>
    </ul>
  );
}
