// The platform admin: national figures as charts each followed by its table, a bank
// added (its field error shown on the field first), a reviewer account created, and
// degraded mode switched on with a confirmation: every signed-in user sees the banner,
// the figures and the export say their data is deferred and when to retry; then off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BANK_A, signInAs, submitViaApi } from './backoffice.mjs';
import { assertHealthy, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test('an admin reads the figures, adds a bank and a reviewer, switches degraded mode', async () => {
  const { origin } = env.server;
  const suffix = Date.now();
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `zoe-${suffix}`, landing: '/demandes' });
  await submitViaApi(applicant.page, { bank: BANK_A, amountEuros: 80_000 });
  await submitViaApi(applicant.page, { bank: '30003', amountEuros: 30_000 });

  // Sign-in lands on the admin area (its figures).
  const { page } = await newPage(env.browser, origin);
  await signInAs(page, origin, { path: '/demandes', role: 'admin', name: `admin-${suffix}`, landing: '/admin' });
  await page.getByRole('heading', { level: 1, name: 'Chiffres nationaux' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Administration' });
  assert.equal(await nav.getByRole('link', { name: 'Chiffres' }).getAttribute('aria-current'), 'page');
  for (const name of [/nombre de demandes par statut/, /montant demandé par banque/]) {
    const chart = page.getByRole('img', { name });
    await chart.waitFor();
    // The chart is followed by its data table.
    assert.equal(await chart.evaluate((c) => c.closest('section').querySelector('table caption') !== null), true);
  }
  const byStatus = page.getByRole('table', { name: 'Demandes par statut' });
  assert.match(await byStatus.getByRole('row').filter({ hasText: 'Envoyée' }).innerText(), /Envoyée\s+2\s+110\s000\s€/);
  await page.getByRole('table', { name: 'Demandes par banque' }).getByRole('row').filter({ hasText: 'BNP Paribas' }).waitFor();
  await capture(page, '70-admin-stats');

  // A bank: a wrong code is refused on its field, then the bank is added.
  await nav.getByRole('link', { name: 'Banques' }).click();
  await page.getByRole('heading', { level: 1, name: "Banques et chargés d'instruction" }).waitFor();
  const code = String(10000 + (suffix % 80000));
  await page.getByLabel('Code banque').fill('12a45');
  await page.getByLabel('Nom', { exact: true }).fill('Banque Populaire Test');
  const mailbox = page.getByLabel(/Boîte aux lettres de l’équipe/);
  await mailbox.fill('pas une adresse');
  await page.getByRole('button', { name: 'Ajouter la banque' }).click();
  const codeField = page.getByLabel('Code banque');
  await page.getByText('Le code banque comporte 5 chiffres, par exemple 16606.').first().waitFor();
  assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
  assert.equal(await mailbox.getAttribute('aria-invalid'), 'true', 'the mailbox is checked like any address');
  await capture(page, '71-admin-bank-error');
  await codeField.fill(code);
  await mailbox.fill(`pge.${suffix}@bp-test.example`);
  await page.getByRole('button', { name: 'Ajouter la banque' }).click();
  await page.getByText(`Banque Populaire Test (${code}) a été ajoutée.`).waitFor();
  await page.getByRole('table').getByRole('row').filter({ hasText: 'Banque Populaire Test' }).waitFor();

  // A reviewer account for it: the created account is shown.
  await page.getByLabel('Banque', { exact: true }).selectOption(code);
  await page.getByLabel('Adresse e-mail professionnelle').fill(`c.martin.${suffix}@bp-test.example`);
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  const created = page.getByRole('status').filter({ hasText: 'Compte créé' });
  await created.waitFor();
  assert.match(await created.innerText(), new RegExp(`c\\.martin\\.${suffix}@bp-test\\.example`));
  assert.match(await created.innerText(), new RegExp(`Banque Populaire Test \\(${code}\\)`));
  await capture(page, '72-admin-banks');

  // Degraded mode, with a confirmation.
  await nav.getByRole('link', { name: 'Mode dégradé' }).click();
  await page.getByText('Désactivé', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Activer le mode dégradé…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Activer le mode dégradé ?' });
  await dialog.waitFor();
  await capture(page, '73-admin-degraded-confirm');
  await dialog.getByRole('button', { name: 'Oui, activer' }).click();
  await page.getByText('Le mode dégradé est activé.').waitFor();
  await page.getByText('Service en mode dégradé').waitFor();

  // Everyone signed in sees the banner (read again when the window gets focus).
  await applicant.page.reload();
  await applicant.page.getByRole('status').getByText('Service en mode dégradé').waitFor();
  await capture(applicant.page, '74-applicant-degraded-banner');
  const reviewer = await newPage(env.browser, origin);
  await signInAs(reviewer.page, origin, { path: '/instruction', role: 'reviewer', name: `rev-${suffix}`, bank: BANK_A, landing: '/instruction' });
  await reviewer.page.getByText('Service en mode dégradé').waitFor();
  await reviewer.page.getByRole('button', { name: 'Exporter toutes les demandes (CSV)' }).click();
  const deferredExport = reviewer.page.getByRole('alert').filter({ hasText: 'Données momentanément différées' });
  await deferredExport.waitFor();
  assert.match(await deferredExport.innerText(), /Réessayez dans \d+ (seconde|minute)/);
  await capture(reviewer.page, '75-reviewer-export-deferred');

  await nav.getByRole('link', { name: 'Chiffres' }).click();
  const deferredStats = page.getByRole('alert').filter({ hasText: 'Données momentanément différées' });
  await deferredStats.waitFor();
  assert.match(await deferredStats.innerText(), /Réessayez dans \d+ (seconde|minute)/);
  await capture(page, '76-admin-stats-deferred');

  // Off again: the banner goes, the figures come back.
  await nav.getByRole('link', { name: 'Mode dégradé' }).click();
  await page.getByRole('button', { name: 'Désactiver le mode dégradé…' }).click();
  await page.getByRole('dialog', { name: 'Désactiver le mode dégradé ?' }).getByRole('button', { name: 'Oui, désactiver' }).click();
  await page.getByText('Le mode dégradé est désactivé.').waitFor();
  await page.getByText('Service en mode dégradé').waitFor({ state: 'detached' });
  await reviewer.page.bringToFront();
  await reviewer.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await reviewer.page.reload();
  await reviewer.page.getByRole('heading', { level: 1, name: "File d'instruction" }).waitFor();
  assert.equal(await reviewer.page.getByText('Service en mode dégradé').count(), 0);
  await nav.getByRole('link', { name: 'Chiffres' }).click();
  await page.getByRole('table', { name: 'Demandes par statut' }).waitFor();
  assertHealthy(page);
  await applicant.context.close();
  await reviewer.context.close();
});
