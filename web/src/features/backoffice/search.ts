// The queue's URL search params, checked (with the route tree: kept small, no
// dependency beyond the checks it needs).
import type { LoanStatus } from '../../api/queries';
import { isOneOf } from '../../lib/oneOf';
import { isLoanStatus } from '../../lib/status';

export const PAGE_SIZE = 20;
/** The list's orders (the API's `sort`): the newest first unless another is chosen. */
export const SORTS = ['newest', 'oldest', 'amount_desc', 'amount_asc'] as const;
export type QueueSort = (typeof SORTS)[number];

/** The lists of requests with these search params: a reviewer's queue, the admin's national list. */
export type QueueRoute = '/instruction' | '/admin/demandes';
/** Where each list's rows lead: the request's page in the same area. */
export type QueueRequestRoute = `${QueueRoute}/$id`;

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
  /** Only requests with a message not read yet (a reviewer's queue only). */
  unread?: 'true';
  /** One bank's requests, its 5-digit code (the admin's national list only). */
  bank?: string;
  /** Absent: the newest first. */
  sort?: Exclude<QueueSort, 'newest'>;
  cursor?: string;
}

/**
 * The filters a list offers beyond the common ones: the API refuses `unread` to admins
 * and `bank` to everyone but admins, so a URL cannot carry them where they do not apply.
 */
export interface ListFilters {
  unread: boolean;
  bank: boolean;
}
/** A bank reviewer's queue: the unread filter, no bank (theirs only). */
export const REVIEWER_FILTERS: ListFilters = { unread: true, bank: false };
/** The admin's national list: a bank filter, no unread one (admins write no messages). */
export const ADMIN_FILTERS: ListFilters = { unread: false, bank: true };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A text param; the router's query-string decoding makes digits a number (`?bank=30003` → 30003): taken back as text. */
const text = (raw: unknown, max = 40) => {
  const v = typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0 ? String(raw) : raw;
  return typeof v === 'string' && v.trim() !== '' && v.length <= max ? v.trim() : undefined;
};

/** Whatever the URL says, only values the API can take (a hand-edited link cannot break the page). */
export function validateQueueSearch(raw: Record<string, unknown>, offered: ListFilters = REVIEWER_FILTERS): QueueSearch {
  const out: QueueSearch = {};
  if (isLoanStatus(raw.status)) out.status = raw.status;
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
  if (offered.unread && (raw.unread === 'true' || raw.unread === true)) out.unread = 'true';
  const bank = text(raw.bank);
  if (offered.bank && bank && /^\d{5}$/.test(bank)) out.bank = bank;
  if (isOneOf(SORTS, raw.sort) && raw.sort !== 'newest') out.sort = raw.sort;
  const cursor = text(raw.cursor, 500);
  if (cursor) out.cursor = cursor;
  // The router lays a route's search over the URL's raw params: a param refused here
  // is set undefined, so that it never reaches the API (which refuses unknown ones).
  const refused = Object.keys(raw).filter((key) => !(key in out));
  return { ...out, ...Object.fromEntries(refused.map((key) => [key, undefined])) };
}

