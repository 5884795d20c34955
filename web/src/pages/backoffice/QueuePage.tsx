// A bank reviewer's queue: filters and order kept in the URL, the number of requests
// they match, a keyset-paginated table (next and previous pages) with selection, the
// actions valid for every selected request, and the CSV export of what the filters
// show. Its parts are in features/backoffice/.
import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, type ApiError } from '../../api/problem';
import { banksQuery, queueQuery, type LoanRequest } from '../../api/queries';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/ProblemAlert';
import { BulkBar, BulkReportView } from '../../features/backoffice/BulkBar';
import { ExportButton } from '../../features/backoffice/ExportButton';
import { listQuery } from '../../features/backoffice/filters';
import { rememberQueueSearch } from '../../features/backoffice/lastQueue';
import { QueueFilters } from '../../features/backoffice/QueueFilters';
import { QueueCount, QueuePagination } from '../../features/backoffice/QueuePages';
import { QueueTable, type Selected } from '../../features/backoffice/QueueTable';
import type { BulkAction, BulkReport } from '../../features/backoffice/selection';
import { PageHeading, Spinner, usePageTitle } from '../../ui';

const NO_SELECTION: Map<string, Selected> = new Map();

export function QueuePage() {
  const { t } = useTranslation();
  const session = useSession();
  const search = useSearch({ from: '/instruction/' });
  const banks = useQuery(banksQuery);
  const page = useQuery(queueQuery(listQuery(search)));
  // A new page or new filters: a new selection (the selection belongs to its search).
  const searchKey = JSON.stringify(search);
  const [selection, setSelection] = useState<{ key: string; items: Map<string, Selected> }>(() => ({ key: searchKey, items: new Map() }));
  const selected = selection.key === searchKey ? selection.items : NO_SELECTION;
  const setSelected = (next: Map<string, Selected> | ((prev: Map<string, Selected>) => Map<string, Selected>)) =>
    setSelection((prev) => {
      const current = prev.key === searchKey ? prev.items : NO_SELECTION;
      return { key: searchKey, items: typeof next === 'function' ? next(current) : next };
    });
  const [report, setReport] = useState<{ action: BulkAction; report: BulkReport; references: Record<string, string> }>();
  const [bulkError, setBulkError] = useState<ApiError>();
  const bankName = banks.data?.find((b) => b.id === session.bankId)?.name;
  usePageTitle(t('queue.title'), t('service.name'));

  useEffect(() => {
    rememberQueueSearch('/instruction', search);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchKey]);

  const items = page.data?.items ?? [];
  const toggle = (r: LoanRequest, on: boolean) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (on) next.set(r.id, { version: r.version, status: r.status, reference: r.reference });
      else next.delete(r.id);
      return next;
    });
  const allOnPage = items.length > 0 && items.every((r) => selected.has(r.id));
  const someOnPage = items.some((r) => selected.has(r.id));
  const toggleAll = (on: boolean) =>
    setSelected(on ? new Map(items.map((r) => [r.id, { version: r.version, status: r.status, reference: r.reference }])) : new Map());

  return (
    <>
      <PageHeading caption={bankName ?? session.bankId}>{t('queue.title')}</PageHeading>
      <QueueFilters key={searchKey} search={search} to="/instruction" unread />
      <ExportButton search={search} />
      {report && <BulkReportView {...report} onDismiss={() => setReport(undefined)} />}
      {bulkError && <ProblemAlert error={bulkError} />}
      {page.isPending && <Spinner label={t('common.loading')} />}
      {page.isError && isApiError(page.error) && <ProblemAlert error={page.error} onRetry={() => void page.refetch()} />}
      <QueueCount search={search} page={page.data} empty={t('queue.empty')} />
      {items.length > 0 && (
        <QueueTable
          caption={t(`queue.caption.${search.sort ?? 'newest'}`)}
          items={items}
          requestTo="/instruction/$id"
          selection={{ selected, toggle, allOnPage, someOnPage, toggleAll }}
          unread
        />
      )}
      <QueuePagination to="/instruction" search={search} page={page.data} label={t('queue.pagination')} />
      {selected.size > 0 && (
        <BulkBar
          selected={selected}
          onClear={() => setSelected(new Map())}
          onError={setBulkError}
          onDone={(action, result) => {
            setBulkError(undefined);
            setReport({ action, report: result, references: Object.fromEntries([...selected].map(([id, s]) => [id, s.reference])) });
            setSelected(new Map());
          }}
        />
      )}
    </>
  );
}
