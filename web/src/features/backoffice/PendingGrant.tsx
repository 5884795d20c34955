// A grant above the bank's four-eyes threshold (docs/RULES.md §21) waits for a second
// reviewer of the bank: who asked for it and when; and, to the reviewer who asked, that
// another reviewer must confirm it (the API refuses the same reviewer's confirmation).
import { useTranslation } from 'react-i18next';
import type { PendingGrant } from '../../api/queries';
import { formatDate } from '../../lib/dates';
import { Alert } from '../../ui';

export function PendingGrantNotice({ pending, mine }: { pending: PendingGrant; mine: boolean }) {
  const { t, i18n } = useTranslation();
  const date = formatDate(pending.requested_at, i18n.language, true);
  return (
    <Alert variant="info" title={t('review.pendingGrant.title')}>
      <p>
        {mine
          ? t('review.pendingGrant.byYou', { date })
          : pending.requested_by
            ? t('review.pendingGrant.by', { who: pending.requested_by, date })
            : t('review.pendingGrant.on', { date })}
      </p>
      <p>{mine ? t('review.pendingGrant.mine') : t('review.pendingGrant.yours')}</p>
    </Alert>
  );
}
