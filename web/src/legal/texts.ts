import type { ComponentType } from 'react';

/** The body of each legal page, in one language (its title is in the i18n files). */
export interface LegalTexts {
  Accessibility: ComponentType;
  LegalNotice: ComponentType;
  PersonalData: ComponentType;
  Help: ComponentType;
}
