import { describe, expect, it } from 'vitest';
import { formatDate, isoToInput, parseDate, todayIso } from './dates';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('dates, in Paris', () => {
  it('give a request made at 00:30 in Paris its own day, not the day before (UTC)', () => {
    // 23:30 UTC on 14 March is 00:30 on the 15th in Paris (winter, UTC+1)…
    expect(formatDate('2026-03-14T23:30:00Z', 'fr')).toBe('15 mars 2026');
    expect(formatDate('2026-03-14T23:30:00Z', 'en')).toBe('15 March 2026');
    // …and 22:30 UTC on 14 July is 00:30 on the 15th (summer, UTC+2).
    expect(formatDate('2026-07-14T22:30:00Z', 'fr')).toBe('15 juillet 2026');
    expect(formatDate('2026-07-14T21:30:00Z', 'fr')).toBe('14 juillet 2026');
  });
  it('show the time in Paris too', () => {
    expect(plain(formatDate('2026-03-14T23:30:00Z', 'fr', true))).toBe('15 mars 2026 à 00:30');
    expect(plain(formatDate('2026-07-14T22:30:00.123456Z', 'en', true))).toBe('15 July 2026 at 00:30');
  });
  it('keep a calendar date (a creation date) on its day, with or without a time asked', () => {
    expect(formatDate('2012-05-04', 'fr')).toBe('4 mai 2012');
    expect(formatDate('2012-05-04', 'en', true)).toBe('4 May 2012');
  });
  it("take today's date in Paris", () => {
    expect(todayIso(new Date('2026-03-14T23:30:00Z'))).toBe('2026-03-15');
    expect(todayIso(new Date('2026-03-14T22:59:59Z'))).toBe('2026-03-14');
    expect(todayIso(new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
    expect(todayIso()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  it('read dates as typed, dd/mm/yyyy or ISO', () => {
    expect(parseDate('4/5/2012')).toBe('2012-05-04');
    expect(parseDate('2012-05-04')).toBe('2012-05-04');
    expect(parseDate('31/02/2012')).toBeUndefined();
    expect(isoToInput('2012-05-04')).toBe('04/05/2012');
  });
});
