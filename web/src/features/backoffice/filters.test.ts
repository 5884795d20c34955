import { describe, expect, it } from 'vitest';
import { isoToInput } from '../../lib/dates';
import { exportFilename } from './exportCsv';
import { ADMIN_FILTERS, ageInDays, exportQuery, formFromSearch, hasFilters, listQuery, searchFromForm, validateQueueSearch } from './filters';

describe('queue filters ↔ URL search params', () => {
  it('keep only what the API can take from a hand-edited URL', () => {
    expect(
      validateQueueSearch({ status: 'in_review', siren: '732 829 320', reference: ' PGE-0J5K ', created_from: '2026-02-30', created_to: '2026-03-25', cursor: 'abc', other: 'x' }),
    ).toEqual({ status: 'in_review', siren: '732829320', reference: 'PGE-0J5K', created_to: '2026-03-25', cursor: 'abc' });
    expect(validateQueueSearch({ status: 'approved', siren: '12', created_from: '25/03/2026' })).toEqual({});
  });

  it('map to the list query (page size, cursor) and to the export query (no cursor, no limit)', () => {
    const search = { status: 'submitted' as const, siren: '732829320', created_from: '2026-03-01', cursor: 'c1' };
    expect(listQuery(search)).toEqual({ status: 'submitted', siren: '732829320', created_from: '2026-03-01', limit: 20, cursor: 'c1' });
    expect(exportQuery(search)).toEqual({ status: 'submitted', siren: '732829320', created_from: '2026-03-01' });
  });

  it('come from the form as typed, starting again on the first page', () => {
    expect(searchFromForm({ status: 'submitted', siren: '732 829 320', reference: '', created_from: '01/03/2026', created_to: '2026-03-31', name: '', sort: 'newest', unread: false })).toEqual({
      search: { status: 'submitted', siren: '732829320', created_from: '2026-03-01', created_to: '2026-03-31' },
    });
    expect(searchFromForm({ status: '', siren: '', reference: '', created_from: '', created_to: '', name: '', sort: 'newest', unread: false })).toEqual({ search: {} });
  });

  it('carry the company name, the order and the unread filter (the order is no filter)', () => {
    const form = { status: '', siren: '', reference: '', created_from: '', created_to: '', name: ' Fromagerie Dupont ', sort: 'amount_desc' as const, unread: true };
    const result = searchFromForm(form);
    expect(result).toEqual({ search: { name: 'Fromagerie Dupont', sort: 'amount_desc', unread: 'true' } });
    expect(formFromSearch({ name: 'Fromagerie Dupont', sort: 'amount_desc', unread: 'true' }, isoToInput)).toMatchObject({ name: 'Fromagerie Dupont', sort: 'amount_desc', unread: true });
    expect(searchFromForm({ ...form, name: 'x' })).toEqual({ errors: { name: 'too-short' } });
    expect(listQuery({ sort: 'oldest', name: 'Dupont' })).toEqual({ sort: 'oldest', name: 'Dupont', limit: 20 });
    expect(hasFilters({ sort: 'oldest' })).toBe(false);
    expect(hasFilters({ unread: 'true' })).toBe(true);
    expect(validateQueueSearch({ sort: 'newest', unread: 'yes', name: 'a' })).toEqual({});
    expect(validateQueueSearch({ sort: 'amount_asc', unread: 'true', name: 'Garage' })).toEqual({ sort: 'amount_asc', unread: 'true', name: 'Garage' });
  });

  it('say which typed filter is wrong', () => {
    expect(searchFromForm({ status: '', siren: '7328', reference: '', created_from: '31/02/2026', created_to: '', name: '', sort: 'newest', unread: false })).toEqual({
      errors: { siren: 'invalid-format', created_from: 'invalid-format' },
    });
    expect(searchFromForm({ status: '', siren: '732829321', reference: '', created_from: '02/03/2026', created_to: '01/03/2026', name: '', sort: 'newest', unread: false })).toEqual({
      errors: { siren: 'invalid-checksum', created_to: 'date-order' },
    });
  });

  it('go back into the form as the user types them', () => {
    expect(formFromSearch({ status: 'rejected', created_from: '2026-03-01' }, isoToInput)).toEqual({
      status: 'rejected',
      siren: '',
      reference: '',
      created_from: '01/03/2026',
      created_to: '',
      name: '',
      sort: 'newest',
      unread: false,
      bank: '',
    });
  });

  it('offer the bank to the admin’s list only, and unread to the reviewer’s queue only (the API refuses each elsewhere)', () => {
    const raw = { bank: '30003', unread: 'true', status: 'submitted' };
    expect(validateQueueSearch(raw)).toEqual({ unread: 'true', status: 'submitted' });
    expect(validateQueueSearch(raw, ADMIN_FILTERS)).toEqual({ bank: '30003', status: 'submitted' });
    for (const bank of ['3000', '300033', 'BNP01', ' ']) expect(validateQueueSearch({ bank }, ADMIN_FILTERS)).toEqual({});
    expect(validateQueueSearch({ bank: ' 30004 ' }, ADMIN_FILTERS)).toEqual({ bank: '30004' });
  });

  it('take back as text what the router decoded as a number, and void what they refuse (the router lays them over the raw params)', () => {
    // `?bank=30003&siren=732829320&reference=123` decodes to numbers.
    expect(validateQueueSearch({ bank: 30003, siren: 732829320, name: 12, reference: 123 }, ADMIN_FILTERS)).toEqual({ bank: '30003', siren: '732829320', name: '12', reference: '123' });
    expect(validateQueueSearch({ siren: -732829320, bank: 3.5 }, ADMIN_FILTERS)).toEqual({});
    const reviewer = validateQueueSearch({ bank: 30003, other: 'x', status: 'granted' });
    expect(Object.entries(reviewer)).toEqual([
      ['status', 'granted'],
      ['bank', undefined],
      ['other', undefined],
    ]);
    expect({ ...{ bank: 30003, other: 'x', status: 'granted' }, ...reviewer }).toEqual({ status: 'granted' });
  });

  it('carry the bank from the form to the list, the export and its file name', () => {
    const form = { status: '', siren: '', reference: '', created_from: '', created_to: '', name: 'cidre', sort: 'newest' as const, unread: false };
    expect(searchFromForm({ ...form, bank: '30003' })).toEqual({ search: { name: 'cidre', bank: '30003' } });
    expect(searchFromForm({ ...form, bank: '' })).toEqual({ search: { name: 'cidre' } });
    expect(formFromSearch({ bank: '30003' }, isoToInput)).toMatchObject({ bank: '30003', unread: false });
    expect(hasFilters({ bank: '30003' })).toBe(true);
    expect(listQuery({ bank: '30003', cursor: 'c2' })).toEqual({ bank: '30003', limit: 20, cursor: 'c2' });
    expect(exportQuery({ bank: '30003', status: 'granted', cursor: 'c2' })).toEqual({ bank: '30003', status: 'granted' });
    expect(exportFilename({ bank: '30003', status: 'granted' }, '2026-03-25')).toBe('demandes-banque-30003-granted-2026-03-25.csv');
    expect(exportFilename({ siren: '732829320' }, '2026-03-25')).toBe('demandes-732829320-2026-03-25.csv');
  });

  it('count a request’s age in whole days', () => {
    const now = Date.parse('2026-03-25T12:00:00Z');
    expect(ageInDays('2026-03-25T08:00:00Z', now)).toBe(0);
    expect(ageInDays('2026-03-22T11:00:00Z', now)).toBe(3);
    expect(ageInDays('2026-03-26T11:00:00Z', now)).toBe(0);
  });
});
