// The queue and the reject dialog with the keyboard only: Tab / Shift+Tab to move, typing,
// Enter and Space to act, Escape to close. No click.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BANK_A, randomSiren, signInAs, submitViaApi } from './backoffice.mjs';
import { assertHealthy, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const label = el?.labels?.[0]?.textContent ?? el?.getAttribute('aria-label') ?? '';
    return { tag: el?.tagName.toLowerCase(), name: el?.getAttribute('name') ?? '', text: `${label} ${el?.textContent ?? ''}`.trim(), inDialog: !!el?.closest('dialog[open]') };
  });

async function tabTo(page, match, { back = false, what = String(match) } = {}) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (match(f)) return f;
  }
  assert.fail(`could not reach ${what} with ${back ? 'Shift+Tab' : 'Tab'}`);
}
const texted = (re) => (f) => re.test(f.text);

test('filter, select and reject from the queue with the keyboard only', async () => {
  const { origin } = env.server;
  const suffix = Date.now();
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `kb-${suffix}`, landing: '/demandes' });
  const siren = randomSiren();
  const mine = [await submitViaApi(applicant.page, { siren, name: 'Clavier SA' }), await submitViaApi(applicant.page, { siren, name: 'Clavier SA', amountEuros: 10_000 })];
  await submitViaApi(applicant.page, { name: 'Souris SARL' });

  const { page } = await newPage(env.browser, origin);
  await signInAs(page, origin, { path: '/instruction', role: 'reviewer', name: `kb-rev-${suffix}`, bank: BANK_A, landing: '/instruction' });
  await page.getByRole('heading', { level: 1, name: "File d'instruction" }).waitFor();

  // Filter by SIREN: type it, Enter submits.
  await tabTo(page, (f) => f.name === 'filter.siren', { what: 'the SIREN filter' });
  await page.keyboard.type(siren);
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`siren=${siren}`));
  await page.getByText('2 demandes correspondent.').waitFor();

  // Select all on this page with Space: the bar appears with the actions valid for both.
  await tabTo(page, texted(/Sélectionner toutes les demandes de cette page/), { what: 'select all' });
  await page.keyboard.press('Space');
  const bar = page.getByRole('region', { name: 'Actions sur la sélection' });
  await bar.getByText('2 demandes sélectionnées').waitFor();
  // Untick one, tick it again, all by keyboard.
  await tabTo(page, (f) => f.text.includes(`Sélectionner ${mine[1].reference}`), { what: `the box of ${mine[1].reference}` });
  await page.keyboard.press('Space');
  await bar.getByText('1 demande sélectionnée').waitFor();
  await page.keyboard.press('Space');
  await bar.getByText('2 demandes sélectionnées').waitFor();

  // The reject dialog: focus goes in, stays in, refuses without a reason, Escape closes it.
  await tabTo(page, texted(/^Refuser…$/), { what: 'Refuser…' });
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Refuser 2 demandes' });
  await dialog.waitFor();
  assert.equal((await focused(page)).name, 'reason', 'focus starts on the reason');
  // The page behind is inert: Tab cycles through the dialog (and the browser's own
  // toolbar, where the document has no focus), never to the page.
  let inside = 0;
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.ok(f.inDialog || f.tag === 'body', `focus stays in the dialog (was on ${f.tag} "${f.text}")`);
    if (f.inDialog) inside++;
  }
  assert.ok(inside >= 6, 'Tab comes back into the dialog');
  await tabTo(page, texted(/^Refuser les 2 demandes$/));
  await page.keyboard.press('Enter');
  await dialog.getByText('Indiquez le motif du refus.').waitFor();
  assert.equal((await focused(page)).name, 'reason', 'focus back on the reason');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.match((await focused(page)).text, /^Refuser…$/, 'focus returns to the button that opened it');

  // Again, with a reason: both are rejected, the report says so.
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.type('Entreprise hors du périmètre de la banque.');
  await tabTo(page, texted(/^Refuser les 2 demandes$/));
  await page.keyboard.press('Enter');
  await page.getByText('2 demandes traitées — réussies : 2, non faites : 0.').waitFor();
  assertHealthy(page);
  await applicant.context.close();
});
