import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { readLocation, href } from "./url.js";
import { getApiKey } from "./api.js";
import { startLive } from "./live.js";
import { Header } from "./Header.jsx";
import { FilterBar } from "./FilterBar.jsx";
import { Home } from "./Home.jsx";
import { EventPage } from "./EventPage.jsx";
import { SearchResults } from "./SearchResults.jsx";
import { Alerts } from "./Alerts.jsx";

export function App() {
  const [loc, setLoc] = useState(readLocation);
  const [errors, setErrors] = useState([]);
  const [liveStatus, setLiveStatus] = useState("connecting");
  const [apiKey, setKey] = useState(getApiKey);
  // n changes to refetch every open view; live tells the timing which kind.
  const [refresh, setRefresh] = useState({ n: 0, live: false });

  const navigate = useCallback((next, { replace = false } = {}) => {
    const url = href(next);
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    setLoc(readLocation());
    if (!replace) window.scrollTo(0, 0);
  }, []);

  useEffect(() => {
    const onPop = () => setLoc(readLocation());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // Errors are keyed by where they came from, so a later success there
  // clears them while others stay visible.
  const report = useCallback((source, err) => {
    setErrors((list) => {
      const rest = list.filter((e) => e.source !== source);
      if (!err) return rest.length === list.length ? list : rest;
      return [...rest, { source, message: err.message, code: err.code || null }];
    });
  }, []);
  const dismiss = (source) => report(source, null);

  // Live updates: refetch at most once per 200 ms however many changes
  // arrive (an import commits thousands).
  const timer = useRef(null);
  useEffect(() => {
    const stop = startLive({
      onStatus: setLiveStatus,
      onError: (err) => report("live", err),
      onChange: () => {
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setRefresh((r) => ({ n: r.n + 1, live: true })), 200);
      },
    });
    return () => {
      clearTimeout(timer.current);
      stop();
    };
  }, [apiKey]);

  const onKeyChange = (key) => {
    setKey(key);
    setRefresh((r) => ({ n: r.n + 1, live: false }));
  };

  const { filter, route } = loc;
  const setFilter = (f) => navigate({ filter: f, route: route.name === "event" ? { name: "home" } : route });

  let title = "Annals explorer";
  let view;
  if (route.name === "event") {
    view = <EventPage id={route.id} statement={route.statement} filter={filter} refresh={refresh} navigate={navigate} report={report} />;
  } else if (route.name === "search") {
    view = <SearchResults query={route.query} filter={filter} refresh={refresh} navigate={navigate} report={report} />;
    title = `Search: ${route.query} — Annals explorer`;
  } else {
    view = <Home filter={filter} refresh={refresh} navigate={navigate} report={report} setFilter={setFilter} />;
  }
  useEffect(() => {
    if (route.name !== "event") document.title = title;
  }, [title, route.name]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header
        loc={loc}
        navigate={navigate}
        liveStatus={liveStatus}
        apiKey={apiKey}
        onKeyChange={onKeyChange}
        report={report}
      />
      <FilterBar filter={filter} setFilter={setFilter} report={report} refresh={refresh} />
      <Alerts errors={errors} dismiss={dismiss} />
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}
