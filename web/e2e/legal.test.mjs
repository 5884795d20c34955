// The pages a French public service must have, reached from every page's footer, in
// French and in English: the accessibility statement (RGAA: its status, what is not
// accessible, the contact, the recourse to the Défenseur des droits), the legal notice,
// personal data and help. Each passes axe at both widths; a value only the operator
// knows says it is to be completed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appRendered, capture, newPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();

const PAGES = [
  {
    path: '/accessibilite',
    fr: { link: 'Accessibilité : non conforme', title: "Déclaration d'accessibilité" },
    en: { link: 'Accessibility: not compliant', title: 'Accessibility statement' },
    says: {
      fr: ['est non conforme avec le référentiel général', 'Contenus non accessibles', 'Retour d\'information et contact', 'Voies de recours', 'Défenseur des droits', 'Libre réponse 71120'],
      en: ['is not compliant with the French accessibility', 'Non-accessible content', 'Feedback and contact', 'Remedies', 'Défenseur des droits'],
    },
  },
  {
    path: '/mentions-legales',
    fr: { link: 'Mentions légales', title: 'Mentions légales' },
    en: { link: 'Legal notice', title: 'Legal notice' },
    says: {
      fr: ['Éditeur', 'Directeur ou directrice de la publication', 'Hébergement', 'Amazon Web Services EMEA SARL', "[à compléter par l'exploitant]"],
      en: ['Publisher', 'Director of publication', 'Hosting', 'Amazon Web Services EMEA SARL', '[to be completed by the operator]'],
    },
  },
  {
    path: '/donnees-personnelles',
    fr: { link: 'Données personnelles', title: 'Données personnelles' },
    en: { link: 'Personal data', title: 'Personal data' },
    says: {
      fr: ['Pourquoi vos données sont traitées', 'Combien de temps', 'sauvegardes de la base de données : 35 jours', 'demande en préparation : 30 jours après sa dernière sauvegarde', 'Vos droits', 'délégué à la protection des données', 'CNIL'],
      en: ['Why your data is processed', 'How long', 'database backups: 35 days', 'a request being prepared: 30 days after it was last saved', 'Your rights', 'data protection officer', 'CNIL'],
    },
  },
  {
    path: '/aide',
    fr: { link: 'Aide et contact', title: 'Aide et contact' },
    en: { link: 'Help and contact', title: 'Help and contact' },
    says: {
      fr: ['Faire une demande', 'Suivre votre demande', 'Accord de principe', 'Qui contacter', 'votre banque, qui seule décide'],
      en: ['Making a request', 'Following your request', 'Pre-approved', 'Whom to contact', 'your bank, which alone decides'],
    },
  },
];

test('the accessibility statement, legal notice, personal data and help pages, from the footer, in French and English', async () => {
  const { origin } = env.server;
  const { page } = await newPage(env.browser, origin);
  await page.goto(`${origin}/`);
  await appRendered(page);

  for (const lang of ['fr', 'en']) {
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    const footer = page.getByRole('navigation', { name: lang === 'fr' ? 'Informations sur le service' : 'About the service' });
    for (const p of PAGES) {
      await footer.getByRole('link', { name: p[lang].link, exact: true }).click();
      await page.waitForURL(`${origin}${p.path}`);
      const heading = page.getByRole('heading', { level: 1, name: p[lang].title });
      await heading.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the new page heading');
      assert.match(await page.title(), new RegExp(`^${p[lang].title} – `));
      const text = await page.locator('main').innerText();
      for (const words of p.says[lang]) assert.ok(text.includes(words), `${p.path} (${lang}) says "${words}"`);
      await capture(page, `60-legal${p.path.replace('/', '-')}-${lang}`);
    }
  }

  // Each is an address of its own (a shared link, a reload), and the footer is on every page.
  for (const p of PAGES) {
    await page.goto(`${origin}${p.path}`);
    await page.getByRole('heading', { level: 1, name: p.en.title }).waitFor();
  }
  await page.goto(`${origin}/nulle-part`);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  const footerLinks = await page.getByRole('navigation', { name: 'About the service' }).getByRole('link').allInnerTexts();
  for (const p of PAGES) assert.ok(footerLinks.includes(p.en.link), `the not-found page's footer links "${p.en.link}"`);
});
