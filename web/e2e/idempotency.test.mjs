// A flaky connection never creates two requests: the first submission reaches the API
// and is stored, but its answer is lost on the way back; the app retries with the same
// Idempotency-Key, the API replays its first answer, and the applicant has one request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { submitRequest } from './flow.mjs';
import { assertHealthy, capture, launchBrowser, newPage, signInAsApplicant, startServer } from './helpers.mjs';

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

test('an answer lost on the network is retried with the same key: one request, not two', async () => {
  const { origin } = server;
  const { context, page } = await newPage(browser, origin);
  await page.goto(`${origin}/demandes`);
  await signInAsApplicant(page, `flaky-${Date.now()}`);
  await page.waitForURL(`${origin}/demandes`);

  const keys = [];
  let lost = 0;
  await page.route(`${origin}/api/v1/loan-requests`, async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    keys.push(request.headers()['idempotency-key']);
    if (lost === 0) {
      // The API stores the request; the browser never hears back.
      const response = await route.fetch();
      assert.equal(response.status(), 201);
      lost += 1;
      return route.abort('connectionreset');
    }
    return route.continue();
  });

  const { id } = await submitRequest(page, origin);
  await capture(page, '25-confirmation-after-a-lost-answer');
  assert.equal(lost, 1, 'the first answer was dropped');
  assert.ok(keys.length >= 2, `the app retried (${keys.length} attempts)`);
  assert.ok(keys[0] && keys.every((k) => k === keys[0]), `one Idempotency-Key for every attempt: ${keys}`);

  // The list holds that one request.
  await page.goto(`${origin}/demandes`);
  const count = await page.evaluate(async () => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    const token = JSON.parse(sessionStorage.getItem(key)).id_token;
    const r = await fetch('/api/v1/loan-requests?limit=100', { headers: { authorization: `Bearer ${token}` } });
    return (await r.json()).items.map((item) => item.id);
  });
  assert.deepEqual(count, [id]);
  assertHealthy(page);
  await context.close();
});
