// One request seen by its bank's reviewer: what the company asked and the computed terms,
// the documents previewed in the page, the decisions the status allows (each sent with
// the version read, If-Match: a stale one is refused, the page reloads and says what
// changed), the messages with the applicant, and the history.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { etagOf, keys, type LoanRequest, type LoanStatus } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Reference } from '../../components/Reference';
import { BesideRequestDetails } from '../../components/RequestDetails';
import { RequestHistory } from '../../components/RequestHistory';
import { RequestLoader } from '../../components/RequestLoader';
import { ConfirmDecisionDialog, decisionTotals, type ConfirmedAction } from '../../features/backoffice/ConfirmDecision';
import { lastQueueSearch } from '../../features/backoffice/lastQueue';
import { ReasonDialog } from '../../features/backoffice/ReasonDialog';
import { StatusLine } from '../../features/backoffice/StatusLine';
import { Messages } from '../../features/messages/Messages';
import { DocumentPreviews } from '../../features/preview/DocumentPreviews';
import { Alert, BackLink, Button, ButtonGroup, PageHeading } from '../../ui';

type Action = 'review' | 'pre_approve' | 'reject' | 'grant';

export function ReviewPage() {
  const { t } = useTranslation();
  const { id } = useParams({ from: '/instruction/$id' });
  return (
    <RequestLoader id={id} titleKey="review.title">
      {({ request: r, etag, refetch }) => (
        <>
          <BackLink to="/instruction" search={lastQueueSearch('/instruction')}>
            {t('review.back')}
          </BackLink>
          <PageHeading caption={r.company.legal_name}>{t('review.heading')}</PageHeading>
          <Reference value={r.reference} label={t('review.referenceLabel')} />
          <Decisions request={r} etag={etag} refetch={refetch} />
          <BesideRequestDetails request={r}>
            <DocumentPreviews requestId={r.id} />
            <Messages requestId={r.id} viewer="bank" canWrite />
            <RequestHistory requestId={r.id} viewer="bank" />
          </BesideRequestDetails>
        </>
      )}
    </RequestLoader>
  );
}

const ACTIONS_FROM: Record<LoanStatus, Action[]> = {
  submitted: ['review', 'reject'],
  in_review: ['pre_approve', 'reject'],
  pre_approved: ['grant'],
  granted: [],
  rejected: [],
  withdrawn: [],
};

function Decisions({ request: r, etag, refetch }: { request: LoanRequest; etag: string; refetch: () => Promise<{ data?: { data: LoanRequest } }> }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  // A pre-approval or a grant waiting for its confirmation.
  const [confirming, setConfirming] = useState<ConfirmedAction>();
  const [changed, setChanged] = useState<{ before: LoanStatus; after: LoanStatus }>();
  const [done, setDone] = useState<Action>();

  const act = useMutation({
    mutationFn: async ({ action, reason }: { action: Action; reason?: string }) => {
      const params = { path: { id: r.id }, header: { 'If-Match': etag } };
      const call =
        action === 'review'
          ? api.POST('/api/v1/loan-requests/{id}/review', { params })
          : action === 'grant'
            ? api.POST('/api/v1/loan-requests/{id}/grant', { params })
            : api.POST('/api/v1/loan-requests/{id}/decision', { params, body: { decision: action, ...(reason ? { reason } : {}) } });
      const { data, response } = await unwrap(call);
      return { data, etag: etagOf(response, data.version) };
    },
    onMutate: () => {
      setChanged(undefined);
      setDone(undefined);
    },
    onSuccess: (result, { action }) => {
      queryClient.setQueryData(keys.request(r.id), result);
      setRejecting(false);
      setDone(action);
    },
    onError: async (e) => {
      // Someone acted meanwhile: reload, say what changed, never overwrite.
      if (isApiError(e) && (e.status === 412 || e.status === 409)) {
        const before = r.status;
        setRejecting(false);
        const fresh = await refetch();
        if (fresh.data) setChanged({ before, after: fresh.data.data.status });
      }
    },
  });
  const error = act.error && isApiError(act.error) ? act.error : undefined;
  const conflict = error && (error.status === 412 || error.status === 409);
  const actions = ACTIONS_FROM[r.status];
  const run = (action: Action) => !act.isPending && act.mutate({ action });

  return (
    <section aria-labelledby="decision-title" className="ui-panel decision">
      <h2 id="decision-title">{t('review.decisionTitle')}</h2>
      <StatusLine request={r} />
      {conflict && (
        <Alert variant="warning" title={t('review.changedTitle')} live="alert">
          <p>
            {changed && changed.before !== changed.after
              ? t('review.changedText', { before: t(`status.${changed.before}`), after: t(`status.${changed.after}`) })
              : t('review.changedSame')}
          </p>
        </Alert>
      )}
      {error && !conflict && !rejecting && <ProblemAlert error={error} />}
      {done && (
        <Alert variant="success" live="status">
          <p>{t(`review.done.${done}`)}</p>
        </Alert>
      )}
      {actions.length > 0 ? (
        <ButtonGroup>
          {actions.includes('review') && (
            <Button disabled={act.isPending} onClick={() => run('review')}>
              {t('review.actions.review')}
            </Button>
          )}
          {actions.includes('pre_approve') && (
            <Button disabled={act.isPending} onClick={() => setConfirming('pre_approve')}>
              {t('review.actions.pre_approve')}
            </Button>
          )}
          {actions.includes('grant') && (
            <Button disabled={act.isPending} onClick={() => setConfirming('grant')}>
              {t('review.actions.grant')}
            </Button>
          )}
          {actions.includes('reject') && (
            <Button variant="warning" disabled={act.isPending} onClick={() => setRejecting(true)}>
              {t('review.actions.reject')}
            </Button>
          )}
        </ButtonGroup>
      ) : (
        <p>{t('review.closed')}</p>
      )}
      <ConfirmDecisionDialog
        open={confirming !== undefined}
        action={confirming ?? 'pre_approve'}
        reference={r.reference}
        count={1}
        totals={decisionTotals([r])}
        onCancel={() => setConfirming(undefined)}
        onConfirm={() => {
          if (confirming) run(confirming);
          setConfirming(undefined);
        }}
      />
      <ReasonDialog
        keepAs={`reason:${r.id}`}
        open={rejecting}
        title={t('review.rejectTitle', { reference: r.reference })}
        confirm={t('review.rejectConfirm')}
        pending={act.isPending}
        error={rejecting ? error : undefined}
        onCancel={() => {
          setRejecting(false);
          act.reset();
        }}
        onConfirm={(reason) => act.mutate({ action: 'reject', reason })}
      />
    </section>
  );
}
