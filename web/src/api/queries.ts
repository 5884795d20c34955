// Every read of the API as a TanStack Query definition; mutations invalidate what they change.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { isApiError } from './problem';
import type { components, paths } from './schema';

export type LoanRequest = components['schemas']['LoanRequestView'];
export type AuditEvent = components['schemas']['AuditEventView'];
export type DocumentView = components['schemas']['DocumentView'];
export type Terms = components['schemas']['TermsView'];
export type Bank = components['schemas']['BankView'];
export type LoanStatus = components['schemas']['LoanStatus'];
export type Stats = components['schemas']['StatsView'];
export type Totals = components['schemas']['TotalsView'];
export type Reviewer = components['schemas']['ReviewerView'];
export type Message = components['schemas']['MessageView'];
export type BulkResult = components['schemas']['BulkResult'];
export type Guarantee = components['schemas']['GuaranteeView'];
export type GuaranteeState = components['schemas']['GuaranteeState'];
export type PendingGrant = components['schemas']['PendingGrantView'];
export type AuditChains = components['schemas']['AuditChainsView'];
export type GrantThreshold = components['schemas']['GrantThresholdView'];
export type LoanRequestQuery = NonNullable<paths['/api/v1/loan-requests']['get']['parameters']['query']>;

export const keys = {
  banks: ['banks'] as const,
  requests: ['loan-requests'] as const,
  request: (id: string) => ['loan-request', id] as const,
  events: (id: string) => ['loan-request', id, 'events'] as const,
  documents: (id: string) => ['loan-request', id, 'documents'] as const,
  messages: (id: string) => ['loan-request', id, 'messages'] as const,
  guarantee: (id: string) => ['loan-request', id, 'guarantee'] as const,
  grantThreshold: (bankId: string) => ['banks', bankId, 'grant-threshold'] as const,
  queue: ['queue'] as const,
  stats: ['stats'] as const,
  degradedMode: ['degraded-mode'] as const,
  platformStatus: ['platform-status'] as const,
};

export const banksQuery = queryOptions({
  queryKey: keys.banks,
  queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/banks', { signal }))).data,
  staleTime: 60 * 60 * 1000,
});

export const requestsQuery = (cursor: string | undefined) =>
  queryOptions({
    queryKey: [...keys.requests, cursor ?? ''],
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET('/api/v1/loan-requests', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } }, signal }))).data,
  });

export interface WithEtag<T> {
  data: T;
  /** The `ETag` to send back as `If-Match` for a state change. */
  etag: string;
}

export const etagOf = (response: Response, version: number) => response.headers.get('ETag') ?? `"${version}"`;

export const requestQuery = (id: string) =>
  queryOptions({
    queryKey: keys.request(id),
    queryFn: async ({ signal }): Promise<WithEtag<LoanRequest>> => {
      const { data, response } = await unwrap(api.GET('/api/v1/loan-requests/{id}', { params: { path: { id } }, signal }));
      return { data, etag: etagOf(response, data.version) };
    },
  });

export const eventsQuery = (id: string) =>
  queryOptions({
    queryKey: keys.events(id),
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/loan-requests/{id}/events', { params: { path: { id } }, signal }))).data,
  });

export const documentsQuery = (id: string) =>
  queryOptions({
    queryKey: keys.documents(id),
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/loan-requests/{id}/documents', { params: { path: { id } }, signal }))).data.items,
    // Download links last 5 minutes: refresh them before they expire.
    staleTime: 60 * 1000,
    refetchInterval: 4 * 60 * 1000,
  });

/** A request's State guarantee; `null` while no identifier has been issued for it (the API's 404). */
export const guaranteeQuery = (id: string) =>
  queryOptions({
    queryKey: keys.guarantee(id),
    queryFn: async ({ signal }): Promise<Guarantee | null> => {
      try {
        return (await unwrap(api.GET('/api/v1/loan-requests/{id}/guarantee', { params: { path: { id } }, signal }))).data;
      } catch (e) {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }
    },
  });

/** A bank's four-eyes threshold (docs/RULES.md §21): a grant above it needs a second reviewer. */
export const grantThresholdQuery = (bankId: string) =>
  queryOptions({
    queryKey: keys.grantThreshold(bankId),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET('/api/v1/banks/{id}/grant-threshold', { params: { path: { id: bankId } }, signal }))).data,
  });

/** A bank's queue (or all requests for an admin), filtered as the URL says. */
export const queueQuery = (query: LoanRequestQuery) =>
  queryOptions({
    queryKey: [...keys.queue, query],
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/loan-requests', { params: { query }, signal }))).data,
  });

export const messagesQuery = (id: string) =>
  queryOptions({
    queryKey: keys.messages(id),
    queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/loan-requests/{id}/messages', { params: { path: { id } }, signal }))).data.items,
    // The other side may write meanwhile.
    refetchInterval: 30 * 1000,
    refetchOnWindowFocus: true,
  });

export const statsQuery = queryOptions({
  queryKey: keys.stats,
  queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/stats', { signal }))).data,
});

export const degradedModeQuery = queryOptions({
  queryKey: keys.degradedMode,
  queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/admin/degraded-mode', { signal }))).data,
});

/** Public: is the platform in degraded mode? Polled, and read again when the window gets focus. */
export const platformStatusQuery = queryOptions({
  queryKey: keys.platformStatus,
  queryFn: async ({ signal }) => (await unwrap(api.GET('/api/v1/platform-status', { signal }))).data,
  refetchInterval: 45 * 1000,
  refetchOnWindowFocus: true,
  retry: false,
});
