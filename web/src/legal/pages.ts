// The pages a public service must have: their paths and the i18n keys of their titles
// (the footer links them all; a legal page links the others it mentions).
export const LEGAL_PAGES = [
  { to: '/accessibilite', title: 'legal.accessibility' },
  { to: '/mentions-legales', title: 'legal.legalNotice' },
  { to: '/donnees-personnelles', title: 'legal.personalData' },
  { to: '/aide', title: 'legal.help' },
] as const;

export type LegalPath = (typeof LEGAL_PAGES)[number]['to'];
