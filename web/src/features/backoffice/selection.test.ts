import { describe, expect, it } from 'vitest';
import { bulkReport, refusalOf, validActions } from './selection';

describe('actions valid for a selection', () => {
  it('offer only what every selected request allows', () => {
    expect(validActions([])).toEqual([]);
    expect(validActions(['submitted', 'submitted'])).toEqual(['review', 'reject']);
    expect(validActions(['in_review'])).toEqual(['pre_approve', 'reject']);
    expect(validActions(['submitted', 'in_review'])).toEqual(['reject']);
    expect(validActions(['submitted', 'pre_approved'])).toEqual([]);
    expect(validActions(['granted', 'rejected', 'withdrawn'])).toEqual([]);
  });
});

describe('bulk result report', () => {
  it('counts successes and words each refusal, in the order sent', () => {
    const report = bulkReport(
      ['a', 'b', 'c', 'd'],
      [
        { id: 'a', status: 'pre_approved', version: 3, problem: null },
        { id: 'b', status: null, version: null, problem: { status: 412, type: '/problems/precondition-failed', detail: 'version 2 is stale' } },
        { id: 'c', status: null, version: null, problem: { status: 409, type: '/problems/invalid-transition' } },
      ],
    );
    expect(report.succeeded).toBe(1);
    expect(report.refused).toBe(3);
    expect(report.lines).toEqual([
      { id: 'a', ok: true, status: 'pre_approved' },
      { id: 'b', ok: false, refusal: 'stale', detail: 'version 2 is stale' },
      { id: 'c', ok: false, refusal: 'not-allowed-now', detail: undefined },
      { id: 'd', ok: false, refusal: 'other', detail: undefined },
    ]);
  });

  it('recognises refusals by status or by type', () => {
    expect(refusalOf({ status: 404, type: '/problems/not-found' })).toBe('not-found');
    expect(refusalOf({ type: 'https://pge.example/problems/precondition-failed' })).toBe('stale');
    expect(refusalOf({ status: 500 })).toBe('other');
  });
});
