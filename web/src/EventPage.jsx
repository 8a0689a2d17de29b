import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { EVENT_QUERY } from "./queries.js";
import { Link } from "./Link.jsx";
import { beginUpdate, reportRendered } from "./timing.js";
import { CASUALTY_CATEGORIES, CASUALTY_LABELS, EVENT_TYPE_LABELS, GEO_PRECISION_LABELS, RULE_LABELS } from "./enums.js";
import { PRECISION_WORDS, formatDate, formatDates, formatRange, num, placeText, rangeWords, words } from "./format.js";

let firstPage = true;

export function EventPage({ id, statement, filter, refresh, navigate, report }) {
  const [state, setState] = useState({ id: null, event: null, gen: 0 });

  useEffect(() => {
    let cancelled = false;
    const kind = firstPage ? "first" : refresh.live ? "live" : "page";
    firstPage = false;
    const gen = beginUpdate(["event"], kind);
    gql(EVENT_QUERY, { id })
      .then((d) => {
        if (cancelled) return;
        report("event", null);
        setState({ id, event: d.node && d.node.__typename === "Event" ? d.node : null, missing: !d.node || d.node.__typename !== "Event", gen });
      })
      .catch((err) => {
        if (cancelled) return;
        report("event", err);
        setState({ id, event: null, error: true, gen });
      });
    return () => {
      cancelled = true;
    };
  }, [id, refresh.n]);

  useEffect(() => {
    if (state.id === id) reportRendered("event", state.gen);
    if (state.event) document.title = `${state.event.title} — Annals explorer`;
  }, [state]);

  // A search hit on a statement leads here with #statement-<id>: bring it
  // into view once the event is there (not again on a live refetch).
  const loadedHere = state.id === id && !!state.event;
  useEffect(() => {
    if (!loadedHere || !statement) return;
    const el = document.getElementById(`statement-${statement}`);
    if (el) el.scrollIntoView({ block: "center" });
  }, [loadedHere, statement]);

  const to = (eventId) => ({ filter, route: { name: "event", id: eventId } });
  const back = (
    <p class="back">
      <Link to={{ filter, route: { name: "home" } }} navigate={navigate}>
        ← Back to the events
      </Link>
    </p>
  );

  if (state.id !== id) return <div class="event-page">{back}<p class="muted">Loading…</p></div>;
  if (state.error) return <div class="event-page">{back}<p>The event could not be loaded.</p></div>;
  if (state.missing) return <div class="event-page">{back}<h1>No such event</h1><p>Nothing has the ID {id}.</p></div>;

  const ev = state.event;
  const reportsBy = (cat) => ev.casualtyReports.filter((r) => r.category === cat);
  const figureBy = (cat) => ev.figures.find((f) => f.category === cat);
  const categories = CASUALTY_CATEGORIES.filter((c) => figureBy(c) || reportsBy(c).length);
  const participants = ev.participants;
  const statements = ev.statements.edges.map((e) => e.node);
  const subEvents = ev.subEvents.edges.map((e) => e.node);

  return (
    <article class="event-page" data-event-id={ev.id}>
      {back}
      <header class="event-header">
        {ev.parent ? (
          <p class="parent">
            Part of{" "}
            <Link to={to(ev.parent.id)} navigate={navigate}>
              {ev.parent.title}
            </Link>
          </p>
        ) : null}
        <h1>{ev.title}</h1>
        {ev.archivedAt ? <p class="badge">Archived {ev.archivedAt.slice(0, 10)}</p> : null}
        {ev.lowConfidence ? <p class="badge">Machine-coded, not yet checked by a person</p> : null}
        <dl class="facts">
          <dt>When</dt>
          <dd>
            {formatDates(ev.startDate, ev.endDate, ev.datePrecision)}{" "}
            <span class="muted">({PRECISION_WORDS[ev.datePrecision]})</span>
          </dd>
          <dt>Where</dt>
          <dd>
            {placeText(ev.location)}
            {ev.location ? <span class="muted"> (located to the {GEO_PRECISION_LABELS[ev.location.precision]})</span> : null}
          </dd>
          <dt>Type</dt>
          <dd>
            {EVENT_TYPE_LABELS[ev.type]}
            {ev.subType ? ` — ${words(ev.subType)}` : ""}
          </dd>
        </dl>
        {ev.summary ? <p class="event-summary">{ev.summary}</p> : null}
      </header>

      <section aria-labelledby="figures-heading" class="figures-section">
        <h2 id="figures-heading">Casualty figures</h2>
        {categories.length ? (
          categories.map((c) => <FigureTable key={c} category={c} figure={figureBy(c)} reports={reportsBy(c)} />)
        ) : (
          <p class="muted">No casualty figure is recorded for this event (unknown, not zero).</p>
        )}
      </section>

      {participants.length ? (
        <section aria-labelledby="participants-heading">
          <h2 id="participants-heading">Participants</h2>
          <ul class="participants">
            {participants.map((p) => (
              <li key={`${p.actor.id}-${p.role}`}>
                {p.actor.name} <span class="role">{words(p.role)}</span> <span class="muted">{words(p.actor.kind)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {subEvents.length ? (
        <section aria-labelledby="sub-heading">
          <h2 id="sub-heading">Sub-events ({num(ev.subEvents.totalCount)})</h2>
          <ul class="sub-events">
            {subEvents.map((s) => (
              <li key={s.id}>
                <Link to={to(s.id)} navigate={navigate}>
                  {s.title}
                </Link>{" "}
                <span class="muted">
                  {formatDates(s.startDate, s.endDate, s.datePrecision)} · {EVENT_TYPE_LABELS[s.type]}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {statements.length ? (
        <section aria-labelledby="statements-heading">
          <h2 id="statements-heading">Statements ({num(ev.statements.totalCount)})</h2>
          <ul class="statements">
            {statements.map((s) => (
              <Statement key={s.id} s={s} highlighted={s.id === statement} />
            ))}
          </ul>
        </section>
      ) : null}

      {ev.citations.length ? (
        <section aria-labelledby="sources-heading">
          <h2 id="sources-heading">Sources for the event</h2>
          <Citations citations={ev.citations} />
        </section>
      ) : null}
    </article>
  );
}

function Statement({ s, highlighted }) {
  const blamed = s.actorMentions.filter((m) => m.role === "BLAMED");
  const mentioned = s.actorMentions.filter((m) => m.role !== "BLAMED");
  return (
    <li
      class={`statement ${s.mode === "VERBATIM" ? "verbatim" : "paraphrase"}${highlighted ? " highlighted" : ""}`}
      id={`statement-${s.id}`}
      aria-current={highlighted ? "true" : undefined}
    >
      <p class="said">
        <strong>{s.speaker.name}</strong> <span class="muted">{words(s.kind).toLowerCase()}</span>
        {s.statedOn ? <span class="muted">, {formatDate(s.statedOn, s.datePrecision || "DAY")}</span> : null}
        {s.lowConfidence ? <span class="badge">machine-coded</span> : null}
      </p>
      {s.mode === "VERBATIM" ? (
        <blockquote class="quote">
          <p>“{s.text}”</p>
          <footer class="muted">Quoted verbatim</footer>
        </blockquote>
      ) : (
        <div class="paraphrase-text">
          <p>{s.text}</p>
          <p class="muted small">Paraphrased, not the speaker’s own words</p>
        </div>
      )}
      {blamed.length ? (
        <p class="blames">
          Blames: {blamed.map((m) => m.actor.name).join(", ")}
        </p>
      ) : null}
      {mentioned.length ? <p class="mentions muted">Mentions: {mentioned.map((m) => m.actor.name).join(", ")}</p> : null}
      {s.citations.length ? <Citations citations={s.citations} /> : null}
    </li>
  );
}

function Citations({ citations }) {
  return (
    <ul class="citations">
      {citations.map((c, i) => (
        <li key={`${c.source.id}-${i}`} class={`citation source-${c.source.status.toLowerCase()}`}>
          <SourceName source={c.source} />
          {c.excerpt ? <q class="excerpt">{c.excerpt}</q> : null}
        </li>
      ))}
    </ul>
  );
}

export function SourceName({ source }) {
  const name = source.title ? `${source.publisher}: ${source.title}` : source.publisher;
  return (
    <span class="source">
      {source.url && source.status !== "DELETED" ? (
        <a href={source.url} rel="noopener noreferrer" target="_blank">
          {name}
        </a>
      ) : (
        <span class="source-name">{name}</span>
      )}
      {source.publishedOn ? <span class="muted"> ({formatDate(source.publishedOn)})</span> : null}
      {source.status === "DELETED" ? (
        <>
          {" "}
          <span class="badge deleted" title="The publisher took this source down">
            deleted
          </span>
          {source.archiveUrl ? <ArchivedCopy url={source.archiveUrl} /> : (
            <span class="muted"> (no archived copy recorded)</span>
          )}
        </>
      ) : source.status === "EDITED" ? (
        <>
          {" "}
          <span class="badge edited" title="Changed after publication">
            edited
          </span>
          {source.archiveUrl ? <ArchivedCopy url={source.archiveUrl} /> : null}
        </>
      ) : null}
    </span>
  );
}

const STATUS_WORDS = { REPORTED: "reported", DISPUTED: "disputed", RETRACTED: "retracted" };

// One table per category: every competing report, and the reconciled figure
// with the rule that produced it, so a reader can check the reconciliation.
function FigureTable({ category, figure, reports }) {
  const label = CASUALTY_LABELS[category];
  const excluded = new Map((figure ? figure.excluded : []).map((x) => [x.report.id, x]));
  const considered = new Set((figure ? figure.considered : []).map((r) => r.id));
  const reconciled = figure && figure.best != null;
  const captionId = `fig-${category}`;
  return (
    <div class="figure-block" data-category={category}>
      <table class="figures" aria-describedby={figure ? `${captionId}-explanation` : undefined}>
        <caption id={captionId}>
          {label}:{" "}
          {reconciled ? (
            <strong class="reconciled-value">
              {num(figure.best)}
              {figure.highOpen ? "+" : ""}
            </strong>
          ) : (
            <strong class="reconciled-value">unknown</strong>
          )}
          {figure ? <span class="rule"> (rule: {RULE_LABELS[figure.rule]})</span> : null}
        </caption>
        <thead>
          <tr>
            <th scope="col">Reported figure</th>
            <th scope="col">Claimed by</th>
            <th scope="col">Status</th>
            <th scope="col">As of</th>
            <th scope="col">Sources</th>
            <th scope="col">Counts?</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => {
            const x = excluded.get(r.id);
            return (
              <tr key={r.id} class={`report status-${r.status.toLowerCase()}`} data-report-id={r.id}>
                <th scope="row">
                  <span class="figure" title={rangeWords(r.low, r.high, r.high == null)}>
                    {formatRange(r.low, r.high, r.high == null)}
                  </span>
                  {r.best != null && !(r.low === r.high && r.best === r.low) ? <span class="muted"> best {num(r.best)}</span> : null}
                  {r.affectedGroup ? <span class="muted"> ({r.affectedGroup})</span> : null}
                  {r.preferred ? <span class="badge">preferred</span> : null}
                </th>
                <td class="claimant">{r.claimedBy ? r.claimedBy.name : <span class="muted">unattributed</span>}</td>
                <td class="status">
                  <span class={`status-badge status-${r.status.toLowerCase()}`}>{STATUS_WORDS[r.status]}</span>
                  {r.statusReason ? <span class="muted small"> — {r.statusReason}</span> : null}
                </td>
                <td>{r.asOf ? formatDate(r.asOf) : <span class="muted">not given</span>}</td>
                <td>
                  <Citations citations={r.citations} />
                  {r.note ? (
                    <details class="note">
                      <summary>Note</summary>
                      <p>{r.note}</p>
                    </details>
                  ) : null}
                </td>
                <td>
                  {x ? (
                    <span class="excluded">No: {x.reason === "RETRACTED" ? "retracted" : "superseded by a later report"}</span>
                  ) : considered.has(r.id) ? (
                    "Yes"
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
          {figure && figure.subEvents ? (
            <tr class="sub-events-sum">
              <th scope="row">{formatRange(figure.subEvents.low, figure.subEvents.high, figure.subEvents.highOpen)}</th>
              <td colspan={5}>Sum of the sub-events’ figures (best {num(figure.subEvents.best)})</td>
            </tr>
          ) : null}
        </tbody>
        <tfoot>
          <tr class="reconciled">
            <th scope="row">Reconciled</th>
            <td colspan={5}>
              {reconciled ? (
                <>
                  best <strong>{num(figure.best)}</strong>, range{" "}
                  {formatRange(figure.low, figure.high, figure.highOpen)}
                  {figure.highOpen ? " (no upper bound)" : ""}
                </>
              ) : (
                "unknown"
              )}
            </td>
          </tr>
        </tfoot>
      </table>
      {figure ? (
        <p class="explanation" id={`${captionId}-explanation`}>
          {figure.explanation}
        </p>
      ) : null}
    </div>
  );
}

// The link to a source's archived copy, after a space.
function ArchivedCopy({ url }) {
  return (
    <>
      {" "}
      <a href={url} rel="noopener noreferrer" target="_blank" class="archived">
        archived copy
      </a>
    </>
  );
}
