// A flaky connection never creates two requests: the first submission reaches the API
// and is stored, but its answer is lost on the way back; the app retries with the same
// Idempotency-Key, the API replays its first answer, and the applicant has one request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { submitRequest } from './flow.mjs';
import { apiAs, assertHealthy, capture, newPage, signInAsApplicant, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test('an answer lost on the network is retried with the same key: one request, not two', async () => {
  const { origin } = env.server;
  const { context, page } = await newPage(env.browser, origin);
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
  const mine = await apiAs(page, '/api/v1/loan-requests?limit=100');
  assert.deepEqual(
    mine.body.items.map((item) => item.id),
    [id],
  );
  assertHealthy(page);
  await context.close();
});
