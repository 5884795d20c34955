// The language the app is shown in, for the pure helpers that read what people type
// (amounts are typed the way the page writes them). i18n/index.ts keeps it current:
// 'fr' until it has started, then each language it switches to.
export type ShownLanguage = 'fr' | 'en';

let shown: ShownLanguage = 'fr';

export const shownLanguage = (): ShownLanguage => shown;

/** Called by i18n when the language changes (never during a render). */
export function setShownLanguage(lang: string) {
  shown = lang === 'en' ? 'en' : 'fr';
}
