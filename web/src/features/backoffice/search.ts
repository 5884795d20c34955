// The queue's URL search params, checked (with the route tree: kept small, no
// dependency beyond the checks it needs).
import type { LoanStatus } from '../../api/queries';

export const STATUSES: LoanStatus[] = ['submitted', 'in_review', 'pre_approved', 'granted', 'rejected', 'withdrawn'];
export const PAGE_SIZE = 20;
/** The list's orders (the API's `sort`): the newest first unless another is chosen. */
export const SORTS = ['newest', 'oldest', 'amount_desc', 'amount_asc'] as const;
export type QueueSort = (typeof SORTS)[number];

/** The queue's URL search params (names of the API's query parameters). */
export interface QueueSearch {
  status?: LoanStatus;
  siren?: string;
  reference?: string;
  /** ISO dates (`2026-03-25`). */
  created_from?: string;
  created_to?: string;
  /** Company name contains (2 to 100 characters). */
  name?: string;
  /** Only requests with a message not read yet. */
  unread?: 'true';
  /** Absent: the newest first. */
  sort?: Exclude<QueueSort, 'newest'>;
  cursor?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const text = (v: unknown, max = 40) => (typeof v === 'string' && v.trim() !== '' && v.length <= max ? v.trim() : undefined);

/** Whatever the URL says, only values the API can take (a hand-edited link cannot break the page). */
export function validateQueueSearch(raw: Record<string, unknown>): QueueSearch {
  const out: QueueSearch = {};
  if (typeof raw.status === 'string' && (STATUSES as string[]).includes(raw.status)) out.status = raw.status as LoanStatus;
  const siren = text(raw.siren);
  const digits = siren?.replace(/\s+/gu, '');
  if (digits && /^\d{9}$/.test(digits)) out.siren = digits;
  const reference = text(raw.reference);
  if (reference) out.reference = reference;
  for (const key of ['created_from', 'created_to'] as const) {
    const v = text(raw[key]);
    if (v && ISO_DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)) out[key] = v;
  }
  const name = text(raw.name, 100);
  if (name && [...name].length >= 2) out.name = name;
  if (raw.unread === 'true' || raw.unread === true) out.unread = 'true';
  if (typeof raw.sort === 'string' && raw.sort !== 'newest' && (SORTS as readonly string[]).includes(raw.sort)) out.sort = raw.sort as Exclude<QueueSort, 'newest'>;
  const cursor = text(raw.cursor, 500);
  if (cursor) out.cursor = cursor;
  return out;
}

