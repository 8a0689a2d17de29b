import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { scaleLinear } from "d3-scale";
import { area, line, curveMonotoneX } from "d3-shape";
import { useWidth } from "./hooks.js";
import { reportRendered } from "./timing.js";
import { EVENT_TYPE_COLORS, EVENT_TYPE_LABELS } from "./enums.js";
import { formatStep, num, stepEnd } from "./format.js";
import { Swatch } from "./FilterBar.jsx";

const HEIGHT = 240;
const M = { top: 22, right: 48, bottom: 28, left: 40 };
const INTERVAL_WORDS = { DAY: "day", WEEK: "week", MONTH: "month", QUARTER: "quarter", YEAR: "year" };

function killed(point) {
  return point.figures.find((f) => f.category === "KILLED") || null;
}

export function Timeline({ data, gen, onRange }) {
  const [ref, width] = useWidth(800);

  useEffect(() => {
    if (data) reportRendered("timeline", data.gen);
  }, [data]);

  return (
    <section class="panel timeline" aria-labelledby="timeline-heading" ref={ref}>
      <h2 id="timeline-heading">Timeline</h2>
      {!data ? (
        <p class="muted">Loading…</p>
      ) : data.error ? (
        <p class="muted">The timeline could not be loaded.</p>
      ) : data.empty || !data.steps.length ? (
        <p class="muted" data-total="0">
          No events match the filter.
        </p>
      ) : (
        <Chart data={data} width={width} onRange={onRange} />
      )}
    </section>
  );
}

