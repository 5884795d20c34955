// Answers survive a closed tab and a new device: an applicant answers the company step,
// leaves; in a new browser (no storage in common), signed in as the same person, the
// answers are there, kept by the server; once the request is sent, the server forgets
// the draft.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerAmount, answerBank, answerCompany, answerContact, answerFigures, send } from './flow.mjs';
import { apiAs, assertHealthy, capture, COMPANY, newPage, serverAndBrowser, signInAsApplicant } from './helpers.mjs';

const env = serverAndBrowser();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a draft is resumed in a new browser context, and forgotten once sent', async () => {
  const { origin } = env.server;
  const name = `nina-${Date.now()}`;
  const first = await newPage(env.browser, origin);
  await first.page.goto(`${origin}/demande/entreprise`);
  await signInAsApplicant(first.page, name);
  await first.page.waitForURL(`${origin}/demande/entreprise`);
  await answerCompany(first.page);
  await first.page.waitForURL(/\/demande\/chiffres/);
  // Saved a second after typing stops (bounded wait on the server's copy).
  let saved;
  for (let i = 0; i < 50; i++) {
    saved = await apiAs(first.page, '/api/v1/draft');
    if (saved.status === 200 && saved.body.answers?.company?.legal_name === COMPANY.legalName) break;
    await sleep(200);
  }
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  assert.equal(saved.body.answers.company.legal_name, COMPANY.legalName);
  await first.context.close();

  // Another browser: nothing in common but the account.
  const second = await newPage(env.browser, origin);
  await second.page.goto(`${origin}/demande/entreprise`);
  await signInAsApplicant(second.page, name);
  await second.page.waitForURL(`${origin}/demande/entreprise`);
  await second.page.getByLabel('Raison sociale').waitFor();
  for (let i = 0; i < 50 && (await second.page.getByLabel('Raison sociale').inputValue()) !== COMPANY.legalName; i++) await sleep(100);
  assert.equal(await second.page.getByLabel('Raison sociale').inputValue(), COMPANY.legalName);
  assert.equal((await second.page.getByLabel('Numéro SIREN').inputValue()).replace(/\s/g, ''), COMPANY.siren.replace(/\s/g, ''));
  await capture(second.page, '70-draft-resumed');

  // Finished and sent from the second browser: the server's copy is gone.
  await second.page.getByRole('button', { name: 'Continuer' }).click();
  await answerFigures(second.page);
  await answerAmount(second.page);
  await answerBank(second.page);
  await answerContact(second.page);
  await second.page.waitForURL(/\/demande\/verification/);
  const { reference } = await send(second.page);
  assert.match(reference, /^PGE-/);
  let gone;
  for (let i = 0; i < 50; i++) {
    gone = await apiAs(second.page, '/api/v1/draft');
    if (gone.status === 404) break;
    await sleep(100);
  }
  assert.equal(gone.status, 404, 'deleted once the request is sent');
  assertHealthy(second.page);
  await second.context.close();
});
