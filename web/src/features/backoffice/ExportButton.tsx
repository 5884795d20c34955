// The CSV export of what the filters show (fetched with the bearer token, then saved).
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { todayIso } from '../../lib/dates';
import { Button } from '../../ui';
import { downloadExport } from './exportCsv';
import { hasFilters, type QueueSearch } from './filters';

export function ExportButton({ search }: { search: QueueSearch }) {
  const { t } = useTranslation();
  const exporting = useMutation({ mutationFn: () => downloadExport(search, todayIso()) });
  return (
    <div className="queue__export">
      <Button variant="secondary" disabled={exporting.isPending} onClick={() => !exporting.isPending && exporting.mutate()}>
        {exporting.isPending ? t('queue.exporting') : hasFilters(search) ? t('queue.exportFiltered') : t('queue.exportAll')}
      </Button>
      <p className="ui-visually-hidden" role="status">
        {exporting.isSuccess ? t('queue.exported') : ''}
      </p>
      {exporting.isError && isApiError(exporting.error) && <ProblemAlert error={exporting.error} showDetail={false} />}
    </div>
  );
}
