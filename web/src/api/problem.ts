// RFC 9457 problems as the app sees them: one error type for every failed API call.
import type { components } from './schema';

export type Problem = components['schemas']['Problem'];
export type FieldProblem = components['schemas']['FieldProblem'];

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the network failed before any answer. */
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
    /** Seconds to wait, from `Retry-After` (429, 503). */
    readonly retryAfter?: number,
    /** The request's id (the problem's `request_id`, else the `X-Request-Id` header): what support looks the logs up by. */
    readonly requestId?: string,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The problem's slug: `/problems/validation-failed` → `validation-failed`. */
  get slug(): string | undefined {
    return this.problem?.type?.split('/').pop();
  }

  get fieldErrors(): FieldProblem[] {
    return Array.isArray(this.problem?.errors) ? this.problem.errors : [];
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** `Retry-After` in seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Builds the ApiError of a failed openapi-fetch call. */
/** A body read as a problem: an object, whose fields are each checked where read. */
export const problemOf = (body: unknown): Partial<Problem> | undefined => (body && typeof body === 'object' ? body : undefined);

export function toApiError(response: Response, body: unknown): ApiError {
  const problem = problemOf(body);
  const requestId = (typeof problem?.request_id === 'string' ? problem.request_id : undefined) ?? response.headers.get('X-Request-Id') ?? undefined;
  return new ApiError(response.status, problem, parseRetryAfter(response.headers.get('Retry-After')), requestId);
}

/** One field error per form field (the first one wins), keyed by form field name. */
export function fieldErrorsByName(errors: FieldProblem[]): Record<string, FieldProblem> {
  const out: Record<string, FieldProblem> = {};
  for (const e of errors) {
    const name = e.field.replace(/_cents$/, '');
    out[name] ??= e;
  }
  return out;
}
