import { describe, expect, it } from 'vitest';
import { canonicalGuaranteeIdentifier, checkSymbol, guaranteeIdentifierError } from './guarantee';
import { groupReference } from './reference';

// The examples of docs/RULES.md §20, computed by the domain's implementation.
const EXAMPLES = ['PGE-0000-0000-0000-0', 'PGE-0000-0000-0001-2', 'PGE-ZZZZ-ZZZZ-ZZZZ-R', 'PGE-NF6Y-Y093-8NKR-E'];

describe('the guarantee identifier', () => {
  it('accepts the examples the API computes', () => {
    for (const id of EXAMPLES) expect(guaranteeIdentifierError(id), id).toBeUndefined();
    expect(checkSymbol('NF6YY0938NKR')).toBe('E');
  });

  it('forgives case, dashes, spaces, the missing prefix and Crockford’s aliases', () => {
    for (const typed of ['pge nf6y y093 8nkr e', 'NF6YY0938NKRE', ' PGE-NF6Y-Y093-8NKR-E ', 'pge-nf6y-y093-8nkr-e']) {
      expect(canonicalGuaranteeIdentifier(typed), typed).toBe('PGE-NF6Y-Y093-8NKR-E');
    }
    // O read as 0, I and L as 1.
    expect(canonicalGuaranteeIdentifier('PGE-OOOO-OOOO-OOOI-2')).toBe('PGE-0000-0000-0001-2');
    expect(canonicalGuaranteeIdentifier('PGE-0000-0000-000L-2')).toBe('PGE-0000-0000-0001-2');
  });

  it('catches a mistyped symbol and a swap of two neighbours', () => {
    expect(guaranteeIdentifierError('PGE-NF6Y-Y093-8NKR-F')).toBe('invalid-checksum');
    expect(guaranteeIdentifierError('PGE-NF6Y-Y093-8NRK-E')).toBe('invalid-checksum');
    // Every single substitution of every position of an example.
    const body = 'NF6YY0938NKRE';
    for (let i = 0; i < body.length; i++) {
      for (const c of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
        if (c === body[i]) continue;
        const typo = body.slice(0, i) + c + body.slice(i + 1);
        expect(guaranteeIdentifierError(typo), typo).toBe('invalid-checksum');
      }
    }
  });

  it('says what is wrong with the API’s codes', () => {
    expect(guaranteeIdentifierError('')).toBe('required');
    expect(guaranteeIdentifierError(' - ')).toBe('required');
    expect(guaranteeIdentifierError('PGE-1234')).toBe('invalid-format');
    // A loan request's reference is not an identifier.
    expect(guaranteeIdentifierError('PGE-0J5K8Q2M3RX')).toBe('invalid-format');
    expect(guaranteeIdentifierError('PGE-NF6Y-Y093-8NKR-U')).toBe('invalid-characters');
    expect(guaranteeIdentifierError('PGE-NF6Y-Y093-8NK*-E')).toBe('invalid-characters');
    expect(canonicalGuaranteeIdentifier('PGE-NF6Y-Y093-8NKR-F')).toBeUndefined();
  });
});

describe('reading it over the phone', () => {
  it('groups an identifier as it is written, and a reference as before', () => {
    expect(groupReference('PGE-7K3M-Q9TX-2HBW-D')).toEqual(['PGE', '7K3M', 'Q9TX', '2HBW', 'D']);
    expect(groupReference('PGE-0J5K8Q2M3RX')).toEqual(['PGE', '0J5K', '8Q2M', '3RX']);
  });
});
