// Switching the language shown. Amounts are read in the language shown, so the answers
// kept in the draft are rewritten as they are typed in the new language in the very
// moment it changes (i18next's `languageChanged`, before React renders the page again:
// a page never reads an English "12,500" as French). A form on screen rewrites its own
// fields (`useAmountsFollowLanguage`).
import i18n from 'i18next';
import { readDraft, updateDraft } from '../draft/store';
import { amountsIn } from '../features/forms';
import { setLanguage, type Language } from '../i18n';
import { shownLanguage } from '../lib/locale';

export async function switchLanguage(to: Language) {
  const from = shownLanguage();
  const rewrite = (lng: string) => {
    i18n.off('languageChanged', rewrite);
    if (lng === to) updateDraft(amountsIn(readDraft().values, from, to));
  };
  i18n.on('languageChanged', rewrite);
  try {
    await setLanguage(to);
  } finally {
    i18n.off('languageChanged', rewrite);
  }
}
