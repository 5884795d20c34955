// French company identifiers, checked as the API does (docs/RULES.md §2) so that most mistakes
// are caught while typing; the API stays the authority.

/** Removes every whitespace character (people and spreadsheets put spaces inside numbers). */
export const stripSpaces = (input: string) => input.replace(/\s+/gu, '');

/** Luhn checksum over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type IdentifierError = 'required' | 'invalid-format' | 'invalid-checksum' | 'siret-siren-mismatch';

/** `undefined` when valid; else the API's error code for `company.siren`. */
export function sirenError(input: string): IdentifierError | undefined {
  const s = stripSpaces(input);
  if (s === '') return 'required';
  if (!/^\d{9}$/.test(s)) return 'invalid-format';
  return luhnValid(s) ? undefined : 'invalid-checksum';
}

const LA_POSTE_SIREN = '356000000';

/** `undefined` when the optional SIRET is blank or valid for that SIREN. */
export function siretError(input: string, siren: string): IdentifierError | undefined {
  const s = stripSpaces(input);
  if (s === '') return undefined;
  if (!/^\d{14}$/.test(s)) return 'invalid-format';
  const head = s.slice(0, 9);
  const laPosteValid = head === LA_POSTE_SIREN && [...s].reduce((sum, c) => sum + Number(c), 0) % 5 === 0;
  if (!luhnValid(s) && !laPosteValid) return 'invalid-checksum';
  if (!luhnValid(head)) return 'invalid-checksum';
  const sirenDigits = stripSpaces(siren);
  if (sirenError(sirenDigits) === undefined && head !== sirenDigits) return 'siret-siren-mismatch';
  return undefined;
}
