import { useTranslation } from 'react-i18next';
import { WithStrong } from '../components/WithStrong';
import { Simulator } from '../features/simulator/Simulator';
import { ButtonLink, Link, PageHeading, Table, usePageTitle } from '../ui';

const FEES = [
  { years: '1', pme: 25, eti: 50 },
  { years: '2-3', pme: 50, eti: 100 },
  { years: '4-6', pme: 100, eti: 200 },
];

export function HomePage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t('home.title'), t('service.name'));
  const pct = (bp: number) => new Intl.NumberFormat(i18n.language === 'en' ? 'en-GB' : 'fr-FR', { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10_000);
  return (
    <>
      <PageHeading>{t('home.title')}</PageHeading>
      <p className="ui-lead">{t('home.lead')}</p>
      <ButtonLink to="/demande">{t('home.cta')}</ButtonLink>

      <h2>{t('home.schemeTitle')}</h2>
      <div className="ui-grid ui-grid--4">
        <section className="ui-card" aria-labelledby="who">
          <h3 id="who">{t('home.who.title')}</h3>
          <p>{t('home.who.text')}</p>
          <p className="ui-muted">{t('home.who.excluded')}</p>
        </section>
        <section className="ui-card" aria-labelledby="how-much">
          <h3 id="how-much">{t('home.howMuch.title')}</h3>
          <p>
            <WithStrong text={t('home.howMuch.text')} />
          </p>
          <p className="ui-muted">{t('home.howMuch.min')}</p>
        </section>
        <section className="ui-card" aria-labelledby="guarantee">
          <h3 id="guarantee">{t('home.guarantee.title')}</h3>
          <ul>
            <li>{t('home.guarantee.l90')}</li>
            <li>{t('home.guarantee.l80')}</li>
            <li>{t('home.guarantee.l70')}</li>
          </ul>
        </section>
        <section className="ui-card" aria-labelledby="repayment">
          <h3 id="repayment">{t('home.repayment.title')}</h3>
          <p>{t('home.repayment.text')}</p>
        </section>
      </div>

      <h3>{t('home.fees.title')}</h3>
      <p className="ui-measure">{t('home.fees.text')}</p>
      <Table
        caption={t('home.fees.caption')}
        captionHidden
        rows={FEES}
        rowKey={(r) => r.years}
        columns={[
          { key: 'y', header: t('home.fees.year'), label: t('home.fees.year'), rowHeader: true, cell: (r) => t(`home.fees.years.${r.years}`) },
          { key: 'pme', header: t('home.fees.pme'), label: t('home.fees.pme'), numeric: true, cell: (r) => pct(r.pme) },
          { key: 'eti', header: t('home.fees.eti'), label: t('home.fees.eti'), numeric: true, cell: (r) => pct(r.eti) },
        ]}
      />

      <h3>{t('home.steps.title')}</h3>
      <ol className="ui-measure">
        <li>{t('home.steps.s1')}</li>
        <li>{t('home.steps.s2')}</li>
        <li>{t('home.steps.s3')}</li>
        <li>{t('home.steps.s4')}</li>
        <li>{t('home.steps.s5')}</li>
      </ol>
      <p className="ui-measure">
        {t('home.verifyText')} <Link to="/verifier">{t('footer.verify')}</Link>.
      </p>

      <div id="simulateur">
        <Simulator />
      </div>
    </>
  );
}
