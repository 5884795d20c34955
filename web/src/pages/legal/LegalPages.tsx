// The pages a French public service must have, linked from every page's footer:
// accessibility statement (RGAA), legal notice, personal data, help and contact. Their
// text is written per language (legal/fr.tsx, legal/en.tsx); what only the operator knows comes
// from legal/operator.ts. One lazy chunk for the four.
import { useTranslation } from 'react-i18next';
import { en } from '../../legal/en';
import { fr } from '../../legal/fr';
import { LegalPage } from '../../legal/parts';
import type { LegalTexts } from '../../legal/texts';

function LegalRoute({ page, title }: { page: keyof LegalTexts; title: string }) {
  const { t, i18n } = useTranslation();
  const Body = (i18n.language === 'en' ? en : fr)[page];
  return (
    <LegalPage title={t(title)}>
      <Body />
    </LegalPage>
  );
}

export const AccessibilityPage = () => <LegalRoute page="Accessibility" title="legal.accessibility" />;
export const LegalNoticePage = () => <LegalRoute page="LegalNotice" title="legal.legalNotice" />;
export const PersonalDataPage = () => <LegalRoute page="PersonalData" title="legal.personalData" />;
export const HelpPage = () => <LegalRoute page="Help" title="legal.help" />;
