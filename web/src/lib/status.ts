// A request's statuses, in the order of its life, and what each leaves its applicant
// free to do: withdraw it (until the bank has granted or rejected it, so also once
// pre-approved: an identifier of guarantee obtained is then cancelled), add documents
// (only while the bank has not decided: submitted or in review).
import type { LoanRequest, LoanStatus } from '../api/queries';
import { isOneOf } from './oneOf';

export const STATUSES: readonly LoanStatus[] = ['submitted', 'in_review', 'pre_approved', 'granted', 'rejected', 'withdrawn'];

export const isLoanStatus = (value: unknown): value is LoanStatus => isOneOf(STATUSES, value);

const WITHDRAWABLE: readonly LoanStatus[] = ['submitted', 'in_review', 'pre_approved'];
const DOCUMENTS_OPEN: readonly LoanStatus[] = ['submitted', 'in_review'];

/** Its applicant may still withdraw it. */
export const canWithdraw = (r: Pick<LoanRequest, 'status'>) => WITHDRAWABLE.includes(r.status);

/** It still takes supporting documents. */
export const takesDocuments = (r: Pick<LoanRequest, 'status'>) => DOCUMENTS_OPEN.includes(r.status);

/** A guarantee identifier may have been issued for it (from pre-approval on). */
export const mayHaveGuarantee = (r: Pick<LoanRequest, 'status'>) => !DOCUMENTS_OPEN.includes(r.status);