function Chart({ data, width, onRange }) {
  const { steps, series, total, interval } = data;
  const w = Math.max(280, width);
  const innerW = w - M.left - M.right;
  const innerH = HEIGHT - M.top - M.bottom;
  const n = steps.length;
  const band = innerW / n;

  const layout = useMemo(() => {
    // Stack the type series step by step; "other" only appears if the
    // schema ever grows past top.
    const stacks = [];
    const base = new Array(n).fill(0);
    for (const s of series) {
      const type = s.other ? null : s.key[0] && s.key[0].eventType;
      const rects = [];
      s.points.forEach((p, i) => {
        if (!p.events) return;
        rects.push({ i, y0: base[i], y1: base[i] + p.events, events: p.events });
        base[i] += p.events;
      });
      stacks.push({ type, other: s.other, total: s.total.events, rects });
    }
    const maxEvents = Math.max(1, ...base);
    const figs = total.points.map((p) => killed(p));
    const maxKilled = Math.max(1, ...figs.map((f) => (f ? f.high : 0)));
    return { stacks, maxEvents, figs, maxKilled };
  }, [data]);

  const y = scaleLinear().domain([0, layout.maxEvents]).nice().range([innerH, 0]);
  const yk = scaleLinear().domain([0, layout.maxKilled]).nice().range([innerH, 0]);
  const xc = (i) => i * band + band / 2;
  const barW = Math.max(1, Math.min(48, band - Math.min(2, band * 0.2)));
  const anyKilled = layout.figs.some((f) => f && f.high > 0);
  const bandPath = area()
    .defined((f) => f && f.high > 0)
    .x((_, i) => xc(i))
    .y0((f) => yk(f.low))
    .y1((f) => yk(f.high))
    .curve(curveMonotoneX)(layout.figs);
  const bestPath = line()
    .defined((f) => f && f.high > 0)
    .x((_, i) => xc(i))
    .y((f) => yk(f.best))
    .curve(curveMonotoneX)(layout.figs);

  // Dragging across the chart selects steps; releasing sets the date filter.
  const [drag, setDrag] = useState(null);
  const svgRef = useRef(null);
  const indexAt = (e) => {
    const rect = svgRef.current.getBoundingClientRect();
    const x = ((e.clientX - rect.left) / rect.width) * w - M.left;
    return Math.max(0, Math.min(n - 1, Math.floor(x / band)));
  };
  const onDown = (e) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const i = indexAt(e);
    setDrag({ a: i, b: i });
  };
  const onMove = (e) => {
    if (drag) {
      const i = indexAt(e);
      if (i !== drag.b) setDrag({ ...drag, b: i });
    }
  };
  const onUp = () => {
    if (!drag) return;
    const lo = Math.min(drag.a, drag.b);
    const hi = Math.max(drag.a, drag.b);
    setDrag(null);
    onRange(steps[lo], stepEnd(steps[hi], interval));
  };

  const tickEvery = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(innerW / 80))));
  const totalPoint = total.total;
  const totalKilled = killed(totalPoint);
  const coarse = total.points.map((p, i) => ({ i, c: p.coarserDates, events: p.events })).filter((p) => p.c > 0);
  const summary =
    `${num(totalPoint.events)} events, by ${INTERVAL_WORDS[interval]}, from ${formatStep(steps[0], interval)} to ${formatStep(steps[n - 1], interval)}` +
    (totalKilled && totalKilled.high > 0 ? `; killed ${num(totalKilled.low)}–${num(totalKilled.high)}${totalKilled.highOpen ? "+" : ""} (best ${num(totalKilled.best)})` : "");

  return (
    <>
      <p class="summary">
        <span class="total-events" data-total={totalPoint.events}>
          {num(totalPoint.events)} events
        </span>{" "}
        by {INTERVAL_WORDS[interval]}
        {totalKilled && totalKilled.high > 0 ? (
          <>
            {" · "}killed <strong>{num(totalKilled.best)}</strong> (range {num(totalKilled.low)}–{num(totalKilled.high)}
            {totalKilled.highOpen ? "+" : ""})
          </>
        ) : null}
        {totalPoint.coarserDates ? (
          <>
            {" · "}
            {num(totalPoint.coarserDates)} dated less exactly than a {INTERVAL_WORDS[interval]} (marked ▲)
          </>
        ) : null}
        <span class="muted small"> Episodes count through their sub-events. Drag across the chart to pick dates.</span>
      </p>
      <svg
        ref={svgRef}
        class="chart"
        viewBox={`0 0 ${w} ${HEIGHT}`}
        width={w}
        height={HEIGHT}
        role="img"
        aria-label={`Timeline: ${summary}`}
      >
        <g
          transform={`translate(${M.left},${M.top})`}
          class="drag-surface"
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onPointerCancel={() => setDrag(null)}
        >
          {/* Catches the pointer where there is no bar; bars keep their tooltips. */}
          <rect class="drag-background" width={innerW} height={innerH} />
          {y.ticks(4).map((t) => (
            <g key={`y${t}`} class="grid" transform={`translate(0,${y(t)})`}>
              <line x2={innerW} />
              <text x={-6} dy="0.32em" text-anchor="end">
                {num(t)}
              </text>
            </g>
          ))}
          {layout.stacks.map((s) =>
            s.rects.map((r) => (
              <rect
                key={`${s.type}-${r.i}`}
                class="bar"
                x={xc(r.i) - barW / 2}
                width={barW}
                y={y(r.y1)}
                height={Math.max(0.5, y(r.y0) - y(r.y1))}
                fill={s.type ? EVENT_TYPE_COLORS[s.type] : "#888"}
              >
                <title>
                  {formatStep(steps[r.i], interval)}: {num(r.events)} {s.type ? EVENT_TYPE_LABELS[s.type] : "other"}
                </title>
              </rect>
            )),
          )}
          {coarse.map((p) => (
            <g key={`c${p.i}`} class="coarse" transform={`translate(${xc(p.i)},${y(p.events) - 4})`}>
              <path d="M-4,0 L4,0 L0,-6 Z" />
              {band >= 14 ? (
                <text y={-8} text-anchor="middle">
                  {p.c}
                </text>
              ) : null}
              <title>
                {num(p.c)} of {num(p.events)} events here are dated less exactly than a {INTERVAL_WORDS[interval]}; counted at the start of their period
              </title>
            </g>
          ))}
          {anyKilled ? (
            <g class="killed">
              <path class="killed-band" d={bandPath} />
              <path class="killed-best" d={bestPath} />
              {layout.figs.map((f, i) =>
                f && f.high > f.low ? <line key={`w${i}`} class="killed-range" x1={xc(i)} x2={xc(i)} y1={yk(f.low)} y2={yk(f.high)} /> : null,
              )}
              {layout.figs.map((f, i) =>
                f && f.high > 0 ? (
                  <circle key={`k${i}`} cx={xc(i)} cy={yk(f.best)} r={2.5} class="killed-dot">
                    <title>
                      {formatStep(steps[i], interval)}: killed {num(f.best)} (range {num(f.low)}–{num(f.high)}
                      {f.highOpen ? "+" : ""})
                    </title>
                  </circle>
                ) : null,
              )}
              {yk.ticks(4).map((t) => (
                <text key={`k${t}`} class="axis-right" x={innerW + 6} y={yk(t)} dy="0.32em">
                  {num(t)}
                </text>
              ))}
            </g>
          ) : null}
          {steps.map((s, i) =>
            i % tickEvery === 0 ? (
              <text key={`x${s}`} class="axis-x" x={xc(i)} y={innerH + 18} text-anchor="middle">
                {formatStep(s, interval)}
              </text>
            ) : null,
          )}
          <line class="axis-line" y1={innerH} y2={innerH} x2={innerW} />
          {drag ? (
            <rect
              class="selection"
              x={Math.min(drag.a, drag.b) * band}
              width={(Math.abs(drag.b - drag.a) + 1) * band}
              height={innerH}
            />
          ) : null}
        </g>
      </svg>
      <ul class="legend" aria-label="Timeline legend">
        {layout.stacks
          .filter((s) => s.total > 0)
          .map((s) => (
            <li key={s.type || "other"}>
              <Swatch color={s.type ? EVENT_TYPE_COLORS[s.type] : "#888"} /> {s.type ? EVENT_TYPE_LABELS[s.type] : "Other"} (
              {num(s.total)})
            </li>
          ))}
        {anyKilled ? (
          <li>
            <svg class="swatch" width="18" height="12" aria-hidden="true">
              <rect y="2" width="18" height="8" class="killed-band" />
              <line y1="6" y2="6" x2="18" class="killed-best" />
            </svg>{" "}
            Killed: band low–high, line best (right axis)
          </li>
        ) : null}
        {coarse.length ? (
          <li>
            <svg class="swatch" width="12" height="12" aria-hidden="true">
              <path class="coarse-mark" d="M2,10 L10,10 L6,3 Z" />
            </svg>{" "}
            Dated less exactly than a {INTERVAL_WORDS[interval]}
          </li>
        ) : null}
      </ul>
    </>
  );
}
