import { useParams, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { Reference } from '../../components/Reference';
import { BesideRequestDetails } from '../../components/RequestDetails';
import { RequestHistory } from '../../components/RequestHistory';
import { RequestLoader } from '../../components/RequestLoader';
import { StatusBadge } from '../../components/StatusBadge';
import { Documents } from '../../features/documents/Documents';
import { GuaranteeSection } from '../../features/guarantee/GuaranteeSection';
import { Messages } from '../../features/messages/Messages';
import { canWithdraw, takesDocuments } from '../../lib/status';
import { Alert, BackLink, ButtonLink, PageHeading } from '../../ui';

export function RequestPage() {
  const { t } = useTranslation();
  const { id } = useParams({ from: '/demandes/$id' });
  const { message } = useSearch({ from: '/demandes/$id' });
  return (
    <RequestLoader id={id} titleKey="request.title">
      {({ request: r }) => (
        <>
          <BackLink to="/demandes">{t('request.back')}</BackLink>
          {message === 'withdrawn' && (
            <Alert variant="success" title={t('withdraw.doneTitle')} live="status">
              <p>{t('withdraw.doneText')}</p>
            </Alert>
          )}
          <PageHeading caption={r.company.legal_name}>{t('request.heading')}</PageHeading>
          <Reference value={r.reference} />
          <div className="status-line">
            <span>{t('request.status')}</span>
            <StatusBadge status={r.status} />
          </div>
          <p className="ui-measure">{t(`statusHelp.${r.status}`)}</p>
          {/* A grant above the bank's threshold, waiting for a second person of the bank (never named here). */}
          {r.awaiting_second_approval && <p className="ui-measure">{t('guarantee.awaitingSecond')}</p>}
          {r.decision_reason && (
            <Alert variant={r.status === 'rejected' ? 'error' : 'info'} title={t('request.reason')}>
              <p>{r.decision_reason}</p>
            </Alert>
          )}
          <GuaranteeSection request={r} />
          {canWithdraw(r) && (
            <p>
              <ButtonLink to="/demandes/$id/retrait" params={{ id: r.id }} variant="secondary">
                {t('withdraw.action')}
              </ButtonLink>
            </p>
          )}
          <BesideRequestDetails request={r}>
            <Messages
              requestId={r.id}
              viewer="applicant"
              canWrite
              intro={
                <p className="ui-hint">
                  {t('messages.applicantIntro')}{' '}
                  {takesDocuments(r) && <a href="#f-document">{t('messages.attachLink')}</a>}
                </p>
              }
            />
            <Documents requestId={r.id} open={takesDocuments(r)} />
            <RequestHistory requestId={r.id} />
          </BesideRequestDetails>
        </>
      )}
    </RequestLoader>
  );
}
