// The same journey with the keyboard only: Tab (and Shift+Tab) to move, Enter and Space
// to act, typing into fields. No click, no mouse. One exception, imposed by HTML itself:
// inside a native radio group the choice moves with the arrow keys (Tab enters and
// leaves the group, Space checks the focused radio), so "Non" is reached with ArrowRight.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { appRendered, artifacts, assertHealthy, COMPANY, makePdf, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

/** What has the focus: its tag, type, name, value, accessible text. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const label = el?.labels?.[0]?.textContent ?? '';
    return { tag: el?.tagName.toLowerCase(), type: el?.getAttribute('type') ?? '', name: el?.getAttribute('name') ?? '', value: el?.value ?? '', text: `${label} ${el?.textContent ?? ''}`.trim() };
  });

/** Presses Tab (or Shift+Tab) until the focused element matches; fails after 60 presses. */
async function tabTo(page, match, { back = false, what = String(match) } = {}) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (match(f)) return f;
  }
  assert.fail(`could not reach ${what} with ${back ? 'Shift+Tab' : 'Tab'}`);
}
const named = (name) => (f) => f.name === name;
const texted = (re) => (f) => re.test(f.text);

async function typeInto(page, name, text) {
  await tabTo(page, named(name), { what: name });
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** A yes/no question: Tab into the group (on "Oui"), ArrowRight to "Non", which checks it. */
async function answerNo(page, name) {
  const f = await tabTo(page, named(name), { what: name });
  assert.equal(f.value, 'yes');
  await page.keyboard.press('ArrowRight');
  assert.equal((await focused(page)).value, 'no');
  assert.equal(await page.locator(`input[name="${name}"][value="no"]`).isChecked(), true);
}

async function focusVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return el.matches(':focus-visible') && (s.outlineStyle !== 'none' || s.boxShadow !== 'none' || s.backgroundColor !== 'rgba(0, 0, 0, 0)');
  });
}

test('the whole journey works with Tab, Enter and Space only', async () => {
  const { page } = await newPage(env.browser, env.server.origin);
  const { origin } = env.server;
  await page.goto(`${origin}/`);
  await appRendered(page);

  // The skip link is the first stop and leads to the main content.
  const skip = await tabTo(page, () => true);
  assert.match(skip.text, /Aller au contenu/);
  assert.equal(await focusVisible(page), true);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

  await tabTo(page, texted(/^Faire une demande$/), { what: 'the call to action' });
  assert.equal(await focusVisible(page), true);
  await page.keyboard.press('Enter');

  // The dev provider's page, by keyboard as well.
  await page.waitForURL(/\/dev-oidc\/authorize/);
  await tabTo(page, (f) => f.name === 'role' && f.value === 'applicant', { what: 'the applicant role' });
  await page.keyboard.press('Space');
  await typeInto(page, 'name', `kim-${Date.now()}`);
  await page.keyboard.press('Enter');

  await page.waitForURL(`${origin}/demande`);
  // Focus moved to the new page's heading.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  await tabTo(page, texted(/^Commencer$/));
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/demande\/entreprise/);
  await typeInto(page, 'company.siren', COMPANY.siren);
  await typeInto(page, 'company.siret', COMPANY.siret);
  await typeInto(page, 'company.legal_name', COMPANY.legalName);
  await tabTo(page, named('company.legal_form'));
  await page.keyboard.type('SAS (');
  assert.equal(await page.locator('select[name="company.legal_form"]').inputValue(), 'SAS');
  await typeInto(page, 'company.creation_date', COMPANY.creationDate);
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/demande\/chiffres/);
  await typeInto(page, 'company.headcount', COMPANY.headcount);
  await typeInto(page, 'company.revenue', COMPANY.revenue);
  await answerNo(page, 'company.innovative');
  await answerNo(page, 'company.collective_proceedings');
  await tabTo(page, texted(/^Continuer$/));
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/demande\/montant/);
  await typeInto(page, 'requested_amount', '40000');
  await page.locator('.simulation').getByText('Votre entreprise est éligible').waitFor();
  await tabTo(page, texted(/^Continuer$/));
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/demande\/banque/);
  await tabTo(page, named('bank_id'));
  await page.keyboard.type('BNP');
  assert.equal(await page.locator('select[name="bank_id"]').inputValue(), '30004');
  await tabTo(page, texted(/^Continuer$/));
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/demande\/contact/);
  await typeInto(page, 'contact_email', 'kim@boulangerie.example');
  await page.keyboard.press('Enter');

  await page.waitForURL(/\/demande\/verification/);
  await tabTo(page, texted(/^Envoyer la demande$/));
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/demande\/confirmation/);
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();

  await tabTo(page, texted(/^Ajouter des justificatifs$/));
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/demandes\/[0-9a-f-]+$/);
  await page.getByRole('heading', { name: 'Justificatifs' }).waitFor();

  // A file picked and sent from the keyboard.
  const pdf = makePdf(join(artifacts, 'statuts.pdf'));
  // Waited for before tabbing: the first listener turns on Playwright's interception of
  // file choosers without waiting for the browser to confirm it, so a key pressed at
  // once could open (and lose) an unintercepted chooser on a busy machine.
  const chooserOpened = page.waitForEvent('filechooser');
  await tabTo(page, named('document'));
  await page.keyboard.press('Space');
  const chooser = await chooserOpened;
  await chooser.setFiles(pdf);
  await tabTo(page, texted(/^Envoyer le fichier$/));
  await page.keyboard.press('Enter');
  await page.getByText('statuts.pdf a bien été ajouté.').waitFor();

  // Withdraw, confirmed from the keyboard.
  await page.keyboard.press('Control+Home');
  await page.locator('h1').focus(); // start again from the top of the page (as a screen reader's heading jump would)
  await tabTo(page, texted(/^Retirer la demande$/));
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/retrait$/);
  await tabTo(page, texted(/^Oui, retirer la demande$/));
  await page.keyboard.press('Space');
  await page.waitForURL(/\?message=withdrawn$/);
  assert.equal(await page.locator('.status-line .ui-tag').innerText(), 'Retirée');

  // The language switch and sign-out are in the header, reachable too.
  await page.locator('h1').focus();
  await tabTo(page, texted(/^English$/), { back: true });
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Your loan request' }).waitFor();
  assertHealthy(page);
});
