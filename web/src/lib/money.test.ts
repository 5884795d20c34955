import { describe, expect, it } from 'vitest';
import { centsToInput, formatBasisPoints, formatCents, parseEuros } from './money';

describe('euros typed by people', () => {
  it('reads whole euros, spaces, commas, a euro sign', () => {
    expect(parseEuros('12500')).toBe(1_250_000);
    expect(parseEuros('12 500')).toBe(1_250_000);
    expect(parseEuros('12\u202f500 €')).toBe(1_250_000);
    expect(parseEuros('12500,5')).toBe(1_250_050);
    expect(parseEuros('12500.05')).toBe(1_250_005);
  });
  it('refuses what is not an amount', () => {
    for (const s of ['', 'abc', '-5', '1,2,3', '12.345', '1e5']) expect(parseEuros(s)).toBeUndefined();
  });
  it('writes cents back as the user would type them', () => {
    expect(centsToInput(1_250_000)).toBe('12500');
    expect(centsToInput(1_250_050)).toBe('12500,50');
  });
  it('formats euros and rates with Intl', () => {
    expect(formatCents(1_250_000, 'fr').replace(/\s/g, ' ')).toBe('12 500 €');
    expect(formatCents(1_250_000, 'en')).toBe('€12,500');
    expect(formatCents(12_345, 'en')).toBe('€123.45');
    expect(formatBasisPoints(9000, 'en')).toBe('90%');
    expect(formatBasisPoints(25, 'fr').replace(/\s/g, ' ')).toBe('0,25 %');
  });
});
