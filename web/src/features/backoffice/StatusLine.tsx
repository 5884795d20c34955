// A request's status for the back office (its bank, the platform's admins), and the
// reason given with the last decision when there is one.
import { useTranslation } from 'react-i18next';
import type { LoanRequest } from '../../api/queries';
import { StatusBadge } from '../../components/StatusBadge';

export function StatusLine({ request: r }: { request: LoanRequest }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="status-line">
        <span>{t('request.status')}</span>
        <StatusBadge status={r.status} />
      </div>
      {r.decision_reason && (
        <p>
          <strong>{t('review.reason')}</strong> {r.decision_reason}
        </p>
      )}
    </>
  );
}
