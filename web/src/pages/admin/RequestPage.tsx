// One request as the platform's admins see it, read-only: its status and where its State
// guarantee stands (with its identifier), what the company asked and the computed terms,
// the messages between the applicant and the bank, and the history. Admins make no
// decision, write no message and see no document (the API keeps documents to the parties
// to the loan: docs/RULES.md §1).
import { useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { Reference } from '../../components/Reference';
import { BesideRequestDetails } from '../../components/RequestDetails';
import { RequestHistory } from '../../components/RequestHistory';
import { RequestLoader } from '../../components/RequestLoader';
import { lastQueueSearch } from '../../features/backoffice/lastQueue';
import { GuaranteeLine } from '../../features/backoffice/GuaranteeLine';
import { StatusLine } from '../../features/backoffice/StatusLine';
import { Messages } from '../../features/messages/Messages';
import { Alert, BackLink, PageHeading } from '../../ui';

export function RequestPage() {
  const { t } = useTranslation();
  const { id } = useParams({ from: '/admin/area/demandes/$id' });
  return (
    <RequestLoader id={id} titleKey="adminRequest.title">
      {({ request: r }) => (
        <>
          <BackLink to="/admin/demandes" search={lastQueueSearch('/admin/demandes')}>
            {t('adminRequest.back')}
          </BackLink>
          <PageHeading caption={r.company.legal_name}>{t('review.heading')}</PageHeading>
          <Reference value={r.reference} label={t('review.referenceLabel')} />
          <StatusLine request={r} />
          <GuaranteeLine request={r} />
          <Alert variant="info" title={t('adminRequest.readOnlyTitle')}>
            <p>{t('adminRequest.readOnly')}</p>
          </Alert>
          <BesideRequestDetails
            request={r}
            aside={
              <section aria-labelledby="documents-title">
                <h2 id="documents-title">{t('documents.title')}</h2>
                <p>{t('adminRequest.documents')}</p>
              </section>
            }
          >
            <Messages requestId={r.id} viewer="admin" canWrite={false} intro={<p className="ui-hint">{t('adminRequest.messagesIntro')}</p>} />
            <RequestHistory requestId={r.id} viewer="admin" />
          </BesideRequestDetails>
        </>
      )}
    </RequestLoader>
  );
}
