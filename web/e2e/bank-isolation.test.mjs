// A reviewer of another bank sees none of bank A's requests through the screens: not in
// their queue (even filtered by the exact reference), not by a direct link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BANK_A, BANK_B, signInAs, submitViaApi } from './backoffice.mjs';
import { assertHealthy, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test("a reviewer of bank B never sees bank A's requests", async () => {
  const { origin } = env.server;
  const suffix = Date.now();
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `ines-${suffix}`, landing: '/demandes' });
  const forA = await submitViaApi(applicant.page, { bank: BANK_A, name: 'Garage A' });
  const forB = await submitViaApi(applicant.page, { bank: BANK_B, name: 'Garage B' });

  const { page } = await newPage(env.browser, origin);
  await signInAs(page, origin, { path: '/instruction', role: 'reviewer', name: `sg-${suffix}`, bank: BANK_B, landing: '/instruction' });
  await page.getByRole('link', { name: forB.reference }).waitFor();
  assert.equal(await page.getByText(forA.reference).count(), 0);
  assert.equal(await page.getByText('Garage A').count(), 0);
  await page.goto(`${origin}/instruction?reference=${forA.reference}`);
  await page.getByText('Aucune demande ne correspond à ces filtres.').waitFor();
  await page.goto(`${origin}/instruction/${forA.id}`);
  await page.getByText("Cette demande n'existe pas ou n'est pas accessible avec votre compte.").waitFor();
  assert.equal(await page.getByText('Garage A').count(), 0);
  await capture(page, '60-other-bank-request');
  // And an applicant who tries the back office is told it is not theirs.
  await applicant.page.goto(`${origin}/instruction`);
  await applicant.page.getByRole('heading', { name: 'Page réservée' }).waitFor();
  assertHealthy(page);
  await applicant.context.close();
});
