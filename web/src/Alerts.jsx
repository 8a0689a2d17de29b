const HINTS = {
  UNAUTHENTICATED: "The API key was refused: check it under Settings, or clear it to read anonymously.",
  FORBIDDEN: "This API key may not read this.",
  RATE_LIMITED: "Too many requests: wait a moment, then change the filter again.",
  NETWORK: "Check that the server is running.",
};

// The one place API errors are shown. The container stays in the DOM so
// screen readers announce messages as they are added.
export function Alerts({ errors, dismiss }) {
  // One failing key or server makes every view fail the same way: show the
  // message once, and dismiss all its copies together.
  const groups = new Map();
  for (const e of errors) {
    const k = `${e.code}|${e.message}`;
    if (groups.has(k)) groups.get(k).sources.push(e.source);
    else groups.set(k, { ...e, sources: [e.source] });
  }
  return (
    <div class="alerts" role="alert" aria-live="assertive">
      {[...groups.values()].map((e) => (
        <div class="alert" key={e.sources[0]} data-code={e.code || ""}>
          <p>
            {e.code ? <strong class="code">{e.code}</strong> : null} {e.message}
            {e.code && HINTS[e.code] ? <span class="hint"> {HINTS[e.code]}</span> : null}
          </p>
          <button type="button" onClick={() => e.sources.forEach(dismiss)} aria-label={`Dismiss: ${e.message}`}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
