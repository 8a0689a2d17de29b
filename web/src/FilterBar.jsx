import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { ACTOR_NAMES_QUERY, ACTOR_SEARCH_QUERY, COUNTRIES_QUERY } from "./queries.js";
import { EVENT_TYPES, EVENT_TYPE_COLORS, EVENT_TYPE_LABELS } from "./enums.js";
import { EMPTY_FILTER } from "./url.js";
import { countryName, num, words } from "./format.js";
import { useDebounced } from "./hooks.js";

// The one filter bar every view shares. Every change becomes a new URL
// (history entry), so back/forward walk through the filters tried.
export function FilterBar({ filter, setFilter, report, refresh }) {
  const set = (patch) => setFilter({ ...filter, ...patch });
  const active =
    filter.from || filter.to || filter.text || filter.types.length || filter.countries.length || filter.actors.length;
  return (
    <section class="filter-bar" aria-labelledby="filter-heading">
      <h2 id="filter-heading" class="visually-hidden">
        Filter
      </h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <div class="field dates">
          <label for="f-from">From</label>
          <input id="f-from" type="date" value={filter.from} max={filter.to || undefined} onChange={(e) => set({ from: e.currentTarget.value })} />
          <label for="f-to">To</label>
          <input id="f-to" type="date" value={filter.to} min={filter.from || undefined} onChange={(e) => set({ to: e.currentTarget.value })} />
        </div>
        <TextField value={filter.text} onCommit={(text) => set({ text })} />
        <CountryPicker selected={filter.countries} onChange={(countries) => set({ countries })} report={report} refresh={refresh} />
        <ActorPicker selected={filter.actors} onChange={(actors) => set({ actors })} report={report} />
        <fieldset class="field types">
          <legend>Event types</legend>
          {EVENT_TYPES.map((t) => (
            <span class="check" key={t}>
              <input
                type="checkbox"
                id={`f-type-${t}`}
                name="type"
                value={t}
                checked={filter.types.includes(t)}
                onChange={(e) =>
                  set({ types: e.currentTarget.checked ? [...filter.types, t] : filter.types.filter((x) => x !== t) })
                }
              />
              <label for={`f-type-${t}`}>
                <Swatch color={EVENT_TYPE_COLORS[t]} />
                {EVENT_TYPE_LABELS[t]}
              </label>
            </span>
          ))}
        </fieldset>
        <div class="field actions">
          <button type="button" disabled={!active} onClick={() => setFilter({ ...EMPTY_FILTER })}>
            Clear filters
          </button>
        </div>
      </form>
    </section>
  );
}

export function Swatch({ color }) {
  // An SVG rather than a styled span: colours set as presentation attributes
  // need no inline style, which the server's CSP forbids.
  return (
    <svg class="swatch" width="12" height="12" aria-hidden="true" focusable="false">
      <rect width="12" height="12" rx="2" fill={color} />
    </svg>
  );
}

// Free text commits on Enter or when the field loses focus, not per key:
// each commit is a history entry and a round of requests.
function TextField({ value, onCommit }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
  };
  return (
    <div class="field text">
      <label for="f-text">Text in title, summary or place</label>
      <input
        id="f-text"
        type="search"
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onChange={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commit();
          }
        }}
      />
    </div>
  );
}

function CountryPicker({ selected, onChange, report, refresh }) {
  const [countries, setCountries] = useState([]);
  useEffect(() => {
    let cancelled = false;
    gql(COUNTRIES_QUERY)
      .then((d) => {
        if (cancelled) return;
        report("countries", null);
        const list = d.eventStats.series
          .filter((s) => !s.other && s.key[0] && s.key[0].countryCode)
          .map((s) => ({ code: s.key[0].countryCode, events: s.total.events }));
        setCountries(list.sort((a, b) => countryName(a.code).localeCompare(countryName(b.code))));
      })
      .catch((err) => !cancelled && report("countries", err));
    return () => {
      cancelled = true;
    };
  }, [refresh.n]);
  // A bookmarked country with no events (yet) must still show as selected.
  const known = new Set(countries.map((c) => c.code));
  const options = [...countries, ...selected.filter((c) => !known.has(c)).map((code) => ({ code, events: 0 }))];
  return (
    <div class="field countries">
      <label for="f-country">Countries</label>
      <select
        id="f-country"
        multiple
        size={Math.min(4, Math.max(2, options.length))}
        onChange={(e) => onChange([...e.currentTarget.selectedOptions].map((o) => o.value))}
      >
        {options.map((c) => (
          <option key={c.code} value={c.code} selected={selected.includes(c.code)}>
            {countryName(c.code)} ({num(c.events)})
          </option>
        ))}
      </select>
    </div>
  );
}

const actorNames = new Map();

function ActorPicker({ selected, onChange, report }) {
  const [text, setText] = useState("");
  const [suggestions, setSuggestions] = useState([]);
  const [, setNamesLoaded] = useState(0);
  const query = useDebounced(text.trim(), 200);
  const listRef = useRef(null);

  // Names of actors a bookmarked URL gives only by ID.
  useEffect(() => {
    const missing = selected.filter((id) => !actorNames.has(id));
    if (!missing.length) return;
    gql(ACTOR_NAMES_QUERY, { ids: missing.slice(0, 100) })
      .then((d) => {
        for (const n of d.nodes) if (n && n.name) actorNames.set(n.id, n.name);
        setNamesLoaded((x) => x + 1);
      })
      .catch((err) => report("actors", err));
  }, [selected.join(",")]);

  useEffect(() => {
    if (query.length < 2) {
      setSuggestions([]);
      return undefined;
    }
    let cancelled = false;
    gql(ACTOR_SEARCH_QUERY, { name: query })
      .then((d) => {
        if (cancelled) return;
        report("actors", null);
        setSuggestions(d.actors.edges.map((e) => e.node).filter((a) => !selected.includes(a.id)));
      })
      .catch((err) => !cancelled && report("actors", err));
    return () => {
      cancelled = true;
    };
  }, [query]);

  const add = (actor) => {
    actorNames.set(actor.id, actor.name);
    setText("");
    setSuggestions([]);
    onChange([...selected, actor.id]);
  };

  return (
    <div class="field actors">
      <label for="f-actor">Actors</label>
      {selected.length ? (
        <ul class="chips" aria-label="Selected actors">
          {selected.map((id) => (
            <li key={id}>
              {actorNames.get(id) || "…"}
              <button
                type="button"
                aria-label={`Remove ${actorNames.get(id) || "actor"}`}
                onClick={() => onChange(selected.filter((x) => x !== id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        id="f-actor"
        type="text"
        placeholder="Type a name…"
        autocomplete="off"
        aria-describedby="f-actor-hint"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && listRef.current) {
            e.preventDefault();
            const first = listRef.current.querySelector("button");
            if (first) first.focus();
          }
        }}
      />
      <span id="f-actor-hint" class="visually-hidden">
        Suggestions appear below as buttons; press the down arrow to reach them.
      </span>
      {suggestions.length ? (
        <ul class="suggestions" ref={listRef} aria-label="Matching actors">
          {suggestions.map((a) => (
            <li key={a.id}>
              <button type="button" onClick={() => add(a)}>
                {a.name} <span class="muted">{words(a.kind)}{a.countryCode ? `, ${a.countryCode}` : ""}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : query.length >= 2 ? (
        <p class="muted small">No actor matches “{query}”.</p>
      ) : null}
    </div>
  );
}
