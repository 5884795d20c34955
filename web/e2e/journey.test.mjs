// A business owner's whole journey, with the mouse: the scheme and the simulator, sign-in
// through the dev provider, the request's steps (with a refusal from the server shown on
// its field), check your answers, the reference, a document with its progress, the
// status and history, and the withdrawal. Every screen: screenshots and axe-core.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerAmount, answerBank, answerCompany, answerContact, answerFigures, send } from './flow.mjs';
import { artifacts, assertHealthy, capture, COMPANY, editStoredUser, makePdf, newPage, signInAsApplicant, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test('an applicant simulates, applies, adds a document, follows and withdraws the request', async () => {
  const { page } = await newPage(env.browser, env.server.origin);
  const { origin } = env.server;

  // The scheme in one screen, and the simulator (no account).
  await page.goto(`${origin}/`);
  await page.getByRole('heading', { level: 1, name: "Prêt garanti par l'État" }).waitFor();
  await page.getByText('Indiquez la forme juridique').waitFor();
  await capture(page, '01-home');
  await page.getByLabel('Forme juridique').selectOption('SAS');
  await page.getByLabel('Date de création').fill(COMPANY.creationDate);
  await page.getByLabel('Effectif salarié').fill(COMPANY.headcount);
  await page.getByLabel("Chiffre d'affaires 2019").fill(COMPANY.revenue);
  await page.getByRole('group', { name: /innovante/ }).getByLabel('Non').check();
  await page.getByRole('group', { name: /procédure collective/ }).getByLabel('Non').check();
  await page.getByLabel('Montant demandé').fill('50000');
  await page.getByText('Votre entreprise est éligible').waitFor();
  const result = page.locator('.simulation');
  await result.getByText('250 000 €', { exact: false }).first().waitFor(); // 25 % of 1 000 000 €
  const schedule = result.getByRole('table');
  // The simulation of the amount typed, not the one before it (the cap's) still shown
  // while the debounced request is on its way.
  await schedule.locator('tfoot', { hasText: /1\s?057,50\s?€/ }).waitFor();
  assert.equal(await schedule.locator('tbody tr').count(), 6); // 1 year + 5 of amortisation
  assert.match(await schedule.locator('tfoot').innerText(), /Total\s+1\s?057,50\s?€/);
  await capture(page, '02-home-simulated');

  // A refusal reason in plain words.
  await page.getByLabel('Forme juridique').selectOption('SCI');
  await page.getByText("Votre entreprise n'est pas éligible").waitFor();
  await page.getByText('Les sociétés civiles immobilières (SCI)').waitFor();
  await capture(page, '03-home-not-eligible');
  await page.getByLabel('Forme juridique').selectOption('SAS');

  // English one click away, remembered.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'State-guaranteed business loan' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'State-guaranteed business loan' }).waitFor();
  await capture(page, '04-home-english');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { level: 1, name: "Prêt garanti par l'État" }).waitFor();

  // "Faire une demande" → sign in → back at the start of the request.
  await page.getByRole('link', { name: 'Faire une demande' }).first().click();
  await signInAsApplicant(page, `alice-${Date.now()}`);
  await page.waitForURL(`${origin}/demande`);
  await page.getByRole('heading', { name: 'Faire une demande de prêt garanti' }).waitFor();
  await capture(page, '05-start');
  await page.getByRole('link', { name: 'Commencer' }).click();

  // Company: errors summarised at the top (focused), and on each field.
  await page.waitForURL(/\/demande\/entreprise/);
  await page.getByRole('button', { name: 'Continuer' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'Il y a un problème' });
  await summary.waitFor();
  assert.equal(await summary.evaluate((el) => el === document.activeElement), true);
  await page.getByLabel('Numéro SIREN').fill('732 829 321');
  await page.getByLabel('Raison sociale').click();
  await page.getByText("Ce numéro SIREN n'existe pas : vérifiez les 9 chiffres.").first().waitFor();
  assert.equal(await page.getByLabel('Numéro SIREN').getAttribute('aria-invalid'), 'true');
  await capture(page, '06-company-errors');
  // What the simulator was told is not asked twice.
  assert.equal(await page.getByLabel('Forme juridique').inputValue(), 'SAS');
  assert.equal(await page.getByLabel('Date de création').inputValue(), COMPANY.creationDate);
  await answerCompany(page);

  await page.waitForURL(/\/demande\/chiffres/);
  assert.equal(await page.getByLabel("Chiffre d'affaires 2019").inputValue(), COMPANY.revenue);
  await capture(page, '07-figures');
  await answerFigures(page);

  // Amount: the client accepts 300 000 €, the API refuses it (above the cap): shown on the field.
  await page.waitForURL(/\/demande\/montant/);
  await page.getByLabel('Montant demandé').fill('300000');
  const refusal = page.getByText('Le montant demandé dépasse le plafond de votre entreprise (250 000 €).', { exact: false });
  await refusal.first().waitFor();
  assert.equal(await page.getByLabel('Montant demandé').getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Continuer' }).click();
  await summary.waitFor();
  assert.match(await summary.innerText(), /dépasse le plafond/);
  await capture(page, '08-amount-refused');
  await answerAmount(page, '50000');

  await page.waitForURL(/\/demande\/banque/);
  await capture(page, '09-bank');
  await answerBank(page);
  // An address the client lets through and the API refuses (no DNS domain).
  await page.waitForURL(/\/demande\/contact/);
  await capture(page, '10-contact');
  await answerContact(page, 'gerant@localhost');

  // Check your answers; the API's refusal comes back next to the answer and in the summary.
  await page.waitForURL(/\/demande\/verification/);
  await capture(page, '11-check-answers');
  await page.getByRole('button', { name: 'Envoyer la demande' }).click();
  await summary.waitFor();
  assert.match(await summary.innerText(), /adresse e-mail valide/);
  await capture(page, '12-check-answers-refused');
  await page.getByRole('link', { name: 'Modifier adresse e-mail' }).click();
  await page.waitForURL(/\/demande\/contact\?retour=verification/);
  assert.equal(await page.getByLabel('Adresse e-mail').getAttribute('aria-invalid'), 'true');
  await answerContact(page);

  // Sent: the reference in large grouped characters.
  const { id, reference } = await send(page);
  const groups = await page.locator('.reference__group').allInnerTexts();
  assert.deepEqual(groups, [reference.slice(0, 3), reference.slice(4, 8), reference.slice(8, 12), reference.slice(12)]);
  await capture(page, '13-confirmation');
  // The receipt: the reference copied with one click; printed, the page keeps only it.
  const receipt = page.getByRole('region', { name: 'Votre récépissé' });
  assert.match(await receipt.innerText(), /BNP Paribas/);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await receipt.getByRole('button', { name: 'Copier la référence' }).click();
  await receipt.getByText(`Référence ${reference} copiée.`).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), reference);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.ui-header').isVisible(), false);
  assert.equal(await receipt.getByRole('button', { name: 'Imprimer le récépissé' }).isVisible(), false);
  assert.equal(await receipt.isVisible(), true);
  await page.screenshot({ path: join(artifacts, '14-receipt-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // The request: status, history, terms, documents.
  await page.getByRole('link', { name: 'Ajouter des justificatifs' }).click();
  await page.waitForURL(`${origin}/demandes/${id}`);
  await page.getByRole('heading', { name: 'Historique' }).waitFor();
  await page.getByText('Demande envoyée').first().waitFor();
  assert.equal(await page.locator('.status-line .ui-tag').innerText(), 'Envoyée');
  await capture(page, '14-request');

  // A file whose content is not what its name says is stopped before upload.
  const fake = join(artifacts, 'not-a.pdf');
  await import('node:fs').then(({ writeFileSync }) => writeFileSync(fake, 'plain text pretending'));
  await page.getByLabel('Fichier à envoyer').setInputFiles(fake);
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  await page.getByText('Le contenu du fichier ne correspond pas à son type').first().waitFor();
  await capture(page, '15-document-refused');

  // A real PDF, uploaded with a visible progress bar (upload throttled to watch it).
  const pdf = makePdf(join(artifacts, 'kbis-2020.pdf'), 400_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 200 * 1024 });
  await page.getByLabel('Fichier à envoyer').setInputFiles(pdf);
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();
  const progress = page.locator('progress');
  await progress.waitFor();
  await page.waitForFunction(() => Number(document.querySelector('progress')?.value ?? 0) > 0);
  await page.screenshot({ path: join(artifacts, '16-document-progress-1280.png') });
  await page.getByText('kbis-2020.pdf a bien été ajouté.').waitFor({ timeout: 30_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const link = page.getByRole('link', { name: /kbis-2020\.pdf/ });
  await link.waitFor();
  const href = await link.getAttribute('href');
  const downloaded = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer()).slice(0, 8)), href);
  assert.deepEqual(downloaded, [...readFileSync(pdf).subarray(0, 8)]);
  await capture(page, '17-request-with-document');

  // Withdraw, with a confirmation step.
  await page.getByRole('link', { name: 'Retirer la demande' }).click();
  await page.waitForURL(`${origin}/demandes/${id}/retrait`);
  await page.getByRole('heading', { name: 'Voulez-vous retirer votre demande ?' }).waitFor();
  await capture(page, '18-withdraw-confirm');
  await page.getByRole('button', { name: 'Oui, retirer la demande' }).click();
  await page.waitForURL(`${origin}/demandes/${id}?message=withdrawn`);
  await page.getByText('Votre demande a été retirée').waitFor();
  assert.equal(await page.locator('.status-line .ui-tag').innerText(), 'Retirée');
  await page.locator('.ui-timeline').getByText('Demande retirée').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Retirer la demande' }).count(), 0);
  await capture(page, '19-request-withdrawn');

  // The list.
  await page.getByRole('link', { name: 'Mes demandes' }).first().click();
  await page.waitForURL(`${origin}/demandes`);
  const row = page.getByRole('row').filter({ hasText: reference });
  await row.waitFor();
  assert.match(await row.innerText(), /Retirée/);
  await capture(page, '20-requests');

  // Not found, and the callback without a sign-in in progress.
  await page.goto(`${origin}/nulle-part`);
  await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
  await capture(page, '21-not-found');
  await page.goto(`${origin}/demandes/00000000-0000-4000-8000-000000000000`);
  await page.getByText("Cette demande n'existe pas ou n'est pas accessible avec votre compte.").waitFor();
  await capture(page, '22-request-not-found');

  // Sign out: through the provider's logout, back to the signed-out page.
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(`${origin}/deconnecte`);
  await page.getByRole('heading', { name: 'Vous êtes déconnecté' }).waitFor();
  await capture(page, '23-signed-out');
  await page.goto(`${origin}/auth/callback`);
  await page.getByRole('heading', { name: 'La connexion a échoué' }).waitFor();
  await capture(page, '24-callback-without-sign-in');
  assertHealthy(page);
});

