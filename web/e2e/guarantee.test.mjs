// The State guarantee's identifier, the 2020 sequence, against the real binary: a company
// submits its request; its bank pre-approves it; the company obtains the guarantee's
// identifier on its request's page and downloads the attestation (a real PDF, its text
// read with pdftotext: the identifier, the SIREN, the company, the check page's address);
// the withdrawal page warns the identifier would be cancelled; the reviewer grants on the
// identifier the company hands over, typed in the grant's confirmation: a mistyped one is
// caught at the field, another request's is refused by the API at the field, the right one
// grants; the public check page, signed out on a phone, says the guarantee is used, says
// nothing matches a wrong SIREN, and after too many checks says how long to wait.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { signInAs } from './backoffice.mjs';
import { submitRequest } from './flow.mjs';
import { apiAs, appRendered, artifacts, assertHealthy, capture, COMPANY, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

const SIREN = COMPANY.siren.replace(/\s/g, '');
/** The aria-describedby text of a field (its hint and its error). */
const described = (locator) =>
  locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
const focusedId = (page) => page.evaluate(() => document.activeElement?.id);

test('a company obtains its guarantee identifier, its bank grants on it, anyone checks it', async () => {
  const { origin } = env.server;
  const suffix = Date.now();

  // The company submits its request.
  const company = await newPage(env.browser, origin);
  const { page } = company;
  await signInAs(page, origin, { role: 'applicant', name: `gerant-${suffix}`, landing: '/demandes' });
  const { id, reference } = await submitRequest(page, origin);

  // Its bank takes it in review and pre-approves it: no identifier yet.
  const bank = await newPage(env.browser, origin);
  const reviewer = bank.page;
  await signInAs(reviewer, origin, { path: '/instruction', role: 'reviewer', name: `claire-${suffix}`, bank: '30004', landing: '/instruction' });
  await reviewer.goto(`${origin}/instruction/${id}`);
  const decision = reviewer.getByRole('region', { name: 'Décision' });
  await decision.getByRole('button', { name: 'Prendre en charge' }).click();
  await reviewer.getByText('Demande prise en charge.').waitFor();
  await decision.getByRole('button', { name: 'Donner un accord de principe' }).click();
  await reviewer.getByRole('dialog', { name: `Donner un accord de principe à la demande ${reference} ?` }).getByRole('button', { name: "Confirmer l'accord de principe" }).click();
  await reviewer.getByText('Accord de principe enregistré.').waitFor();
  await decision.getByText("L'entreprise n'a pas encore obtenu l'identifiant de garantie.", { exact: false }).waitFor();
  assert.deepEqual(await decision.getByRole('button').allInnerTexts(), ['Marquer le prêt accordé', 'Refuser la demande…']);

  // The company's page: what to do next, and the button.
  await page.goto(`${origin}/demandes/${id}`);
  const section = page.getByRole('region', { name: "Garantie de l'État" });
  await section.getByText("L'identifiant unique de la garantie de l'État s'obtient ici, en un clic.", { exact: false }).waitFor();
  assert.match(await page.locator('main').innerText(), /Étape suivante : obtenez l'identifiant de la garantie de l'État/);
  // Still withdrawable; no more documents.
  await page.getByRole('link', { name: 'Retirer la demande' }).waitFor();
  await page.getByText("La demande est close : elle n'accepte plus de justificatif.").waitFor();
  await capture(page, '89-guarantee-to-obtain');

  await section.getByRole('button', { name: "Obtenir l'identifiant de garantie" }).click();
  await section.getByText("Identifiant de garantie obtenu. L'attestation vous est aussi envoyée par e-mail.").waitFor();
  const groups = await section.locator('.reference__group').allInnerTexts();
  assert.equal(groups.length, 5, `PGE and four groups: ${groups}`);
  const identifier = `${groups.slice(0, 4).join('-')}-${groups[4]}`;
  assert.match(identifier, /^PGE-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/);
  assert.equal(await focusedId(page), 'guarantee-title', 'focus moves to the section once the button is gone');
  assert.equal(await section.locator('.ui-tag').innerText(), 'Valide');
  await section.getByText(/^Obtenu le /).waitFor();
  await section.getByText('Transmettez cet identifiant à votre banque', { exact: false }).waitFor();
  // The request's history says it, and the request's version moved on (a withdrawal would send the new one).
  await page.locator('.ui-timeline').getByText('Identifiant de garantie obtenu').waitFor();
  // Asking again (another tab, a double click) gives the same identifier.
  const again = await apiAs(page, `/api/v1/loan-requests/${id}/guarantee`, { method: 'POST' });
  assert.equal(again.status, 200);
  assert.equal(again.body.identifier, identifier);
  // Copied with one click.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await section.getByRole('button', { name: "Copier l'identifiant" }).click();
  await section.getByText(`Identifiant ${identifier} copié.`).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), identifier);
  await capture(page, '90-guarantee-obtained');

  // The attestation: a PDF naming the identifier, the company and where to check it.
  const [download] = await Promise.all([page.waitForEvent('download'), section.getByRole('button', { name: "Télécharger l'attestation (PDF)" }).click()]);
  assert.equal(download.suggestedFilename(), `attestation-${identifier}.pdf`);
  const pdf = join(artifacts, `attestation-${identifier}.pdf`);
  await download.saveAs(pdf);
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  const flat = text.split(/\s+/).join(' ');
  for (const words of [identifier, SIREN, COMPANY.legalName, 'BNP Paribas']) assert.ok(flat.includes(words) || flat.includes(words.replace(/(\d{3})(?=\d)/g, '$1 ')), `the attestation says "${words}":\n${flat}`);
  assert.ok(text.replace(/\s+/g, '').includes(`${origin}/verifier`), `the attestation gives the check page's address:\n${flat}`);

  // Withdrawing now would cancel it: the confirmation says so (and is not confirmed).
  await page.getByRole('link', { name: 'Retirer la demande' }).click();
  await page.getByRole('heading', { name: 'Voulez-vous retirer votre demande ?' }).waitFor();
  await page.getByText(`L'identifiant de garantie ${identifier} obtenu pour cette demande sera annulé`, { exact: false }).waitFor();
  await capture(page, '91-withdraw-cancels-guarantee');
  await page.getByRole('link', { name: 'Non, garder la demande' }).click();
  await section.waitFor();

  // The bank: the company has its identifier; the grant needs it typed.
  await reviewer.reload();
  await decision.getByText(/L'entreprise a obtenu l'identifiant de garantie le .*Demandez-le-lui/).waitFor();
  await capture(reviewer, '92-review-guarantee-obtained');
  await decision.getByRole('button', { name: 'Marquer le prêt accordé' }).click();
  const dialog = reviewer.getByRole('dialog', { name: `Marquer le prêt de la demande ${reference} comme accordé ?` });
  await dialog.waitFor();
  const field = dialog.getByLabel("Identifiant de garantie transmis par l'entreprise");
  const confirm = dialog.getByRole('button', { name: 'Confirmer : le prêt est accordé' });
  assert.equal(await focusedId(reviewer), 'f-guarantee_identifier');
  assert.equal(await field.getAttribute('autocomplete'), 'off');
  assert.equal(await field.getAttribute('spellcheck'), 'false');
  assert.equal(await field.getAttribute('autocapitalize'), 'characters');
  // Misheard over the phone: one character wrong, caught by the check character.
  const typo = identifier.slice(0, 5) + (identifier[5] === '7' ? '8' : '7') + identifier.slice(6);
  await field.fill(typo);
  await confirm.click();
  await dialog.getByText("Un caractère de l'identifiant est mal saisi : vérifiez-le avec l'entreprise.").waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedId(reviewer), 'f-guarantee_identifier');
  // Another well-formed identifier: the API refuses it, at the field; nothing changes.
  await field.fill('PGE-0000-0000-0001-2');
  await confirm.click();
  await dialog.getByText("Cet identifiant n'est pas celui délivré pour cette demande", { exact: false }).waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await described(field), /Cet identifiant n'est pas celui délivré pour cette demande/);
  assert.equal(await focusedId(reviewer), 'f-guarantee_identifier', 'focus is on the field the API refused');
  assert.equal((await apiAs(reviewer, `/api/v1/loan-requests/${id}`)).body.status, 'pre_approved');
  await capture(reviewer, '93-grant-wrong-identifier');
  // The right one, as read over the phone.
  await field.fill(identifier.toLowerCase().replace(/-/g, ' '));
  await confirm.click();
  await reviewer.getByText('Prêt marqué comme accordé.').waitFor();
  await decision.getByText(/Le prêt a été accordé sur l'identifiant de garantie le/).waitFor();
  assert.equal(await decision.locator('.ui-tag').first().innerText(), 'Accordée');
  assertHealthy(reviewer);

  // The company sees its loan granted and its identifier used.
  await page.reload();
  await appRendered(page);
  await section.locator('.ui-tag').filter({ hasText: 'Utilisée' }).waitFor();
  await section.getByText(/Votre banque a accordé le prêt sur cet identifiant le/).waitFor();
  assert.equal(await page.locator('.status-line .ui-tag').first().innerText(), 'Accordée');
  await page.locator('.ui-timeline').getByText('Prêt accordé').waitFor();
  await capture(page, '94-guarantee-used');
  assertHealthy(page);

  // Anyone, signed out, on a phone: the check page from the footer.
  const visitor = await newPage(env.browser, origin, { width: 375 });
  const phone = visitor.page;
  await phone.goto(`${origin}/`);
  await appRendered(phone);
  await phone.getByRole('navigation', { name: 'Informations sur le service' }).getByRole('link', { name: 'Vérifier une garantie' }).click();
  await phone.waitForURL(`${origin}/verifier`);
  await phone.getByRole('heading', { level: 1, name: "Vérifier une garantie de l'État" }).waitFor();
  await capture(phone, '95-verify-empty');
  // Typed as read from the attestation, with spaces.
  await phone.getByLabel('Identifiant de garantie').fill(identifier.replace(/-/g, ' '));
  await phone.getByLabel("SIREN de l'entreprise").fill(COMPANY.siren);
  await phone.getByRole('button', { name: 'Vérifier la garantie' }).click();
  await phone.getByText('Garantie utilisée (prêt accordé)').waitFor();
  await phone.getByText(`Identifiant ${identifier}, SIREN ${SIREN}.`).waitFor();
  await capture(phone, '96-verify-used');
  // Another company's SIREN: one answer, whichever is wrong.
  await phone.getByLabel("SIREN de l'entreprise").fill('552100554');
  await phone.getByRole('button', { name: 'Vérifier la garantie' }).click();
  await phone.getByText('Aucune garantie ne correspond à cet identifiant et ce SIREN').waitFor();
  await capture(phone, '97-verify-not-found');
  // A mistyped identifier is caught before anything is asked.
  await phone.getByLabel('Identifiant de garantie').fill(typo);
  await phone.getByRole('button', { name: 'Vérifier la garantie' }).click();
  const summary = phone.getByRole('alert').filter({ hasText: 'Il y a un problème' });
  await summary.getByRole('link', { name: "Un caractère de l'identifiant est mal saisi : vérifiez-le caractère par caractère." }).waitFor();
  assert.equal(await phone.getByLabel('Identifiant de garantie').getAttribute('aria-invalid'), 'true');
  await capture(phone, '98-verify-field-error');

  // Too many checks from one address: the page says how long to wait.
  let limited;
  for (let i = 0; i < 20 && !limited; i++) {
    const r = await phone.evaluate(async (body) => (await fetch('/api/v1/guarantee-checks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status, { identifier, siren: SIREN });
    if (r === 429) limited = true;
  }
  assert.ok(limited, 'the checks are limited per address');
  await phone.getByLabel('Identifiant de garantie').fill(identifier);
  await phone.getByLabel("SIREN de l'entreprise").fill(SIREN);
  await phone.getByRole('button', { name: 'Vérifier la garantie' }).click();
  await phone.getByText('Trop de vérifications').waitFor();
  assert.match(await phone.locator('.verify__result').innerText(), /Réessayez dans \d+ secondes?\./);
  await capture(phone, '99-verify-rate-limited');

  // In English too.
  await phone.getByRole('button', { name: 'English' }).click();
  await phone.getByRole('heading', { level: 1, name: 'Check a State guarantee' }).waitFor();
  await phone.getByLabel('Guarantee identifier').waitFor();
  assertHealthy(phone);
  await visitor.context.close();
  await bank.context.close();
  await company.context.close();
});
