// Loads what the home views (timeline, map, list) show for one filter, in as
// few requests as possible: one operation for the list, the map's first page
// and the date extent, then the timeline once its step width is known (at
// once, in parallel, when the filter gives both dates).

import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { EXPLORER_QUERY, EXTENT_QUERY, EVENTS_PAGE_QUERY, TIMELINE_QUERY } from "./queries.js";
import { GEO_PRECISIONS } from "./enums.js";
import { toEventFilter } from "./url.js";
import { addDays, chooseInterval, daysBetween, isoDate } from "./format.js";
import { beginUpdate } from "./timing.js";

export const LIST_PAGE = 50;
// The API's largest page.
const MAX_PAGE = 100;
const MAP_PAGE = 100;
// More dots than this would need more round trips per filter change than
// the views' time budget allows; the map says how many it leaves out.
export const MAP_LIMIT = 200;

const WORLD = { minLatitude: -90, minLongitude: -180, maxLatitude: 90, maxLongitude: 180 };

// Events located only to a country are drawn as one ring per country at the
// country's centre, whether or not they carry stand-in coordinates; every
// other precision with coordinates is a dot. The two filters are disjoint,
// so no event is drawn twice.
const COUNTRY_ONLY = ["COUNTRY"];
const POINT_PRECISIONS = GEO_PRECISIONS.filter((p) => !COUNTRY_ONLY.includes(p));
// Events located only to a country fetched with the first request: enough
// to count them exactly on a small result and to name them on hover.
const COUNTRY_FIRST = 100;

function groupByCountry(edges) {
  const groups = new Map();
  for (const { node } of edges) {
    const code = node.location && node.location.countryCode;
    if (!code) continue;
    if (!groups.has(code)) groups.set(code, []);
    groups.get(code).push(node);
  }
  return groups;
}

// How many events located only to a country each country holds, exactly as
// the list counts them for the same filter: eventStats with scope ALL counts
// every event the filter selects, episodes included, per country. Countries
// past its top 100 are folded into its `other` series, which the map cannot
// place: total minus the counts placed is what the caption reports as not
// drawn. `events` are those of the first page (all of them when a country's
// events.length === count), for naming them on hover.
function countryCounts(d) {
  // Every series, `other` too, so the total is the list's count without a count of its own.
  const total = d.countryStats.series.reduce((n, s) => n + s.total.events, 0);
  const fetched = groupByCountry(d.countryOnly.edges);
  const countries = d.countryStats.series
    .filter((s) => !s.other && s.key[0] && s.key[0].countryCode && s.total.events > 0)
    .map((s) => {
      const code = s.key[0].countryCode;
      return { code, count: s.total.events, events: fetched.get(code) || [] };
    })
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return { total, countries };
}

// `first` (a page of a connection) and the pages after it, one after another
// (each needs the cursor), until `wanted` edges or the last page. A failure
// is reported and what arrived is kept; null when the update was abandoned.
async function upTo(first, filter, wanted, pageSize, signal, onError) {
  let page = first;
  let edges = first.edges;
  try {
    while (page.pageInfo.hasNextPage && edges.length < wanted) {
      const next = await gql(
        EVENTS_PAGE_QUERY,
        { filter, first: Math.min(pageSize, wanted - edges.length), after: page.pageInfo.endCursor },
        { signal },
      );
      page = next.events;
      edges = edges.concat(page.edges);
    }
  } catch (err) {
    if (err.name === "AbortError") return null;
    onError(err);
  }
  return { pageInfo: page.pageInfo, edges };
}

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

// `shown` (a ref) holds how many list rows the reader has on screen: a live
// refetch loads as many again, so new data does not take the "more" pages away.
export function useHomeData(filter, refresh, onError, shown) {
  const [state, setState] = useState({ gen: 0, loading: true });

  useEffect(() => {
    const ctrl = new AbortController();
    const { signal } = ctrl;
    const kind = firstLoad ? "first" : refresh.live ? "live" : "filter";
    firstLoad = false;
    const gen = beginUpdate(["timeline", "map", "list"], kind);
    const apiFilter = toEventFilter(filter);
    const mapFilter = { ...apiFilter, bbox: WORLD, geoPrecisions: POINT_PRECISIONS };
    const countryFilter = { ...apiFilter, geoPrecisions: COUNTRY_ONLY };
    const listWanted = kind === "live" && shown && shown.current > LIST_PAGE ? shown.current : LIST_PAGE;
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

    if (filter.from && filter.to) {
      loadTimeline({ from: filter.from, to: filter.to });
    } else {
      gql(EXTENT_QUERY, { filter: apiFilter }, { signal })
        .then((d) => loadTimeline(extentOf(filter, d)))
        .catch(fail("timeline"));
    }

    gql(
      EXPLORER_QUERY,
      {
        filter: apiFilter,
        mapFilter,
        countryFilter,
        first: Math.min(MAX_PAGE, listWanted),
        mapFirst: MAP_PAGE,
        countryFirst: COUNTRY_FIRST,
      },
      { signal },
    )
      .then(async (d) => {
        const countries = countryCounts(d);
        // A live refetch keeps as many rows as were on screen.
        const list = await upTo(d.list, apiFilter, listWanted, MAX_PAGE, signal, onError);
        if (!list) return;
        patch({ list: { totalCount: d.list.totalCount, pageInfo: list.pageInfo, edges: list.edges, gen } });
        // Draw what arrived of the map; an error is still shown.
        const map = await upTo(d.map, mapFilter, MAP_LIMIT, MAP_PAGE, signal, onError);
        if (!map) return;
        patch({ map: { totalCount: d.map.totalCount, edges: map.edges, countryOnly: countries, gen } });
      })
      .catch((err) => {
        fail("list")(err);
        fail("map")(err);
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
