// Pieces of the legal pages: the page frame, a value only the operator knows (or the
// words saying it is to be completed), and a contact shown as a link.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, PageHeading, usePageTitle } from '../ui';
import type { Localized } from './operator';
import { LEGAL_PAGES, type LegalPath } from './pages';
import { STATUSES } from '../lib/status';

export function LegalPage({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  usePageTitle(title, t('service.name'));
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <div className="legal ui-measure">{children}</div>
    </>
  );
}

/** "to be completed by the operator", marked as such. */
function ToComplete() {
  const { t } = useTranslation();
  return <em className="legal__to-complete">[{t('legal.toComplete')}]</em>;
}

/** A value of the operator's configuration (`legal/operator.ts`), in the page's language. */
export function Op({ value }: { value: string | Localized | undefined }) {
  const { i18n } = useTranslation();
  if (value === undefined) return <ToComplete />;
  return <>{typeof value === 'string' ? value : i18n.language === 'en' ? value.en : value.fr}</>;
}

/** A contact: an e-mail address as a mailto: link, a URL as a link, else as written. */
export function Contact({ value }: { value: string | undefined }) {
  if (value === undefined) return <ToComplete />;
  if (/^[^\s@]+@[^\s@]+$/.test(value)) return <a href={`mailto:${value}`}>{value}</a>;
  if (/^https?:\/\//.test(value)) return <a href={value}>{value}</a>;
  return <>{value}</>;
}

/** The steps of a request, the later ones as the home page says them. */
export function Steps() {
  const { t } = useTranslation();
  return (
    <ol>
      <li>
        <Link to="/" hash="simulateur">
          {t('legal.stepSimulate.link')}
        </Link>
        {t('legal.stepSimulate.rest')}
      </li>
      {(['s2', 's3', 's4', 's5'] as const).map((s) => (
        <li key={s}>{t(`home.steps.${s}`)}</li>
      ))}
    </ol>
  );
}

/** What each status of a request means, as its page says it. */
export function StatusMeanings() {
  const { t } = useTranslation();
  return (
    <dl className="legal__statuses">
      {STATUSES.map((s) => (
        <div key={s}>
          <dt>{t(`status.${s}`)}</dt>
          <dd>{t(`statusHelp.${s}`)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Links to the other legal pages named. */
export function SeeAlso({ pages }: { pages: LegalPath[] }) {
  const { t } = useTranslation();
  return (
    <ul>
      {LEGAL_PAGES.filter((p) => pages.includes(p.to)).map(({ to, title }) => (
        <li key={to}>
          <Link to={to}>{t(title)}</Link>
        </li>
      ))}
    </ul>
  );
}

/** The CNIL, where a complaint about personal data goes (its name is French in both languages). */
export function Cnil() {
  return <a href="https://www.cnil.fr/fr/adresser-une-plainte">Commission nationale de l'informatique et des libertés (CNIL)</a>;
}
