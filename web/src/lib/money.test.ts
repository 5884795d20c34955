import { describe, expect, it } from 'vitest';
import { centsToInput, convertAmountInput, formatBasisPoints, formatCents, parseEuros } from './money';

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
  it('are read in the language shown: French by default', () => {
    expect(parseEuros('12 500,50', 'fr')).toBe(1_250_050);
    expect(parseEuros('12\u00a0500,5 €', 'fr')).toBe(1_250_050);
    // "12,500" is twelve euros fifty with a stray digit in French: refused, never guessed.
    for (const s of ['12,500', '1,250,000', '12,500.50', '12.500']) expect(parseEuros(s, 'fr'), s).toBeUndefined();
  });
  it('are read with commas between thousands and a decimal point in English', () => {
    expect(parseEuros('12,500', 'en')).toBe(1_250_000);
    expect(parseEuros('12,500.50', 'en')).toBe(1_250_050);
    expect(parseEuros('€1,250,000', 'en')).toBe(125_000_000);
    expect(parseEuros('12500.5', 'en')).toBe(1_250_050);
    expect(parseEuros('12 500', 'en')).toBe(1_250_000);
    expect(parseEuros('999', 'en')).toBe(99_900);
    for (const s of ['12,50', '12500,50', '1,2500', '12,5000', ',500', '12,500.', '12.500', '12,500.505', '1,,000']) expect(parseEuros(s, 'en'), s).toBeUndefined();
  });
  it('writes cents back as the user would type them, in either language', () => {
    expect(centsToInput(1_250_000)).toBe('12500');
    expect(centsToInput(1_250_050)).toBe('12500,50');
    expect(centsToInput(1_250_050, 'en')).toBe('12500.50');
    expect(centsToInput(null)).toBe('');
  });
  it('are rewritten for the other language on a switch, keeping their value', () => {
    expect(convertAmountInput('12,500.5', 'en', 'fr')).toBe('12500,50');
    expect(convertAmountInput('12,500', 'en', 'fr')).toBe('12500');
    expect(convertAmountInput('12 500,50', 'fr', 'en')).toBe('12500.50');
    expect(parseEuros(convertAmountInput('1,234,567.89', 'en', 'fr'), 'fr')).toBe(123_456_789);
    // Unreadable or empty: left as typed (the field says what is wrong).
    expect(convertAmountInput('12,50', 'en', 'fr')).toBe('12,50');
    expect(convertAmountInput('', 'en', 'fr')).toBe('');
    expect(convertAmountInput('12,500', 'en', 'en')).toBe('12,500');
  });
  it('formats euros and rates with Intl', () => {
    expect(formatCents(1_250_000, 'fr').replace(/\s/g, ' ')).toBe('12 500 €');
    expect(formatCents(1_250_000, 'en')).toBe('€12,500');
    expect(formatCents(12_345, 'en')).toBe('€123.45');
    expect(formatBasisPoints(9000, 'en')).toBe('90%');
    expect(formatBasisPoints(25, 'fr').replace(/\s/g, ' ')).toBe('0,25 %');
  });
});
