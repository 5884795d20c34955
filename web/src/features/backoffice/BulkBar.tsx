// Decisions on the selected requests: the actions valid for every one of them, a
// confirmation before an agreement, a reason before a rejection, and the report of what
// happened to each.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError, type ApiError } from '../../api/problem';
import { Alert, Button, Link, StickyBar, Tag } from '../../ui';
import { BulkConfirmedAction } from './BulkConfirmedAction';
import { ReasonDialog } from './ReasonDialog';
import type { Selected } from './QueueTable';
import { bulkReport, validActions, type BulkAction, type BulkReport } from './selection';

export function BulkBar({
  selected,
  onClear,
  onError,
  onDone,
}: {
  selected: Map<string, Selected>;
  onClear: () => void;
  onError: (error: ApiError | undefined) => void;
  onDone: (action: BulkAction, report: BulkReport) => void;
}) {
  const { t } = useTranslation();
  const actions = useMemo(() => validActions([...selected.values()].map((s) => s.status)), [selected]);
  const [rejecting, setRejecting] = useState(false);
  const bulk = useMutation({
    mutationFn: async ({ action, reason }: { action: BulkAction; reason?: string }) => {
      const items = [...selected].map(([id, s]) => ({ id, version: s.version }));
      const { data } = await unwrap(api.POST('/api/v1/loan-requests/bulk-decisions', { body: { action, items, ...(reason ? { reason } : {}) } }));
      return bulkReport(
        items.map((i) => i.id),
        data.results,
      );
    },
    onMutate: () => onError(undefined),
    onSuccess: (report, { action }) => {
      setRejecting(false);
      onDone(action, report);
    },
    // Refused as a whole (not per request): said above the table, or in the dialog.
    onError: (e, { action }) => action !== 'reject' && isApiError(e) && onError(e),
  });
  const run = (action: BulkAction) => !bulk.isPending && bulk.mutate({ action });
  const error = bulk.error && isApiError(bulk.error) ? bulk.error : undefined;
  return (
    <StickyBar label={t('bulk.label')}>
      <p>{t('bulk.selected', { count: selected.size })}</p>
      {actions.includes('review') && <Button onClick={() => run('review')}>{t('bulk.review')}</Button>}
      {actions.includes('pre_approve') && <BulkConfirmedAction action="pre_approve" ids={[...selected.keys()]} onConfirm={() => run('pre_approve')} />}
      {actions.includes('reject') && (
        <Button variant="secondary" onClick={() => setRejecting(true)}>
          {t('bulk.reject')}
        </Button>
      )}
      {actions.length === 0 && <p className="bulk__none">{t('bulk.noCommonAction')}</p>}
      <button type="button" className="ui-link ui-link--button" onClick={onClear}>
        {t('bulk.clear')}
      </button>
      {bulk.isPending && <span role="status">{t('bulk.sending')}</span>}
      <ReasonDialog
        keepAs="reason:bulk"
        open={rejecting}
        title={t('bulk.rejectTitle', { count: selected.size })}
        confirm={t('bulk.rejectConfirm', { count: selected.size })}
        pending={bulk.isPending}
        error={error}
        onCancel={() => {
          setRejecting(false);
          bulk.reset();
        }}
        onConfirm={(reason) => bulk.mutate({ action: 'reject', reason })}
      />
    </StickyBar>
  );
}

export function BulkReportView({ action, report, references, onDismiss }: { action: BulkAction; report: BulkReport; references: Record<string, string>; onDismiss: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [report]);
  return (
    <div ref={ref} tabIndex={-1} className="bulk__report">
      <Alert variant={report.refused === 0 ? 'success' : 'warning'} title={t(`bulk.done.${action}`)} live="status">
        <p>
          {t('bulk.summary', { count: report.succeeded + report.refused, succeeded: report.succeeded, refused: report.refused })}
        </p>
        <ul className="bulk__lines">
          {report.lines.map((l) => (
            <li key={l.id}>
              <Link to="/instruction/$id" params={{ id: l.id }}>
                {references[l.id] ?? l.id}
              </Link>{' '}
              {l.ok ? (
                <span>
                  <Tag colour="green">{t('bulk.ok')}</Tag> {t('bulk.nowStatus', { status: t(`status.${l.status}`) })}
                </span>
              ) : (
                <span>
                  <Tag colour="red">{t('bulk.refusedTag')}</Tag> {t(`bulk.refusals.${l.refusal}`)}
                </span>
              )}
            </li>
          ))}
        </ul>
        <Button variant="secondary" onClick={onDismiss}>
          {t('bulk.dismiss')}
        </Button>
      </Alert>
    </div>
  );
}
