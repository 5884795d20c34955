// One request seen by its bank's reviewer: what the company asked and the computed terms,
// the documents previewed in the page, the decisions the status allows (each sent with
// the version read, If-Match: a stale one is refused, the page reloads and says what
// changed), where the State guarantee stands (the grant takes the identifier the company
// obtained; above the bank's four-eyes threshold, a second reviewer confirms it or sends it
// back with a reason), the messages with the applicant, and the history.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { etagOf, grantThresholdQuery, keys, type LoanRequest, type LoanStatus } from '../../api/queries';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Reference } from '../../components/Reference';
import { BesideRequestDetails } from '../../components/RequestDetails';
import { RequestHistory } from '../../components/RequestHistory';
import { RequestLoader, type LoadedRequest } from '../../components/RequestLoader';
import { ConfirmDecisionDialog, decisionTotals, type ConfirmedAction } from '../../features/backoffice/ConfirmDecision';
import { GrantDialog } from '../../features/backoffice/GrantDialog';
import { GuaranteeLine } from '../../features/backoffice/GuaranteeLine';
import { lastQueueSearch } from '../../features/backoffice/lastQueue';
import { PendingGrantNotice } from '../../features/backoffice/PendingGrant';
import { ReasonDialog } from '../../features/backoffice/ReasonDialog';
import { StatusLine } from '../../features/backoffice/StatusLine';
import { Messages } from '../../features/messages/Messages';
import { DocumentPreviews } from '../../features/preview/DocumentPreviews';
import { Alert, BackLink, Button, ButtonGroup, PageHeading } from '../../ui';

