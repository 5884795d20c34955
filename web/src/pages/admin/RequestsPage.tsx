// The platform admin's national list of requests: the reviewer queue's filters plus the
// bank, kept in the URL; the order, how many requests match, next and previous pages,
// and the CSV export of what the filters show. Admins decide nothing: no selection, and
// each row leads to the request read-only. The parts are the queue's
// (features/backoffice/).
import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { banksQuery, queueQuery } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ExportButton } from '../../features/backoffice/ExportButton';
import { listQuery } from '../../features/backoffice/filters';
import { rememberQueueSearch } from '../../features/backoffice/lastQueue';
import { QueueFilters } from '../../features/backoffice/QueueFilters';
import { QueueCount, QueuePagination } from '../../features/backoffice/QueuePages';
import { QueueTable } from '../../features/backoffice/QueueTable';
import { PageHeading, Spinner, usePageTitle } from '../../ui';

export function RequestsPage() {
  const { t } = useTranslation();
  const search = useSearch({ from: '/admin/area/demandes' });
  const banks = useQuery(banksQuery);
  const page = useQuery(queueQuery(listQuery(search)));
  usePageTitle(t('adminRequests.title'), t('service.name'));
  const bankName = (id: string) => banks.data?.find((b) => b.id === id)?.name ?? id;

  const searchKey = JSON.stringify(search);
  useEffect(() => {
    rememberQueueSearch('/admin/demandes', search);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchKey]);

  const items = page.data?.items ?? [];
  return (
    <>
      <PageHeading caption={search.bank && banks.data && bankName(search.bank)}>{t('adminRequests.title')}</PageHeading>
      <QueueFilters key={searchKey} search={search} to="/admin/demandes" banks={banks.data ?? []} />
      <ExportButton search={search} />
      {page.isPending && <Spinner label={t('common.loading')} />}
      {page.isError && isApiError(page.error) && <ProblemAlert error={page.error} onRetry={() => void page.refetch()} />}
      <QueueCount search={search} page={page.data} empty={t('adminRequests.empty')} />
      {items.length > 0 && (
        <QueueTable caption={t(`adminRequests.caption.${search.sort ?? 'newest'}`)} items={items} requestTo="/admin/demandes/$id" bankName={bankName} />
      )}
      <QueuePagination to="/admin/demandes" search={search} page={page.data} label={t('adminRequests.pagination')} />
    </>
  );
}
