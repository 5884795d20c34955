import { describe, expect, it } from 'vitest';
import { isOneOf, keysOf } from './oneOf';

describe('type guards', () => {
  it('take a value only when it is one of the strings', () => {
    const sorts = ['oldest', 'amount_desc'] as const;
    expect(isOneOf(sorts, 'oldest')).toBe(true);
    expect(isOneOf(sorts, 'newest')).toBe(false);
    expect(isOneOf(sorts, 1)).toBe(false);
    expect(isOneOf(sorts, undefined)).toBe(false);
  });
  it('list an object’s own keys only', () => {
    const o: Partial<Record<'a' | 'b', number>> = Object.create({ inherited: 1 });
    o.b = 2;
    expect(keysOf(o)).toEqual(['b']);
  });
});
