// The State guarantee's identifier (docs/RULES.md §20), `PGE-XXXX-XXXX-XXXX-C`, read the
// way the API reads it so that a mistyped character is caught while typing (the API stays
// the authority): case, dashes and spaces forgiven, the `PGE` prefix optional, I and L
// read as 1 and O as 0; 12 Crockford symbols and a check symbol computed with Damm's
// algorithm over GF(32) (x⁵ + x² + 1), which catches every single mistyped symbol and
// every swap of two adjacent ones.

/** The alphabet (no I, L, O, U): a symbol's value is its position. */
const SYMBOLS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DATA_SYMBOLS = 12;
const PREFIX = 'PGE';

/** The API's field codes for a guarantee identifier. */
export type GuaranteeIdentifierError = 'required' | 'invalid-format' | 'invalid-characters' | 'invalid-checksum';

/** A symbol's value (0 to 31) after Crockford's normalisation; undefined for anything else. */
function symbolValue(c: string): number | undefined {
  const upper = c.toUpperCase();
  const read = upper === 'I' || upper === 'L' ? '1' : upper === 'O' ? '0' : upper;
  const value = SYMBOLS.indexOf(read);
  return read.length === 1 && value >= 0 ? value : undefined;
}

/** What was typed without dashes and whitespace, and without the prefix when there is more than an identifier's body. */
function typedSymbols(input: string): string[] {
  const compact = [...input].filter((c) => c !== '-' && !/\s/u.test(c));
  const hasPrefix = compact.length > DATA_SYMBOLS + 1 && compact.slice(0, PREFIX.length).join('').toUpperCase() === PREFIX;
  return hasPrefix ? compact.slice(PREFIX.length) : compact;
}

/** `α·a` in GF(2⁵): a shift, reduced by x⁵ + x² + 1 when it overflows. */
const timesAlpha = (a: number) => (a & 0b10000 ? ((a << 1) ^ 0b100101) & 0b11111 : a << 1);
/** Damm's quasigroup operation `interim ∗ symbol = α·interim + symbol`. */
const damm = (interim: number, symbol: number) => timesAlpha(interim) ^ symbol;

/** The 13 symbol values of what was typed, or why it is not an identifier. */
function parse(input: string): { values: number[] } | { error: GuaranteeIdentifierError } {
  const symbols = typedSymbols(input);
  if (symbols.length === 0) return { error: 'required' };
  if (symbols.length !== DATA_SYMBOLS + 1) return { error: 'invalid-format' };
  const values: number[] = [];
  for (const c of symbols) {
    const v = symbolValue(c);
    if (v === undefined) return { error: 'invalid-characters' };
    values.push(v);
  }
  return values.reduce(damm, 0) === 0 ? { values } : { error: 'invalid-checksum' };
}

/** `undefined` when `input` reads as a guarantee identifier; else the API's code for it. */
export function guaranteeIdentifierError(input: string): GuaranteeIdentifierError | undefined {
  const parsed = parse(input);
  return 'error' in parsed ? parsed.error : undefined;
}

/** The canonical form (`PGE-7K3M-Q9TX-2HBW-D`) of what was typed, or undefined when it is not an identifier. */
export function canonicalGuaranteeIdentifier(input: string): string | undefined {
  const parsed = parse(input);
  if ('error' in parsed) return undefined;
  const s = parsed.values.map((v) => SYMBOLS[v]).join('');
  return `${PREFIX}-${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}-${s.slice(12)}`;
}

/** The check symbol of 12 data symbols (for tests and examples). */
export function checkSymbol(data: string): string {
  const interim = [...data].map((c) => symbolValue(c) ?? 0).reduce(damm, 0);
  return SYMBOLS[timesAlpha(interim)]!;
}
