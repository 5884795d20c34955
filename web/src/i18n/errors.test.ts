// The API writes its `detail` in English: a French page says the problem's type in its
// own words instead, an English page may add the detail.
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem';
import en from './en.json';
import { apiDetail, fieldErrorText, problemText } from './errors';
import fr from './fr.json';

const i18n = i18next.createInstance();
await i18n.init({ lng: 'fr', resources: { fr: { translation: fr }, en: { translation: en } }, interpolation: { escapeValue: false } });
const tFr = i18n.getFixedT('fr');
const tEn = i18n.getFixedT('en');

const full = new ApiError(409, { type: '/problems/thread-full', status: 409, title: 'Thread full', detail: 'this request already has 500 messages' });

describe("the API's English detail", () => {
  it('is never shown on a French page: the worded type is', () => {
    expect(problemText(tFr, full, 'fr')).toEqual({
      title: "La demande n'a pas abouti",
      text: 'Cette conversation a atteint son nombre maximal de messages (500).',
      detail: undefined,
    });
    expect(apiDetail(full, 'fr')).toBeUndefined();
  });
  it('is added on an English page', () => {
    expect(problemText(tEn, full, 'en')).toEqual({
      title: 'The request did not go through',
      text: 'This conversation has reached its maximum number of messages (500).',
      detail: 'this request already has 500 messages',
    });
  });
  it('of an unknown field code: the code on a French page, the message on an English one', () => {
    expect(fieldErrorText(tFr, 'company.mystery', 'brand-new-code', 'something new', 'fr')).toBe('Réponse refusée (motif « brand-new-code »).');
    expect(fieldErrorText(tEn, 'company.mystery', 'brand-new-code', 'something new', 'en')).toBe('Answer refused: something new');
  });
});
