import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { SEARCH_QUERY } from "./queries.js";
import { Link } from "./Link.jsx";
import { beginUpdate, reportRendered } from "./timing.js";
import { EVENT_TYPE_LABELS } from "./enums.js";
import { formatDate, placeText, words } from "./format.js";
import { toEventFilter } from "./url.js";
import { SourceName } from "./EventPage.jsx";

const FIRST = 50;
let firstSearch = true;

const FIELD_WORDS = { title: "Title", summary: "Summary", place: "Place", text: "Text", name: "Name", alias: "Also known as", publisher: "Publisher" };

// Segments come from the server already split into matching and other
// text; rendering them as text nodes inside <mark> keeps any markup in the
// data inert.
function Highlight({ segments }) {
  return (
    <>
      {segments.map((s, i) => (s.match ? <mark key={i}>{s.text}</mark> : s.text))}
    </>
  );
}

export function SearchResults({ query, filter, refresh, navigate, report }) {
  const [state, setState] = useState({ key: null, hits: null, gen: 0 });
  // Whether the reader asked to rank every match; a new search starts bounded again.
  const [all, setAll] = useState(null);
  const search = JSON.stringify([query, toEventFilter(filter)]);
  const exhaustive = all === search;
  const key = JSON.stringify([search, exhaustive]);

  useEffect(() => {
    if (!query.trim()) {
      setState({ key, hits: [], gen: 0 });
      return undefined;
    }
    let cancelled = false;
    const kind = firstSearch ? "first" : refresh.live ? "live" : "page";
    firstSearch = false;
    const gen = beginUpdate(["search"], kind);
    gql(SEARCH_QUERY, { query, filter: toEventFilter(filter), first: FIRST, exhaustive })
      .then((d) => {
        if (cancelled) return;
        report("search", null);
        setState({
          key,
          hits: d.search.edges.map((e) => e.node),
          more: d.search.pageInfo.hasNextPage,
          everyRanked: d.search.exhaustive,
          gen,
        });
      })
      .catch((err) => {
        if (cancelled) return;
        report("search", err);
        setState({ key, hits: [], error: true, gen });
      });
    return () => {
      cancelled = true;
    };
  }, [key, refresh.n]);

  useEffect(() => {
    if (state.key === key && state.gen) reportRendered("search", state.gen);
  }, [state]);

  const filtered = Object.keys(toEventFilter(filter)).length > 0;
  const eventTo = (id) => ({ filter, route: { name: "event", id } });

  return (
    <section class="search-results" aria-labelledby="search-heading">
      <h1 id="search-heading">Search results for “{query}”</h1>
      {filtered ? <p class="muted">Events found are narrowed by the filter above; statements, actors and sources are not.</p> : null}
      {state.key !== key || !state.hits ? (
        <p class="muted">Searching…</p>
      ) : state.hits.length === 0 ? (
        <p>{state.error ? "The search failed." : "Nothing matches."}</p>
      ) : (
        <>
          <p class="muted">
            {state.hits.length}
            {state.more ? "+" : ""} results, best first
          </p>
          {state.everyRanked ? null : (
            <p class="unranked" role="status">
              So many events or statements match that only the most recently recorded of them were ranked;
              older matches are not listed.{" "}
              <button type="button" onClick={() => setAll(search)}>
                Rank every match
              </button>
            </p>
          )}
          <ol class="hits">
            {state.hits.map((hit, i) => (
              <Hit key={(hit.node && hit.node.id) || i} hit={hit} eventTo={eventTo} filter={filter} navigate={navigate} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function Hit({ hit, eventTo, filter, navigate }) {
  const node = hit.node;
  if (!node) return null;
  const kind = node.__typename;
  let head;
  if (kind === "Event") {
    head = (
      <>
        <Link to={eventTo(node.id)} navigate={navigate} class="hit-title">
          {node.title}
        </Link>
        <span class="muted">
          {" "}
          {formatDate(node.startDate, node.datePrecision)} · {placeText(node.location)} · {EVENT_TYPE_LABELS[node.type]}
        </span>
      </>
    );
  } else if (kind === "Statement") {
    head = node.event ? (
      <>
        <Link
          to={{ ...eventTo(node.event.id), route: { ...eventTo(node.event.id).route, statement: node.id } }}
          navigate={navigate}
          class="hit-title"
        >
          {node.speaker.name} on “{node.event.title}”
        </Link>
        <span class="muted"> · {node.mode === "VERBATIM" ? "quoted" : "paraphrased"}</span>
      </>
    ) : (
      <span class="hit-title">{node.speaker.name}</span>
    );
  } else if (kind === "Actor") {
    head = (
      <>
        <Link
          to={{ filter: { ...filter, actors: [...new Set([...filter.actors, node.id])] }, route: { name: "home" } }}
          navigate={navigate}
          class="hit-title"
        >
          {node.name}
        </Link>
        <span class="muted">
          {" "}
          · {words(node.kind)}
          {node.countryCode ? `, ${node.countryCode}` : ""} · opens the events this actor took part in
        </span>
      </>
    );
  } else if (kind === "Source") {
    head = <SourceName source={{ ...node, title: node.sourceTitle }} />;
  }
  return (
    <li class={`hit hit-${kind.toLowerCase()}`} data-kind={kind}>
      <span class="kind">{kind}</span> {head}
      {hit.highlights.length ? (
        <dl class="highlights">
          {hit.highlights.map((h) => (
            <div key={h.field}>
              <dt>{FIELD_WORDS[h.field] || h.field}</dt>
              <dd>
                <Highlight segments={h.segments} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </li>
  );
}
