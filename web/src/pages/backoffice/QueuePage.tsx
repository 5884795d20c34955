// A bank reviewer's queue: filters kept in the URL, a keyset-paginated table with
// selection, the actions valid for every selected request, and the CSV export of what
// the filters show.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError, type ApiError } from '../../api/problem';
import { banksQuery, queueQuery, type LoanRequest, type LoanStatus } from '../../api/queries';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { downloadExport } from '../../features/backoffice/exportCsv';
import {
  ageInDays,
  formFromSearch,
  hasFilters,
  listQuery,
  searchFromForm,
  STATUSES,
  type FilterErrors,
  type FilterForm,
  type QueueSearch,
} from '../../features/backoffice/filters';
import { bulkReport, validActions, type BulkAction, type BulkReport } from '../../features/backoffice/selection';
import { isoToInput, todayIso } from '../../lib/dates';
import { formatCents } from '../../lib/money';
import {
  Alert,
  Button,
  ButtonGroup,
  Checkbox,
  ErrorSummary,
  Link,
  PageHeading,
  Select,
  Spinner,
  StickyBar,
  Table,
  Tag,
  TextInput,
  usePageTitle,
} from '../../ui';
import { rememberQueueSearch } from './lastQueue';
import { ReasonDialog } from '../../features/backoffice/ReasonDialog';
import { BulkConfirmedAction } from '../../features/backoffice/BulkConfirmedAction';

interface Selected {
  version: number;
  status: LoanStatus;
  reference: string;
}

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
      <Filters key={searchKey} search={search} />
      <ExportButton search={search} />
      {report && <BulkReportView {...report} onDismiss={() => setReport(undefined)} />}
      {bulkError && <ProblemAlert error={bulkError} />}
      {page.isPending && <Spinner label={t('common.loading')} />}
      {page.isError && isApiError(page.error) && <ProblemAlert error={page.error} onRetry={() => void page.refetch()} />}
      <p role="status" className="queue__count">
        {page.data &&
          (items.length === 0
            ? hasFilters(search)
              ? t('queue.noneMatching')
              : t('queue.empty')
            : t('queue.count', { count: items.length }) + (page.data.next_cursor ? ` ${t('queue.more')}` : ''))}
      </p>
      {items.length > 0 && (
        <QueueTable items={items} selected={selected} toggle={toggle} allOnPage={allOnPage} someOnPage={someOnPage} toggleAll={toggleAll} />
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

function QueueTable({
  items,
  selected,
  toggle,
  allOnPage,
  someOnPage,
  toggleAll,
}: {
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
      caption={t('queue.caption')}
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

function Filters({ search }: { search: QueueSearch }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form, setForm] = useState<FilterForm>(() => formFromSearch(search, isoToInput));
  const [errors, setErrors] = useState<FilterErrors>({});
  const [attempt, setAttempt] = useState(0);
  const [open, setOpen] = useState(() => hasFilters(search) || !globalThis.matchMedia?.('(max-width: 40rem)').matches);
  const set = (key: keyof FilterForm) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const errorText = (key: keyof FilterForm) => {
    const code = errors[key];
    return code ? t([`queue.filterErrors.${key}.${code}`, `errors.${code}`]) : undefined;
  };
  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const result = searchFromForm(form);
    if ('errors' in result) {
      setErrors(result.errors);
      setAttempt((n) => n + 1);
      return;
    }
    setErrors({});
    void navigate({ to: '/instruction', search: result.search });
  };
  const summary = (Object.keys(errors) as (keyof FilterForm)[]).map((key) => ({ target: `filter.${key}`, text: errorText(key)! }));
  return (
    // Folded on phones (one tap away) unless filters apply; always open where there is room.
    <details className="ui-filters" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="queue__filters-title">{hasFilters(search) ? t('queue.filtersActive') : t('queue.filtersTitle')}</summary>
      <form role="search" aria-label={t('queue.filtersLabel')} noValidate onSubmit={onSubmit}>
        <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={attempt} />
        <div className="ui-filters__fields">
          <Select
            name="filter.status"
            label={t('queue.status')}
            placeholder={t('queue.anyStatus')}
            options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
            value={form.status}
            onChange={set('status')}
          />
          <TextInput name="filter.siren" label={t('queue.siren')} hint={t('queue.sirenHint')} inputMode="numeric" autoComplete="off" value={form.siren} onChange={set('siren')} error={errorText('siren')} />
          <TextInput
            name="filter.reference"
            label={t('queue.reference')}
            hint={t('queue.referenceHint')}
            autoComplete="off"
            spellCheck={false}
            value={form.reference}
            onChange={set('reference')}
          />
          <TextInput name="filter.created_from" label={t('queue.from')} hint={t('queue.dateHint')} autoComplete="off" value={form.created_from} onChange={set('created_from')} error={errorText('created_from')} />
          <TextInput name="filter.created_to" label={t('queue.to')} hint={t('queue.dateHint')} autoComplete="off" value={form.created_to} onChange={set('created_to')} error={errorText('created_to')} />
        </div>
        <ButtonGroup>
          <Button type="submit">{t('queue.apply')}</Button>
          {hasFilters(search) && (
            <Link to="/instruction" search={{}}>
              {t('queue.clear')}
            </Link>
          )}
        </ButtonGroup>
      </form>
    </details>
  );
}

function ExportButton({ search }: { search: QueueSearch }) {
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

function BulkBar({
  selected,
  onClear,
  onError,
  onDone,
}: {
  selected: Map<string, Selected>;
  onClear(): void;
  onError(error: ApiError | undefined): void;
  onDone(action: BulkAction, report: BulkReport): void;
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

function BulkReportView({ action, report, references, onDismiss }: { action: BulkAction; report: BulkReport; references: Record<string, string>; onDismiss(): void }) {
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
