// The change feed over WebSocket (graphql-transport-ws). Every change makes
// the open views refetch; the connection retries forever so a page left open
// through a server restart comes back by itself.

import { createClient } from "graphql-ws";
import { getApiKey } from "./api.js";
import { CHANGES_SUBSCRIPTION } from "./queries.js";

function socketUrl() {
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

function backoff(attempt) {
  // Exponential with jitter, capped at 30 s, so many open pages do not all
  // hammer a restarting server at the same instant.
  const ms = Math.min(30000, 500 * 2 ** Math.min(attempt, 6));
  return ms / 2 + Math.random() * (ms / 2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// onStatus("connecting" | "live" | "reconnecting"), onChange(change | {reconnected: true}),
// onError(Error | null). Returns a function that closes everything.
export function startLive({ onStatus, onChange, onError }) {
  let connectedBefore = false;
  let stopped = false;
  let unsubscribe = () => {};

  const client = createClient({
    url: socketUrl(),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => sleep(backoff(retries)),
    connectionParams: () => {
      const key = getApiKey();
      return key ? { Authorization: `Bearer ${key}` } : {};
    },
    on: {
      connecting: () => onStatus(connectedBefore ? "reconnecting" : "connecting"),
      connected: () => {
        onStatus("live");
        onError(null);
        // Changes committed while the socket was down were not seen.
        if (connectedBefore) onChange({ reconnected: true });
        connectedBefore = true;
      },
      closed: (event) => {
        if (stopped) return;
        onStatus("reconnecting");
        // 4xxx codes carry the server's reason (a rejected API key, …).
        if (event && event.code >= 4000 && event.reason) {
          onError(new Error(`Live updates: ${event.reason} (close code ${event.code})`));
        }
      },
    },
  });

  let attempt = 0;
  const subscribe = () => {
    unsubscribe = client.subscribe(
      { query: CHANGES_SUBSCRIPTION },
      {
        next: (message) => {
          attempt = 0;
          if (message.errors && message.errors.length) {
            const e = message.errors[0];
            const code = e.extensions && e.extensions.code;
            onError(new Error(`Live updates: ${e.message}${code ? ` [${code}]` : ""}`));
            return;
          }
          if (message.data && message.data.changes) onChange(message.data.changes);
        },
        // The server ended the subscription (e.g. SLOW_SUBSCRIBER): tell the
        // reader, refetch what may have been missed, and subscribe again.
        error: (err) => {
          if (stopped) return;
          const list = Array.isArray(err) ? err : [err];
          const text = list
            .map((e) =>
              e && typeof e.code === "number" && "reason" in e
                ? `the connection was closed (${e.code}${e.reason ? `: ${e.reason}` : ""})`
                : (e && e.message) || String(e),
            )
            .join("; ");
          onError(new Error(`Live updates: ${text}`));
          resubscribe();
        },
        complete: () => {
          if (!stopped) resubscribe();
        },
      },
    );
  };
  const resubscribe = async () => {
    await sleep(backoff(attempt++));
    if (stopped) return;
    onChange({ reconnected: true });
    subscribe();
  };
  subscribe();

  return () => {
    stopped = true;
    unsubscribe();
    client.dispose();
  };
}