type Action = 'review' | 'pre_approve' | 'reject' | 'grant';
/** What the page sends: a decision, or a pending grant sent back to its first reviewer. */
type Sent = Action | 'return_grant';
/** Refusals the page says as they are (where they were made), not as a concurrent change. */
const SAID_AS_IS = ['second-reviewer-required', 'no-pending-grant'];

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
  const { subject } = useSession();
  const [rejecting, setRejecting] = useState(false);
  // The pending grant being sent back (its reason asked).
  const [returning, setReturning] = useState(false);
  // A grant waiting for its second reviewer; the one who asked for it cannot confirm it.
  const pendingGrant = r.awaiting_second_approval ?? undefined;
  const askedByMe = !!pendingGrant && !!subject && pendingGrant.requested_by === subject;
  // The bank's four-eyes threshold, read before a first approval: the grant's dialog says
  // when the amount is above it (the grant will wait for a second reviewer).
  const threshold = useQuery({ ...grantThresholdQuery(r.bank_id), enabled: r.status === 'pre_approved' && !pendingGrant });
  const thresholdCents = threshold.data?.threshold_cents;
  const needsSecond = !pendingGrant && thresholdCents != null && r.requested_amount_cents > thresholdCents ? thresholdCents : undefined;
  // A pre-approval or a grant waiting for its confirmation.
  const [confirming, setConfirming] = useState<ConfirmedAction>();
  // The request as reloaded after a decision refused for a stale version (or before a
  // grant): what its status went from and to.
  const [changed, setChanged] = useState<{ before: LoanStatus; after: LoanStatus }>();
  // A grant refused for a stale version while the request is still pre-approved: the
  // company obtained its identifier meanwhile; the dialog stays open, what was typed kept.
  const [grantRefreshed, setGrantRefreshed] = useState(false);
  // What was done; a grant above the bank's four-eyes threshold waits for a second reviewer.
  const [done, setDone] = useState<Sent | 'grant_pending' | 'grant_confirmed'>();

  const act = useMutation({
    mutationFn: async ({ action, reason, identifier }: { action: Sent; reason?: string; identifier?: string }) => {
      const params = { path: { id: r.id }, header: { 'If-Match': etag } };
      const call =
        action === 'review'
          ? api.POST('/api/v1/loan-requests/{id}/review', { params })
          : action === 'grant'
            ? api.POST('/api/v1/loan-requests/{id}/grant', { params, body: { guarantee_identifier: identifier ?? '' } })
            : action === 'return_grant'
              ? api.POST('/api/v1/loan-requests/{id}/grant/return', { params, body: { reason: reason ?? '' } })
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
      setReturning(false);
      setConfirming(undefined);
      setDone(action === 'grant' ? (result.data.status !== 'granted' ? 'grant_pending' : pendingGrant ? 'grant_confirmed' : 'grant') : action);
      // The history has a new event.
      void queryClient.invalidateQueries({ queryKey: keys.events(r.id) });
    },
    onError: async (e, { action }) => {
      if (isApiError(e) && e.slug && SAID_AS_IS.includes(e.slug)) {
        // Said where it was refused (the grant's dialog) or, when nothing is pending any
        // more, in the panel; the request read again to show where it stands.
        if (e.slug === 'no-pending-grant') setReturning(false);
        await refetch();
        return;
      }
      // Someone acted meanwhile: reload, say what changed, never overwrite.
      if (isApiError(e) && (e.status === 412 || e.status === 409)) {
        const before = r.status;
        setRejecting(false);
        setReturning(false);
        const fresh = await refetch();
        const after = fresh.data?.data.status ?? before;
        const stillPending = !!fresh.data?.data.awaiting_second_approval === !!pendingGrant;
        if (action === 'grant' && e.status === 412 && after === 'pre_approved' && stillPending) {
          setGrantRefreshed(true);
          return;
        }
        setConfirming(undefined);
        setChanged({ before, after });
      }
    },
  });
  const error = act.error && isApiError(act.error) ? act.error : undefined;
  const conflict = error && (error.status === 412 || error.status === 409) && !SAID_AS_IS.includes(error.slug ?? '');
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
    // Sent back, or confirmed, by another reviewer meanwhile.
    const pendingChanged = !!fresh.data?.data.awaiting_second_approval !== !!pendingGrant;
    if (after !== before || pendingChanged) setChanged({ before, after });
    else setConfirming('grant');
  };

  return (
    <section aria-labelledby="decision-title" className="ui-panel decision">
      <h2 id="decision-title">{t('review.decisionTitle')}</h2>
      <StatusLine request={r} />
      <GuaranteeLine request={r} />
      {pendingGrant && <PendingGrantNotice pending={pendingGrant} mine={askedByMe} />}
      {changed && (
        <Alert variant="warning" title={t('review.changedTitle')} live="alert">
          <p>{changed.before !== changed.after ? t('review.changedText', { before: t(`status.${changed.before}`), after: t(`status.${changed.after}`) }) : t('review.changedSame')}</p>
        </Alert>
      )}
      {error && !conflict && !rejecting && !returning && !confirming && <ProblemAlert error={error} />}
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
          {actions.includes('grant') && !askedByMe && (
            <Button disabled={act.isPending} onClick={() => void openGrant()}>
              {t(pendingGrant ? 'review.actions.confirmGrant' : 'review.actions.grant')}
            </Button>
          )}
          {pendingGrant && (
            <Button variant="secondary" disabled={act.isPending} onClick={() => setReturning(true)}>
              {t('review.actions.returnGrant')}
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
        thresholdCents={needsSecond}
        confirmsPending={!!pendingGrant}
        onCancel={() => {
          setConfirming(undefined);
          setGrantRefreshed(false);
          act.reset();
        }}
        onGrant={(identifier) => !act.isPending && act.mutate({ action: 'grant', identifier })}
      />
      <ReasonDialog
        keepAs={`return:${r.id}`}
        open={returning}
        title={t('review.returnTitle', { reference: r.reference })}
        note={<p>{t('review.returnNote')}</p>}
        label={t('review.returnLabel')}
        hint={t('review.returnHint')}
        missing={t('review.returnMissing')}
        confirm={t('review.returnConfirm')}
        pending={act.isPending}
        error={returning ? error : undefined}
        onCancel={() => {
          setReturning(false);
          act.reset();
        }}
        onConfirm={(reason) => act.mutate({ action: 'return_grant', reason })}
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
