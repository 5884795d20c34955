// The receipt of a submitted request, to keep: what was asked, of which bank, when
// (Europe/Paris), under which reference; a button copies the reference, another prints
// the page (a print style sheet keeps only the receipt: app.css, "@media print").
import { useTranslation } from 'react-i18next';
import type { LoanRequest } from '../../api/queries';
import { useCopy } from '../../components/useCopy';
import { formatDate } from '../../lib/dates';
import { formatCents } from '../../lib/money';
import { Button, ButtonGroup, SummaryList } from '../../ui';

export function Receipt({ request, bankName }: { request: LoanRequest; bankName?: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { copied, copy } = useCopy();
  return (
    <section aria-labelledby="receipt-title" className="receipt">
      <h2 id="receipt-title">{t('receipt.title')}</h2>
      <SummaryList
        noActions
        rows={[
          { key: 'reference', label: t('receipt.reference'), value: request.reference },
          { key: 'company', label: t('receipt.company'), value: `${request.company.legal_name} (SIREN ${request.company.siren})` },
          { key: 'bank', label: t('receipt.bank'), value: bankName ?? request.bank_id },
          { key: 'amount', label: t('receipt.amount'), value: formatCents(request.requested_amount_cents, lang) },
          { key: 'at', label: t('receipt.at'), value: formatDate(request.created_at, lang, true) },
        ]}
      />
      <div className="receipt__actions">
        <ButtonGroup>
          <Button variant="secondary" onClick={() => copy(request.reference)}>
            {t('receipt.copy')}
          </Button>
          <Button variant="secondary" onClick={() => window.print()}>
            {t('receipt.print')}
          </Button>
        </ButtonGroup>
      </div>
      <p role="status" className="receipt__status">
        {copied === 'yes' ? t('receipt.copied', { reference: request.reference }) : copied === 'no' ? t('receipt.notCopied') : ''}
      </p>
    </section>
  );
}
