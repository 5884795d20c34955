// A bank reviewer's day, against the real binary: applicants submit requests, the
// reviewer filters the queue (kept in the URL through back/forward), exports what the
// filters show, opens a request, previews its PDF and PNG in the page, takes it in
// review, rejects another through the dialog (which refuses to go without a reason),
// and pre-approves three at once (confirmed first: how many, what total amount) while
// another reviewer changed one of them: the report says which one and why. Then grants
// one on the guarantee identifier its applicant obtained, typed in its confirmation
// (Escape cancels it first). A decision taken on a stale page is refused and the page
// says what changed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BANK_A, makePng, randomSiren, signInAs, submitViaApi } from './backoffice.mjs';
import { apiAs, artifacts, assertHealthy, capture, makePdf, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

/** An amount as the French pages write it ("66 000 €"), spaces plain. */
const euros = (cents) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: cents % 100 ? 2 : 0 }).format(cents / 100).replace(/[\u00a0\u202f]/g, ' ');
/** A locator's text with no-break spaces made plain. */
const plainText = async (locator) => (await locator.innerText()).replace(/[\u00a0\u202f]/g, ' ');
/** The text of the focused element. */
const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim());

test('a reviewer filters, exports, previews, decides one by one and in bulk', async () => {
  const { origin } = env.server;
  const suffix = Date.now();

  // Applicants (one account) submit five requests to bank A; the first gets two documents.
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `ana-${suffix}`, landing: '/demandes' });
  const siren = randomSiren();
  const first = await submitViaApi(applicant.page, { siren, name: 'Fromagerie Filtrée' });
  const others = [];
  for (let i = 0; i < 4; i++) others.push(await submitViaApi(applicant.page, { name: `Atelier ${i + 1}`, amountEuros: 20_000 + i * 1000 }));
  await applicant.page.goto(`${origin}/demandes/${first.id}`);
  for (const file of [makePdf(join(artifacts, 'kbis.pdf')), makePng(join(artifacts, 'logo.png'))]) {
    await applicant.page.getByLabel('Fichier à envoyer').setInputFiles(file);
    await applicant.page.getByRole('button', { name: 'Envoyer le fichier' }).click();
    await applicant.page.getByText(`${file.split('/').pop()} a bien été ajouté.`).waitFor();
  }
  const contested = await submitViaApi(applicant.page, { name: 'Disputée SARL', amountEuros: 15_000 });

  // The reviewer signs in from the home page and lands on the bank's queue.
  const { page } = await newPage(env.browser, origin);
  await signInAs(page, origin, { path: '/instruction', role: 'reviewer', name: `claire-${suffix}`, bank: BANK_A, landing: '/instruction' });
  await page.getByRole('heading', { level: 1, name: /File d'instruction/ }).waitFor();
  for (const r of [first, ...others, contested]) await page.getByRole('link', { name: r.reference }).waitFor();
  assert.equal(await page.getByRole('link', { name: "File d'instruction" }).getAttribute('aria-current'), 'page');
  await capture(page, '40-queue');

  // Filter by SIREN: the URL keeps it; back and forward keep the filters and the fields.
  await page.getByLabel('SIREN', { exact: true }).fill(siren);
  await page.getByRole('button', { name: 'Filtrer', exact: true }).click();
  await page.waitForURL(new RegExp(`siren=${siren}`));
  await page.getByText('1 demande correspond.').waitFor();
  assert.equal(await page.getByRole('link', { name: others[0].reference }).count(), 0);
  await page.goBack();
  await page.getByText('6 demandes correspondent.').waitFor();
  assert.equal(await page.getByLabel('SIREN', { exact: true }).inputValue(), '');
  await page.goForward();
  await page.getByText('1 demande correspond.').waitFor();
  assert.equal(await page.getByLabel('SIREN', { exact: true }).inputValue(), siren);
  // Search by company name (any case) and sort by amount, largest first: the URL keeps both.
  await page.getByLabel('SIREN', { exact: true }).fill('');
  await page.getByLabel('Entreprise', { exact: true }).fill('atelier');
  await page.getByLabel('Trier').selectOption('amount_desc');
  await page.getByRole('button', { name: 'Filtrer', exact: true }).click();
  await page.waitForURL(/name=atelier.*sort=amount_desc|sort=amount_desc.*name=atelier/);
  await page.getByText('4 demandes correspondent.').waitFor();
  const companies = await page.getByRole('table').getByRole('row').evaluateAll((rows) => rows.slice(1).map((r) => r.cells[2].textContent));
  assert.deepEqual(companies, ['Atelier 4', 'Atelier 3', 'Atelier 2', 'Atelier 1']);
  await page.getByRole('table', { name: /les montants les plus élevés d'abord/ }).waitFor();
  await page.goBack();
  await page.getByText('1 demande correspond.').waitFor();
  // A shared link opens on the same filters.
  const shared = await newPage(env.browser, origin);
  await signInAs(shared.page, origin, { path: `/instruction?siren=${siren}&status=submitted`, role: 'reviewer', name: `paul-${suffix}`, bank: BANK_A, landing: /\/instruction\?/ });
  await shared.page.getByText('1 demande correspond.').waitFor();
  assert.equal(await shared.page.getByLabel('Statut').inputValue(), 'submitted');
  await shared.context.close();

  // The export carries the filters: only the filtered request is in the file.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter les demandes filtrées (CSV)' }).click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^demandes-${siren}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.includes(first.reference), 'the filtered request is exported');
  assert.ok(!csv.includes(others[0].reference), 'requests outside the filters are not exported');

  // The request: its documents previewed in the page, never run.
  await page.getByRole('link', { name: first.reference }).click();
  await page.waitForURL(`${origin}/instruction/${first.id}`);
  await page.getByRole('heading', { level: 1, name: /Demande de prêt garanti/ }).waitFor();
  await page.getByRole('button', { name: 'Afficher kbis.pdf' }).click();
  const pdfPage = page.getByRole('img', { name: 'kbis.pdf, page 1 sur 1' });
  await pdfPage.waitFor();
  const drawn = await pdfPage.evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    return { width: canvas.width, height: canvas.height, white: data[0] === 255 && data[1] === 255 && data[2] === 255 };
  });
  assert.ok(drawn.width > 200 && drawn.height > drawn.width, `an A4 page is drawn (${drawn.width}×${drawn.height})`);
  assert.ok(drawn.white, 'the page is painted');
  await capture(page, '41-review-pdf-preview');
  await page.getByRole('button', { name: 'Afficher logo.png' }).click();
  const image = page.getByRole('img', { name: 'Aperçu du document logo.png' });
  await image.waitFor();
  await page.waitForFunction(() => document.querySelector('img.preview__image')?.naturalWidth === 240);
  assert.match(await image.getAttribute('src'), /^blob:/);
  await capture(page, '42-review-png-preview');

  // Take it in review.
  await page.getByRole('button', { name: 'Prendre en charge' }).click();
  await page.getByText('Demande prise en charge.').waitFor();
  await page.getByRole('region', { name: 'Décision' }).getByText('En examen').waitFor();

  // Reject another one: the dialog will not go without a reason.
  await page.goto(`${origin}/instruction/${others[0].id}`);
  await page.getByRole('button', { name: 'Refuser la demande…' }).click();
  const dialog = page.getByRole('dialog', { name: `Refuser la demande ${others[0].reference}` });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Refuser la demande' }).click();
  await dialog.getByText('Indiquez le motif du refus.').waitFor();
  assert.equal(await dialog.getByLabel('Motif du refus').getAttribute('aria-invalid'), 'true');
  assert.equal(await dialog.isVisible(), true);
  await capture(page, '43-reject-dialog-error');
  await dialog.getByLabel('Motif du refus').fill('Le chiffre d’affaires déclaré ne correspond pas aux comptes déposés.');
  await dialog.getByRole('button', { name: 'Refuser la demande' }).click();
  await page.getByText('Refus enregistré ; le demandeur en est informé.').waitFor();
  assert.equal(await dialog.isVisible(), false);
  assert.equal((await apiAs(page, `/api/v1/loan-requests/${others[0].id}`)).body.status, 'rejected');

  // Two reviewers on one request: the second decision, taken on a stale page, is refused;
  // the page reloads and says what changed.
  const other = await newPage(env.browser, origin);
  await signInAs(other.page, origin, { path: '/instruction', role: 'reviewer', name: `marc-${suffix}`, bank: BANK_A, landing: '/instruction' });
  await page.goto(`${origin}/instruction/${contested.id}`);
  await page.getByRole('button', { name: 'Prendre en charge' }).waitFor();
  const taken = await apiAs(other.page, `/api/v1/loan-requests/${contested.id}/review`, { method: 'POST', headers: { 'if-match': '"1"' } });
  assert.equal(taken.status, 200);
  await page.getByRole('button', { name: 'Prendre en charge' }).click();
  const changed = page.getByRole('alert').filter({ hasText: 'La demande a changé entre-temps' });
  await changed.waitFor();
  assert.match(await changed.innerText(), /Son statut est passé de « Envoyée » à « En examen »/);
  await page.getByRole('region', { name: 'Décision' }).getByRole('button', { name: 'Donner un accord de principe' }).waitFor();
  await capture(page, '46-review-stale-decision');

  // Three at once: take them in review (bulk), then pre-approve them while another
  // reviewer of the bank pre-approves one of them first.
  const trio = others.slice(1);
  await page.goto(`${origin}/instruction?status=submitted`);
  for (const r of trio) await page.getByRole('checkbox', { name: `Sélectionner ${r.reference}` }).check();
  const bar = page.getByRole('region', { name: 'Actions sur la sélection' });
  await bar.getByText('3 demandes sélectionnées').waitFor();
  assert.deepEqual(await bar.getByRole('button').allInnerTexts(), ['Prendre en charge', 'Refuser…', 'Tout désélectionner']);
  await bar.getByRole('button', { name: 'Prendre en charge' }).click();
  await page.getByText('3 demandes traitées — réussies : 3, non faites : 0.').waitFor();

  await page.goto(`${origin}/instruction?status=in_review`);
  for (const r of trio) await page.getByRole('checkbox', { name: `Sélectionner ${r.reference}` }).check();
  assert.deepEqual(await bar.getByRole('button').allInnerTexts(), ['Donner un accord de principe', 'Refuser…', 'Tout désélectionner']);
  await capture(page, '44-queue-bulk-bar');
  const meanwhile = await apiAs(other.page, `/api/v1/loan-requests/${trio[2].id}/decision`, {
    method: 'POST',
    headers: { 'if-match': '"2"' },
    body: { decision: 'pre_approve' },
  });
  assert.equal(meanwhile.status, 200, JSON.stringify(meanwhile.body));
  await other.context.close();

  // Nothing is sent before the confirmation, which says to how many and for what amount.
  await bar.getByRole('button', { name: 'Donner un accord de principe' }).click();
  const confirmBulk = page.getByRole('dialog', { name: 'Donner un accord de principe à 3 demandes ?' });
  await confirmBulk.waitFor();
  const trioRequested = trio.reduce((sum, r) => sum + r.requested_amount_cents, 0);
  const trioGuaranteed = trio.reduce((sum, r) => sum + r.terms.guaranteed_cents, 0);
  assert.equal(trioRequested, 6_600_000);
  const bulkText = await plainText(confirmBulk);
  assert.match(bulkText, /Demandes concernées\s*3 demandes/);
  assert.match(bulkText, new RegExp(`Montant total des prêts\\s*${euros(trioRequested)}`));
  assert.match(bulkText, new RegExp(`Garantie de l'État prévue\\s*${euros(trioGuaranteed)}`));
  assert.match(bulkText, /chaque demandeur en est informé par e-mail/);
  assert.equal(await focusedText(page), 'Annuler', 'focus starts on Cancel');
  await capture(page, '47-bulk-confirm');
  assert.equal((await apiAs(page, `/api/v1/loan-requests/${trio[0].id}`)).body.status, 'in_review', 'nothing sent before the confirmation');
  await confirmBulk.getByRole('button', { name: "Confirmer l'accord de principe sur les 3 demandes" }).click();
  const report = page.getByRole('status').filter({ hasText: '3 demandes traitées' });
  await report.getByText('3 demandes traitées — réussies : 2, non faites : 1.').waitFor();
  const line = (r) => report.getByRole('listitem').filter({ hasText: r.reference });
  for (const r of trio.slice(0, 2)) assert.match(await line(r).innerText(), /Fait\s+statut : Accord de principe/);
  assert.match(await line(trio[2]).innerText(), /Non fait\s+elle a changé depuis que vous avez chargé la page/);
  await capture(page, '45-bulk-report');

  // Grant one: its applicant obtains the guarantee identifier and hands it over; the
  // grant, final, is confirmed first, with the identifier typed; Escape cancels and
  // nothing is sent.
  const obtained = await apiAs(applicant.page, `/api/v1/loan-requests/${trio[0].id}/guarantee`, { method: 'POST' });
  assert.equal(obtained.status, 201, JSON.stringify(obtained.body));
  const identifier = obtained.body.identifier;
  await page.goto(`${origin}/instruction/${trio[0].id}`);
  const decision = page.getByRole('region', { name: 'Décision' });
  await decision.getByText(/L'entreprise a obtenu l'identifiant de garantie le/).waitFor();
  const grant = decision.getByRole('button', { name: 'Marquer le prêt accordé' });
  await grant.click();
  const confirmGrant = page.getByRole('dialog', { name: `Marquer le prêt de la demande ${trio[0].reference} comme accordé ?` });
  await confirmGrant.waitFor();
  const grantText = await plainText(confirmGrant);
  assert.match(grantText, /Demandes concernées\s*1 demande/);
  assert.match(grantText, new RegExp(`Montant total des prêts\\s*${euros(trio[0].requested_amount_cents)}`));
  assert.match(grantText, new RegExp(`Garantie de l'État engagée\\s*${euros(trio[0].terms.guaranteed_cents)}`));
  assert.match(grantText, /Cette décision est définitive : elle ne pourra pas être annulée/);
  const identifierField = confirmGrant.getByLabel("Identifiant de garantie transmis par l'entreprise");
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-guarantee_identifier', 'focus starts on the identifier (an empty one confirms nothing)');
  await capture(page, '48-grant-confirm');
  await page.keyboard.press('Escape');
  await confirmGrant.waitFor({ state: 'hidden' });
  assert.equal(await focusedText(page), 'Marquer le prêt accordé', 'focus returns to the button that opened it');
  assert.equal((await apiAs(page, `/api/v1/loan-requests/${trio[0].id}`)).body.status, 'pre_approved', 'Escape sent nothing');
  await grant.click();
  await identifierField.fill(identifier.toLowerCase().replaceAll('-', ' '));
  await confirmGrant.getByRole('button', { name: 'Confirmer : le prêt est accordé' }).click();
  await page.getByText('Prêt marqué comme accordé.').waitFor();
  await decision.getByText('Cette demande est close').waitFor();
  await decision.getByText(/Le prêt a été accordé sur l'identifiant de garantie le/).waitFor();
  assert.equal((await apiAs(page, `/api/v1/loan-requests/${trio[0].id}`)).body.status, 'granted');
  assertHealthy(page);
  await applicant.context.close();
});
