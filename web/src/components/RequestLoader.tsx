// One request's page, whoever reads it (the applicant, its bank, an admin): a spinner
// while it loads; "not found" for a request missing or out of the reader's reach (the
// API answers both alike); the API's problem otherwise, with a retry; then the page,
// given the request, its ETag (for If-Match) and a way to load it again.
import { useQuery, type QueryObserverResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/problem';
import { requestQuery, type LoanRequest, type WithEtag } from '../api/queries';
import { NotFound } from './NotFound';
import { Spinner, usePageTitle } from '../ui';
import { ProblemAlert } from './ProblemAlert';

export interface LoadedRequest {
  request: LoanRequest;
  etag: string;
  refetch: () => Promise<QueryObserverResult<WithEtag<LoanRequest>>>;
}

export function RequestLoader({ id, titleKey, children }: { id: string; /** The page's title; `{{reference}}` is the request's. */ titleKey: string; children: (loaded: LoadedRequest) => ReactNode }) {
  const { t } = useTranslation();
  const request = useQuery(requestQuery(id));
  usePageTitle(request.data ? t(titleKey, { reference: request.data.data.reference }) : t('request.loadingTitle'), t('service.name'));

  if (request.isPending) return <Spinner label={t('common.loading')} />;
  if (request.isError) {
    if (isApiError(request.error) && (request.error.status === 404 || request.error.status === 400)) return <NotFound what="request" />;
    return isApiError(request.error) ? <ProblemAlert error={request.error} onRetry={() => void request.refetch()} /> : null;
  }
  return children({ request: request.data.data, etag: request.data.etag, refetch: request.refetch });
}
