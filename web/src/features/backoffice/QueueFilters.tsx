// The queue's filters, in a form whose values go to the URL (back/forward and a shared
// link keep them): status, SIREN, reference, company name, dates, order; unread only in
// a reviewer's queue, the bank in the admin's national list.
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Bank } from '../../api/queries';
import { isoToInput } from '../../lib/dates';
import { Button, ButtonGroup, Checkbox, ErrorSummary, Link, Select, TextInput } from '../../ui';
import { keysOf } from '../../lib/oneOf';
import { STATUSES } from '../../lib/status';
import { formFromSearch, hasFilters, searchFromForm, SORTS, type FilterErrors, type FilterForm, type QueueRoute, type QueueSearch } from './filters';

export function QueueFilters({
  search,
  to,
  banks,
  unread = false,
}: {
  search: QueueSearch;
  /** The list the filters apply to (where they navigate). */
  to: QueueRoute;
  /** The banks to choose one of (the admin's list); absent: no bank filter. */
  banks?: Bank[];
  /** Whether "only unread messages" is offered (a reviewer's queue). */
  unread?: boolean;
}) {
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
    void navigate({ to, search: result.search });
  };
  const summary = keysOf(errors).map((key) => ({ target: `filter.${key}`, text: errorText(key)! }));
  return (
    // Folded on phones (one tap away) unless filters apply; always open where there is room.
    <details className="ui-filters" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="queue__filters-title">{hasFilters(search) ? t('queue.filtersActive') : t('queue.filtersTitle')}</summary>
      <form role="search" aria-label={t('queue.filtersLabel')} noValidate onSubmit={onSubmit}>
        <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={attempt} />
        <div className="ui-filters__fields">
          {banks && (
            <Select
              name="filter.bank"
              label={t('queue.bank')}
              placeholder={t('queue.anyBank')}
              options={banks.map((b) => ({ value: b.id, label: t('queue.bankOption', { name: b.name, code: b.id }) }))}
              value={form.bank}
              onChange={set('bank')}
            />
          )}
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
          <TextInput
            name="filter.name"
            label={t('queue.name')}
            hint={t('queue.nameHint')}
            autoComplete="off"
            value={form.name}
            onChange={set('name')}
            error={errorText('name')}
          />
          <TextInput name="filter.created_from" label={t('queue.from')} hint={t('queue.dateHint')} autoComplete="off" value={form.created_from} onChange={set('created_from')} error={errorText('created_from')} />
          <TextInput name="filter.created_to" label={t('queue.to')} hint={t('queue.dateHint')} autoComplete="off" value={form.created_to} onChange={set('created_to')} error={errorText('created_to')} />
          <Select
            name="filter.sort"
            label={t('queue.sortLabel')}
            options={SORTS.map((s) => ({ value: s, label: t(`queue.sort.${s}`) }))}
            value={form.sort}
            onChange={set('sort')}
          />
          {unread && (
            <Checkbox name="filter.unread" label={t('queue.unreadOnly')} checked={form.unread} onChange={(e) => setForm((f) => ({ ...f, unread: e.target.checked }))} />
          )}
        </div>
        <ButtonGroup>
          <Button type="submit">{t('queue.apply')}</Button>
          {hasFilters(search) && (
            <Link to={to} search={{}}>
              {t('queue.clear')}
            </Link>
          )}
        </ButtonGroup>
      </form>
    </details>
  );
}
