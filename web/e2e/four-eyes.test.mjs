// Four eyes on large grants (docs/RULES.md §21) and the audit trail's integrity (§22),
// against the real binary, in this file's own server (the threshold set here holds for
// BNP Paribas in this server only): the admin sets BNP Paribas's threshold in the banks
// page; a 50 000 € request is pre-approved and its identifier obtained (through the API);
// reviewer A grants it in the page: it awaits a second approval, and A is told another
// reviewer must confirm (no confirm button; the API refuses A's confirmation); reviewer B
// sends it back with a reason; A grants again; B confirms: granted. The history names the
// steps; the applicant was told a second person must confirm. The admin checks the audit
// trail on the figures page: intact, the chains' heads to copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BANK_A, signInAs, submitViaApi } from './backoffice.mjs';
import { apiAs, appRendered, assertHealthy, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test('a grant above the bank threshold needs a second reviewer; the audit trail checks intact', async () => {
  const { origin } = env.server;
  const suffix = Date.now();

  // The admin sets BNP Paribas's threshold at 10 000 €.
  const adminTab = await newPage(env.browser, origin);
  const admin = adminTab.page;
  await signInAs(admin, origin, { path: '/demandes', role: 'admin', name: `admin-${suffix}`, landing: '/admin' });
  await admin.goto(`${origin}/admin/banques`);
  await admin.getByRole('heading', { level: 1, name: "Banques et chargés d'instruction" }).waitFor();
  const form = admin.locator('form[aria-labelledby="threshold-title"]');
  const amount = form.getByLabel('Seuil de double validation, en euros');
  // Nothing chosen and a word typed: both said at their fields.
  await amount.fill('dix mille');
  await form.getByRole('button', { name: 'Enregistrer le seuil' }).click();
  await form.getByText('Saisissez un montant en euros, par exemple 500000.').first().waitFor();
  assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Banque dont vous fixez le seuil').selectOption(BANK_A);
  await amount.fill('10 000');
  await form.getByRole('button', { name: 'Enregistrer le seuil' }).click();
  await form.getByText(/Seuil de BNP Paribas : 10\s000\s€\./).waitFor();
  const bnpRow = admin.getByRole('row').filter({ has: admin.getByRole('rowheader', { name: 'BNP Paribas' }) });
  await bnpRow.getByText(/10\s000\s€/).waitFor();
  await capture(admin, 'a1-banks-threshold');
  assert.equal((await apiAs(admin, `/api/v1/banks/${BANK_A}/grant-threshold`)).body.threshold_cents, 1_000_000);

  // A 50 000 € request, pre-approved, its identifier obtained by the company (setup through the API).
  const companyTab = await newPage(env.browser, origin);
  const company = companyTab.page;
  await signInAs(company, origin, { role: 'applicant', name: `gerant-${suffix}`, landing: '/demandes' });
  const { id, reference } = await submitViaApi(company, { amountEuros: 50_000 });

  const tabA = await newPage(env.browser, origin);
  const a = tabA.page;
  const nameA = `anne-${suffix}`;
  await signInAs(a, origin, { path: '/instruction', role: 'reviewer', name: nameA, bank: BANK_A, landing: '/instruction' });
  const step = async (path, body) => {
    const version = (await apiAs(a, `/api/v1/loan-requests/${id}`)).body.version;
    const r = await apiAs(a, `/api/v1/loan-requests/${id}/${path}`, { method: 'POST', headers: { 'if-match': `"${version}"` }, body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  await step('review');
  await step('decision', { decision: 'pre_approve' });
  const issued = await apiAs(company, `/api/v1/loan-requests/${id}/guarantee`, { method: 'POST' });
  assert.ok([200, 201].includes(issued.status), JSON.stringify(issued.body));
  const identifier = issued.body.identifier;

  // Reviewer A grants: it waits for a second approval.
  await a.goto(`${origin}/instruction/${id}`);
  const decisionA = a.getByRole('region', { name: 'Décision' });
  const grant = async (page, button, says) => {
    await page.getByRole('region', { name: 'Décision' }).getByRole('button', { name: button }).click();
    const dialog = page.getByRole('dialog', { name: `Marquer le prêt de la demande ${reference} comme accordé ?` });
    // Above the threshold, the dialog says the grant will wait; the second reviewer's, that it grants.
    await dialog.getByText(says).waitFor();
    await dialog.getByLabel("Identifiant de garantie transmis par l'entreprise").fill(identifier);
    await dialog.getByRole('button', { name: 'Confirmer : le prêt est accordé' }).click();
    await dialog.waitFor({ state: 'hidden' });
  };
  await grant(a, 'Marquer le prêt accordé', /^Le montant dépasse le seuil de double validation de votre banque \(10\s000\s€\)/);
  await decisionA.getByText('Accord enregistré, en attente d\'une seconde validation', { exact: false }).waitFor();
  await decisionA.getByText("Accord du prêt en attente d'une seconde validation").waitFor();
  await decisionA.getByText(/^Demandé par vous le /).waitFor();
  await decisionA.getByText("Un autre chargé d'instruction de votre banque doit le confirmer : vous ne pouvez pas valider deux fois le même accord.").waitFor();
  assert.equal(await decisionA.locator('.status-line .ui-tag').first().innerText(), 'Accord de principe');
  // A cannot confirm: no button, and the API refuses it.
  assert.deepEqual(await decisionA.getByRole('button').allInnerTexts(), ["Renvoyer la demande d'accord…", 'Refuser la demande…']);
  const version = (await apiAs(a, `/api/v1/loan-requests/${id}`)).body.version;
  const refused = await apiAs(a, `/api/v1/loan-requests/${id}/grant`, { method: 'POST', headers: { 'if-match': `"${version}"` }, body: { guarantee_identifier: identifier } });
  assert.equal(refused.status, 409);
  assert.match(refused.body.type, /second-reviewer-required/);
  await a.locator('.ui-timeline').getByText('Accord du prêt demandé (seconde validation attendue)').waitFor();
  await capture(a, 'a2-grant-awaiting-second-mine');
  assertHealthy(a);

  // The applicant is told, without a name.
  await company.goto(`${origin}/demandes/${id}`);
  await company.getByText('Votre banque a accordé le prêt ; une seconde personne de la banque doit le confirmer.').waitFor();
  assert.doesNotMatch(await company.locator('main').innerText(), new RegExp(nameA));

  // Reviewer B sees who asked, and sends it back with a reason.
  const tabB = await newPage(env.browser, origin);
  const b = tabB.page;
  await signInAs(b, origin, { path: '/instruction', role: 'reviewer', name: `bruno-${suffix}`, bank: BANK_A, landing: '/instruction' });
  await b.goto(`${origin}/instruction/${id}`);
  const decisionB = b.getByRole('region', { name: 'Décision' });
  await decisionB.getByText(`Demandé par ${nameA} le`, { exact: false }).waitFor();
  assert.deepEqual(await decisionB.getByRole('button').allInnerTexts(), ["Confirmer l'accord (seconde validation)", "Renvoyer la demande d'accord…", 'Refuser la demande…']);
  await capture(b, 'a3-grant-awaiting-second-other');
  await decisionB.getByRole('button', { name: "Renvoyer la demande d'accord…" }).click();
  const back = b.getByRole('dialog', { name: `Renvoyer la demande d'accord de ${reference}` });
  // No reason: said at the field.
  await back.getByRole('button', { name: "Renvoyer la demande d'accord" }).click();
  await back.getByText('Indiquez le motif du renvoi.').first().waitFor();
  assert.equal(await back.getByLabel('Motif du renvoi').getAttribute('aria-invalid'), 'true');
  await back.getByLabel('Motif du renvoi').fill('Le bilan 2019 manque au dossier.');
  await capture(b, 'a4-return-grant-dialog');
  await back.getByRole('button', { name: "Renvoyer la demande d'accord" }).click();
  await decisionB.getByText("Demande d'accord renvoyée ; le motif est enregistré.", { exact: false }).waitFor();
  await decisionB.getByText('Le bilan 2019 manque au dossier.').waitFor();
  await b.locator('.ui-timeline').getByText("Demande d'accord renvoyée").waitFor();
  assert.deepEqual(await decisionB.getByRole('button').allInnerTexts(), ['Marquer le prêt accordé', 'Refuser la demande…']);
  const afterReturn = (await apiAs(b, `/api/v1/loan-requests/${id}`)).body;
  assert.equal(afterReturn.status, 'pre_approved');
  assert.equal(afterReturn.awaiting_second_approval ?? null, null);

  // A grants again (the page reloaded); B confirms: granted.
  await a.reload();
  await appRendered(a);
  await grant(a, 'Marquer le prêt accordé', /^Le montant dépasse le seuil/);
  await decisionA.getByText(/^Demandé par vous le /).waitFor();
  await b.reload();
  await appRendered(b);
  await grant(b, "Confirmer l'accord (seconde validation)", "Seconde validation : en confirmant avec l'identifiant de garantie, vous accordez le prêt.");
  await decisionB.getByText('Seconde validation enregistrée : le prêt est accordé.').waitFor();
  assert.equal(await decisionB.locator('.status-line .ui-tag').first().innerText(), 'Accordée');
  await capture(b, 'a5-grant-confirmed');
  assert.equal((await apiAs(b, `/api/v1/loan-requests/${id}`)).body.status, 'granted');
  assertHealthy(b);

  // The admin checks the audit trail: intact.
  await admin.goto(`${origin}/admin`);
  await appRendered(admin);
  const audit = admin.getByRole('region', { name: "Intégrité du journal d'audit" });
  await audit.getByRole('button', { name: 'Vérifier maintenant' }).click();
  await audit.getByText('Journal intact').waitFor();
  await audit.getByText('Aucune chaîne n\'est rompue.').waitFor();
  const summary = await audit.locator('dl').innerText();
  assert.match(summary, /Chaînes\s+[1-9]/);
  assert.match(summary, /Événements chaînés\s+[1-9]/);
  await audit.getByText('Têtes de chaîne (pour un horodatage externe)').click();
  await audit.getByRole('rowheader', { name: /^30004-/ }).first().waitFor();
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await audit.getByRole('button', { name: 'Copier les têtes de chaîne' }).click();
  await audit.getByText('Têtes de chaîne copiées.').waitFor();
  const copied = await admin.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^30004-\S+ \d+ [0-9a-f]{64}$/m);
  await capture(admin, 'a6-audit-intact');
  // In English too.
  await admin.getByRole('button', { name: 'English' }).click();
  await admin.getByRole('region', { name: 'Audit trail integrity' }).getByRole('button', { name: 'Check now' }).waitFor();
  assertHealthy(admin);

  for (const tab of [adminTab, companyTab, tabA, tabB]) await tab.context.close();
});
