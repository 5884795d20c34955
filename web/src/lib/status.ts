// A request still open to its applicant (and to the bank's review): it can be withdrawn
// and documents can be added. The request page and the withdrawal page both ask.
import type { LoanRequest, LoanStatus } from '../api/queries';

const OPEN_STATUSES: readonly LoanStatus[] = ['submitted', 'in_review'];

export const isOpen = (r: Pick<LoanRequest, 'status'>) => OPEN_STATUSES.includes(r.status);
