// The queue's table: one row per request, a checkbox each (and one for the page), the
// reference linking to the request, the company, amount, status, age and unread count.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoanRequest, LoanStatus } from '../../api/queries';
import { StatusBadge } from '../../components/StatusBadge';
import { formatCents } from '../../lib/money';
import { Checkbox, Link, Table, Tag } from '../../ui';
import { ageInDays } from './filters';
import type { QueueSort } from './search';

/** What the queue keeps of a selected request: enough for a bulk decision and its report. */
export interface Selected {
  version: number;
  status: LoanStatus;
  reference: string;
}

export function QueueTable({
  items,
  selected,
  toggle,
  allOnPage,
  someOnPage,
  toggleAll,
  sort,
}: {
  sort: QueueSort;
  items: LoanRequest[];
  selected: Map<string, Selected>;
  toggle(r: LoanRequest, on: boolean): void;
  allOnPage: boolean;
  someOnPage: boolean;
  toggleAll(on: boolean): void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const allRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = someOnPage && !allOnPage;
  }, [someOnPage, allOnPage]);
  const now = Date.now();
  return (
    <Table<LoanRequest>
      caption={t(`queue.caption.${sort}`)}
      captionHidden
      rows={items}
      rowKey={(r) => r.id}
      columns={[
        {
          key: 'select',
          header: <Checkbox ref={allRef} label={t('queue.selectAll')} labelHidden checked={allOnPage} onChange={(e) => toggleAll(e.target.checked)} />,
          label: t('queue.select'),
          cell: (r) => (
            <Checkbox
              label={t('queue.selectOne', { reference: r.reference, company: r.company.legal_name })}
              labelHidden
              checked={selected.has(r.id)}
              onChange={(e) => toggle(r, e.target.checked)}
            />
          ),
        },
        {
          key: 'ref',
          header: t('queue.reference'),
          label: t('queue.reference'),
          rowHeader: true,
          cell: (r) => (
            <Link to="/instruction/$id" params={{ id: r.id }} className="queue__ref">
              {r.reference}
            </Link>
          ),
        },
        { key: 'company', header: t('queue.company'), label: t('queue.company'), cell: (r) => r.company.legal_name },
        { key: 'siren', header: t('queue.siren'), label: t('queue.siren'), cell: (r) => <span className="queue__nowrap">{r.company.siren}</span> },
        { key: 'amount', header: t('queue.amount'), label: t('queue.amount'), numeric: true, cell: (r) => formatCents(r.requested_amount_cents, lang) },
        { key: 'status', header: t('queue.status'), label: t('queue.status'), cell: (r) => <StatusBadge status={r.status} /> },
        {
          key: 'age',
          header: t('queue.age'),
          label: t('queue.age'),
          cell: (r) => {
            const days = ageInDays(r.created_at, now);
            return <span className="queue__nowrap">{days === 0 ? t('queue.today') : t('queue.days', { count: days })}</span>;
          },
        },
        {
          key: 'messages',
          header: t('queue.messages'),
          label: t('queue.messages'),
          cell: (r) => <UnreadCount count={r.unread_messages ?? 0} />,
        },
      ]}
    />
  );
}

export function UnreadCount({ count }: { count: number }) {
  const { t } = useTranslation();
  return count > 0 ? <Tag colour="orange">{t('messages.unread', { count })}</Tag> : <span className="ui-muted">{t('messages.noneUnread')}</span>;
}
