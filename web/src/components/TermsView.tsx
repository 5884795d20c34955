// Computed loan terms: cap, guarantee share, guaranteed amount and the fee schedule year
// by year with its total, formatted for the user's language.
import { useTranslation } from 'react-i18next';
import type { Terms } from '../api/queries';
import { formatBasisPoints, formatCents } from '../lib/money';
import { SummaryList, Table } from '../ui';

type FeeYear = Terms['fee_schedule'][number];

export function TermsSummary({ terms, amountCents, headingLevel = 3 }: { terms: Terms; amountCents?: number; headingLevel?: 2 | 3 }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (c: number) => formatCents(c, lang);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <>
      <SummaryList
        noActions
        rows={[
          { key: 'size', label: t('terms.size'), value: t(`terms.sizes.${terms.size_category}`, { defaultValue: terms.size_category }) },
          { key: 'cap', label: t('terms.cap'), value: money(terms.cap_cents) },
          ...(amountCents !== undefined ? [{ key: 'amount', label: t('terms.amount'), value: money(amountCents) }] : []),
          { key: 'share', label: t('terms.share'), value: formatBasisPoints(terms.guarantee_share_bp, lang) },
          { key: 'guaranteed', label: t('terms.guaranteed'), value: money(terms.guaranteed_cents) },
          { key: 'total', label: t('terms.totalFee'), value: <strong>{money(terms.total_fee_cents)}</strong> },
        ]}
      />
      <H>{t('terms.scheduleTitle')}</H>
      <FeeSchedule schedule={terms.fee_schedule} total={terms.total_fee_cents} />
    </>
  );
}

export function FeeSchedule({ schedule, total }: { schedule: FeeYear[]; total: number }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <Table<FeeYear>
      caption={t('terms.scheduleCaption')}
      captionHidden
      rows={schedule}
      rowKey={(r) => String(r.year)}
      columns={[
        { key: 'year', header: t('terms.year'), label: t('terms.year'), rowHeader: true, cell: (r) => t('terms.yearN', { n: r.year }) },
        { key: 'outstanding', header: t('terms.outstanding'), label: t('terms.outstanding'), numeric: true, cell: (r) => formatCents(r.outstanding_cents, lang) },
        { key: 'rate', header: t('terms.rate'), label: t('terms.rate'), numeric: true, cell: (r) => formatBasisPoints(r.rate_bp, lang) },
        { key: 'fee', header: t('terms.fee'), label: t('terms.fee'), numeric: true, cell: (r) => formatCents(r.fee_cents, lang) },
      ]}
      footer={
        <tr>
          <th scope="row" colSpan={3}>
            {t('terms.total')}
          </th>
          <td className="ui-num" data-label={t('terms.total')}>
            {formatCents(total, lang)}
          </td>
        </tr>
      }
    />
  );
}
