// /config.json tells the app which OpenID Connect provider to use (Cognito in
// production, the binary's dev provider locally). It is checked strictly: a tampered or
// broken file leaves sign-in off, never points it somewhere unsafe.

/** One OpenID Connect provider. */
export interface ProviderConfig {
  authority: string;
  client_id: string;
  scope: string;
  logout_url: string;
  /** Where the refresh token is revoked at sign-out (RFC 7009), when the provider has one. */
  revocation_url?: string;
}

/**
 * The business owners' provider (everyone's when there is no `staff`) and, when bank
 * staff and admins sign in apart (their pool requires MFA), theirs.
 */
export interface RuntimeConfig extends ProviderConfig {
  staff?: ProviderConfig;
}

export type ConfigProblem = 'config-unreachable' | 'config-invalid';
export type ConfigResult = { ok: true; config: RuntimeConfig } | { ok: false; problem: ConfigProblem; detail: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An absolute https URL (http only on the loopback), without credentials or fragment. */
export function isSafeUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const transportOk = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  return transportOk && !url.username && !url.password && !url.hash && !url.search;
}

type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

function validateProvider(o: Record<string, unknown>, where: string): Checked<ProviderConfig> {
  const invalid = (detail: string): Checked<ProviderConfig> => ({ ok: false, detail: `${where}${detail}` });
  const text = (key: string) => {
    const v = o[key];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const required = { authority: text('authority'), client_id: text('client_id'), scope: text('scope'), logout_url: text('logout_url') };
  const { authority, client_id, scope, logout_url } = required;
  if (authority === undefined || client_id === undefined || scope === undefined || logout_url === undefined) {
    const missing = Object.entries(required).find(([, v]) => v === undefined)?.[0];
    return invalid(`${missing} must be a non-empty string`);
  }
  if (!isSafeUrl(authority)) return invalid('authority must be an https URL (http only on 127.0.0.1 or localhost)');
  if (!isSafeUrl(logout_url)) return invalid('logout_url must be an https URL (http only on 127.0.0.1 or localhost)');
  const revocation_url = o.revocation_url ?? undefined;
  if (revocation_url !== undefined && (typeof revocation_url !== 'string' || !isSafeUrl(revocation_url))) {
    return invalid('revocation_url must be an https URL (http only on 127.0.0.1 or localhost)');
  }
  if (!/^[\w.-]{1,128}$/.test(client_id)) return invalid('client_id has unexpected characters');
  const scopes = scope.split(' ');
  if (!scopes.includes('openid') || !scopes.every((s) => /^[\w:./-]+$/.test(s))) return invalid('scope must list openid');
  return { ok: true, value: { authority, client_id, scope, logout_url, ...(revocation_url ? { revocation_url } : {}) } };
}

export function validateConfig(raw: unknown): ConfigResult {
  const invalid = (detail: string): ConfigResult => ({ ok: false, problem: 'config-invalid', detail });
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(raw)) return invalid('not a JSON object');
  const main = validateProvider(raw, '');
  if (!main.ok) return invalid(main.detail);
  if (raw.staff === undefined || raw.staff === null) return { ok: true, config: main.value };
  if (!isObject(raw.staff)) return invalid('staff must be an object');
  const staff = validateProvider(raw.staff, 'staff.');
  if (!staff.ok) return invalid(staff.detail);
  if (staff.value.authority === main.value.authority && staff.value.client_id === main.value.client_id) {
    return invalid('staff must name another provider or client');
  }
  return { ok: true, config: { ...main.value, staff: staff.value } };
}

/** Whose provider a sign-in goes to: the back office's pages are the staff's. */
export type Audience = 'public' | 'staff';

const AUDIENCE_KEY = 'pge.provider';

/** The audience of a page: `/instruction` and `/admin` are bank staff's and admins'. */
export function audienceOf(path: string): Audience {
  return ['/instruction', '/admin'].some((area) => path === area || path.startsWith(`${area}/`) || path.startsWith(`${area}?`)) ? 'staff' : 'public';
}

