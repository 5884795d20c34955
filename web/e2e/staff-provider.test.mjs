// Bank staff sign in apart (PGE_DEV_STAFF_CLIENT: the dev provider's staff client, as
// Cognito's staff pool in production, where TOTP MFA is required of reviewers and
// admins and not of business owners). A business owner signs in with the owners'
// client and is offered no staff role; the back office's pages send a reviewer to the
// staff's client, the API takes that reviewer's token, the session survives a reload
// and signing out goes through the staff's client (the API's side, staff groups only in
// the staff client's tokens, is tests/tests/aws.rs's and api/src/auth.rs's).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerSignIn, BANK_A, submitViaApi } from './backoffice.mjs';
import { apiAs, assertHealthy, capture, newPage, serverAndBrowser, storedUser } from './helpers.mjs';

const env = serverAndBrowser({ serverEnv: { PGE_DEV_STAFF_CLIENT: 'true' } });

const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const roles = (page) => page.locator('input[name="role"]').evaluateAll((inputs) => inputs.map((i) => i.value));

test('business owners sign in with their client, the back office with the staff’s', async () => {
  const { origin } = env.server;
  const suffix = Date.now();

  // A business owner: the owners' client, the applicant role only.
  const owner = await newPage(env.browser, origin);
  await owner.page.goto(`${origin}/demandes`);
  await owner.page.waitForURL(/\/dev-oidc\/authorize/);
  assert.equal(new URL(owner.page.url()).searchParams.get('client_id'), 'pge-dev-client');
  assert.deepEqual(await roles(owner.page), ['applicant']);
  await answerSignIn(owner.page, origin, { role: 'applicant', name: `owner-${suffix}`, landing: '/demandes' });
  const ownerUser = await storedUser(owner.page);
  assert.equal(claims(ownerUser.access_token).client_id, 'pge-dev-client');
  const request = await submitViaApi(owner.page, { name: 'Menuiserie Staff' });
  assertHealthy(owner.page);

  // The back office: the staff's client, reviewer and admin only.
  const staff = await newPage(env.browser, origin);
  const { page } = staff;
  await page.goto(`${origin}/instruction`);
  await page.waitForURL(/\/dev-oidc\/authorize/);
  assert.equal(new URL(page.url()).searchParams.get('client_id'), 'pge-dev-staff-client');
  assert.deepEqual(await roles(page), ['reviewer', 'admin']);
  await capture(page, 'staff-sign-in');
  await answerSignIn(page, origin, { role: 'reviewer', name: `rev-${suffix}`, bank: BANK_A, landing: '/instruction' });
  const reviewer = await storedUser(page);
  assert.equal(claims(reviewer.access_token).client_id, 'pge-dev-staff-client');
  assert.deepEqual(claims(reviewer.access_token)['cognito:groups'], ['bank-reviewers']);
  // The API takes the staff token: the owner's request is in the bank's queue.
  await page.getByRole('link', { name: request.reference }).waitFor();
  // A reload keeps the session, with the staff's client.
  await page.reload();
  await page.getByRole('link', { name: request.reference }).waitFor();
  assertHealthy(page);

  // The owner still reads their request with the owners' client.
  const asOwner = await apiAs(owner.page, `/api/v1/loan-requests/${request.id}`);
  assert.equal(asOwner.status, 200);

  // Signing out ends the staff's session with the staff's client.
  const logout = page.waitForRequest((r) => r.url().includes('/dev-oidc/logout'));
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  assert.equal(new URL((await logout).url()).searchParams.get('client_id'), 'pge-dev-staff-client');
  await owner.context.close();
  await staff.context.close();
});
