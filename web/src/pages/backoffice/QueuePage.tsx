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
import { hasFilters, listQuery } from '../../features/backoffice/filters';
import { QueueFilters } from '../../features/backoffice/QueueFilters';
import { QueueTable, type Selected } from '../../features/backoffice/QueueTable';
import type { BulkAction, BulkReport } from '../../features/backoffice/selection';
import { Link, PageHeading, Spinner, usePageTitle } from '../../ui';
import { rememberQueueSearch } from './lastQueue';

export function QueuePage() {
  const { t } = useTranslation();
  const session = useSession();
  const search = useSearch({ from: '/instruction/' });
  const banks = useQuery(banksQuery);
  const page = useQuery(queueQuery(listQuery(search)));
  const [selected, setSelected] = useState<Map<string, Selected>>(new Map());
  const [report, setReport] = useState<{ action: BulkAction; report: BulkReport; references: Record<string, string> }>();
  const [bulkError, setBulkError] = useState<ApiError>();
  const bankName = banks.data?.find((b) => b.id === session.bankId)?.name;
  usePageTitle(t('queue.title'), t('service.name'));

  // A new page or new filters: a new selection.
  const searchKey = JSON.stringify(search);
  useEffect(() => {
    rememberQueueSearch(search);
    setSelected(new Map());
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
      <QueueFilters key={searchKey} search={search} />
      <ExportButton search={search} />
      {report && <BulkReportView {...report} onDismiss={() => setReport(undefined)} />}
      {bulkError && <ProblemAlert error={bulkError} />}
      {page.isPending && <Spinner label={t('common.loading')} />}
      {page.isError && isApiError(page.error) && <ProblemAlert error={page.error} onRetry={() => void page.refetch()} />}
      <p role="status" className="queue__count">
        {page.data &&
          (page.data.total === 0
            ? hasFilters(search)
              ? t('queue.noneMatching')
              : t('queue.empty')
            : page.data.total_is_lower_bound
              ? t('queue.totalMore', { count: page.data.total })
              : t('queue.total', { count: page.data.total }))}
      </p>
      {items.length > 0 && (
        <QueueTable sort={search.sort ?? 'newest'} items={items} selected={selected} toggle={toggle} allOnPage={allOnPage} someOnPage={someOnPage} toggleAll={toggleAll} />
      )}
      {(search.cursor || page.data?.next_cursor) && (
        <nav aria-label={t('queue.pagination')}>
          <ul className="pagination">
            {search.cursor && (
              <li>
                <Link to="/instruction" search={{ ...search, cursor: undefined }}>
                  {t('queue.first')}
                </Link>
              </li>
            )}
            {page.data?.prev_cursor && (
              <li>
                <Link to="/instruction" search={{ ...search, cursor: page.data.prev_cursor }}>
                  {t('queue.previous')}
                </Link>
              </li>
            )}
            {page.data?.next_cursor && (
              <li>
                <Link to="/instruction" search={{ ...search, cursor: page.data.next_cursor }}>
                  {t('queue.next')}
                </Link>
              </li>
            )}
          </ul>
        </nav>
      )}
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