/** The provider the session of this browser is with (remembered across the sign-in redirect). */
export function storedAudience(): Audience {
  try {
    return localStorage.getItem(AUDIENCE_KEY) === 'staff' ? 'staff' : 'public';
  } catch {
    return 'public';
  }
}

export function storeAudience(audience: Audience): void {
  try {
    localStorage.setItem(AUDIENCE_KEY, audience);
  } catch {
    /* private mode: the public provider after the redirect */
  }
}

/** The provider an audience signs in with (the only one when staff have none of their own). */
export function providerFor(config: RuntimeConfig, audience: Audience): ProviderConfig {
  return audience === 'staff' && config.staff ? config.staff : config;
}

export async function loadConfig(fetchFn: typeof fetch = (...a) => globalThis.fetch(...a)): Promise<ConfigResult> {
  let body: unknown;
  try {
    const response = await fetchFn('/config.json', { cache: 'no-store', signal: AbortSignal.timeout(8000) });
    if (!response.ok) return { ok: false, problem: 'config-unreachable', detail: `HTTP ${response.status}` };
    body = await response.json();
  } catch (e) {
    return { ok: false, problem: e instanceof SyntaxError ? 'config-invalid' : 'config-unreachable', detail: String(e) };
  }
  return validateConfig(body);
}

export type TokenProblem = 'wrong-issuer' | 'wrong-audience' | 'expired' | 'malformed' | 'refused';

const trimSlash = (s: string) => s.replace(/\/+$/, '');

export interface ExpectedToken {
  /** The provider's issuer identifier, as its discovery document states it. */
  issuer: string;
  client_id: string;
}

/**
 * Checks the ID token's claims (OIDC Core §3.1.3.7): a token from another issuer or for
 * another client is never sent to the API. (The API checks the signature.)
 */
export function idTokenProblem(idToken: string | undefined, expected: ExpectedToken, nowSeconds = Date.now() / 1000): TokenProblem | undefined {
  const payload = idToken?.split('.')[1];
  if (!payload) return 'malformed';
  let claims: { iss?: unknown; aud?: unknown; exp?: unknown };
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    claims = parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return 'malformed';
  }
  if (typeof claims.iss !== 'string' || trimSlash(claims.iss) !== trimSlash(expected.issuer)) return 'wrong-issuer';
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.client_id)) return 'wrong-audience';
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return 'expired';
  return undefined;
}

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') && !value.startsWith('/auth/callback')
    ? value
    : '/';
}

/** Who the signed-in user is for the app: one role, from the token's `cognito:groups`. */
export type Role = 'applicant' | 'reviewer' | 'admin';

/** The role the API gives these claims (admins first, then bank reviewers, then applicants). */
export function roleOf(claims: Record<string, unknown> | undefined): Role | undefined {
  const groups = Array.isArray(claims?.['cognito:groups']) ? (claims['cognito:groups'] as unknown[]) : [];
  if (groups.includes('admins')) return 'admin';
  if (groups.includes('bank-reviewers')) return 'reviewer';
  if (groups.includes('applicants')) return 'applicant';
  return undefined;
}

/** The home of each role: where sign-in lands when the page asked for belongs to another role. */
export const HOME_OF: Record<Role, string> = { applicant: '/demandes', reviewer: '/instruction', admin: '/admin' };

/**
 * Where to go after signing in: the page asked for, unless it is another role's area (or
 * the applicants' list for the back office): then the role's own home.
 */
export function landingPath(role: Role | undefined, returnTo: string): string {
  if (!role || role === 'applicant') return returnTo.startsWith('/instruction') || returnTo.startsWith('/admin') ? HOME_OF.applicant : returnTo;
  const area = (p: string) => returnTo === p || returnTo.startsWith(`${p}/`) || returnTo.startsWith(`${p}?`);
  if (role === 'reviewer') return area('/instruction') ? returnTo : HOME_OF.reviewer;
  return area('/admin') ? returnTo : HOME_OF.admin;
}
