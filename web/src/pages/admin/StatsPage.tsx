// National figures: totals, then counts and amounts by status and by bank, each as a
// chart (chart.js, loaded with this page only) followed by the same data as a table;
// then the outbox's health (e-mails waiting, sent, given up) with the dead-letter retry;
// then, on request, the audit trail's integrity.
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { statsQuery, type LoanStatus, type Stats, type Totals } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { STATUSES } from '../../lib/status';
import { AuditIntegrity } from '../../features/admin/AuditIntegrity';
import { OutboxHealth } from '../../features/admin/OutboxHealth';
import { formatCents } from '../../lib/money';
import { PageHeading, Spinner, Table, usePageTitle } from '../../ui';

const BarChart = lazy(() => import('../../features/admin/BarChart'));

export function StatsPage() {
  const { t, i18n } = useTranslation();
  const stats = useQuery(statsQuery);
  usePageTitle(t('stats.title'), t('service.name'));
  const lang = i18n.language;
  return (
    <>
      <PageHeading>{t('stats.title')}</PageHeading>
      {stats.isPending && <Spinner label={t('common.loading')} />}
      {stats.isError && isApiError(stats.error) && <ProblemAlert error={stats.error} onRetry={() => void stats.refetch()} />}
      {/* Deferred (degraded mode): no figures from before shown as if current. */}
      {stats.data && !stats.isError && <Figures stats={stats.data} lang={lang} />}
      {/* Checked only when asked: it reads every event. */}
      <AuditIntegrity lang={lang} />
    </>
  );
}

type StatusRow = { status: LoanStatus; totals: Totals };
type BankRow = Stats['by_bank'][number];

function Figures({ stats, lang }: { stats: Stats; lang: string }) {
  const { t } = useTranslation();
  const money = (c: number) => formatCents(c, lang);
  const count = (n: number) => n.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR');
  const byStatus: StatusRow[] = STATUSES.map((status) => ({ status, totals: stats.by_status[status] ?? { count: 0, requested_cents: 0, guaranteed_cents: 0 } }));
  const banks = [...stats.by_bank].sort((a, b) => b.total.requested_cents - a.total.requested_cents);
  const bankName = (b: BankRow) => b.bank_name ?? b.bank_id;
  return (
    <>
      <ul className="ui-grid ui-grid--4 stats__figures">
        <li className="ui-card">
          <h2>{t('stats.requests')}</h2>
          <p className="ui-big-figure">{count(stats.total.count)}</p>
        </li>
        <li className="ui-card">
          <h2>{t('stats.requested')}</h2>
          <p className="ui-big-figure">{money(stats.total.requested_cents)}</p>
        </li>
        <li className="ui-card">
          <h2>{t('stats.granted')}</h2>
          <p className="ui-big-figure">{money(stats.granted_guaranteed_cents)}</p>
        </li>
        <li className="ui-card">
          <h2>{t('stats.committed')}</h2>
          <p className="ui-big-figure">{money(stats.committed_guaranteed_cents)}</p>
        </li>
      </ul>

      <section aria-labelledby="by-status-title">
        <h2 id="by-status-title">{t('stats.byStatusTitle')}</h2>
        <Suspense fallback={<Spinner label={t('stats.chartLoading')} />}>
          <BarChart
            label={t('stats.byStatusChart')}
            labels={byStatus.map((r) => t(`status.${r.status}`))}
            values={byStatus.map((r) => r.totals.count)}
            format={count}
          />
        </Suspense>
        <Table<StatusRow>
          caption={t('stats.byStatusCaption')}
          rows={byStatus}
          rowKey={(r) => r.status}
          columns={[
            { key: 'status', header: t('stats.status'), label: t('stats.status'), rowHeader: true, cell: (r) => t(`status.${r.status}`) },
            { key: 'count', header: t('stats.count'), label: t('stats.count'), numeric: true, cell: (r) => count(r.totals.count) },
            { key: 'requested', header: t('stats.requestedCol'), label: t('stats.requestedCol'), numeric: true, cell: (r) => money(r.totals.requested_cents) },
            { key: 'guaranteed', header: t('stats.guaranteedCol'), label: t('stats.guaranteedCol'), numeric: true, cell: (r) => money(r.totals.guaranteed_cents) },
          ]}
          footer={
            <tr>
              <th scope="row">{t('stats.total')}</th>
              <td className="ui-num" data-label={t('stats.count')}>
                {count(stats.total.count)}
              </td>
              <td className="ui-num" data-label={t('stats.requestedCol')}>
                {money(stats.total.requested_cents)}
              </td>
              <td className="ui-num" data-label={t('stats.guaranteedCol')}>
                {money(stats.total.guaranteed_cents)}
              </td>
            </tr>
          }
        />
      </section>

      <section aria-labelledby="by-bank-title">
        <h2 id="by-bank-title">{t('stats.byBankTitle')}</h2>
        {banks.length === 0 ? (
          <p>{t('stats.noBank')}</p>
        ) : (
          <>
            <Suspense fallback={<Spinner label={t('stats.chartLoading')} />}>
              <BarChart
                label={t('stats.byBankChart')}
                labels={banks.map(bankName)}
                values={banks.map((b) => b.total.requested_cents / 100)}
                format={(euros) => money(Math.round(euros * 100))}
                horizontal
              />
            </Suspense>
            <Table<BankRow>
              caption={t('stats.byBankCaption')}
              rows={banks}
              rowKey={(b) => b.bank_id}
              columns={[
                { key: 'bank', header: t('stats.bank'), label: t('stats.bank'), rowHeader: true, cell: bankName },
                { key: 'count', header: t('stats.count'), label: t('stats.count'), numeric: true, cell: (b) => count(b.total.count) },
                { key: 'requested', header: t('stats.requestedCol'), label: t('stats.requestedCol'), numeric: true, cell: (b) => money(b.total.requested_cents) },
                { key: 'guaranteed', header: t('stats.guaranteedCol'), label: t('stats.guaranteedCol'), numeric: true, cell: (b) => money(b.total.guaranteed_cents) },
                {
                  key: 'granted',
                  header: t('stats.grantedCol'),
                  label: t('stats.grantedCol'),
                  numeric: true,
                  cell: (b) => money(b.by_status.granted?.guaranteed_cents ?? 0),
                },
              ]}
            />
          </>
        )}
      </section>

      <OutboxHealth outbox={stats.outbox} lang={lang} />
    </>
  );
}
