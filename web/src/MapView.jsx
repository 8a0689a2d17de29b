import { useEffect, useMemo, useState } from "preact/hooks";
import { geoNaturalEarth1, geoPath, geoGraticule10 } from "d3-geo";
import { scaleSqrt } from "d3-scale";
import { feature } from "topojson-client";
import { useWidth } from "./hooks.js";
import { reportRendered } from "./timing.js";
import { EVENT_TYPE_COLORS, EVENT_TYPE_LABELS, GEO_PRECISION_LABELS, PRECISE_LOCATIONS } from "./enums.js";
import { countryName, formatDates, num, placeText } from "./format.js";
import { href } from "./url.js";
import { Swatch } from "./FilterBar.jsx";
import { MAP_LIMIT } from "./homeData.js";
import { countryLocator } from "./countryShapes.js";

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
// A ring names few enough events in its tooltip when it holds this many.
const RING_TITLES = 6;
const LAND = "#e6e4dc";
const LAND_HELD = "#cdbb9c";
const NO_COUNTRY_ONLY = { total: 0, countries: [] };

// boxes: [[x0, y0], [x1, y1]] extents (of countries holding rings) to keep in view.
function boundsOf(points, boxes) {
  if (!points.length && !boxes.length) return null;
  let [x0, y0, x1, y1] = [180, 90, -180, -90];
  for (const p of points) {
    x0 = Math.min(x0, p.lon);
    x1 = Math.max(x1, p.lon);
    y0 = Math.min(y0, p.lat);
    y1 = Math.max(y1, p.lat);
  }
  for (const [[bx0, by0], [bx1, by1]] of boxes) {
    // An extent across the antimeridian: keep the whole width.
    if (bx0 > bx1) {
      x0 = -180;
      x1 = 180;
    } else {
      x0 = Math.min(x0, bx0);
      x1 = Math.max(x1, bx1);
    }
    y0 = Math.min(y0, by0);
    y1 = Math.max(y1, by1);
  }
  const padX = Math.max(0, (MIN_SPAN - (x1 - x0)) / 2) + (x1 - x0) * 0.1;
  const padY = Math.max(0, (MIN_SPAN - (y1 - y0)) / 2) + (y1 - y0) * 0.1;
  return [Math.max(-180, x0 - padX), Math.max(-85, y0 - padY), Math.min(180, x1 + padX), Math.min(85, y1 + padY)];
}

