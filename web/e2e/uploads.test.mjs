// Uploads on the request page, against the real binary: several files at once, an upload
// cancelled halfway (nothing left behind), a failed one retried, and a document announced
// but never sent removed by its author.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { submitRequest } from './flow.mjs';
import { apiAs, artifacts, assertHealthy, capture, makePdf, newPage, signInAsApplicant, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

/** The request's documents as the API lists them to their owner: `name (status)`. */
async function listed(page, id) {
  const reply = await apiAs(page, `/api/v1/loan-requests/${id}/documents`);
  assert.equal(reply.status, 200);
  return reply.body.items.map((d) => `${d.filename} (${d.status})`).sort();
}

const status = (page) => page.locator('#documents-title ~ p[role="status"]');

test('several files at once, cancel, retry, and a pending document removed', async () => {
  const { origin } = env.server;
  const { page } = await newPage(env.browser, origin);
  await page.goto(`${origin}/demandes`);
  await signInAsApplicant(page, `uploads-${Date.now()}`);
  await page.waitForURL(`${origin}/demandes`);
  const { id } = await submitRequest(page, origin);
  await page.goto(`${origin}/demandes/${id}`);
  await page.getByRole('heading', { name: 'Justificatifs' }).waitFor();

  // Two files picked at once: each sent, both listed.
  const files = [makePdf(join(artifacts, 'bilan-2025.pdf'), 30_000), makePdf(join(artifacts, 'statuts-signes.pdf'), 20_000)];
  await page.getByLabel('Fichier à envoyer').setInputFiles(files);
  await page.getByRole('button', { name: 'Envoyer les 2 fichiers' }).click();
  await page.getByText('bilan-2025.pdf a bien été ajouté.').waitFor();
  await page.getByText('statuts-signes.pdf a bien été ajouté.').waitFor();
  const list = page.getByRole('list', { name: 'Justificatifs envoyés' });
  await list.getByRole('link', { name: /bilan-2025\.pdf/ }).waitFor();
  await list.getByRole('link', { name: /statuts-signes\.pdf/ }).waitFor();
  assert.deepEqual(await listed(page, id), ['bilan-2025.pdf (available)', 'statuts-signes.pdf (available)']);

  // A large file on a slow line: cancelled (from the keyboard) once it is on its way,
  // it leaves no document, pending or not.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const line = (uploadThroughput, offline = false) => cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput });
  await line(40 * 1024);
  await page.getByLabel('Fichier à envoyer').setInputFiles(makePdf(join(artifacts, 'liasse-fiscale.pdf'), 600_000));
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await page.waitForFunction(() => Number(document.querySelector('.uploads progress')?.value ?? 0) > 0);
  // Announced: the API lists it pending while its bytes travel.
  assert.ok((await listed(page, id)).includes('liasse-fiscale.pdf (pending)'));
  await capture(page, 'uploads-sending');
  const cancel = page.getByRole('button', { name: "Annuler l'envoi de liasse-fiscale.pdf" });
  await cancel.focus();
  await page.keyboard.press('Enter');
  await status(page).filter({ hasText: 'Envoi de liasse-fiscale.pdf annulé.' }).waitFor();
  await line(-1);
  assert.equal(await page.locator('.uploads').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-document');
  await page.waitForFunction(() => !document.querySelector('ul.documents')?.innerText.includes('liasse-fiscale.pdf'));
  assert.deepEqual(await listed(page, id), ['bilan-2025.pdf (available)', 'statuts-signes.pdf (available)']);

  // Offline: the upload fails and says so; back online, Retry sends the same file.
  await line(-1, true);
  await page.getByLabel('Fichier à envoyer').setInputFiles(makePdf(join(artifacts, 'rib.pdf')));
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  const retry = page.getByRole('button', { name: "Réessayer l'envoi de rib.pdf" });
  await retry.waitFor();
  await page.locator('.uploads .ui-error-message').waitFor();
  await capture(page, 'uploads-failed');
  await line(-1, false);
  await retry.focus();
  await page.keyboard.press('Enter');
  await page.getByText('rib.pdf a bien été ajouté.').waitFor();
  await list.getByRole('link', { name: /rib\.pdf/ }).waitFor();
  assert.deepEqual(await listed(page, id), ['bilan-2025.pdf (available)', 'rib.pdf (available)', 'statuts-signes.pdf (available)']);

  // A document announced and never sent (a closed tab, say): listed as pending, with a
  // Remove button for its author; confirmed documents have none.
  const announced = await apiAs(page, `/api/v1/loan-requests/${id}/documents`, {
    method: 'POST',
    body: { filename: 'oublie.pdf', content_type: 'application/pdf', size: 2048 },
  });
  assert.equal(announced.status, 201);
  await page.reload();
  const pending = list.getByRole('listitem').filter({ hasText: 'oublie.pdf' });
  await pending.getByText('envoi non terminé').waitFor();
  assert.equal(await list.getByRole('button').count(), 1);
  await capture(page, 'uploads');
  await pending.getByRole('button', { name: 'Supprimer oublie.pdf' }).click();
  await status(page).filter({ hasText: 'oublie.pdf a été supprimé.' }).waitFor();
  await pending.waitFor({ state: 'detached' });
  assert.deepEqual(await listed(page, id), ['bilan-2025.pdf (available)', 'rib.pdf (available)', 'statuts-signes.pdf (available)']);
  // A confirmed document cannot be removed, even through the API.
  const kept = (await apiAs(page, `/api/v1/loan-requests/${id}/documents`)).body.items[0];
  const refused = await apiAs(page, `/api/v1/loan-requests/${id}/documents/${kept.id}`, { method: 'DELETE' });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.type, '/problems/document-confirmed');
  assertHealthy(page);
});
