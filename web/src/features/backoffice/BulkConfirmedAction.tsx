// The bulk bar's pre-approval: the button, then the confirmation saying to how many
// requests and for what total amount, before anything is sent. The amounts are read
// from the queue pages already loaded (the selection is always on the page shown), and
// fetched for any request no longer among them.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { keys, requestQuery, type LoanRequest } from '../../api/queries';
import type { components } from '../../api/schema';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Button } from '../../ui';
import { ConfirmDecisionDialog, decisionTotals, type ConfirmedAction } from './ConfirmDecision';
import type { BulkAction } from './selection';

type QueuePage = components['schemas']['LoanRequestPage'];

export function BulkConfirmedAction({ action, ids, onConfirm }: { action: Extract<BulkAction, ConfirmedAction>; ids: string[]; onConfirm: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const totals = useQuery({
    queryKey: ['selection-totals', ids],
    enabled: open,
    gcTime: 0,
    queryFn: async () => {
      const loaded = new Map<string, LoanRequest>();
      for (const [, page] of queryClient.getQueriesData<QueuePage>({ queryKey: keys.queue })) {
        for (const r of page?.items ?? []) loaded.set(r.id, r);
      }
      const requests = await Promise.all(ids.map(async (id) => loaded.get(id) ?? (await queryClient.fetchQuery(requestQuery(id))).data));
      return decisionTotals(requests);
    },
  });
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t(`bulk.${action}`)}</Button>
      <ConfirmDecisionDialog
        open={open}
        action={action}
        count={ids.length}
        totals={totals.data}
        problem={totals.isError && isApiError(totals.error) ? <ProblemAlert error={totals.error} onRetry={() => void totals.refetch()} /> : undefined}
        onCancel={() => setOpen(false)}
        onConfirm={() => {
          setOpen(false);
          onConfirm();
        }}
      />
    </>
  );
}
