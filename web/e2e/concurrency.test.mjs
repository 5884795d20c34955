// Two people on one request: while the owner reads the withdrawal confirmation, the bank's
// reviewer takes the request in review. The owner's stale confirmation is refused (412),
// the page reloads the request and says what changed; nothing is overwritten.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { submitRequest } from './flow.mjs';
import { capture, launchBrowser, newPage, signInAsApplicant, startServer } from './helpers.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The signed-in user's ID token, read from the app's session. */
const idToken = (page) =>
  page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    return JSON.parse(sessionStorage.getItem(key)).id_token;
  });

test("a stale withdrawal is refused and the page says what changed", async () => {
  const { origin } = server;
  const owner = await newPage(browser, origin);
  await owner.page.goto(`${origin}/demandes`);
  await signInAsApplicant(owner.page, `owner-${Date.now()}`);
  await owner.page.waitForURL(`${origin}/demandes`);
  const { id } = await submitRequest(owner.page, origin);
  await owner.page.goto(`${origin}/demandes/${id}/retrait`);
  await owner.page.getByRole('heading', { name: 'Voulez-vous retirer votre demande ?' }).waitFor();

  // Meanwhile, a reviewer of the bank signs in (the dev provider's page) and takes it.
  const reviewer = await newPage(browser, origin);
  await reviewer.page.goto(`${origin}/demandes`);
  await reviewer.page.waitForURL(/\/dev-oidc\/authorize/);
  await reviewer.page.locator('input[name="role"][value="reviewer"]').check();
  await reviewer.page.locator('input[name="name"]').fill('Claire Reviewer');
  await reviewer.page.locator('select[name="bank_id"]').selectOption('30004');
  await reviewer.page.locator('button[type="submit"]').click();
  await reviewer.page.waitForURL(`${origin}/demandes`);
  const token = await idToken(reviewer.page);
  const taken = await reviewer.page.evaluate(
    async ([requestId, bearer]) =>
      (await fetch(`/api/v1/loan-requests/${requestId}/review`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'if-match': '"1"' },
      })).status,
    [id, token],
  );
  assert.equal(taken, 200);

  // The owner confirms on the page loaded before: refused, reloaded, explained.
  await owner.page.getByRole('button', { name: 'Oui, retirer la demande' }).click();
  const alert = owner.page.getByRole('alert').filter({ hasText: 'La demande a changé entre-temps' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /En cours d'examen|examen/i);
  await capture(owner.page, '26-withdraw-stale');
  // Still in review: the stale withdrawal changed nothing.
  const status = await owner.page.evaluate(
    async ([requestId, bearer]) =>
      (await (await fetch(`/api/v1/loan-requests/${requestId}`, { headers: { authorization: `Bearer ${bearer}` } })).json()).status,
    [id, await idToken(owner.page)],
  );
  assert.equal(status, 'in_review');
  await owner.context.close();
  await reviewer.context.close();
});
