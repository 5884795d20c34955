// Dates are typed as dd/mm/yyyy (French habit, also the English hint) and sent as ISO.

/** ISO `yyyy-mm-dd` from "4/5/2012", "04/05/2012", "04-05-2012" or "2012-05-04"; else undefined. */
export function parseDate(input: string): string | undefined {
  const s = input.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const fr = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (fr) [d, m, y] = [Number(fr[1]), Number(fr[2]), Number(fr[3])];
  else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/** "04/05/2012" from "2012-05-04" (the way users type it back). */
export function isoToInput(iso: string | null | undefined): string {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** The platform's time zone: a date is the date in Paris, whatever the device's clock says. */
export const TIME_ZONE = 'Europe/Paris';

const isoDayInParis = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in Paris, `yyyy-mm-dd`. */
export function todayIso(now: Date = new Date()): string {
  const part = (type: string) => isoDayInParis.formatToParts(now).find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * "4 mai 2012" from a calendar date ("2012-05-04": the same day everywhere); from an
 * instant ("2026-03-14T23:30:00Z"), its date in Paris ("15 mars 2026": a request made at
 * 00:30 in Paris is of that day), with the time in Paris when asked.
 */
export function formatDate(iso: string, lang: string, withTime = false): string {
  const calendarDate = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const date = new Date(calendarDate ? `${iso}T00:00:00Z` : iso);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', {
    dateStyle: 'long',
    ...(withTime && !calendarDate ? { timeStyle: 'short' } : {}),
    timeZone: calendarDate ? 'UTC' : TIME_ZONE,
  }).format(date);
}