export function MapView({ data, list, gen, filter, navigate, openEvent, setFilter }) {
  const [ref, width] = useWidth(600);
  const [countries, setCountries] = useState(null);
  const [atlasError, setAtlasError] = useState(null);
  const [hover, setHover] = useState(null);

  useEffect(() => {
    loadCountries().then(setCountries, (err) => setAtlasError(err.message));
  }, []);
  const locate = useMemo(() => (countries ? countryLocator(countries) : null), [countries]);

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

  // Events located only to a country: one ring per country the outlines
  // have, the others counted as not drawn.
  const countryOnly = data && data.countryOnly ? data.countryOnly : NO_COUNTRY_ONLY;
  const { rings, unplaced } = useMemo(() => {
    const placed = [];
    const missing = [];
    if (!locate) return { rings: placed, unplaced: missing };
    for (const c of countryOnly.countries) {
      const where = locate(c.code);
      if (where) placed.push({ ...c, name: countryName(c.code) || where.name, lon: where.centre[0], lat: where.centre[1], bounds: where.bounds, feature: where.feature });
      else missing.push(c);
    }
    return { rings: placed, unplaced: missing };
  }, [countryOnly, locate]);

  const w = Math.max(260, width - 2);
  const h = Math.round(Math.min(480, Math.max(220, w * 0.55)));
  const bounds = useMemo(() => boundsOf(points, rings.map((r) => r.bounds)), [points, rings]);
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
  // Countries holding events located only to them are tinted by how many.
  const held = useMemo(() => new Map(rings.map((r) => [r.feature, r.count])), [rings]);
  const maxHeld = Math.max(1, ...rings.map((r) => r.count));
  const tint = scaleSqrt().domain([0, maxHeld]).range([LAND, LAND_HELD]);
  const countryPaths = useMemo(
    () => (countries ? countries.map((f, i) => ({ key: f.id || i, f, d: path(f), name: f.properties && f.properties.name })) : []),
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
  const ringR = scaleSqrt().domain([0, maxHeld]).range([9, Math.max(14, Math.min(24, w / 30))]);
  const ringMarks = rings
    .map((c) => {
      const xy = projection([c.lon, c.lat]);
      // Wide enough for the number it shows.
      const fit = 5 + 3.4 * num(c.count).length;
      return xy ? { ...c, x: xy[0], y: xy[1], r: Math.max(fit, ringR(c.count)) } : null;
    })
    .filter(Boolean)
    .sort((a, b) => b.r - a.r);

  // The map has rendered its data once the outlines are there too (or
  // failed): the rings are placed on them.
  const needsAtlas = countryOnly.countries.length > 0;
  useEffect(() => {
    if (data && (!needsAtlas || countries || atlasError)) reportRendered("map", data.gen);
  }, [data, countries, atlasError]);

  const tip = (p) =>
    `${p.ev.title} — ${formatDates(p.ev.startDate, p.ev.endDate, p.ev.datePrecision)}, ${placeText(p.ev.location)}` +
    (p.best != null ? `; killed ${num(p.best)}` : "") +
    (p.precise ? "" : ` (located to the ${GEO_PRECISION_LABELS[p.ev.location.precision]})`);

  const onlyThis = (c) => filter.countries.length === 1 && filter.countries[0] === c.code;
  const ringAction = (c) => {
    if (c.count === 1 && c.events.length === 1) return { kind: "open", id: c.events[0].id, words: "opens it" };
    if (onlyThis(c)) return null;
    return { kind: "filter", words: `shows only ${c.name}'s events` };
  };
  const ringTip = (c) => {
    const action = ringAction(c);
    const titles = c.events.length === c.count && c.count <= RING_TITLES ? `: ${c.events.map((e) => e.title).join("; ")}` : "";
    return `${ringWords(c)}, drawn at its centre${titles}${action ? `. Clicking ${action.words}` : ""}`;
  };

  return (
    <section class="panel map" aria-labelledby="map-heading" ref={ref}>
      <h2 id="map-heading">Map</h2>
      {!data ? (
        <p class="muted">Loading…</p>
      ) : data.error ? (
        <p class="muted">The map could not be loaded.</p>
      ) : (
        <Caption
          data={data}
          list={list}
          dots={dots}
          countryOnly={countryOnly}
          rings={rings}
          unplaced={unplaced}
          atlasReady={!!countries}
        />
      )}
      {atlasError ? <p class="muted">Country outlines could not be loaded ({atlasError}).</p> : null}
      <div class="map-frame">
        <svg class="map-svg" viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="group" aria-label="Map of events">
          <path class="sphere" d={path({ type: "Sphere" })} />
          <path class="graticule" d={path(geoGraticule10())} />
          <g class="countries">
            {countryPaths.map((c) => (
              <path key={c.key} d={c.d} fill={held.has(c.f) ? tint(held.get(c.f)) : LAND} class={held.has(c.f) ? "held" : null}>
                <title>{held.has(c.f) ? `${c.name}: ${ringWords({ count: held.get(c.f), name: c.name })}` : c.name}</title>
              </path>
            ))}
          </g>
          <g class="rings">
            {ringMarks.map((c) => {
              const action = ringAction(c);
              const mark = (
                <>
                  <circle class="country-ring" cx={c.x} cy={c.y} r={c.r} />
                  <text class="ring-count" x={c.x} y={c.y} dy="0.35em" text-anchor="middle" aria-hidden="true">
                    {num(c.count)}
                  </text>
                  <title>{ringTip(c)}</title>
                </>
              );
              const common = {
                class: `ring-mark${action ? "" : " inert"}`,
                "data-country": c.code,
                "data-count": c.count,
                "aria-label": ringTip(c),
                onPointerEnter: () => setHover({ ring: c, x: c.x, y: c.y }),
                onPointerLeave: () => setHover((h2) => (h2 && h2.ring === c ? null : h2)),
                onFocus: () => setHover({ ring: c, x: c.x, y: c.y }),
                onBlur: () => setHover(null),
              };
              if (!action) {
                return (
                  <g key={c.code} {...common} tabIndex={0} role="img">
                    {mark}
                  </g>
                );
              }
              const to =
                action.kind === "open"
                  ? { filter, route: { name: "event", id: action.id } }
                  : { filter: { ...filter, countries: [c.code] }, route: { name: "home" } };
              return (
                <a
                  key={c.code}
                  {...common}
                  href={href(to)}
                  onClick={(e) => {
                    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                    e.preventDefault();
                    setHover(null);
                    if (action.kind === "open") openEvent(action.id);
                    else setFilter(to.filter);
                  }}
                >
                  {mark}
                </a>
              );
            })}
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
        {hover ? (
          <Tooltip x={hover.x} y={hover.y} w={w} h={h}>
            {hover.ring ? <RingTip c={hover.ring} action={ringAction(hover.ring)} /> : <DotTip p={hover} />}
          </Tooltip>
        ) : null}
      </div>
      <MapLegend dots={dots} maxBest={maxBest} r={r} rings={ringMarks.length > 0} />
    </section>
  );
}

function ringWords(c) {
  return `${num(c.count)} ${c.count === 1 ? "event" : "events"} located only to ${c.name}`;
}

// The honest account of what is drawn: every matching event is either a
// dot, in a country's ring, or counted here as not drawn and why.
function Caption({ data, list, dots, countryOnly, rings, unplaced, atlasReady }) {
  const withCoords = data.totalCount != null ? data.totalCount : 0;
  const countryTotal = countryOnly.total || 0;
  const inRings = rings.reduce((n, c) => n + c.count, 0);
  const shown = dots.length + inRings;
  const matching = list && list.totalCount != null ? list.totalCount : null;
  // Neither a dot nor a ring: no coordinates and located more finely than a
  // country (a region without coordinates), or no place at all.
  const noPlace = matching != null ? Math.max(0, matching - withCoords - countryTotal) : null;
  const unplacedCount = unplaced.reduce((n, c) => n + c.count, 0);
  // Counted, but in countries past the ones that could be asked about.
  const unasked = Math.max(0, countryTotal - inRings - unplacedCount);
  return (
    <p
      class="summary"
      data-dots={dots.length}
      data-located={withCoords}
      data-country-located={countryTotal}
      data-country-drawn={inRings}
      data-shown={shown}
      data-matching={matching == null ? "" : matching}
    >
      Showing <strong class="shown-count">{num(shown)}</strong>
      {matching != null ? <> of {num(matching)}</> : null} events: <span class="dot-count">{num(dots.length)}</span> at their
      coordinates
      {withCoords > dots.length ? <> (the latest {num(MAP_LIMIT)} of {num(withCoords)} — narrow the filter to see the rest)</> : null}
      {countryTotal ? (
        atlasReady ? (
          <>
            ; <span class="country-count">{num(inRings)}</span> located only to a country, drawn at its centre
          </>
        ) : (
          <>; {num(countryTotal)} located only to a country, drawn when the outlines have loaded</>
        )
      ) : null}
      {atlasReady && unplacedCount ? (
        <>
          ; {num(unplacedCount)} located only to {unplaced.map((c) => countryName(c.code)).join(", ")}, too small for the
          map's outlines, not drawn
        </>
      ) : null}
      {atlasReady && unasked ? <>; {num(unasked)} located only to other countries, not drawn</> : null}
      {noPlace ? <>; {num(noPlace)} with no coordinates (no place, or only a region) not drawn</> : null}.
      {countryOnly.error ? <> The counts per country could not be loaded.</> : null}
    </p>
  );
}

function Tooltip({ x, y, w, h, children }) {
  // Positioned through the CSSOM (allowed by the CSP, unlike style="").
  const ref = (el) => {
    if (!el) return;
    el.style.left = `${(x / w) * 100}%`;
    el.style.top = `${(y / h) * 100}%`;
    el.classList.toggle("flip", x > w * 0.6);
  };
  return (
    <div class="map-tooltip" ref={ref} aria-hidden="true">
      {children}
    </div>
  );
}

function DotTip({ p }) {
  return (
    <>
      <strong>{p.ev.title}</strong>
      <span>{formatDates(p.ev.startDate, p.ev.endDate, p.ev.datePrecision)}</span>
      <span>{placeText(p.ev.location)}</span>
      <span>
        {EVENT_TYPE_LABELS[p.ev.type]}
        {p.best != null ? ` · killed ${num(p.best)}` : " · killed: unknown"}
      </span>
    </>
  );
}

function RingTip({ c, action }) {
  const all = c.events.length === c.count;
  const titled = all && c.count <= RING_TITLES;
  const types = new Map();
  for (const ev of c.events) types.set(ev.type, (types.get(ev.type) || 0) + 1);
  return (
    <>
      <strong class="ring-tip-title">{ringWords(c)}</strong>
      <span>drawn at the centre of the country</span>
      {titled ? (
        <ul class="ring-tip-events">
          {c.events.map((ev) => (
            <li key={ev.id}>
              {ev.title} <span class="muted-inverse">({formatDates(ev.startDate, ev.endDate, ev.datePrecision)})</span>
            </li>
          ))}
        </ul>
      ) : all ? (
        <span>
          {[...types]
            .sort((a, b) => b[1] - a[1])
            .map(([t, n]) => `${num(n)} ${EVENT_TYPE_LABELS[t].toLowerCase()}`)
            .join(", ")}
        </span>
      ) : null}
      {action ? <span class="ring-tip-action">Click: {action.words}</span> : null}
    </>
  );
}

function MapLegend({ dots, maxBest, r, rings }) {
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
        only a region or district (the point stands in for the area)
      </li>
      {rings ? (
        <li class="legend-ring-item">
          <svg class="swatch" width="18" height="18" aria-hidden="true">
            <circle cx="9" cy="9" r="7.5" class="country-ring" />
            <text x="9" y="9" dy="0.35em" text-anchor="middle" class="ring-count legend-ring-count">
              n
            </text>
          </svg>{" "}
          n events located only to a country, at its centre (the country tinted by how many)
        </li>
      ) : null}
      <li>
        Dot size: killed (best){sample.length ? `, ${sample.map((v) => `${num(v)} ≈ ${Math.round(r(v) * 2)} px`).join(", ")}` : ""}; smallest dot:
        unknown
      </li>
    </ul>
  );
}
