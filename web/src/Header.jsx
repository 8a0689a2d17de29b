import { useEffect, useState } from "preact/hooks";
import { Link } from "./Link.jsx";
import { gql, setApiKey } from "./api.js";
import { VIEWER_QUERY } from "./queries.js";

const LIVE_TEXT = { live: "live", connecting: "connecting…", reconnecting: "reconnecting…" };

export function Header({ loc, navigate, liveStatus, apiKey, onKeyChange, report }) {
  const home = { filter: loc.filter, route: { name: "home" } };
  return (
    <header class="site-header">
      <div class="brand">
        <Link to={home} navigate={navigate} class="brand-link">
          Annals <span>explorer</span>
        </Link>
      </div>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link to={home} navigate={navigate} aria-current={loc.route.name === "home" ? "page" : undefined}>
              Timeline, map &amp; list
            </Link>
          </li>
          <li>
            <a href="/graphql">GraphiQL</a>
          </li>
        </ul>
      </nav>
      <SearchBox loc={loc} navigate={navigate} />
      <p class={`live-status live-${liveStatus}`} role="status" data-status={liveStatus}>
        <span class="dot" aria-hidden="true" />
        <span class="label">Updates: </span>
        {LIVE_TEXT[liveStatus] || liveStatus}
      </p>
      <Settings apiKey={apiKey} onKeyChange={onKeyChange} report={report} />
    </header>
  );
}

function SearchBox({ loc, navigate }) {
  const routeQuery = loc.route.name === "search" ? loc.route.query : "";
  const [text, setText] = useState(routeQuery);
  useEffect(() => setText(routeQuery), [routeQuery]);
  const submit = (e) => {
    e.preventDefault();
    const q = text.trim();
    if (q) navigate({ filter: loc.filter, route: { name: "search", query: q } });
  };
  return (
    <form class="search-box" role="search" onSubmit={submit}>
      <label for="site-search">Search events, statements, actors and sources</label>
      <div class="row">
        <input id="site-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </div>
    </form>
  );
}

function Settings({ apiKey, onKeyChange, report }) {
  const [draft, setDraft] = useState(apiKey);
  const [viewer, setViewer] = useState(null);

  useEffect(() => {
    let cancelled = false;
    gql(VIEWER_QUERY)
      .then((d) => {
        if (cancelled) return;
        setViewer(d.viewer);
        report("settings", null);
      })
      .catch((err) => {
        if (cancelled) return;
        setViewer(null);
        report("settings", err);
      });
    return () => {
      cancelled = true;
    };
  }, [apiKey]);

  const save = (e) => {
    e.preventDefault();
    setApiKey(draft.trim());
    onKeyChange(draft.trim());
  };
  const clear = () => {
    setDraft("");
    setApiKey("");
    onKeyChange("");
  };
  return (
    <details class="settings">
      <summary>Settings</summary>
      <form onSubmit={save}>
        <label for="api-key">API key (optional, for a reader key)</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <div class="row">
          <button type="submit">Save key</button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
        <p class="muted">
          Kept in this browser only and sent as <code>Authorization: Bearer …</code>.{" "}
          {viewer
            ? viewer.authenticated
              ? `Signed in as ${viewer.name} (${viewer.role.toLowerCase()}).`
              : "Reading anonymously."
            : null}
        </p>
      </form>
    </details>
  );
}
