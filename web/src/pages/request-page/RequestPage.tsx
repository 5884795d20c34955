import { useQuery } from '@tanstack/react-query';
import { useParams, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { banksQuery, eventsQuery, requestQuery, type AuditEvent, type LoanRequest } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Reference } from '../../components/Reference';
import { StatusBadge } from '../../components/StatusBadge';
import { TermsSummary } from '../../components/TermsView';
import { Documents } from '../../features/documents/Documents';
import { Messages } from '../../features/messages/Messages';
import { formatDate, isoToInput } from '../../lib/dates';
import { formatCents } from '../../lib/money';
import { Alert, BackLink, ButtonLink, PageHeading, Spinner, SummaryList, Timeline, usePageTitle } from '../../ui';
import { NotFound } from '../NotFound';

export const OPEN_STATUSES = ['submitted', 'in_review'] as const;
export const isOpen = (r: LoanRequest) => (OPEN_STATUSES as readonly string[]).includes(r.status);

export function RequestPage() {
  const { t } = useTranslation();
  const { id } = useParams({ from: '/demandes/$id' });
  const { message } = useSearch({ from: '/demandes/$id' });
  const request = useQuery(requestQuery(id));
  usePageTitle(request.data ? t('request.title', { reference: request.data.data.reference }) : t('request.loadingTitle'), t('service.name'));

  if (request.isPending) return <Spinner label={t('common.loading')} />;
  if (request.isError) {
    if (isApiError(request.error) && (request.error.status === 404 || request.error.status === 400)) return <NotFound what="request" />;
    return isApiError(request.error) ? <ProblemAlert error={request.error} onRetry={() => void request.refetch()} /> : null;
  }
  const r = request.data.data;
  return (
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
      {r.decision_reason && (
        <Alert variant={r.status === 'rejected' ? 'error' : 'info'} title={t('request.reason')}>
          <p>{r.decision_reason}</p>
        </Alert>
      )}
      {isOpen(r) && (
        <p>
          <ButtonLink to="/demandes/$id/retrait" params={{ id: r.id }} variant="secondary">
            {t('withdraw.action')}
          </ButtonLink>
        </p>
      )}
      <div className="ui-grid ui-grid--2">
        <div>
          <Messages
            requestId={r.id}
            viewer="applicant"
            canWrite
            intro={
              <p className="ui-hint">
                {t('messages.applicantIntro')}{' '}
                {isOpen(r) && <a href="#f-document">{t('messages.attachLink')}</a>}
              </p>
            }
          />
          <Documents requestId={r.id} open={isOpen(r)} />
          <History requestId={r.id} />
        </div>
        <div>
          <Details request={r} />
        </div>
      </div>
    </>
  );
}

export function Details({ request: r }: { request: LoanRequest }) {
  const { t, i18n } = useTranslation();
  const banks = useQuery(banksQuery);
  const lang = i18n.language;
  return (
    <section aria-labelledby="details-title">
      <h2 id="details-title">{t('request.detailsTitle')}</h2>
      <SummaryList
        noActions
        rows={[
          { key: 'amount', label: t('fields.requested_amount.label'), value: formatCents(r.requested_amount_cents, lang) },
          { key: 'years', label: t('fields.amortization_years.label'), value: t('fields.amortizationOption', { count: r.amortization_years, total: r.amortization_years + 1 }) },
          { key: 'bank', label: t('fields.bank_id.label'), value: banks.data?.find((b) => b.id === r.bank_id)?.name ?? r.bank_id },
          { key: 'siren', label: t('fields.siren.label'), value: r.company.siren },
          { key: 'name', label: t('fields.legal_name.label'), value: r.company.legal_name },
          { key: 'created', label: t('fields.creation_date.label'), value: isoToInput(r.company.creation_date) },
          { key: 'email', label: t('fields.contact_email.label'), value: r.contact_email },
          { key: 'sent', label: t('request.sentOn'), value: formatDate(r.created_at, lang, true) },
        ]}
      />
      <h2>{t('request.termsTitle')}</h2>
      <TermsSummary terms={r.terms} />
    </section>
  );
}

/** The audit trail; `viewer` words who acted ("by you" for the applicant, "by the applicant" for the bank). */
export function History({ requestId, viewer = 'applicant' }: { requestId: string; viewer?: 'applicant' | 'bank' }) {
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
            meta: `${formatDate(e.at, i18n.language, true)} · ${t(viewer === 'bank' ? `rolesForBank.${e.actor_role}` : `roles.${e.actor_role}`, { defaultValue: e.actor_role })}`,
            body: e.reason ? <p>{e.reason}</p> : undefined,
          }))}
        />
      )}
    </section>
  );
}
