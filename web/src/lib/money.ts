// Money travels as integer cents; people type euros the way the page writes them: in
// French "12 500" or "12 500,50" (a comma, or a dot, before the cents), in English
// "12,500" or "12,500.50" (commas between thousands, a dot before the cents). "12,500"
// means twelve thousand five hundred in English and is refused in French, where it would
// read as twelve euros fifty: the language shown decides, never a guess.
import { shownLanguage, type ShownLanguage } from './locale';

export const MIN_LOAN_CENTS = 100_000;

const AMOUNT: Record<ShownLanguage, RegExp> = {
  // Spaces are taken out first (any kind: people and Intl group thousands with them).
  fr: /^(\d+)(?:[,.](\d{1,2}))?$/,
  en: /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/,
};

/** Cents from a typed euro amount in `lang`, or `undefined` when it is not a plain amount. */
export function parseEuros(input: string, lang: ShownLanguage = shownLanguage()): number | undefined {
  const m = AMOUNT[lang].exec(input.replace(/[\s\u00a0\u202f€]/gu, ''));
  if (!m) return undefined;
  const cents = Number(m[1]!.replace(/,/g, '')) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/**
 * An amount typed in one language as it is typed in the other (on a language switch):
 * "12,500.5" (en) → "12500,50" (fr). Anything unreadable is left as it is.
 */
export function convertAmountInput(input: string, from: ShownLanguage, to: ShownLanguage): string {
  if (from === to || input.trim() === '') return input;
  const cents = parseEuros(input, from);
  return cents === undefined ? input : centsToInput(cents, to);
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

/** The cents as the user would type them back in euros: "12500", or "12500,50" (fr) / "12500.50" (en). */
export function centsToInput(cents: number | null | undefined, lang: ShownLanguage = shownLanguage()): string {
  if (cents == null) return '';
  if (cents % 100 === 0) return String(cents / 100);
  const text = (cents / 100).toFixed(2);
  return lang === 'en' ? text : text.replace('.', ',');
}
