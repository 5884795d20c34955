// The request's steps, answered with the mouse (shared by the journey and isolation tests).
import assert from 'node:assert/strict';
import { COMPANY } from './helpers.mjs';

export async function answerCompany(page, c = COMPANY) {
  await page.getByLabel('Numéro SIREN').fill(c.siren);
  await page.getByLabel('Numéro SIRET du siège (facultatif)').fill(c.siret);
  await page.getByLabel('Raison sociale').fill(c.legalName);
  await page.getByLabel('Forme juridique').selectOption('SAS');
  await page.getByLabel('Date de création').fill(c.creationDate);
  await page.getByRole('button', { name: 'Continuer' }).click();
}

export async function answerFigures(page, c = COMPANY) {
  await page.waitForURL(/\/demande\/chiffres/);
  await page.getByLabel('Effectif salarié').fill(c.headcount);
  await page.getByLabel("Chiffre d'affaires 2019").fill(c.revenue);
  await page.getByLabel('Masse salariale annuelle en France (facultatif)').fill(c.payroll);
  await page.getByRole('group', { name: /innovante/ }).getByLabel('Non').check();
  await page.getByRole('group', { name: /procédure collective/ }).getByLabel('Non').check();
  await page.getByRole('button', { name: 'Continuer' }).click();
}

export async function answerAmount(page, amount = '50000') {
  await page.waitForURL(/\/demande\/montant/);
  await page.getByLabel('Montant demandé').fill(amount);
  await page.getByRole('button', { name: 'Continuer' }).click();
}

export async function answerBank(page, bank = 'BNP Paribas') {
  await page.waitForURL(/\/demande\/banque/);
  await page.getByLabel('Banque').selectOption({ label: bank });
  await page.getByRole('button', { name: 'Continuer' }).click();
}

export async function answerContact(page, email = 'gerant@boulangerie.example') {
  await page.waitForURL(/\/demande\/contact/);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByRole('button', { name: 'Continuer' }).click();
}

/** Sends the checked answers; returns the request's id and reference. */
export async function send(page) {
  await page.waitForURL(/\/demande\/verification/);
  await page.getByRole('button', { name: 'Envoyer la demande' }).click();
  await page.waitForURL(/\/demande\/confirmation\?id=/);
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  const id = new URL(page.url()).searchParams.get('id');
  const reference = (await page.locator('.reference .ui-visually-hidden').textContent()).replace(/[\s,]/g, '');
  // 10 Crockford base32 characters and a mod-37 check character (which may be *~$=U).
  assert.match(reference, /^PGE[0-9A-HJKMNP-TV-Z]{10}[0-9A-HJKMNP-TV-Z*~$=U]$/);
  return { id, reference: `PGE-${reference.slice(3)}` };
}

/** The whole flow from the start page, for a company not typed before. */
export async function submitRequest(page, origin, { amount = '50000', email } = {}) {
  await page.goto(`${origin}/demande/entreprise`);
  await answerCompany(page);
  await answerFigures(page);
  await answerAmount(page, amount);
  await answerBank(page);
  await answerContact(page, email);
  return send(page);
}
