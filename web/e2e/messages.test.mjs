// The bank and the applicant write to each other about one request: the reviewer asks,
// the applicant sees an unread count in their list, reads and answers (the unread count
// goes), the reviewer sees the answer (and its unread count in the queue).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BANK_A, signInAs, submitViaApi } from './backoffice.mjs';
import { apiAs, assertHealthy, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

test('a message round trip between the bank and the applicant', async () => {
  const { origin } = env.server;
  const suffix = Date.now();
  const applicant = await newPage(env.browser, origin);
  await signInAs(applicant.page, origin, { role: 'applicant', name: `lea-${suffix}`, landing: '/demandes' });
  const request = await submitViaApi(applicant.page, { name: 'Menuiserie Lea' });

  const reviewer = await newPage(env.browser, origin);
  await signInAs(reviewer.page, origin, { path: '/instruction', role: 'reviewer', name: `hugo-${suffix}`, bank: BANK_A, landing: '/instruction' });
  await reviewer.page.goto(`${origin}/instruction/${request.id}`);
  const thread = reviewer.page.getByRole('region', { name: 'Messages' });
  await thread.getByText('Aucun message pour l\'instant.').waitFor();
  // An empty message is refused on its field, before anything is sent.
  await thread.getByRole('button', { name: 'Envoyer le message' }).click();
  await thread.getByText('Écrivez votre message.').waitFor();
  assert.equal(await thread.getByLabel('Votre message').getAttribute('aria-invalid'), 'true');
  const question = 'Bonjour, pourriez-vous joindre votre bilan 2025 ?\nMerci.';
  await thread.getByLabel('Votre message').fill(question);
  await thread.getByRole('button', { name: 'Envoyer le message' }).click();
  await thread.getByText('Message envoyé.').waitFor();
  await thread.getByRole('list', { name: /Messages échangés/ }).getByText('Bonjour, pourriez-vous joindre votre bilan 2025 ?').waitFor();
  await capture(reviewer.page, '50-review-messages');

  // The applicant's list says a message came; the request page shows it, read.
  await applicant.page.goto(`${origin}/demandes`);
  const row = applicant.page.getByRole('row').filter({ hasText: request.reference });
  await row.getByText('1 nouveau message').waitFor();
  await capture(applicant.page, '51-list-unread');
  await row.getByRole('link', { name: request.reference }).click();
  const mine = applicant.page.getByRole('region', { name: 'Messages' });
  const item = mine.getByRole('listitem').filter({ hasText: 'bilan 2025' });
  await item.waitFor();
  assert.match(await item.innerText(), /La banque/);
  assert.match(await item.innerText(), /Merci\./);
  // They answer, and can attach the document asked for (the link leads to the file field).
  await mine.getByRole('link', { name: 'Ajouter le justificatif demandé' }).waitFor();
  await mine.getByLabel('Votre message').fill('Bonjour, je l’ajoute tout de suite.');
  await mine.getByRole('button', { name: 'Envoyer le message' }).click();
  await mine.getByText('Message envoyé.').waitFor();
  await capture(applicant.page, '52-request-messages');
  await applicant.page.goto(`${origin}/demandes`);
  await applicant.page.getByRole('row').filter({ hasText: request.reference }).getByText('—').waitFor();
  assert.equal((await apiAs(applicant.page, `/api/v1/loan-requests/${request.id}`)).body.unread_messages, 0);

  // The reviewer's queue counts the answer as unread; opening the request shows it.
  await reviewer.page.goto(`${origin}/instruction`);
  await reviewer.page.getByRole('row').filter({ hasText: request.reference }).getByText('1 non lu').waitFor();
  await reviewer.page.getByRole('link', { name: request.reference }).click();
  const answer = reviewer.page.getByRole('region', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'je l’ajoute tout de suite' });
  await answer.waitFor();
  assert.match(await answer.innerText(), /Le demandeur/);
  assertHealthy(reviewer.page);
  assertHealthy(applicant.page);
  await applicant.context.close();
  await reviewer.context.close();
});
