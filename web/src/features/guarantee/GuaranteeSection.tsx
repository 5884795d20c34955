// The applicant's side of the State guarantee (docs/RULES.md §20): once the bank has
// pre-approved the request, the company obtains the guarantee's identifier here, reads
// or copies it to its bank, and downloads its attestation; later, where it stands (used
// by the bank's grant, or cancelled by a withdrawal or a rejection).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { guaranteeQuery, keys, type Guarantee, type LoanRequest } from '../../api/queries';
import { GuaranteeBadge } from '../../components/GuaranteeBadge';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Reference } from '../../components/Reference';
import { useCopy } from '../../components/useCopy';
import { formatDate } from '../../lib/dates';
import { mayHaveGuarantee } from '../../lib/status';
import { Alert, Button, ButtonGroup, Link, Spinner } from '../../ui';
import { downloadAttestation } from './attestation';

export function GuaranteeSection({ request: r }: { request: LoanRequest }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const guarantee = useQuery({ ...guaranteeQuery(r.id), enabled: mayHaveGuarantee(r) });
  const [obtainedNow, setObtainedNow] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const issue = useMutation({
    mutationFn: async () => (await unwrap(api.POST('/api/v1/loan-requests/{id}/guarantee', { params: { path: { id: r.id } } }))).data,
    onSuccess: async (issued) => {
      queryClient.setQueryData(keys.guarantee(r.id), issued);
      setObtainedNow(true);
      // The request changed: its version (the ETag a withdrawal sends) and its history.
      await Promise.all([queryClient.invalidateQueries({ queryKey: keys.request(r.id), exact: true }), queryClient.invalidateQueries({ queryKey: keys.events(r.id) })]);
    },
  });
  // The button gives way to the identifier: focus goes to the section's heading, and
  // the identifier's arrival is announced.
  useEffect(() => {
    if (obtainedNow) heading.current?.focus();
  }, [obtainedNow]);

  if (!mayHaveGuarantee(r)) return null;
  const g = guarantee.data;
  // Withdrawn or rejected before an identifier was obtained, or granted before identifiers
  // existed: nothing to say.
  if (guarantee.isSuccess && !g && r.status !== 'pre_approved') return null;
  return (
    <section aria-labelledby="guarantee-title" className="ui-panel guarantee">
      <h2 id="guarantee-title" ref={heading} tabIndex={-1}>
        {t('guarantee.title')}
      </h2>
      {guarantee.isPending && <Spinner label={t('common.loading')} />}
      {guarantee.isError && isApiError(guarantee.error) && <ProblemAlert error={guarantee.error} onRetry={() => void guarantee.refetch()} />}
      {guarantee.isSuccess && !g && (
        <>
          <p>{t('guarantee.intro')}</p>
          <p className="ui-hint">{t('guarantee.introHint')}</p>
          {issue.isError && isApiError(issue.error) && <ProblemAlert error={issue.error} />}
          <Button disabled={issue.isPending} onClick={() => !issue.isPending && issue.mutate()}>
            {issue.isPending ? t('guarantee.obtaining') : t('guarantee.obtain')}
          </Button>
        </>
      )}
      {g && (
        <>
          {obtainedNow && (
            <Alert variant="success" live="status">
              <p>{t('guarantee.obtained')}</p>
            </Alert>
          )}
          <GuaranteeShown guarantee={g} />
        </>
      )}
    </section>
  );
}

function GuaranteeShown({ guarantee: g }: { guarantee: Guarantee }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { copied, copy } = useCopy();
  const download = useMutation({ mutationFn: () => downloadAttestation(g.loan_request_id, g.identifier) });
  const closedOn = g.closed_at ? formatDate(g.closed_at, lang, true) : '';
  return (
    <>
      {g.identifier && <Reference value={g.identifier} label={t('guarantee.label')} kind="guarantee" />}
      <div className="status-line">
        <span>{t('guarantee.state')}</span>
        <GuaranteeBadge status={g.status} />
      </div>
      <p>{t('guarantee.issuedOn', { date: formatDate(g.issued_at, lang, true) })}</p>
      <p className="ui-measure">{t(`guarantee.explain.${g.status}`, { date: closedOn })}</p>
      <ButtonGroup>
        {g.status !== 'cancelled' && (
          <Button disabled={download.isPending} onClick={() => !download.isPending && download.mutate()}>
            {download.isPending ? t('guarantee.downloading') : t('guarantee.attestation')}
          </Button>
        )}
        {g.identifier && g.status === 'issued' && (
          <Button variant="secondary" onClick={() => copy(g.identifier ?? '')}>
            {t('guarantee.copy')}
          </Button>
        )}
      </ButtonGroup>
      <p role="status" className="guarantee__status">
        {copied === 'yes' ? t('guarantee.copied', { identifier: g.identifier }) : copied === 'no' ? t('guarantee.notCopied') : ''}
      </p>
      <p role="status" className="ui-visually-hidden">
        {download.isSuccess ? t('guarantee.downloaded') : ''}
      </p>
      {download.isError && isApiError(download.error) && <ProblemAlert error={download.error} showDetail={false} />}
      {g.status !== 'cancelled' && (
        <p className="ui-hint">
          {t('guarantee.checkText')} <Link to="/verifier">{t('footer.verify')}</Link>.
        </p>
      )}
    </>
  );
}
