// The platform admin's national list of requests, against the real binary: requests
// submitted to two banks are all listed (with their bank, no checkbox, no unread
// filter); filtered by one bank (the URL keeps it through a reload); searched by company
// name; exported as CSV (the file's rows checked: that bank's requests only); one request
// opened read-only (details, history, the thread between applicant and bank, no decision,
// no message form, no document list), then back to the list with its filters; the list
// in English.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BANK_A, BANK_B, signInAs, submitViaApi } from './backoffice.mjs';
import { apiAs, assertHealthy, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

/** The CSV export as records of its header's names (UTF-8 with a BOM, CRLF; none of these fields is quoted). */
function parseCsv(text) {
  const [header, ...lines] = text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])));
}

/** The references the table shows, in its order. */
const listedReferences = (page) => page.getByRole('table').locator('tbody th').allInnerTexts();

test('an admin lists every bank’s requests, filters by bank and name, exports them, reads one', async () => {
  const { origin } = env.server;
  const suffix = Date.now();

  // One applicant submits two requests to each of two banks.
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `lea-${suffix}`, landing: '/demandes' });
  const a1 = await submitViaApi(applicant.page, { bank: BANK_A, name: 'Cidrerie du Bocage', amountEuros: 60_000 });
  const a2 = await submitViaApi(applicant.page, { bank: BANK_A, name: 'Garage Central', amountEuros: 25_000 });
  const b1 = await submitViaApi(applicant.page, { bank: BANK_B, name: 'Cidrerie de la Rance', amountEuros: 40_000 });
  const b2 = await submitViaApi(applicant.page, { bank: BANK_B, name: 'Menuiserie Durand', amountEuros: 30_000 });
  const banks = Object.fromEntries((await apiAs(applicant.page, '/api/v1/banks')).body.map((b) => [b.id, b.name]));
  assert.ok(banks[BANK_A] && banks[BANK_B], 'both banks take part');

  // Bank B's reviewer takes b1 in review and asks a question; the applicant answers.
  const reviewer = await newPage(env.browser, origin);
  await signInAs(reviewer.page, origin, { path: '/instruction', role: 'reviewer', name: `rev-${suffix}`, bank: BANK_B, landing: '/instruction' });
  assert.equal((await apiAs(reviewer.page, `/api/v1/loan-requests/${b1.id}/review`, { method: 'POST', headers: { 'if-match': '"1"' } })).status, 200);
  const question = 'Pourriez-vous joindre le bilan 2025 ?';
  const answer = 'Le voici, déposé ce matin.';
  assert.equal((await apiAs(reviewer.page, `/api/v1/loan-requests/${b1.id}/messages`, { method: 'POST', body: { body: question } })).status, 201);
  assert.equal((await apiAs(applicant.page, `/api/v1/loan-requests/${b1.id}/messages`, { method: 'POST', body: { body: answer } })).status, 201);

  // The admin asks for the list and lands on it after signing in: every bank's requests.
  const { page } = await newPage(env.browser, origin);
  await signInAs(page, origin, { path: '/admin/demandes', role: 'admin', name: `admin-${suffix}`, landing: '/admin/demandes' });
  await page.getByRole('heading', { level: 1, name: 'Toutes les demandes' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Administration' });
  assert.equal(await nav.getByRole('link', { name: 'Demandes' }).getAttribute('aria-current'), 'page');
  await page.getByText('4 demandes correspondent.').waitFor();
  assert.deepEqual(await listedReferences(page), [b2, b1, a2, a1].map((r) => r.reference), 'the newest first');
  const table = page.getByRole('table', { name: "Demandes, les plus récentes d'abord" });
  for (const [r, bank] of [[a1, BANK_A], [b1, BANK_B]]) {
    const row = table.getByRole('row').filter({ hasText: r.reference });
    assert.equal(await row.getByRole('cell').filter({ hasText: banks[bank] }).count(), 1, `${r.reference} shows its bank`);
  }
  // Admins decide nothing and write no message: no selection, no unread filter.
  assert.equal(await table.getByRole('checkbox').count(), 0);
  assert.equal(await page.getByLabel('Seulement les demandes avec un message non lu').count(), 0);
  await capture(page, '80-admin-requests');

  // One bank's requests: the URL keeps the filter, a reload too.
  await page.getByLabel('Banque', { exact: true }).selectOption(BANK_B);
  await page.getByRole('button', { name: 'Filtrer', exact: true }).click();
  await page.waitForURL(new RegExp(`/admin/demandes\\?bank=${BANK_B}$`));
  await page.getByText('2 demandes correspondent.').waitFor();
  assert.deepEqual(await listedReferences(page), [b2.reference, b1.reference]);
  await page.reload();
  await page.getByText('2 demandes correspondent.').waitFor();
  assert.equal(await page.getByLabel('Banque', { exact: true }).inputValue(), BANK_B);
  // The heading names the bank.
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${banks[BANK_B]}\\s*Toutes les demandes$`) }).waitFor();

  // Its export: that bank's requests only, every one of them.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter les demandes filtrées (CSV)' }).click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^demandes-banque-${BANK_B}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(rows.map((r) => r.reference), [b2.reference, b1.reference]);
  assert.deepEqual(rows.map((r) => r.bank_id), [BANK_B, BANK_B]);
  assert.deepEqual(rows.map((r) => r.legal_name), ['Menuiserie Durand', 'Cidrerie de la Rance']);
  assert.deepEqual(rows.map((r) => r.status), ['submitted', 'in_review']);

  // A company name within that bank: both filters in the URL.
  await page.getByLabel('Entreprise', { exact: true }).fill('cidrerie');
  await page.getByRole('button', { name: 'Filtrer', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('bank') === BANK_B && url.searchParams.get('name') === 'cidrerie');
  await page.getByText('1 demande correspond.').waitFor();
  assert.deepEqual(await listedReferences(page), [b1.reference], "bank A's cider maker is not listed");
  await capture(page, '81-admin-requests-filtered');

  // The request, read-only.
  await page.getByRole('link', { name: b1.reference }).click();
  await page.waitForURL(`${origin}/admin/demandes/${b1.id}`);
  await page.getByRole('heading', { level: 1, name: 'Demande de prêt garanti' }).waitFor();
  await page.getByText('En examen', { exact: true }).first().waitFor();
  const details = page.getByRole('region', { name: 'Détails de la demande' });
  await details.getByText(banks[BANK_B], { exact: true }).waitFor();
  await details.getByText('Cidrerie de la Rance', { exact: true }).waitFor();
  const thread = page.getByRole('list', { name: "Messages échangés, les plus anciens d'abord" });
  await thread.getByText(answer).waitFor();
  const said = await thread.getByRole('listitem').allInnerTexts();
  assert.equal(said.length, 2);
  assert.match(said[0], /^La banque ·[\s\S]*Pourriez-vous joindre le bilan 2025 \?/);
  assert.match(said[1], /^Le demandeur ·[\s\S]*Le voici, déposé ce matin\./);
  const history = page.getByRole('region', { name: 'Historique' });
  await history.getByText('Prise en charge par la banque').waitFor();
  assert.match(await history.innerText(), /par la banque/);
  assert.match(await history.innerText(), /par le demandeur/);
  await page.getByText('Les justificatifs ne sont visibles que du demandeur et de sa banque.').waitFor();
  // No decision, no message form, no refused document list.
  const main = page.getByRole('main');
  assert.equal(await main.getByRole('button').count(), 0, 'no button on a read-only page');
  assert.equal(await main.getByRole('textbox').count(), 0, 'no message form');
  assert.deepEqual(await page.getByRole('alert').filter({ hasText: /\S/ }).allInnerTexts(), [], 'nothing refused');
  await capture(page, '82-admin-request');

  // Reading the thread marks nothing read for the bank.
  const queue = (await apiAs(reviewer.page, `/api/v1/loan-requests?reference=${b1.reference}`)).body;
  assert.equal(queue.items[0].unread_messages, 1, "the applicant's answer is still unread for the bank");

  // Back to the list, filters kept.
  await page.getByRole('link', { name: 'Toutes les demandes' }).click();
  await page.waitForURL((url) => url.pathname === '/admin/demandes' && url.searchParams.get('bank') === BANK_B && url.searchParams.get('name') === 'cidrerie');
  await page.getByText('1 demande correspond.').waitFor();

  // In English.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'All requests' }).waitFor();
  await page.getByText('1 request matches.').waitFor();
  assert.equal(await page.getByLabel('Bank', { exact: true }).inputValue(), BANK_B);
  await page.getByRole('table', { name: 'Requests, newest first' }).waitFor();
  await page.getByRole('button', { name: 'Export the filtered requests (CSV)' }).waitFor();
  await capture(page, '83-admin-requests-en');

  assertHealthy(page);
  await applicant.context.close();
  await reviewer.context.close();
});
