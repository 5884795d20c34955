import { describe, expect, it } from 'vitest';
import { luhnValid, sirenError, siretError } from './identifiers';

describe('SIREN', () => {
  it('accepts a Luhn-valid SIREN, with spaces as typed', () => {
    expect(sirenError('732829320')).toBeUndefined();
    expect(sirenError('732 829 320')).toBeUndefined();
    expect(sirenError(' 732\u00a0829\u00a0320 ')).toBeUndefined();
  });
  it('refuses a wrong check digit', () => expect(sirenError('732829321')).toBe('invalid-checksum'));
  it('refuses other lengths and non-digits', () => {
    expect(sirenError('73282932')).toBe('invalid-format');
    expect(sirenError('7328293200')).toBe('invalid-format');
    expect(sirenError('73282932A')).toBe('invalid-format');
  });
  it('asks for a missing SIREN', () => expect(sirenError('  ')).toBe('required'));
  it('implements Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('SIRET', () => {
  it('is optional', () => expect(siretError('', '732829320')).toBeUndefined());
  it('accepts 14 Luhn-valid digits starting with the SIREN', () => {
    expect(siretError('73282932000074', '732829320')).toBeUndefined();
    expect(siretError('732 829 320 00074', '732 829 320')).toBeUndefined();
  });
  it('refuses a SIRET of another company', () => expect(siretError('73282932000074', '552100554')).toBe('siret-siren-mismatch'));
  it('refuses a bad check digit or length', () => {
    expect(siretError('73282932000075', '732829320')).toBe('invalid-checksum');
    expect(siretError('7328293200007', '732829320')).toBe('invalid-format');
  });
  it("accepts La Poste's establishments (digit sum multiple of 5) and its head office", () => {
    expect(siretError('35600000000048', '356000000')).toBeUndefined();
    expect(siretError('35600000049837', '356000000')).toBeUndefined();
  });
});
