// One request seen by its bank's reviewer: what the company asked and the computed terms,
// the documents previewed in the page, the decisions the status allows (each sent with
// the version read, If-Match: a stale one is refused, the page reloads and says what
// changed), where the State guarantee stands (the grant takes the identifier the company
// obtained), the messages with the applicant, and the history.
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
import { RequestLoader, type LoadedRequest } from '../../components/RequestLoader';
import { ConfirmDecisionDialog, decisionTotals, type ConfirmedAction } from '../../features/backoffice/ConfirmDecision';
import { GrantDialog } from '../../features/backoffice/GrantDialog';
import { GuaranteeLine } from '../../features/backoffice/GuaranteeLine';
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
  // The grant takes the guarantee identifier the company obtained; rejecting now
  // cancels it.
  pre_approved: ['grant', 'reject'],
  granted: [],
  rejected: [],
  withdrawn: [],
};

function Decisions({ request: r, etag, refetch }: { request: LoanRequest; etag: string; refetch: LoadedRequest['refetch'] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  // A pre-approval or a grant waiting for its confirmation.
  const [confirming, setConfirming] = useState<ConfirmedAction>();
  // The request as reloaded after a decision refused for a stale version (or before a
  // grant): what its status went from and to.
  const [changed, setChanged] = useState<{ before: LoanStatus; after: LoanStatus }>();
  // A grant refused for a stale version while the request is still pre-approved: the
  // company obtained its identifier meanwhile; the dialog stays open, what was typed kept.
  const [grantRefreshed, setGrantRefreshed] = useState(false);
  // What was done; a grant above the bank's four-eyes threshold waits for a second reviewer.
  const [done, setDone] = useState<Action | 'grant_pending'>();

  const act = useMutation({
    mutationFn: async ({ action, reason, identifier }: { action: Action; reason?: string; identifier?: string }) => {
      const params = { path: { id: r.id }, header: { 'If-Match': etag } };
      const call =
        action === 'review'
          ? api.POST('/api/v1/loan-requests/{id}/review', { params })
          : action === 'grant'
            ? api.POST('/api/v1/loan-requests/{id}/grant', { params, body: { guarantee_identifier: identifier ?? '' } })
            : api.POST('/api/v1/loan-requests/{id}/decision', { params, body: { decision: action, ...(reason ? { reason } : {}) } });
      const { data, response } = await unwrap(call);
      return { data, etag: etagOf(response, data.version) };
    },
    onMutate: () => {
      setChanged(undefined);
      setDone(undefined);
      setGrantRefreshed(false);
    },
    onSuccess: (result, { action }) => {
      queryClient.setQueryData(keys.request(r.id), result);
      setRejecting(false);
      setConfirming(undefined);
      setDone(action === 'grant' && result.data.status !== 'granted' ? 'grant_pending' : action);
    },
    onError: async (e, { action }) => {
      // Someone acted meanwhile: reload, say what changed, never overwrite.
      if (isApiError(e) && (e.status === 412 || e.status === 409)) {
        const before = r.status;
        setRejecting(false);
        const fresh = await refetch();
        const after = fresh.data?.data.status ?? before;
        if (action === 'grant' && e.status === 412 && after === 'pre_approved') {
          setGrantRefreshed(true);
          return;
        }
        setConfirming(undefined);
        setChanged({ before, after });
      }
    },
  });
  const error = act.error && isApiError(act.error) ? act.error : undefined;
  const conflict = error && (error.status === 412 || error.status === 409);
  const actions = ACTIONS_FROM[r.status];
  const run = (action: Action) => !act.isPending && act.mutate({ action });
  // Before the grant's dialog opens, the request is read again: the company may have
  // obtained its identifier since the page was loaded (a new version of the request).
  const [opening, setOpening] = useState(false);
  const openGrant = async () => {
    if (opening) return;
    setOpening(true);
    setChanged(undefined);
    setDone(undefined);
    act.reset();
    const before = r.status;
    void queryClient.invalidateQueries({ queryKey: keys.guarantee(r.id) });
    const fresh = await refetch();
    setOpening(false);
    const after = fresh.data?.data.status ?? before;
    if (after !== before) setChanged({ before, after });
    else setConfirming('grant');
  };

  return (
    <section aria-labelledby="decision-title" className="ui-panel decision">
      <h2 id="decision-title">{t('review.decisionTitle')}</h2>
      <StatusLine request={r} />
      <GuaranteeLine request={r} />
      {changed && (
        <Alert variant="warning" title={t('review.changedTitle')} live="alert">
          <p>{changed.before !== changed.after ? t('review.changedText', { before: t(`status.${changed.before}`), after: t(`status.${changed.after}`) }) : t('review.changedSame')}</p>
        </Alert>
      )}
      {error && !conflict && !rejecting && !confirming && <ProblemAlert error={error} />}
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
            <Button disabled={act.isPending} onClick={() => void openGrant()}>
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
        open={confirming === 'pre_approve'}
        action="pre_approve"
        reference={r.reference}
        count={1}
        totals={decisionTotals([r])}
        onCancel={() => setConfirming(undefined)}
        onConfirm={() => {
          run('pre_approve');
          setConfirming(undefined);
        }}
      />
      <GrantDialog
        open={confirming === 'grant'}
        request={r}
        pending={act.isPending}
        error={confirming === 'grant' && !conflict ? error : undefined}
        refreshed={grantRefreshed}
        onCancel={() => {
          setConfirming(undefined);
          setGrantRefreshed(false);
          act.reset();
        }}
        onGrant={(identifier) => !act.isPending && act.mutate({ action: 'grant', identifier })}
      />
      <ReasonDialog
        keepAs={`reason:${r.id}`}
        open={rejecting}
        title={t('review.rejectTitle', { reference: r.reference })}
        note={r.status === 'pre_approved' ? <p>{t('review.rejectCancelsGuarantee')}</p> : undefined}
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
