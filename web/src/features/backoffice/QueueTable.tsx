// The queue's table: one row per request, the reference linking to the request, the
// company, amount, status and age; in a reviewer's queue a checkbox each (and one for
// the page) and the unread count, in the admin's national list the bank.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoanRequest, LoanStatus } from '../../api/queries';
import { StatusBadge } from '../../components/StatusBadge';
import { formatCents } from '../../lib/money';
import { Checkbox, Link, Table, Tag, type Column } from '../../ui';
import { ageInDays, type QueueRequestRoute } from './filters';

/** What the queue keeps of a selected request: enough for a bulk decision and its report. */
export interface Selected {
  version: number;
  status: LoanStatus;
  reference: string;
}

/** The checkboxes of a bulk decision: one per row, one for the page. */
export interface QueueSelection {
  selected: Map<string, Selected>;
  toggle: (r: LoanRequest, on: boolean) => void;
  allOnPage: boolean;
  someOnPage: boolean;
  toggleAll: (on: boolean) => void;
}

export function QueueTable({
  items,
  caption,
  requestTo,
  selection,
  bankName,
  unread = false,
}: {
  items: LoanRequest[];
  /** Whose requests, in what order (read by screen readers). */
  caption: string;
  /** The request's page a row's reference links to. */
  requestTo: QueueRequestRoute;
  /** A reviewer's queue selects for bulk decisions; absent (admins decide nothing): no checkboxes. */
  selection?: QueueSelection;
  /** A bank column, with the bank's name (the admin's list); absent: none. */
  bankName?: (bankId: string) => string;
  /** A column of the messages not read yet (a reviewer's queue). */
  unread?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const allRef = useRef<HTMLInputElement>(null);
  const someOnPage = selection?.someOnPage ?? false;
  const allOnPage = selection?.allOnPage ?? false;
  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = someOnPage && !allOnPage;
  }, [someOnPage, allOnPage]);
  // Ages in days: the clock read when the table is first drawn, then every minute (an
  // effect's timer, not a render: drawing stays pure).
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const columns: (Column<LoanRequest> | false | undefined)[] = [
    selection && {
      key: 'select',
      header: <Checkbox ref={allRef} label={t('queue.selectAll')} labelHidden checked={allOnPage} onChange={(e) => selection.toggleAll(e.target.checked)} />,
      label: t('queue.select'),
      cell: (r) => (
        <Checkbox
          label={t('queue.selectOne', { reference: r.reference, company: r.company.legal_name })}
          labelHidden
          checked={selection.selected.has(r.id)}
          onChange={(e) => selection.toggle(r, e.target.checked)}
        />
      ),
    },
    {
      key: 'ref',
      header: t('queue.reference'),
      label: t('queue.reference'),
      rowHeader: true,
      cell: (r) => (
        <Link to={requestTo} params={{ id: r.id }} className="queue__ref">
          {r.reference}
        </Link>
      ),
    },
    { key: 'company', header: t('queue.company'), label: t('queue.company'), cell: (r) => r.company.legal_name },
    { key: 'siren', header: t('queue.siren'), label: t('queue.siren'), cell: (r) => <span className="queue__nowrap">{r.company.siren}</span> },
    bankName && { key: 'bank', header: t('queue.bank'), label: t('queue.bank'), cell: (r) => bankName(r.bank_id) },
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
    unread && {
      key: 'messages',
      header: t('queue.messages'),
      label: t('queue.messages'),
      cell: (r) => <UnreadCount count={r.unread_messages ?? 0} />,
    },
  ];
  return <Table<LoanRequest> caption={caption} captionHidden rows={items} rowKey={(r) => r.id} columns={columns.filter((c): c is Column<LoanRequest> => Boolean(c))} />;
}

export function UnreadCount({ count }: { count: number }) {
  const { t } = useTranslation();
  return count > 0 ? <Tag colour="orange">{t('messages.unread', { count })}</Tag> : <span className="ui-muted">{t('messages.noneUnread')}</span>;
}
