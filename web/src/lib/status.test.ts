import { describe, expect, it } from 'vitest';
import { canWithdraw, mayHaveGuarantee, STATUSES, takesDocuments } from './status';

const where = (test: (r: { status: (typeof STATUSES)[number] }) => boolean) => STATUSES.filter((status) => test({ status }));

describe('what a status leaves open', () => {
  it('lets the applicant withdraw until the bank grants or rejects, pre-approved included', () => {
    expect(where(canWithdraw)).toEqual(['submitted', 'in_review', 'pre_approved']);
  });
  it('takes documents only until the bank decides', () => {
    expect(where(takesDocuments)).toEqual(['submitted', 'in_review']);
  });
  it('may have a guarantee identifier from the pre-approval on', () => {
    expect(where(mayHaveGuarantee)).toEqual(['pre_approved', 'granted', 'rejected', 'withdrawn']);
  });
});
