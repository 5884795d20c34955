// Two people on one request: while the owner reads the withdrawal confirmation, the bank's
// reviewer takes the request in review. The owner's stale confirmation is refused (412),
// the page reloads the request and says what changed; nothing is overwritten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { submitRequest } from './flow.mjs';
import { apiAs, capture, newPage, signInAsApplicant, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test("a stale withdrawal is refused and the page says what changed", async () => {
  const { origin } = env.server;
  const owner = await newPage(env.browser, origin);
  await owner.page.goto(`${origin}/demandes`);
  await signInAsApplicant(owner.page, `owner-${Date.now()}`);
  await owner.page.waitForURL(`${origin}/demandes`);
  const { id } = await submitRequest(owner.page, origin);
  await owner.page.goto(`${origin}/demandes/${id}/retrait`);
  await owner.page.getByRole('heading', { name: 'Voulez-vous retirer votre demande ?' }).waitFor();

  // Meanwhile, a reviewer of the bank signs in (the dev provider's page) and takes it.
  const reviewer = await newPage(env.browser, origin);
  await reviewer.page.goto(`${origin}/demandes`);
  await reviewer.page.waitForURL(/\/dev-oidc\/authorize/);
  await reviewer.page.locator('input[name="role"][value="reviewer"]').check();
  await reviewer.page.locator('input[name="name"]').fill('Claire Reviewer');
  await reviewer.page.locator('select[name="bank_id"]').selectOption('30004');
  await reviewer.page.locator('button[type="submit"]').click();
  // A reviewer lands on their bank's queue, whatever page they started from.
  await reviewer.page.waitForURL(`${origin}/instruction`);
  const taken = await apiAs(reviewer.page, `/api/v1/loan-requests/${id}/review`, {
    method: 'POST',
    headers: { 'if-match': '"1"' },
  });
  assert.equal(taken.status, 200);

  // The owner confirms on the page loaded before: refused, reloaded, explained.
  await owner.page.getByRole('button', { name: 'Oui, retirer la demande' }).click();
  const alert = owner.page.getByRole('alert').filter({ hasText: 'La demande a changé entre-temps' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /En cours d'examen|examen/i);
  await capture(owner.page, '26-withdraw-stale');
  // Still in review: the stale withdrawal changed nothing.
  const current = await apiAs(owner.page, `/api/v1/loan-requests/${id}`);
  assert.equal(current.body.status, 'in_review');
  await owner.context.close();
  await reviewer.context.close();
});
