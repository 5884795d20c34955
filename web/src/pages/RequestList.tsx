import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/problem';
import { banksQuery, requestsQuery, type LoanRequest } from '../api/queries';
import { ProblemAlert } from '../components/ProblemAlert';
import { StatusBadge } from '../components/StatusBadge';
import { formatDate } from '../lib/dates';
import { formatCents } from '../lib/money';
import { ButtonLink, Link, PageHeading, Spinner, Table, Tag, usePageTitle } from '../ui';

export function RequestListPage() {
  const { t, i18n } = useTranslation();
  const { cursor } = useSearch({ from: '/demandes/' });
  const page = useQuery(requestsQuery(cursor));
  const banks = useQuery(banksQuery);
  const bankName = (id: string) => banks.data?.find((b) => b.id === id)?.name ?? id;
  usePageTitle(t('list.title'), t('service.name'));
  return (
    <>
      <PageHeading>{t('list.title')}</PageHeading>
      <ButtonLink to="/demande">{t('list.new')}</ButtonLink>
      {page.isPending && <Spinner label={t('common.loading')} />}
      {page.isError && isApiError(page.error) && <ProblemAlert error={page.error} onRetry={() => void page.refetch()} />}
      {page.data && page.data.items.length === 0 && !cursor && <p>{t('list.empty')}</p>}
      {page.data && page.data.items.length > 0 && (
        <>
          <h2>{t('list.tableTitle')}</h2>
          <Table<LoanRequest>
            caption={t('list.caption')}
            captionHidden
            rows={page.data.items}
            rowKey={(r) => r.id}
            columns={[
              {
                key: 'ref',
                header: t('list.reference'),
                label: t('list.reference'),
                rowHeader: true,
                cell: (r) => (
                  <Link to="/demandes/$id" params={{ id: r.id }}>
                    {r.reference}
                  </Link>
                ),
              },
              { key: 'company', header: t('list.company'), label: t('list.company'), cell: (r) => r.company.legal_name },
              { key: 'bank', header: t('list.bank'), label: t('list.bank'), cell: (r) => bankName(r.bank_id) },
              { key: 'amount', header: t('list.amount'), label: t('list.amount'), numeric: true, cell: (r) => formatCents(r.requested_amount_cents, i18n.language) },
              { key: 'status', header: t('list.status'), label: t('list.status'), cell: (r) => <StatusBadge status={r.status} /> },
              { key: 'date', header: t('list.date'), label: t('list.date'), cell: (r) => formatDate(r.created_at, i18n.language) },
              {
                key: 'messages',
                header: t('list.messages'),
                label: t('list.messages'),
                cell: (r) => ((r.unread_messages ?? 0) > 0 ? <Tag colour="orange">{t('messages.unreadFromBank', { count: r.unread_messages ?? 0 })}</Tag> : <span className="ui-muted">{t('messages.noneUnread')}</span>),
              },
            ]}
          />
        </>
      )}
      {(cursor || page.data?.next_cursor) && (
        <nav aria-label={t('list.pagination')}>
          <ul className="pagination">
            {cursor && (
              <li>
                <Link to="/demandes" search={{}}>
                  {t('list.first')}
                </Link>
              </li>
            )}
            {page.data?.next_cursor && (
              <li>
                <Link to="/demandes" search={{ cursor: page.data.next_cursor }}>
                  {t('list.next')}
                </Link>
              </li>
            )}
          </ul>
        </nav>
      )}
    </>
  );
}
