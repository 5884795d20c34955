// What a request asked and the terms computed for it, as the applicant, its bank and the
// platform's admins read them.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { banksQuery, type LoanRequest } from '../api/queries';
import { formatDate, isoToInput } from '../lib/dates';
import { formatCents } from '../lib/money';
import { SummaryList } from '../ui';
import { TermsSummary } from './TermsView';

export function RequestDetails({ request: r }: { request: LoanRequest }) {
  const { t, i18n } = useTranslation();
  const banks = useQuery(banksQuery);
  const lang = i18n.language;
  return (
    <section aria-labelledby="details-title">
      <h2 id="details-title">{t('request.detailsTitle')}</h2>
      <SummaryList
        noActions
        rows={[
          { key: 'amount', label: t('fields.requested_amount.label'), value: formatCents(r.requested_amount_cents, lang) },
          { key: 'years', label: t('fields.amortization_years.label'), value: t('fields.amortizationOption', { count: r.amortization_years, total: r.amortization_years + 1 }) },
          { key: 'bank', label: t('fields.bank_id.label'), value: banks.data?.find((b) => b.id === r.bank_id)?.name ?? r.bank_id },
          { key: 'siren', label: t('fields.siren.label'), value: r.company.siren },
          { key: 'name', label: t('fields.legal_name.label'), value: r.company.legal_name },
          { key: 'created', label: t('fields.creation_date.label'), value: isoToInput(r.company.creation_date) },
          { key: 'email', label: t('fields.contact_email.label'), value: r.contact_email },
          { key: 'sent', label: t('request.sentOn'), value: formatDate(r.created_at, lang, true) },
        ]}
      />
      <h2>{t('request.termsTitle')}</h2>
      <TermsSummary terms={r.terms} />
    </section>
  );
}

/** A request's page below its heading: `children` (messages, documents, history) beside its details and what follows them (`aside`). */
export function BesideRequestDetails({ request, aside, children }: { request: LoanRequest; aside?: ReactNode; children: ReactNode }) {
  return (
    <div className="ui-grid ui-grid--2">
      <div>{children}</div>
      <div>
        <RequestDetails request={request} />
        {aside}
      </div>
    </div>
  );
}
