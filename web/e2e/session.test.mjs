// A working day without losing a word, with 60-second tokens (PGE_DEV_TOKEN_TTL): the
// app renews its tokens with the refresh token before they expire, so a reviewer who
// types a message, waits past the first token's expiry and sends it sees it arrive; a
// token the API refuses is renewed once and the call retried; what is typed survives a
// reload; a session that can no longer be renewed is announced before it ends, and
// staying signed in comes back with what was typed; signing out in one tab revokes the
// refresh token and signs the other tab out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerSignIn, BANK_A, signInAs, submitViaApi } from './backoffice.mjs';
import { assertHealthy, capture, editStoredUser, newPage, serverAndBrowser, storedUser, watched } from './helpers.mjs';

const TTL = 60;
const env = serverAndBrowser({ serverEnv: { PGE_DEV_TOKEN_TTL: String(TTL) } });

const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a reviewer types, waits past the token expiry, sends; sign-out reaches every tab', async () => {
  const { origin } = env.server;
  const suffix = Date.now();
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `zoe-${suffix}`, landing: '/demandes' });
  const request = await submitViaApi(applicant.page, { name: 'Imprimerie Zoé' });
  await applicant.context.close();

  const reviewer = await newPage(env.browser, origin);
  const { page, context } = reviewer;
  await signInAs(page, origin, { path: '/instruction', role: 'reviewer', name: `ines-${suffix}`, bank: BANK_A, landing: '/instruction' });
  const first = await storedUser(page);
  assert.equal(claims(first.access_token).token_use, 'access');
  assert.equal(claims(first.access_token).exp - claims(first.access_token).iat, TTL);
  assert.ok(first.refresh_token, 'a refresh token is kept');

  await page.goto(`${origin}/instruction/${request.id}`);
  const thread = page.getByRole('region', { name: 'Messages' });
  const text = 'Bonjour, pourriez-vous joindre le bilan 2025 ? Je reviens vers vous après la réunion.';
  await thread.getByLabel('Votre message').fill(text);
  // A reload keeps what was typed.
  await page.reload();
  await page.getByRole('region', { name: 'Messages' }).getByLabel('Votre message').waitFor();
  assert.equal(await thread.getByLabel('Votre message').inputValue(), text);

  // The reviewer is away past the first token's expiry (and the API's 5 s of leeway).
  // Bounded: the token's own expiry plus a margin.
  const expiry = claims(first.access_token).exp * 1000;
  while (Date.now() < expiry + 8000) await sleep(1000);
  const old = await fetch(`${origin}/api/v1/loan-requests`, { headers: { authorization: `Bearer ${first.access_token}` } });
  assert.equal(old.status, 401, 'the first access token has expired');
  const renewed = await storedUser(page);
  assert.notEqual(renewed.access_token, first.access_token, 'renewed before it expired');
  assert.equal(renewed.refresh_token, first.refresh_token, 'the same session');
  await thread.getByRole('button', { name: 'Envoyer le message' }).click();
  await thread.getByText('Message envoyé.').waitFor();
  await thread.getByRole('list', { name: /Messages échangés/ }).getByText('Bonjour, pourriez-vous joindre le bilan 2025 ?').waitFor();
  assert.equal(page.url(), `${origin}/instruction/${request.id}`, 'never sent to the sign-in page');
  await capture(page, '60-session-renewed');

  // The API refuses the access token the app holds (say, the key rotated): the call is
  // renewed once and retried, with no sign-in page.
  await editStoredUser(page, (user) => {
    const [h, p, s] = user.access_token.split('.');
    return { ...user, access_token: [h, p, s.slice(0, -4) + (s.endsWith('AAAA') ? 'BBBB' : 'AAAA')].join('.') };
  });
  const tampered = (await storedUser(page)).access_token;
  await page.reload();
  await page.getByRole('list', { name: /Messages échangés/ }).getByText('Bonjour, pourriez-vous joindre le bilan 2025 ?').waitFor();
  assert.equal(page.url(), `${origin}/instruction/${request.id}`);
  assert.notEqual((await storedUser(page)).access_token, tampered);

  // The session can no longer be renewed (its refresh token revoked, as at the end of
  // the day): before the token expires, the page warns and offers to stay signed in;
  // staying signs in again and comes back to the page, with what was being typed.
  const unsent = 'Pouvez-vous aussi préciser le nombre de salariés ?';
  await thread.getByLabel('Votre message').fill(unsent);
  const revoked = await fetch(`${origin}/dev-oidc/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: (await storedUser(page)).refresh_token, client_id: 'pge-dev-client' }),
  });
  assert.equal(revoked.status, 200);
  const warning = page.getByRole('alert').filter({ hasText: /Votre session se termine dans \d+ min/ });
  await warning.waitFor({ timeout: (TTL + 10) * 1000 });
  await capture(page, '62-session-ending');
  await warning.getByRole('button', { name: 'Rester connecté' }).click();
  await answerSignIn(page, origin, { role: 'reviewer', name: `ines-${suffix}`, bank: BANK_A, landing: `/instruction/${request.id}` });
  assert.equal(await thread.getByLabel('Votre message').inputValue(), unsent);
  assert.equal(await warning.count(), 0);

  // A second tab of the same browser shares the session.
  const other = watched(await context.newPage(), origin);
  await other.goto(`${origin}/instruction`);
  await other.getByRole('button', { name: 'Se déconnecter' }).waitFor();
  const refreshToken = (await storedUser(page)).refresh_token;
  // Signing out in the first tab signs the second out, and revokes the refresh token.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(`${origin}/deconnecte`);
  await other.waitForURL(`${origin}/deconnecte`);
  await other.getByRole('heading', { name: 'Vous êtes déconnecté' }).waitFor();
  assert.equal(await storedUser(other), null);
  const refresh = await fetch(`${origin}/dev-oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'pge-dev-client' }),
  });
  assert.equal(refresh.status, 400);
  assert.equal((await refresh.json()).error, 'invalid_grant');
  await capture(other, '61-signed-out-elsewhere');
  assertHealthy(page);
  assertHealthy(other);
  await context.close();
});
