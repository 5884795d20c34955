// Field errors and problems in the user's words: translated by their stable code, with
// the API's own text only as a last resort.
import type { TFunction } from 'i18next';
import type { ApiError } from '../api/problem';
import { shownLanguage } from '../lib/locale';

/**
 * The message of a field error: specific to the field when we have one, else generic;
 * for a code we have no words for, the API's (English) message on English pages, the
 * code itself on French ones.
 */
export function fieldErrorText(t: TFunction, name: string, code: string, serverMessage?: string, lang: string = shownLanguage()): string {
  return t([`fieldErrors.${name}.${code}`, `errors.${code}`, 'errors.unknown'], { message: lang === 'en' ? (serverMessage ?? code) : code });
}

/** Seconds to wait, as words ("30 secondes", "2 minutes"). */
export function retryText(t: TFunction, seconds: number | undefined): string {
  if (seconds === undefined) return t('problems.retryLater');
  if (seconds < 90) return t('problems.retryInSeconds', { count: Math.max(1, seconds) });
  return t('problems.retryInMinutes', { count: Math.ceil(seconds / 60) });
}

/**
 * The API's own `detail` of a problem, which is written in English: shown on English
 * pages only (a French page says the problem's type in its words instead).
 */
export function apiDetail(error: ApiError, lang: string = shownLanguage()): string | undefined {
  return lang === 'en' ? error.problem?.detail : undefined;
}

/** Title and text for any failed API call (the API's detail only on English pages). */
export function problemText(t: TFunction, error: ApiError, lang: string = shownLanguage()): { title: string; text: string; detail?: string } {
  if (error.isNetwork) return { title: t('problems.network.title'), text: t('problems.network.text') };
  if (error.status === 429 || error.status === 503) {
    const slug = error.slug && t(`problems.${error.slug}`, { defaultValue: '' }) ? error.slug : 'unavailable';
    return { title: error.slug === 'degraded-mode' ? t('problems.deferredTitle') : t('problems.busyTitle'), text: `${t(`problems.${slug}`)} ${retryText(t, error.retryAfter)}` };
  }
  const slug = error.slug ?? '';
  const known = slug !== '' && t(`problems.${slug}`, { defaultValue: '' }) !== '';
  return {
    title: t('problems.title'),
    text: known ? t(`problems.${slug}`) : t('problems.generic', { status: error.status }),
    detail: apiDetail(error, lang),
  };
}
