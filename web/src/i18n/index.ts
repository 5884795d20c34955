// French by default, English one click away; the choice is remembered on this device.
// Each language is its own chunk, loaded when needed.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setShownLanguage } from '../lib/locale';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'pge.lang';

const loaders: Record<Language, () => Promise<{ default: Record<string, unknown> }>> = {
  fr: () => import('./fr.json'),
  en: () => import('./en.json'),
};

function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'fr';
  } catch {
    return 'fr';
  }
}

// Words only some pages need are chunks of their own, added to the same namespace when
// such a page is first opened (its route's `beforeLoad`), and with every language after:
// the back office's (reviewers, admins), and the State guarantee's (the request's page
// and its withdrawal, the public check, the back office's requests).
type Extra = 'backoffice' | 'guarantee';
const extraLoaders: Record<Extra, Record<Language, () => Promise<{ default: Record<string, unknown> }>>> = {
  backoffice: { fr: () => import('./backoffice.fr.json'), en: () => import('./backoffice.en.json') },
  guarantee: { fr: () => import('./guarantee.fr.json'), en: () => import('./guarantee.en.json') },
};
const extrasWanted = new Set<Extra>();
const extrasLoaded = new Set<`${Extra}.${Language}`>();

async function ensureLoaded(lng: Language) {
  if (!i18n.hasResourceBundle(lng, 'translation')) i18n.addResourceBundle(lng, 'translation', (await loaders[lng]()).default);
  for (const extra of extrasWanted) {
    if (extrasLoaded.has(`${extra}.${lng}`)) continue;
    i18n.addResourceBundle(lng, 'translation', (await extraLoaders[extra][lng]()).default, true, false);
    extrasLoaded.add(`${extra}.${lng}`);
  }
}

async function loadExtraStrings(extra: Extra) {
  extrasWanted.add(extra);
  await ensureLoaded(i18n.language === 'en' ? 'en' : 'fr');
}

/** Loads the back office's words for the current language (before a back-office page renders). */
export const loadBackOfficeStrings = () => loadExtraStrings('backoffice');

/** Loads the State guarantee's words for the current language (before a page that shows a guarantee renders). */
export const loadGuaranteeStrings = () => loadExtraStrings('guarantee');

export async function initI18n(lng: Language = storedLanguage()) {
  // The pure helpers (amounts as typed) read the language shown; it changes before the
  // components re-render in the new one.
  i18n.on('languageChanged', setShownLanguage);
  await i18n.use(initReactI18next).init({
    resources: {},
    lng,
    fallbackLng: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  await ensureLoaded(lng);
  document.documentElement.lang = lng;
  return i18n;
}

export async function setLanguage(lng: Language) {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Private mode: the choice holds for this page only.
  }
  await ensureLoaded(lng);
  await i18n.changeLanguage(lng);
  document.documentElement.lang = lng;
}

export default i18n;
