// The queue's filters live in the URL (back/forward and a shared link keep them): the
// search params are checked here, then mapped to the API's query parameters for the list
// and for the CSV export.
import { parseDate } from '../../lib/dates';
import { sirenError, stripSpaces } from '../../lib/identifiers';
import { isOneOf } from '../../lib/oneOf';
import { isLoanStatus } from '../../lib/status';
import { PAGE_SIZE, SORTS, type QueueSearch, type QueueSort } from './search';

export { ADMIN_FILTERS, PAGE_SIZE, REVIEWER_FILTERS, SORTS, validateQueueSearch, type ListFilters, type QueueRequestRoute, type QueueRoute, type QueueSearch, type QueueSort } from './search';

/** The list's query: the filters, the page size and the cursor. */
export function listQuery(search: QueueSearch) {
  return { ...exportQuery(search), limit: PAGE_SIZE, ...(search.cursor ? { cursor: search.cursor } : {}) };
}

/** The CSV export's query: the same filters, every page. */
export function exportQuery(search: QueueSearch) {
  const { cursor: _cursor, ...filters } = search;
  return filters;
}

/** Whether anything narrows the list (the order does not). */
export const hasFilters = (search: QueueSearch) => Object.keys(exportQuery(search)).some((k) => k !== 'sort');

/** The filter form as typed (dates as dd/mm/yyyy, SIREN with spaces). */
export interface FilterForm {
  status: string;
  siren: string;
  reference: string;
  created_from: string;
  created_to: string;
  name: string;
  sort: QueueSort;
  unread: boolean;
  /** A bank's code, or '' for every bank (the admin's list only). */
  bank?: string;
}

export type FilterErrors = Partial<Record<keyof FilterForm, 'invalid-format' | 'invalid-checksum' | 'date-order' | 'too-short'>>;

export function formFromSearch(search: QueueSearch, toInput: (iso: string) => string): FilterForm {
  return {
    status: search.status ?? '',
    siren: search.siren ?? '',
    reference: search.reference ?? '',
    created_from: search.created_from ? toInput(search.created_from) : '',
    created_to: search.created_to ? toInput(search.created_to) : '',
    name: search.name ?? '',
    sort: search.sort ?? 'newest',
    unread: search.unread === 'true',
    bank: search.bank ?? '',
  };
}

/** The typed filters as search params (a new filter starts on the first page), or what is wrong. */
export function searchFromForm(form: FilterForm): { search: QueueSearch } | { errors: FilterErrors } {
  const errors: FilterErrors = {};
  const search: QueueSearch = {};
  if (isLoanStatus(form.status)) search.status = form.status;
  const siren = stripSpaces(form.siren);
  if (siren) {
    const problem = sirenError(siren);
    if (problem === 'invalid-format' || problem === 'invalid-checksum') errors.siren = problem;
    else search.siren = siren;
  }
  if (form.reference.trim()) search.reference = form.reference.trim();
  const name = form.name.trim();
  if (name && [...name].length < 2) errors.name = 'too-short';
  else if (name) search.name = name;
  if (isOneOf(SORTS, form.sort) && form.sort !== 'newest') search.sort = form.sort;
  if (form.unread) search.unread = 'true';
  if (form.bank && /^\d{5}$/.test(form.bank)) search.bank = form.bank;
  for (const key of ['created_from', 'created_to'] as const) {
    if (!form[key].trim()) continue;
    const iso = parseDate(form[key]);
    if (iso) search[key] = iso;
    else errors[key] = 'invalid-format';
  }
  if (search.created_from && search.created_to && search.created_from > search.created_to) errors.created_to = 'date-order';
  return Object.keys(errors).length > 0 ? { errors } : { search };
}

/** Whole days since `iso` (0 the first 24 hours). */
export function ageInDays(iso: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 86_400_000));
}
