// A request's statuses, in the order of its life, and which of them leave it open to its
// applicant (and to the bank's review): it can be withdrawn and documents can be added.
import type { LoanRequest, LoanStatus } from '../api/queries';
import { isOneOf } from './oneOf';

export const STATUSES: readonly LoanStatus[] = ['submitted', 'in_review', 'pre_approved', 'granted', 'rejected', 'withdrawn'];

export const isLoanStatus = (value: unknown): value is LoanStatus => isOneOf(STATUSES, value);

const OPEN_STATUSES: readonly LoanStatus[] = ['submitted', 'in_review'];

export const isOpen = (r: Pick<LoanRequest, 'status'>) => OPEN_STATUSES.includes(r.status);
