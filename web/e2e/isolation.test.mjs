// Two applicants signed in in turn on the same browser never see each other's requests,
// documents or history: the other's request URL shows "not found".
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { submitRequest } from './flow.mjs';
import { apiAs, artifacts, assertHealthy, capture, makePdf, newPage, signInAsApplicant, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

async function signIn(page, origin, name) {
  await page.goto(`${origin}/demandes`);
  await signInAsApplicant(page, name);
  await page.waitForURL(`${origin}/demandes`);
}

async function signOut(page, origin) {
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(`${origin}/deconnecte`);
}


test("an applicant never sees another applicant's request, documents or history", async () => {
  const { origin } = env.server;
  // One browser context for both: as on a shared office PC.
  const { page } = await newPage(env.browser, origin);
  const suffix = Date.now();

  await signIn(page, origin, `ana-${suffix}`);
  const ana = await submitRequest(page, origin);
  await page.goto(`${origin}/demandes/${ana.id}`);
  await page.getByLabel('Fichier à envoyer').setInputFiles(makePdf(join(artifacts, 'bilan-ana.pdf')));
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await page.getByText('bilan-ana.pdf a bien été ajouté.').waitFor();
  await signOut(page, origin);

  await signIn(page, origin, `ben-${suffix}`);
  await page.getByText("Vous n'avez encore fait aucune demande.").waitFor();
  assert.equal(await page.getByText(ana.reference).count(), 0);
  await page.goto(`${origin}/demandes/${ana.id}`);
  await page.getByText("Cette demande n'existe pas ou n'est pas accessible avec votre compte.").waitFor();
  assert.equal(await page.getByText('bilan-ana.pdf').count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Historique' }).count(), 0);
  await capture(page, '30-other-applicants-request');
  await page.goto(`${origin}/demandes/${ana.id}/retrait`);
  await page.getByText("Cette demande n'existe pas ou n'est pas accessible avec votre compte.").waitFor();
  for (const path of ['', '/events', '/documents']) assert.equal((await apiAs(page, `/api/v1/loan-requests/${ana.id}${path}`)).status, 404, path);

  const ben = await submitRequest(page, origin, { amount: '20000', email: 'ben@boulangerie.example' });
  await page.goto(`${origin}/demandes`);
  await page.getByText(ben.reference).waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: 'PGE-' }).count(), 1);
  await signOut(page, origin);

  await signIn(page, origin, `ana-${suffix}`);
  await page.getByText(ana.reference).waitFor();
  assert.equal(await page.getByText(ben.reference).count(), 0);
  await page.goto(`${origin}/demandes/${ben.id}`);
  await page.getByText("Cette demande n'existe pas ou n'est pas accessible avec votre compte.").waitFor();
  assertHealthy(page);
});
