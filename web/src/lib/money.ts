// Money travels as integer cents; people type euros ("12 500", "12500,50", "12 500 €").

export const MIN_LOAN_CENTS = 100_000;

/** Cents from a typed euro amount, or `undefined` when it is not a plain amount. */
export function parseEuros(input: string): number | undefined {
  const s = input.replace(/[\s\u00a0\u202f€]/gu, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return undefined;
  const [whole = '0', fraction = ''] = s.split('.');
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** "12 500,00 €" (fr) or "€12,500.00" (en); whole euros drop the decimals. */
export function formatCents(cents: number, lang: string): string {
  const whole = cents % 100 === 0;
  const key = `${lang}:${whole}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', {
      style: 'currency',
      currency: 'EUR',
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: 2,
    });
    formatters.set(key, f);
  }
  return f.format(cents / 100);
}

/** Basis points as a percentage: 9000 → "90 %" (fr) / "90%" (en); 25 → "0,25 %". */
export function formatBasisPoints(bp: number, lang: string): string {
  return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', {
    style: 'percent',
    maximumFractionDigits: 2,
  }).format(bp / 10_000);
}

/** The cents as the user would type them back in euros ("12500" or "12500,5"). */
export function centsToInput(cents: number | null | undefined): string {
  if (cents == null) return '';
  return cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2).replace('.', ',');
}
