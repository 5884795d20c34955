// Every read of the API as a TanStack Query definition; mutations invalidate what they change.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type LoanRequest = components['schemas']['LoanRequestView'];
export type AuditEvent = components['schemas']['AuditEventView'];
export type DocumentView = components['schemas']['DocumentView'];
export type Terms = components['schemas']['TermsView'];
export type Bank = components['schemas']['BankView'];
export type LoanStatus = components['schemas']['LoanStatus'];

export const keys = {
  banks: ['banks'] as const,
  requests: ['loan-requests'] as const,
  request: (id: string) => ['loan-request', id] as const,
  events: (id: string) => ['loan-request', id, 'events'] as const,
  documents: (id: string) => ['loan-request', id, 'documents'] as const,
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
