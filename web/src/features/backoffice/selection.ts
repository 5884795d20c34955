// Acting on several requests at once: which actions every selected request allows, and
// the API's per-request answer put in plain words.
import type { LoanStatus } from '../../api/queries';
import { isLoanStatus } from '../../lib/status';

export type BulkAction = 'review' | 'pre_approve' | 'reject';
export const BULK_ACTIONS: BulkAction[] = ['review', 'pre_approve', 'reject'];

/** The statuses from which each action is allowed (docs/RULES.md §14). */
const ALLOWED_FROM: Record<BulkAction, LoanStatus[]> = {
  review: ['submitted'],
  pre_approve: ['in_review'],
  reject: ['submitted', 'in_review'],
};

export const actionAllowed = (action: BulkAction, status: LoanStatus) => ALLOWED_FROM[action].includes(status);

/** The actions valid for every selected request (none for an empty selection). */
export function validActions(statuses: LoanStatus[]): BulkAction[] {
  if (statuses.length === 0) return [];
  return BULK_ACTIONS.filter((a) => statuses.every((s) => actionAllowed(a, s)));
}

/** Why one request was refused, as the screen words it. */
export type Refusal = 'stale' | 'not-allowed-now' | 'not-found' | 'other';

export interface ProblemLike {
  status?: number;
  type?: string;
  detail?: string;
}

export function refusalOf(problem: ProblemLike): Refusal {
  const slug = problem.type?.split('/').pop();
  if (problem.status === 412 || slug === 'precondition-failed') return 'stale';
  if (problem.status === 409 || slug === 'invalid-transition') return 'not-allowed-now';
  if (problem.status === 404 || slug === 'not-found') return 'not-found';
  return 'other';
}

export interface BulkResultItem {
  id: string;
  status?: string | null;
  version?: number | null;
  problem?: ProblemLike | null;
}

export interface BulkReportLine {
  id: string;
  ok: boolean;
  /** The new status when it succeeded. */
  status?: LoanStatus;
  refusal?: Refusal;
  detail?: string;
}

export interface BulkReport {
  succeeded: number;
  refused: number;
  lines: BulkReportLine[];
}

/** One line per request sent, in the order sent (an answer missing for one counts as refused). */
export function bulkReport(sentIds: string[], results: BulkResultItem[]): BulkReport {
  const byId = new Map(results.map((r) => [r.id, r]));
  const lines = sentIds.map((id): BulkReportLine => {
    const r = byId.get(id);
    if (r && !r.problem && isLoanStatus(r.status)) return { id, ok: true, status: r.status };
    return { id, ok: false, refusal: r?.problem ? refusalOf(r.problem) : 'other', detail: r?.problem?.detail };
  });
  const succeeded = lines.filter((l) => l.ok).length;
  return { succeeded, refused: lines.length - succeeded, lines };
}
