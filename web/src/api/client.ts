// The typed API client (paths and shapes generated from ../openapi/openapi.json).
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, toApiError } from './problem';

let idToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

/** The API accepts ID tokens (`token_use == "id"`), not access tokens. */
export function setIdToken(token: string | undefined) {
  idToken = token;
}

/** Called on any 401, to sign in again and come back. */
export function setUnauthorizedHandler(handler: (() => void) | undefined) {
  onUnauthorized = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (idToken) request.headers.set('Authorization', `Bearer ${idToken}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthorized?.();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
  // Looked up at call time, so tests can stub it after the client is made.
  fetch: (request) => globalThis.fetch(request),
});
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or an ApiError (status 0 when the network failed). */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, undefined);
  }
  if (!result.response.ok) throw toApiError(result.response, result.error);
  return { data: result.data as T, response: result.response };
}

/**
 * Saves a response body as a file: a link cannot carry the bearer token, so the file is
 * fetched first, then handed to the browser as a Blob through a temporary <a download>.
 */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
