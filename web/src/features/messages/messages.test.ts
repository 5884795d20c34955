import { describe, expect, it } from 'vitest';
import { messageProblem } from './Messages';

describe('a message before it is sent', () => {
  it('is refused empty, too long or with control characters, as the API would', () => {
    expect(messageProblem('   \n ')).toBe('required');
    expect(messageProblem('a'.repeat(5000))).toBeUndefined();
    expect(messageProblem('a'.repeat(5001))).toBe('too-long');
    // Counted in characters, not UTF-16 units.
    expect(messageProblem('€'.repeat(5000))).toBeUndefined();
    expect(messageProblem('Bonjour\u0007')).toBe('invalid-format');
    expect(messageProblem('Bonjour,\n\tmerci.\r\n')).toBeUndefined();
  });
});
