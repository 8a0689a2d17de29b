// Loads what the home views (timeline, map, list) show for one filter, in as
// few requests as possible: one operation for the list, the map's first page
// and the date extent, then the timeline once its step width is known (at
// once, in parallel, when the filter gives both dates).

import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { EXPLORER_QUERY, EVENTS_PAGE_QUERY, TIMELINE_QUERY } from "./queries.js";
import { toEventFilter } from "./url.js";
import { addDays, chooseInterval, daysBetween, isoDate } from "./format.js";
import { beginUpdate } from "./timing.js";

export const LIST_PAGE = 50;
const MAP_PAGE = 100;
// More dots than this would need more round trips per filter change than
// the views' time budget allows; the map says how many it leaves out.
export const MAP_LIMIT = 300;

const WORLD = { minLatitude: -90, minLongitude: -180, maxLatitude: 90, maxLongitude: 180 };

let firstLoad = true;
const MIN_DAYS = 56;

function extentOf(filter, data) {
  const earliest = data.earliest && data.earliest.edges[0];
  const latest = data.latest && data.latest.edges[0];
  const from = filter.from || (earliest && earliest.node.startDate);
  const to = filter.to || (latest && latest.node.startDate);
  if (!from || !to) return null;
  if (from > to) return { from, to: from };
  // An extent of a few days would draw one bar the width of the chart:
  // widen it (on the sides the filter leaves open) to about two months.
  const short = MIN_DAYS - daysBetween(from, to);
  if (short > 0) {
    const before = filter.from ? 0 : filter.to ? short : Math.ceil(short / 2);
    return { from: addDays(from, -before), to: filter.to ? to : addDays(to, short - before) };
  }
  return { from, to };
}

export function useHomeData(filter, refresh, onError) {
  const [state, setState] = useState({ gen: 0, loading: true });

  useEffect(() => {
    const ctrl = new AbortController();
    const { signal } = ctrl;
    const kind = firstLoad ? "first" : refresh.live ? "live" : "filter";
    firstLoad = false;
    const gen = beginUpdate(["timeline", "map", "list"], kind);
    const apiFilter = toEventFilter(filter);
    const mapFilter = { ...apiFilter, bbox: WORLD };
    const patch = (p) => {
      if (!signal.aborted) setState((s) => (s.gen === gen ? { ...s, ...p } : s));
    };
    // The views keep showing the previous data until theirs arrives; each
    // piece of data carries the generation it was loaded for, and a view
    // reports itself rendered only for data of the current generation.
    setState((s) => ({ ...s, gen, loading: true }));

    const fail = (view) => (err) => {
      if (err.name === "AbortError") return;
      onError(err);
      patch({ [view]: { error: err.message, gen } });
    };

    const loadTimeline = (range) => {
      if (!range) {
        patch({ timeline: { empty: true, gen } });
        return;
      }
      const interval = chooseInterval(range.from, range.to);
      gql(TIMELINE_QUERY, { filter: apiFilter, interval, from: range.from, to: range.to }, { signal })
        .then((d) => patch({ timeline: { ...d.eventStats, interval, range, gen } }))
        .catch(fail("timeline"));
    };

    const bothDates = filter.from && filter.to;
    if (bothDates) loadTimeline({ from: filter.from, to: filter.to });

    gql(
      EXPLORER_QUERY,
      { filter: apiFilter, mapFilter, first: LIST_PAGE, mapFirst: MAP_PAGE, withExtent: !bothDates },
      { signal },
    )
      .then(async (d) => {
        if (!bothDates) loadTimeline(extentOf(filter, d));
        patch({ list: { ...d.list, gen } });
        // Further map pages, one after another (each needs the cursor).
        let map = d.map;
        let edges = map.edges;
        try {
          while (map.pageInfo.hasNextPage && edges.length < MAP_LIMIT) {
            const next = await gql(
              EVENTS_PAGE_QUERY,
              { filter: mapFilter, first: Math.min(MAP_PAGE, MAP_LIMIT - edges.length), after: map.pageInfo.endCursor },
              { signal },
            );
            map = next.events;
            edges = edges.concat(map.edges);
          }
        } catch (err) {
          // Draw what arrived; the error is still shown.
          if (err.name !== "AbortError") onError(err);
        }
        patch({ map: { totalCount: d.map.totalCount, edges, gen } });
      })
      .catch((err) => {
        fail("list")(err);
        fail("map")(err);
        if (!bothDates) fail("timeline")(err);
      });

    return () => ctrl.abort();
  }, [JSON.stringify(filter), refresh.n]);

  return state;
}

// The next page of the list, for the "more" button.
export async function loadMore(filter, after) {
  const d = await gql(EVENTS_PAGE_QUERY, { filter: toEventFilter(filter), first: LIST_PAGE, after });
  return d.events;
}

export const today = () => isoDate(new Date());
