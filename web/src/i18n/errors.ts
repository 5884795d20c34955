// Field errors and problems in the user's words: translated by their stable code, with
// the API's own text only as a last resort.
import type { TFunction } from 'i18next';
import type { ApiError } from '../api/problem';

/** The message of a field error: specific to the field when we have one, else generic. */
export function fieldErrorText(t: TFunction, name: string, code: string, serverMessage?: string): string {
  return t([`fieldErrors.${name}.${code}`, `errors.${code}`, 'errors.unknown'], { message: serverMessage ?? code });
}

/** Seconds to wait, as words ("30 secondes", "2 minutes"). */
export function retryText(t: TFunction, seconds: number | undefined): string {
  if (seconds === undefined) return t('problems.retryLater');
  if (seconds < 90) return t('problems.retryInSeconds', { count: Math.max(1, seconds) });
  return t('problems.retryInMinutes', { count: Math.ceil(seconds / 60) });
}

/** Title and text for any failed API call. */
export function problemText(t: TFunction, error: ApiError): { title: string; text: string; detail?: string } {
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
    detail: error.problem?.detail,
  };
}
