// Withdrawing is final: a confirmation page, and the change carries the version read
// (If-Match), so a decision taken meanwhile is never overwritten.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { etagOf, guaranteeQuery, keys, requestQuery } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Reference } from '../../components/Reference';
import { StatusBadge } from '../../components/StatusBadge';
import { Alert, BackLink, Button, ButtonGroup, Link, PageHeading, Spinner, usePageTitle } from '../../ui';
import { NotFound } from '../../components/NotFound';
import { canWithdraw } from '../../lib/status';

export function WithdrawPage() {
  const { t } = useTranslation();
  const { id } = useParams({ from: '/demandes/$id/retrait' });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const request = useQuery(requestQuery(id));
  // Once pre-approved, withdrawing cancels the guarantee identifier obtained: say so.
  const guarantee = useQuery({ ...guaranteeQuery(id), enabled: request.data?.data.status === 'pre_approved' });
  const [changed, setChanged] = useState<string>();
  usePageTitle(t('withdraw.title'), t('service.name'));

  const withdraw = useMutation({
    mutationFn: async (etag: string) => {
      const { data, response } = await unwrap(
        api.POST('/api/v1/loan-requests/{id}/withdraw', { params: { path: { id }, header: { 'If-Match': etag } } }),
      );
      return { data, etag: etagOf(response, data.version) };
    },
    onSuccess: async (result) => {
      queryClient.setQueryData(keys.request(id), result);
      await navigate({ to: '/demandes/$id', params: { id }, search: { message: 'withdrawn' } });
    },
    onError: async (e) => {
      // Someone acted meanwhile: reload and say what changed before asking again.
      if (isApiError(e) && (e.status === 412 || e.status === 409)) {
        const fresh = await request.refetch();
        if (fresh.data) setChanged(fresh.data.data.status);
      }
    },
  });

  if (request.isPending) return <Spinner label={t('common.loading')} />;
  if (request.isError) {
    if (isApiError(request.error) && (request.error.status === 404 || request.error.status === 400)) return <NotFound what="request" />;
    return isApiError(request.error) ? <ProblemAlert error={request.error} /> : null;
  }
  const r = request.data.data;
  const error = withdraw.error && isApiError(withdraw.error) ? withdraw.error : undefined;
  const conflict = error && (error.status === 412 || error.status === 409);

  return (
    <div className="ui-measure">
      <BackLink to="/demandes/$id" params={{ id }}>
        {t('common.back')}
      </BackLink>
      {conflict && changed && (
        <Alert variant="warning" title={t('withdraw.changedTitle')} live="alert">
          <p>{t('withdraw.changedText', { status: t(`status.${changed}`) })}</p>
        </Alert>
      )}
      {error && !conflict && <ProblemAlert error={error} onRetry={() => withdraw.mutate(request.data.etag)} />}
      <PageHeading>{t('withdraw.title')}</PageHeading>
      <Reference value={r.reference} />
      <p className="status-line">
        <span>{t('request.status')}</span> <StatusBadge status={r.status} />
      </p>
      {canWithdraw(r) ? (
        <>
          <Alert variant="warning">
            <p>{t('withdraw.warning')}</p>
            {r.status === 'pre_approved' &&
              (guarantee.data?.status === 'issued' ? (
                <p>{t('guarantee.withdrawCancels', { identifier: guarantee.data.identifier })}</p>
              ) : (
                guarantee.data !== null && <p>{t('guarantee.withdrawMayCancel')}</p>
              ))}
          </Alert>
          <ButtonGroup>
            <Button variant="warning" disabled={withdraw.isPending} onClick={() => !withdraw.isPending && withdraw.mutate(request.data.etag)}>
              {withdraw.isPending ? t('withdraw.sending') : t('withdraw.confirm')}
            </Button>
            <Link to="/demandes/$id" params={{ id }}>
              {t('withdraw.cancel')}
            </Link>
          </ButtonGroup>
        </>
      ) : (
        <>
          <p>{t('withdraw.notOpen')}</p>
          <Link to="/demandes/$id" params={{ id }}>
            {t('request.backToRequest')}
          </Link>
        </>
      )}
    </div>
  );
}
