import { useHomeData } from "./homeData.js";
import { Timeline } from "./Timeline.jsx";
import { MapView } from "./MapView.jsx";
import { EventList } from "./EventList.jsx";
import { useEffect, useRef } from "preact/hooks";
import { LIST_PAGE } from "./homeData.js";

export function Home({ filter, refresh, navigate, report, setFilter }) {
  // How many list rows are on screen, so a live refetch keeps them all.
  const shown = useRef(LIST_PAGE);
  const data = useHomeData(filter, refresh, (err) => report("views", err), shown);
  useEffect(() => {
    // A load that completes without error clears an earlier error.
    if (data.list && !data.list.error && data.timeline && !data.timeline.error) report("views", null);
  }, [data.list, data.timeline]);

  const openEvent = (id) => navigate({ filter, route: { name: "event", id } });
  return (
    <div class="home">
      <h1 class="visually-hidden">Events</h1>
      <Timeline
        data={data.timeline}
        gen={data.gen}
        onRange={(from, to) => setFilter({ ...filter, from, to })}
      />
      <div class="home-columns">
        <MapView
          data={data.map}
          list={data.list}
          gen={data.gen}
          filter={filter}
          navigate={navigate}
          openEvent={openEvent}
          setFilter={setFilter}
        />
        <EventList data={data.list} gen={data.gen} filter={filter} navigate={navigate} report={report} shown={shown} />
      </div>
    </div>
  );
}
