// The typed API client (paths and shapes generated from ../openapi/openapi.json).
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, toApiError } from './problem';

let accessToken: string | undefined;
let onUnauthorized: (() => void) | undefined;
let renewer: (() => Promise<string | undefined>) | undefined;
let renewing: Promise<string | undefined> | undefined;

/** The API's bearer: the access token (`token_use == "access"`); the ID token is the app's. */
export function setAccessToken(token: string | undefined) {
  accessToken = token;
}

/** Called when a 401 survives a renewal: sign in again and come back. */
export function setUnauthorizedHandler(handler: (() => void) | undefined) {
  onUnauthorized = handler;
}

/** Renews the session's tokens (the refresh token) and gives the new access token. */
export function setRenewer(renew: (() => Promise<string | undefined>) | undefined) {
  renewer = renew;
}

/** One renewal at a time, whatever number of calls met a 401 together. */
function renewOnce(): Promise<string | undefined> {
  if (!renewer) return Promise.resolve(undefined);
  renewing ??= renewer()
    .catch(() => undefined)
    .finally(() => {
      renewing = undefined;
    });
  return renewing;
}

// A copy of each request, taken before it is sent (its body can be read once): the one
// retry after a renewal sends the copy.
const copies = new WeakMap<Request, Request>();

const auth: Middleware = {
  onRequest({ request }) {
    if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
    copies.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401) return response;
    const copy = copies.get(request);
    // The token expired or was refused: renew once and send the request again.
    const renewed = copy && request.headers.has('Authorization') ? await renewOnce() : undefined;
    if (renewed && copy) {
      copy.headers.set('Authorization', `Bearer ${renewed}`);
      const retried = await globalThis.fetch(copy);
      if (retried.status !== 401) return retried;
    }
    onUnauthorized?.();
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
  // openapi-fetch sets data on every success (a body-less answer's T is undefined).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
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