test('a draft survives the sign-in redirect; a 401 signs in again and comes back with the answers', async () => {
  const { page } = await newPage(env.browser, env.server.origin);
  const { origin } = env.server;
  // Typed before signing in (simulator), then on a step after it.
  await page.goto(`${origin}/`);
  await page.getByLabel("Chiffre d'affaires 2019").fill('777000');
  await page.goto(`${origin}/demande/chiffres`);
  await signInAsApplicant(page, `bob-${Date.now()}`);
  await page.waitForURL(`${origin}/demande/chiffres`);
  assert.equal(await page.getByLabel("Chiffre d'affaires 2019").inputValue(), '777000');
  await page.getByLabel("Chiffre d'affaires 2019").fill(COMPANY.revenue);
  await page.goto(`${origin}/demande/entreprise`);
  await answerCompany(page);
  await answerFigures(page);
  await answerAmount(page);
  await answerBank(page);
  await answerContact(page);
  await page.waitForURL(/\/demande\/verification/);

  // The session's tokens are now refused (say, revoked): the access token gets a 401, the
  // renewal with the refresh token fails, and the app signs in again.
  await editStoredUser(page, (user) => {
    const [h, p, s] = user.access_token.split('.');
    return { ...user, access_token: [h, p, s.slice(0, -4) + (s.endsWith('AAAA') ? 'BBBB' : 'AAAA')].join('.'), refresh_token: 'revoked' };
  });
  await page.evaluate(() => sessionStorage.removeItem('pge.signedInAt'));
  // Back on the page, its first call (the draft kept on the server) meets the 401: the
  // renewal fails, and the app signs in again, the answers carried along.
  await page.reload();
  await signInAsApplicant(page, `bob-${Date.now()}`);
  await page.waitForURL(`${origin}/demande/verification`);
  await page.getByText('gerant@boulangerie.example').waitFor();
  const { reference } = await send(page);
  assert.match(reference, /^PGE-/);
  assertHealthy(page);
});
