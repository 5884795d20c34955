import { describe, expect, it } from 'vitest';
import { audienceOf, idTokenProblem, loadConfig, providerFor, safeReturnPath, validateConfig } from './config';

const good = { authority: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbC', client_id: 'abc123', scope: 'openid email profile', logout_url: 'https://auth.pge.example/logout' };

describe('config.json', () => {
  it('accepts the production and the dev shapes', () => {
    expect(validateConfig(good)).toEqual({ ok: true, config: good });
    const dev = { authority: 'http://127.0.0.1:8080/dev-oidc', client_id: 'pge-web', scope: 'openid email profile', logout_url: 'http://127.0.0.1:8080/dev-oidc/logout' };
    expect(validateConfig(dev).ok).toBe(true);
    expect(validateConfig({ ...dev, authority: 'http://localhost:8080/dev-oidc' }).ok).toBe(true);
  });
  it.each([
    ['plain http off the loopback', { ...good, authority: 'http://idp.example/' }],
    ['a javascript: logout url', { ...good, logout_url: 'javascript:alert(1)' }],
    ['credentials in the URL', { ...good, authority: 'https://user:pw@idp.example' }],
    ['a relative authority', { ...good, authority: '/dev-oidc' }],
    ['a number as client id', { ...good, client_id: 42 }],
    ['an odd client id', { ...good, client_id: 'a b"c' }],
    ['a scope without openid', { ...good, scope: 'email profile' }],
    ['a missing key', { authority: good.authority, client_id: good.client_id, scope: good.scope }],
    ['an array', [good]],
    ['null', null],
  ])('refuses %s', (_label, raw) => {
    expect(validateConfig(raw)).toMatchObject({ ok: false, problem: 'config-invalid' });
  });
  it('takes the staff’s own provider, checked as strictly, and sends back-office pages to it', () => {
    const staff = { authority: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Staff', client_id: 'staff123', scope: 'openid email', logout_url: 'https://staff.pge.example/logout' };
    const both = validateConfig({ ...good, staff });
    expect(both).toEqual({ ok: true, config: { ...good, staff } });
    expect(validateConfig({ ...good, staff: { ...staff, logout_url: 'javascript:alert(1)' } })).toMatchObject({ ok: false, detail: expect.stringContaining('staff.logout_url') });
    expect(validateConfig({ ...good, staff: 'https://staff.example' })).toMatchObject({ ok: false });
    expect(validateConfig({ ...good, staff: { ...good } })).toMatchObject({ ok: false, detail: expect.stringContaining('another provider') });
    expect(validateConfig({ ...good, staff: null })).toEqual({ ok: true, config: good });
    if (!both.ok) throw new Error('unreachable');
    expect(providerFor(both.config, 'staff')).toBe(both.config.staff);
    expect(providerFor(both.config, 'public').client_id).toBe('abc123');
    // One provider for all: staff sign in there.
    expect(providerFor({ ...good }, 'staff').client_id).toBe('abc123');
    expect(audienceOf('/instruction')).toBe('staff');
    expect(audienceOf('/instruction/demandes/42')).toBe('staff');
    expect(audienceOf('/admin?bank=30004')).toBe('staff');
    expect(audienceOf('/administration')).toBe('public');
    expect(audienceOf('/demandes')).toBe('public');
    expect(audienceOf('/')).toBe('public');
  });
  it('reports an unreachable or unparsable file', async () => {
    expect(await loadConfig(async () => new Response('nope', { status: 404 }))).toMatchObject({ ok: false, problem: 'config-unreachable' });
    expect(await loadConfig(async () => new Response('{oops', { status: 200 }))).toMatchObject({ ok: false, problem: 'config-invalid' });
    expect(await loadConfig(async () => Response.json(good))).toEqual({ ok: true, config: good });
  });
});

describe('ID token checks', () => {
  const expected = { issuer: good.authority, client_id: good.client_id };
  const token = (claims: object) => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const now = 1_800_000_000;
  const claims = { iss: good.authority, aud: good.client_id, exp: now + 600, sub: 'u1' };
  it('accepts a token from the configured issuer, for this client, not expired', () => {
    expect(idTokenProblem(token(claims), expected, now)).toBeUndefined();
    expect(idTokenProblem(token({ ...claims, iss: `${good.authority}/`, aud: ['other', good.client_id] }), expected, now)).toBeUndefined();
  });
  it('refuses a token from another issuer, for another client, expired or unreadable', () => {
    expect(idTokenProblem(token({ ...claims, iss: 'https://evil.example' }), expected, now)).toBe('wrong-issuer');
    expect(idTokenProblem(token({ ...claims, aud: 'other' }), expected, now)).toBe('wrong-audience');
    expect(idTokenProblem(token({ ...claims, exp: now - 1 }), expected, now)).toBe('expired');
    expect(idTokenProblem('garbage', expected, now)).toBe('malformed');
    expect(idTokenProblem(undefined, expected, now)).toBe('malformed');
  });
  it('only returns to same-site paths after sign-in', () => {
    expect(safeReturnPath('/demande/montant?retour=verification')).toBe('/demande/montant?retour=verification');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', '/auth/callback?code=1', 42]) expect(safeReturnPath(bad)).toBe('/');
  });
});
