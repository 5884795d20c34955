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

// The back office's words (reviewers, admins) are their own chunk, added to the same
// namespace when a back-office page is first opened, and with every language after.
const backOfficeLoaders: Record<Language, () => Promise<{ default: Record<string, unknown> }>> = {
  fr: () => import('./backoffice.fr.json'),
  en: () => import('./backoffice.en.json'),
};
let backOfficeWanted = false;
const backOfficeLoaded = new Set<Language>();

async function ensureLoaded(lng: Language) {
  if (!i18n.hasResourceBundle(lng, 'translation')) i18n.addResourceBundle(lng, 'translation', (await loaders[lng]()).default);
  if (backOfficeWanted && !backOfficeLoaded.has(lng)) {
    i18n.addResourceBundle(lng, 'translation', (await backOfficeLoaders[lng]()).default, true, false);
    backOfficeLoaded.add(lng);
  }
}

/** Loads the back office's words for the current language (before a back-office page renders). */
export async function loadBackOfficeStrings() {
  backOfficeWanted = true;
  await ensureLoaded(i18n.language === 'en' ? 'en' : 'fr');
}

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
