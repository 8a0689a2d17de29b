// HTTP side of the API: one POST per operation, with the reader's API key
// when one is set. GraphQL errors become ApiError so the page can show their
// extensions.code (UNAUTHENTICATED, RATE_LIMITED, …) instead of dropping them.

const KEY_STORAGE = "annals.apiKey";

export function getApiKey() {
  try {
    return localStorage.getItem(KEY_STORAGE) || "";
  } catch {
    return ""; // storage can be disabled; the page then works anonymously
  }
}

export function setApiKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // nothing to do: the key then lasts only until reload
  }
}

export function authHeader() {
  const key = getApiKey();
  return key ? `Bearer ${key}` : null;
}

export class ApiError extends Error {
  constructor(message, code, operation) {
    super(message);
    this.name = "ApiError";
    this.code = code || null;
    this.operation = operation || null;
  }
}

function operationName(query) {
  const m = /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query);
  return m ? m[1] : null;
}

export async function gql(query, variables = {}, { signal } = {}) {
  const op = operationName(query);
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  const auth = authHeader();
  if (auth) headers.Authorization = auth;

  let response;
  try {
    response = await fetch(new URL("/graphql", location.origin), {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables, operationName: op }),
      signal,
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(`The API could not be reached (${err.message}).`, "NETWORK", op);
  }

  let body = null;
  try {
    body = await response.json();
  } catch {
    // fall through: reported with the HTTP status below
  }
  if (body && Array.isArray(body.errors) && body.errors.length) {
    const first = body.errors[0];
    const more = body.errors.length > 1 ? ` (and ${body.errors.length - 1} more)` : "";
    throw new ApiError(`${first.message}${more}`, first.extensions && first.extensions.code, op);
  }
  if (!response.ok || !body || !body.data) {
    const retry = response.headers.get("Retry-After");
    const hint = retry ? ` Try again in ${retry} s.` : "";
    throw new ApiError(`The API answered ${response.status} ${response.statusText}.${hint}`, `HTTP_${response.status}`, op);
  }
  return body.data;
}
