// A request's history (its audit trail), the newest first.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/problem';
import { eventsQuery, type AuditEvent } from '../api/queries';
import { formatDate } from '../lib/dates';
import { Spinner, Timeline } from '../ui';
import { ProblemAlert } from './ProblemAlert';

/**
 * The audit trail; `viewer` words who acted: "by you" for the applicant, "by the
 * applicant" for the bank and for the platform's admins.
 */
export function RequestHistory({ requestId, viewer = 'applicant' }: { requestId: string; viewer?: 'applicant' | 'bank' | 'admin' }) {
  const { t, i18n } = useTranslation();
  const events = useQuery(eventsQuery(requestId));
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t('request.historyTitle')}</h2>
      {events.isPending && <Spinner label={t('common.loading')} />}
      {events.isError && isApiError(events.error) && <ProblemAlert error={events.error} onRetry={() => void events.refetch()} />}
      {events.data && (
        <Timeline
          label={t('request.historyTitle')}
          items={[...events.data].reverse().map((e: AuditEvent, i) => ({
            key: `${e.at}-${i}`,
            title: t(`events.${e.action}`, { defaultValue: t(`status.${e.to_status}`) }),
            meta: `${formatDate(e.at, i18n.language, true)} · ${t(viewer !== 'applicant' ? `rolesForBank.${e.actor_role}` : `roles.${e.actor_role}`, { defaultValue: e.actor_role })}`,
            body: e.reason ? <p>{e.reason}</p> : undefined,
          }))}
        />
      )}
    </section>
  );
}
