// Where the request's State guarantee stands, for its bank's reviewers (who do not see
// the identifier: the company hands it over) and the platform's admins (who do): not
// obtained yet, obtained on a date, used by the grant, or cancelled.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { guaranteeQuery, type LoanRequest } from '../../api/queries';
import { GuaranteeBadge } from '../../components/GuaranteeBadge';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatDate } from '../../lib/dates';
import { mayHaveGuarantee } from '../../lib/status';

export function GuaranteeLine({ request: r }: { request: LoanRequest }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const guarantee = useQuery({
    ...guaranteeQuery(r.id),
    enabled: mayHaveGuarantee(r),
    // While the bank waits for it, the company may obtain it any time.
    refetchInterval: (query) => (r.status === 'pre_approved' && query.state.data === null ? 30_000 : false),
  });
  if (!mayHaveGuarantee(r) || guarantee.isPending) return null;
  if (guarantee.isError) return isApiError(guarantee.error) ? <ProblemAlert error={guarantee.error} onRetry={() => void guarantee.refetch()} /> : null;
  const g = guarantee.data;
  if (!g) return r.status === 'pre_approved' ? <p className="guarantee-line">{t('review.guarantee.none')}</p> : null;
  return (
    <div className="guarantee-line">
      <div className="status-line">
        <span>{t('guarantee.state')}</span>
        <GuaranteeBadge status={g.status} />
      </div>
      {g.identifier && (
        <p>
          {t('review.guarantee.identifier')} <span className="guarantee-line__identifier">{g.identifier}</span>
        </p>
      )}
      <p>{t(`review.guarantee.${g.status}`, { date: formatDate(g.closed_at ?? g.issued_at, lang, true), issued: formatDate(g.issued_at, lang, true) })}</p>
    </div>
  );
}
