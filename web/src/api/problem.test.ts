import { describe, expect, it } from 'vitest';
import { ApiError, parseRetryAfter, toApiError } from './problem';
import { serverErrorsByField } from '../features/forms';
import { fieldErrorText, problemText } from '../i18n/errors';
import i18next from 'i18next';
import fr from '../i18n/fr.json';
import en from '../i18n/en.json';

const i18n = i18next.createInstance();
await i18n.init({ lng: 'fr', resources: { fr: { translation: fr }, en: { translation: en } }, interpolation: { escapeValue: false } });
const t = i18n.t.bind(i18n);

const validation = {
  type: '/problems/validation-failed',
  title: 'Invalid request content',
  status: 422,
  detail: '2 invalid fields',
  errors: [
    { field: 'company.siren', code: 'invalid-checksum', message: 'this SIREN has an invalid check digit' },
    { field: 'requested_amount_cents', code: 'amount-above-cap', message: "the amount exceeds the company's cap of 250000 €" },
    { field: 'company.siren', code: 'invalid-format', message: 'second error on the same field' },
    { field: 'company.mystery', code: 'brand-new-code', message: 'something new' },
  ],
};

describe('problem+json → fields', () => {
  it('maps each error to its form field (euro fields drop _cents), first error wins', () => {
    const byField = serverErrorsByField(toApiError(new Response(null, { status: 422 }), validation).fieldErrors);
    expect(Object.keys(byField)).toEqual(['company.siren', 'requested_amount', 'company.mystery']);
    expect(byField['company.siren']!.code).toBe('invalid-checksum');
  });
  it('translates by code, per field when it can, generically otherwise, the API text last (English pages only)', () => {
    expect(fieldErrorText(t, 'company.siren', 'invalid-checksum')).toBe("Ce numéro SIREN n'existe pas : vérifiez les 9 chiffres.");
    expect(fieldErrorText(t, 'company.legal_name', 'invalid-characters')).toBe('Le texte contient des caractères non autorisés.');
    // The API's English message never on a French page: the code instead.
    expect(fieldErrorText(t, 'company.mystery', 'brand-new-code', 'something new')).toBe('Réponse refusée (motif « brand-new-code »).');
  });
  it('reads Retry-After as seconds or a date and says when to retry', () => {
    expect(parseRetryAfter('30')).toBe(30);
    expect(parseRetryAfter(new Date(Date.now() + 120_000).toUTCString())).toBeGreaterThan(100);
    expect(parseRetryAfter(null)).toBeUndefined();
    const busy = toApiError(new Response(null, { status: 429, headers: { 'Retry-After': '30' } }), { type: '/problems/rate-limited', status: 429 });
    expect(busy.retryAfter).toBe(30);
    expect(problemText(t, busy).text).toBe('Trop de demandes en peu de temps. Réessayez dans 30 secondes.');
    expect(problemText(t, new ApiError(503, { type: '/problems/degraded-mode' }, 300)).text).toContain('5 minutes');
  });
  it('keeps the request id support looks the logs up by: the problem’s, else the X-Request-Id header', () => {
    const failed = toApiError(new Response(null, { status: 500, headers: { 'X-Request-Id': 'from-header' } }), {
      type: '/problems/internal',
      status: 500,
      request_id: 'from-body',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(failed.requestId).toBe('from-body');
    const edge = toApiError(new Response('<html>', { status: 502, headers: { 'X-Request-Id': 'from-header' } }), undefined);
    expect(edge.requestId).toBe('from-header');
    expect(toApiError(new Response(null, { status: 502 }), undefined).requestId).toBeUndefined();
  });
  it('says a network failure plainly', () => {
    expect(problemText(t, new ApiError(0, undefined)).title).toBe('Connexion impossible');
  });
});
