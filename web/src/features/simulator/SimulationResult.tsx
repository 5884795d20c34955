import { useTranslation } from 'react-i18next';
import { TermsSummary } from '../../components/TermsView';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatCents } from '../../lib/money';
import { Alert, Spinner } from '../../ui';
import type { SimulationState, SimulationView } from './useSimulation';

/** The outcome of the live simulation, with a short polite announcement of each update. */
export function SimulationResult({ state, headingLevel = 2 }: { state: SimulationState; headingLevel?: 2 | 3 }) {
  const { t, i18n } = useTranslation();
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const shown: SimulationView | undefined = state.status === 'done' ? state.result : state.status === 'loading' ? state.previous : undefined;
  const amount = state.status === 'done' ? (state.input.requested_amount_cents ?? undefined) : undefined;

  let announcement = '';
  if (state.status === 'done') {
    const r = state.result;
    announcement = r.eligible
      ? t('simulation.announceEligible', { cap: formatCents(r.terms.cap_cents, i18n.language), fee: formatCents(r.terms.total_fee_cents, i18n.language) })
      : t('simulation.announceNotEligible');
  } else if (state.status === 'error' && state.error.status === 422) {
    announcement = t('simulation.announceInvalid');
  }

  return (
    <section className="simulation" aria-labelledby="simulation-title">
      <H id="simulation-title" className="simulation__title">
        {t('simulation.resultTitle')}
      </H>
      <p className="ui-visually-hidden" role="status">
        {announcement}
      </p>
      {state.status === 'idle' && <p className="ui-muted">{t('simulation.idle')}</p>}
      {state.status === 'loading' && <Spinner label={t('simulation.computing')} />}
      {state.status === 'error' &&
        (state.error.status === 422 ? (
          <Alert variant="warning" title={t('simulation.invalidTitle')}>
            <p>{t('simulation.invalidText')}</p>
          </Alert>
        ) : (
          <ProblemAlert error={state.error} />
        ))}
      {shown && (
        <div className={state.status === 'loading' ? 'simulation__stale' : undefined}>
          {shown.eligible ? (
            <>
              <Alert variant="success" title={t('simulation.eligibleTitle')}>
                <p>{t('simulation.eligibleText', { cap: formatCents(shown.terms.cap_cents, i18n.language) })}</p>
              </Alert>
              <TermsSummary terms={shown.terms} amountCents={amount ?? shown.terms.cap_cents} headingLevel={3} />
            </>
          ) : (
            <Alert variant="warning" title={t('simulation.notEligibleTitle')}>
              <ul>
                {shown.reasons.map((code) => (
                  <li key={code}>{t([`reasons.${code}`, 'reasons.unknown'], { code })}</li>
                ))}
              </ul>
            </Alert>
          )}
        </div>
      )}
    </section>
  );
}
