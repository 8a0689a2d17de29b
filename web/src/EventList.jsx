import { useEffect, useState } from "preact/hooks";
import { Link } from "./Link.jsx";
import { loadMore } from "./homeData.js";
import { reportRendered } from "./timing.js";
import { EVENT_TYPE_COLORS, EVENT_TYPE_LABELS } from "./enums.js";
import { formatDates, num, placeText } from "./format.js";
import { Swatch } from "./FilterBar.jsx";

export function EventList({ data, gen, filter, navigate, report, shown }) {
  // Pages fetched with "more", appended to the first page of this load.
  const [extra, setExtra] = useState({ gen: null, edges: [], pageInfo: null });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (data) reportRendered("list", data.gen);
  }, [data]);

  const mine = data && extra.gen === data.gen;
  const edges = !data || !data.edges ? [] : mine ? data.edges.concat(extra.edges) : data.edges;
  useEffect(() => {
    // Read by the next live refetch (see useHomeData).
    if (shown && data && !data.error) shown.current = edges.length;
  }, [data, edges.length]);

  if (!data) {
    return (
      <section class="panel list" aria-labelledby="list-heading">
        <h2 id="list-heading">Events</h2>
        <p class="muted">Loading…</p>
      </section>
    );
  }
  if (data.error) {
    return (
      <section class="panel list" aria-labelledby="list-heading">
        <h2 id="list-heading">Events</h2>
        <p class="muted">The list could not be loaded.</p>
      </section>
    );
  }

  const pageInfo = mine && extra.pageInfo ? extra.pageInfo : data.pageInfo;

  const more = async () => {
    setBusy(true);
    try {
      const page = await loadMore(filter, pageInfo.endCursor);
      setExtra((x) => ({ gen: data.gen, edges: (x.gen === data.gen ? x.edges : []).concat(page.edges), pageInfo: page.pageInfo }));
      report("list-more", null);
    } catch (err) {
      report("list-more", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel list" aria-labelledby="list-heading">
      <h2 id="list-heading">
        Events <span class="count" data-total-count={data.totalCount}>{num(data.totalCount)}</span>
      </h2>
      {edges.length ? (
        <ol class="event-list">
          {edges.map(({ node: ev }) => (
            <li key={ev.id} class="event-row" data-type={ev.type} data-located={locatedAs(ev)}
              data-country={(ev.location && ev.location.countryCode) || ""}
            >
              <Link class="event-title" to={{ filter, route: { name: "event", id: ev.id } }} navigate={navigate}>
                {ev.title}
              </Link>
              <span class="meta">
                <span class="when">{formatDates(ev.startDate, ev.endDate, ev.datePrecision)}</span>
                <span class="where">{placeText(ev.location)}</span>
                <span class="type">
                  <Swatch color={EVENT_TYPE_COLORS[ev.type]} /> {EVENT_TYPE_LABELS[ev.type]}
                </span>
                <span class={ev.killed && ev.killed.best != null ? "killed" : "killed unknown"}>
                  {ev.killed && ev.killed.best != null ? `${num(ev.killed.best)} killed` : "killed: unknown"}
                </span>
              </span>
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">No events match the filter.</p>
      )}
      <p class="list-footer">
        <span class="muted">
          Showing {num(edges.length)} of {num(data.totalCount)}
        </span>
        {pageInfo.hasNextPage ? (
          <button type="button" onClick={more} disabled={busy}>
            {busy ? "Loading…" : "More events"}
          </button>
        ) : null}
      </p>
    </section>
  );
}

// How the map draws the event: "yes" a dot at its coordinates, "country" in
// its country's ring (located only to the country), "no" not at all.
function locatedAs(ev) {
  const loc = ev.location;
  if (!loc) return "no";
  if (loc.precision === "COUNTRY") return "country";
  return loc.latitude != null && loc.longitude != null ? "yes" : "no";
}
