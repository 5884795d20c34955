// The audit trail's integrity on the national figures page (docs/RULES.md §22): each
// bank's events are chained by SHA-256 hashes; the check walks every event, so it runs
// only when the admin asks (a button), never on page load. It says whether the trail is
// intact, how many chains and events, how many events came before the chain, the first
// broken link of each broken chain (its request one click away), and the chains' heads,
// to copy for an external timestamp.
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import type { AuditChains } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useCopy } from '../../components/useCopy';
import { formatDate } from '../../lib/dates';
import { Alert, Button, Link, SummaryList, Table } from '../../ui';

type Chain = AuditChains['chains'][number];

/** The heads as one text: a line per chain, `chain seq hash`. */
export const headsText = (chains: Chain[]) => chains.map((c) => `${c.chain} ${c.head_seq} ${c.head_hash}`).join('\n');

export function AuditIntegrity({ lang }: { lang: string }) {
  const { t } = useTranslation();
  const count = (n: number) => n.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR');
  const check = useMutation({
    mutationFn: async () => ({ result: (await unwrap(api.GET('/api/v1/admin/audit-chains'))).data, at: new Date().toISOString() }),
  });
  const { copied, copy } = useCopy();
  const data = check.data?.result;
  const broken = data ? data.chains.filter((c) => c.broken) : [];
  const events = data ? data.chains.reduce((n, c) => n + c.events, 0) : 0;
  return (
    <section aria-labelledby="audit-title" className="audit">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <p className="ui-measure">{t('audit.intro')}</p>
      <Button disabled={check.isPending} onClick={() => !check.isPending && check.mutate()}>
        {check.isPending ? t('audit.checking') : t('audit.check')}
      </Button>
      {check.isError && isApiError(check.error) && <ProblemAlert error={check.error} />}
      {/* The verdict is announced when it arrives. */}
      <div role="status">
        {data && !check.isPending && (
          <Alert variant={data.intact ? 'success' : 'error'} title={data.intact ? t('audit.intact') : t('audit.broken')}>
            <p>{data.intact ? t('audit.intactText') : t('audit.brokenText', { count: broken.length })}</p>
            <p>{t('audit.checkedAt', { date: formatDate(check.data!.at, lang, true) })}</p>
          </Alert>
        )}
      </div>
      {data && !check.isPending && (
        <>
          <SummaryList
            noActions
            rows={[
              { key: 'chains', label: t('audit.chains'), value: count(data.chains.length) },
              { key: 'events', label: t('audit.events'), value: count(events) },
              { key: 'unchained', label: t('audit.unchained'), value: count(data.unchained_before) },
            ]}
          />
          {broken.length > 0 && (
            <Table<Chain>
              caption={t('audit.brokenCaption')}
              rows={broken}
              rowKey={(c) => c.chain}
              columns={[
                { key: 'chain', header: t('audit.chain'), label: t('audit.chain'), rowHeader: true, cell: (c) => c.chain },
                { key: 'seq', header: t('audit.seq'), label: t('audit.seq'), numeric: true, cell: (c) => count(c.broken!.seq) },
                { key: 'problem', header: t('audit.problem'), label: t('audit.problem'), cell: (c) => t(`audit.problems.${c.broken!.problem}`, { defaultValue: c.broken!.problem }) },
                {
                  key: 'request',
                  header: t('audit.request'),
                  label: t('audit.request'),
                  cell: (c) =>
                    c.broken!.loan_request_id ? (
                      <Link to="/admin/demandes/$id" params={{ id: c.broken!.loan_request_id }}>
                        {t('audit.openRequest')}
                        <span className="ui-visually-hidden"> ({c.chain})</span>
                      </Link>
                    ) : (
                      t('audit.noRequest')
                    ),
                },
              ]}
            />
          )}
          {data.chains.length > 0 && (
            <details className="audit__heads">
              <summary>{t('audit.heads')}</summary>
              <Table<Chain>
                caption={t('audit.headsCaption')}
                rows={data.chains}
                rowKey={(c) => c.chain}
                columns={[
                  { key: 'chain', header: t('audit.chain'), label: t('audit.chain'), rowHeader: true, cell: (c) => c.chain },
                  { key: 'seq', header: t('audit.headSeq'), label: t('audit.headSeq'), numeric: true, cell: (c) => count(c.head_seq) },
                  { key: 'hash', header: t('audit.headHash'), label: t('audit.headHash'), cell: (c) => <code className="audit__hash">{c.head_hash}</code> },
                ]}
              />
              <Button variant="secondary" onClick={() => copy(headsText(data.chains))}>
                {t('audit.copy')}
              </Button>
              <p role="status">{copied === 'yes' ? t('audit.copied') : copied === 'no' ? t('audit.notCopied') : ''}</p>
            </details>
          )}
        </>
      )}
    </section>
  );
}
