// The language shown decides how amounts are read and how errors are said: an English
// user types "1,250,000" and "50,000.50" (commas between thousands) in the simulator
// and through a whole request, switches to French and back without losing a cent, and
// the request reaches the API with those cents; a French reader of "12,500" is asked to
// retype it. A failed page chunk is said in the user's language (never the router's
// English default), and a page whose code is slow to come shows "Chargement…". Nothing of
// the API is stood in for: Paris dates, the error boundary of a page that crashes and the
// wording of every API refusal are unit-tested (lib/dates.test.ts, app/RouteStatus,
// i18n/problems.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerSignIn } from './backoffice.mjs';
import { COMPANY, apiAs, appRendered, assertHealthy, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('English amounts typed with commas, kept through language switches, sent as the same cents', async () => {
  const { origin } = env.server;
  const { page } = await newPage(env.browser, origin);
  await page.goto(`${origin}/`);
  await appRendered(page);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'State-guaranteed business loan' }).waitFor();

  // The simulator reads "1,250,000" as one million two hundred and fifty thousand.
  await page.getByLabel('Legal form').selectOption('SAS');
  await page.getByLabel('Date of creation').fill(COMPANY.creationDate);
  await page.getByLabel('Number of employees').fill('12');
  await page.getByLabel('2019 revenue').fill('1,250,000');
  await page.getByLabel('Amount requested').fill('12,500.50');
  await page.getByLabel('Amount requested').blur();
  await page.getByText('You can borrow up to €312,500.').waitFor();
  for (const label of ['2019 revenue', 'Amount requested']) assert.notEqual(await page.getByLabel(label).getAttribute('aria-invalid'), 'true', label);
  await capture(page, '70-simulator-english-commas');

  // In French the same amounts, written the French way; "12,500" is not read as 12 500.
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByText("Vous pouvez emprunter jusqu'à 312 500 €.").or(page.getByText("Vous pouvez emprunter jusqu'à 312\u202f500 €.")).waitFor();
  assert.equal(await page.getByLabel("Chiffre d'affaires 2019").inputValue(), '1250000');
  assert.equal(await page.getByLabel('Montant demandé').inputValue(), '12500,50');
  await page.getByLabel('Montant demandé').fill('12,500');
  await page.getByLabel('Montant demandé').blur();
  await page.getByText('Saisissez un montant en euros, par exemple 50 000 ou 50 000,50.').waitFor();
  await page.getByLabel('Montant demandé').fill('');

  // A whole request in English: signed in, amounts with commas, checked, sent.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('link', { name: 'Apply for a loan' }).first().click();
  await answerSignIn(page, origin, { role: 'applicant', name: `emma-${Date.now()}`, landing: '/demande' });
  await page.goto(`${origin}/demande/entreprise`);
  await page.getByLabel('SIREN number').fill(COMPANY.siren);
  await page.getByLabel('Company name').fill(COMPANY.legalName);
  await page.getByLabel('Legal form').selectOption('SAS');
  await page.getByLabel('Date of creation').fill(COMPANY.creationDate);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/demande\/chiffres/);
  assert.equal(await page.getByLabel('2019 revenue').inputValue(), '1250000', 'the simulator’s answer, kept in the draft');
  await page.getByLabel('2019 revenue').fill('1,000,000');
  await page.getByLabel('Annual payroll in France (optional)').fill('400,000.75');
  await page.getByRole('group', { name: /innovative/ }).getByLabel('No').check();
  await page.getByRole('group', { name: /insolvency/ }).getByLabel('No').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/demande\/montant/);
  await page.getByLabel('Amount requested').fill('50,000.50');
  await capture(page, '71-amount-english-commas');
  // Switched to French on this step: the field is rewritten, and so is the draft.
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByLabel('Montant demandé').waitFor();
  assert.equal(await page.getByLabel('Montant demandé').inputValue(), '50000,50');
  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.getByLabel('Amount requested').inputValue(), '50000.50');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/demande\/banque/);
  await page.getByLabel('Bank').selectOption({ label: 'BNP Paribas' });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/demande\/contact/);
  await page.getByLabel('Email address').fill('emma@boulangerie.example');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/demande\/verification/);
  const answers = plain(await page.locator('main').innerText());
  for (const shown of ['€1,000,000', '€400,000.75', '€50,000.50']) assert.ok(answers.includes(shown), `check your answers shows ${shown}`);
  // On the French check page (no form on screen: the draft itself is rewritten).
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { level: 1, name: 'Vérifiez vos réponses' }).waitFor();
  const enFrancais = plain(await page.locator('main').innerText());
  for (const shown of ['1 000 000 €', '400 000,75 €', '50 000,50 €']) assert.ok(enFrancais.includes(shown), `la vérification montre ${shown}`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: 'Send the request' }).click();
  await page.waitForURL(/\/demande\/confirmation\?id=/);
  const id = new URL(page.url()).searchParams.get('id');
  const sent = await apiAs(page, `/api/v1/loan-requests/${id}`);
  assert.equal(sent.status, 200);
  assert.equal(sent.body.requested_amount_cents, 5_000_050);
  assert.equal(sent.body.company.revenue_cents, 100_000_000);
  assert.equal(sent.body.company.payroll_cents, 40_000_075);
  assertHealthy(page);
});

test('pending views and failed page code in the user’s language', async () => {
  const { origin } = env.server;
  const { page } = await newPage(env.browser, origin);
  await page.goto(`${origin}/demandes`);
  await answerSignIn(page, origin, { role: 'applicant', name: `louis-${Date.now()}`, landing: '/demandes' });
  await page.getByRole('heading', { level: 1, name: 'Mes demandes' }).waitFor();

  // A page whose code is slow to come: "Chargement…" meanwhile (none before the click).
  const loading = page.getByRole('main').getByRole('status').filter({ hasText: 'Chargement…' });
  await loading.waitFor({ state: 'detached' });
  await page.route('**/assets/LegalPages-*.js', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.getByRole('link', { name: 'Aide et contact' }).click();
  await loading.waitFor();
  await page.getByRole('heading', { level: 1, name: 'Aide et contact' }).waitFor();
  await page.unroute('**/assets/LegalPages-*.js');

  // A page whose code cannot be downloaded (the network, or a new version published):
  // after the router's one reload, the page says so in French and offers to reload.
  const fresh = await newPage(env.browser, origin);
  await fresh.page.goto(`${origin}/`);
  await appRendered(fresh.page);
  await fresh.page.route('**/assets/LegalPages-*.js', (route) => route.abort());
  await fresh.page.getByRole('link', { name: 'Mentions légales' }).click();
  await fresh.page.getByRole('heading', { level: 1, name: "Cette page n'a pas pu être chargée" }).waitFor();
  assert.equal(await fresh.page.getByText('Something went wrong').count(), 0);
  await capture(fresh.page, '73-chunk-error');
  await fresh.page.unroute('**/assets/LegalPages-*.js');
  await fresh.page.getByRole('button', { name: 'Recharger la page' }).click();
  await fresh.page.getByRole('heading', { level: 1, name: 'Mentions légales' }).waitFor();
  assertHealthy(fresh.page);
  assertHealthy(page);
});
