// The API client: credentials live in sessionStorage (this tab only, gone when it
// closes), never in a cookie; every failure becomes an ApiError carrying the API's
// own message.

const STORE = 'wamux.credentials';

let credentials = load();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE));
  } catch {
    return null;
  }
}

export function signedIn() {
  return credentials !== null;
}

/** kind: 'token' (Bearer, from a login) or 'key' (x-api-key). */
export function remember(kind, value) {
  credentials = { kind, value };
  sessionStorage.setItem(STORE, JSON.stringify(credentials));
}

export function forget() {
  credentials = null;
  sessionStorage.removeItem(STORE);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authHeaders(extra = {}) {
  const headers = { ...extra };
  if (credentials?.kind === 'token') headers.Authorization = `Bearer ${credentials.value}`;
  if (credentials?.kind === 'key') headers['x-api-key'] = credentials.value;
  return headers;
}

async function send(method, path, body, signal) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: authHeaders(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', `The server did not answer (${err.message}).`);
  }
  if (response.ok) return response;
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // Not JSON (a proxy's page): the status line is all there is to show.
  }
  const error = new ApiError(
    response.status,
    answer?.code ?? `http_${response.status}`,
    answer?.error ?? `${response.status} ${response.statusText}`,
  );
  // A token that expired or a key that was rotated: back to the sign-in page.
  if (response.status === 401 && credentials && !path.startsWith('/api/auth/login')) {
    forget();
    window.dispatchEvent(new CustomEvent('wamux:signed-out', { detail: error.message }));
  }
  throw error;
}

export async function call(method, path, body) {
  const response = await send(method, path, body);
  return response.status === 204 ? null : response.json();
}

export const get = (path, query) => call('GET', withQuery(path, query));
export const post = (path, body) => call('POST', path, body ?? {});
export const put = (path, body) => call('PUT', path, body);
export const patch = (path, body) => call('PATCH', path, body);
export const del = (path) => call('DELETE', path);

export function withQuery(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** An image the API serves behind credentials, as an object URL for <img>. */
export async function imageUrl(path) {
  const response = await send('GET', path);
  return URL.createObjectURL(await response.blob());
}

export const pathPart = encodeURIComponent;

/**
 * Reads a Server-Sent Events stream with the caller's credentials (EventSource
 * cannot send them) and calls onEvent(type, envelope) per event; reconnects after a
 * pause until close() is called. onState(open) reports the connection.
 */
export function streamEvents(path, onEvent, onState = () => {}) {
  const abort = new AbortController();
  let closed = false;
  const run = async () => {
    while (!closed) {
      try {
        const response = await send('GET', path, undefined, abort.signal);
        onState(true);
        await readFrames(response.body, onEvent);
      } catch (err) {
        if (closed || err.status === 401) return;
      }
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  run();
  return {
    close() {
      closed = true;
      abort.abort();
    },
  };
}

async function readFrames(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (!data) continue;
      try {
        onEvent(type, JSON.parse(data));
      } catch {
        // A frame that is not JSON is not one of ours: skipped.
      }
    }
  }
}
