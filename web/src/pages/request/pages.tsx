import { api } from '../../api/client';
import { Receipt } from '../../features/receipt/Receipt';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, type ApiError } from '../../api/problem';
import { banksQuery, keys, requestQuery } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Reference } from '../../components/Reference';
import { TermsSummary } from '../../components/TermsView';
import { firstIncompleteStep, formFieldOf, stepOf, toSimulation, type DraftValues } from '../../draft/fields';
import { clearDraft, rotateKey, setServerErrors, useDraft } from '../../draft/store';
import { serverErrorsByField } from '../../features/forms';
import { useSimulation } from '../../features/simulator/useSimulation';
import { apiDetail, fieldErrorText } from '../../i18n/errors';
import { formatCents, parseEuros } from '../../lib/money';
import { Alert, Button, ButtonGroup, ButtonLink, ErrorSummary, fieldId, Link, PageHeading, Spinner, SummaryList, usePageTitle, type SummaryRow } from '../../ui';
import { stepPath } from '../../features/request/useStep';
import { submitDraft } from '../../features/request/submit';

export function StartPage() {
  const { t } = useTranslation();
  usePageTitle(t('flow.start.title'), t('service.name'));
  return (
    <div className="ui-measure">
      <PageHeading>{t('flow.start.title')}</PageHeading>
      <p>{t('flow.start.intro')}</p>
      <ul>
        <li>{t('flow.start.need1')}</li>
        <li>{t('flow.start.need2')}</li>
        <li>{t('flow.start.need3')}</li>
        <li>{t('flow.start.need4')}</li>
      </ul>
      <p>{t('flow.start.time')}</p>
      <p className="ui-muted">{t('flow.start.saved')}</p>
      <ButtonLink to="/demande/entreprise">{t('flow.start.begin')}</ButtonLink>
    </div>
  );
}

type Answer = { name: string; value: (v: DraftValues) => string };

function useAnswerSections(): { title: string; answers: Answer[] }[] {
  const { t, i18n } = useTranslation();
  const banks = useQuery(banksQuery);
  const money = (s: string) => {
    const cents = parseEuros(s);
    return s.trim() === '' ? t('check.notProvided') : cents === undefined ? s : formatCents(cents, i18n.language);
  };
  const yn = (s: string) => (s === 'yes' ? t('common.yes') : s === 'no' ? t('common.no') : t('check.notProvided'));
  return [
    {
      title: t('flow.company.title'),
      answers: [
        { name: 'company.siren', value: (v) => v.company.siren },
        { name: 'company.siret', value: (v) => v.company.siret || t('check.notProvided') },
        { name: 'company.legal_name', value: (v) => v.company.legal_name },
        { name: 'company.legal_form', value: (v) => (v.company.legal_form ? t(`legalForms.${v.company.legal_form}`) : '') },
        { name: 'company.creation_date', value: (v) => v.company.creation_date },
      ],
    },
    {
      title: t('flow.figures.title'),
      answers: [
        { name: 'company.headcount', value: (v) => v.company.headcount },
        { name: 'company.revenue', value: (v) => money(v.company.revenue) },
        { name: 'company.payroll', value: (v) => money(v.company.payroll) },
        { name: 'company.balance_sheet', value: (v) => money(v.company.balance_sheet) },
        { name: 'company.innovative', value: (v) => yn(v.company.innovative) },
        { name: 'company.collective_proceedings', value: (v) => yn(v.company.collective_proceedings) },
      ],
    },
    {
      title: t('flow.amount.title'),
      answers: [
        { name: 'requested_amount', value: (v) => money(v.requested_amount) },
        { name: 'amortization_years', value: (v) => t('fields.amortizationOption', { count: Number(v.amortization_years), total: Number(v.amortization_years) + 1 }) },
      ],
    },
    {
      title: t('flow.bank.title'),
      answers: [{ name: 'bank_id', value: (v) => banks.data?.find((b) => b.id === v.bank_id)?.name ?? v.bank_id }],
    },
    { title: t('flow.contact.title'), answers: [{ name: 'contact_email', value: (v) => v.contact_email } ] },
  ];
}

const answerId = (name: string) => `answer-${fieldId(name)}`;

export function CheckAnswersPage() {
  const { t } = useTranslation();
  const draft = useDraft();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const sections = useAnswerSections();
  const [attempt, setAttempt] = useState(0);
  const simulation = useSimulation(toSimulation(draft.values));
  const server = serverErrorsByField(draft.serverErrors);

  const mutation = useMutation({
    mutationFn: () => submitDraft(draft),
    onSuccess: async (result) => {
      queryClient.setQueryData(keys.request(result.data.id), result);
      await navigate({ to: '/demande/confirmation', search: { id: result.data.id }, replace: true });
      clearDraft();
      // The copy kept on the server goes too (a 404: there was none).
      void api.DELETE('/api/v1/draft');
    },
    onError: (error) => {
      setAttempt((a) => a + 1);
      if (isApiError(error) && error.fieldErrors.length > 0) setServerErrors(error.fieldErrors);
      if (isApiError(error) && error.slug === 'idempotency-key-reused') rotateKey();
    },
  });

  const title = t('check.title');
  const fieldErrorOf = (name: string) => (server[name] ? fieldErrorText(t, name, server[name].code, server[name].message) : undefined);
  const summary = sections.flatMap((s) => s.answers).flatMap((a) => (fieldErrorOf(a.name) ? [{ target: `#${answerId(a.name)}`, text: fieldErrorOf(a.name)! }] : []));
  const unplaced = draft.serverErrors.filter((e) => !stepOf(formFieldOf(e.field)));
  const error = mutation.error && isApiError(mutation.error) ? mutation.error : undefined;
  const showProblem = error && error.fieldErrors.length === 0;
  usePageTitle(summary.length || showProblem ? `${t('common.errorPrefix')}${title}` : title, t('service.name'));

  const incomplete = firstIncompleteStep(draft.values);
  // Once sent, the draft is cleared on the way to the confirmation: no step to go back to
  // (the mutation is pending until its onSuccess has navigated, then a success).
  if (incomplete && !mutation.isPending && !mutation.isSuccess) return <Navigate to={stepPath[incomplete]} replace />;

  const label = (name: string) => t(`fields.${name.replace(/^company\./, '')}.label`);
  return (
    <div className="ui-measure">
      <ErrorSummary title={t('errors.summaryTitle')} errors={[...summary, ...unplaced.map((e) => ({ target: '#submit', text: `${e.field}: ${e.message}` }))]} focusKey={attempt} />
      {showProblem && <SubmitProblem error={error} onRetry={() => mutation.mutate()} />}
      <PageHeading>{title}</PageHeading>
      {sections.map((section) => (
        <section key={section.title} aria-labelledby={`h-${fieldId(section.title)}`}>
          <h2 id={`h-${fieldId(section.title)}`}>{section.title}</h2>
          <SummaryList
            rows={section.answers.map(
              (a): SummaryRow => ({
                key: a.name,
                id: answerId(a.name),
                label: label(a.name),
                value: a.value(draft.values),
                error: fieldErrorOf(a.name),
                action: (
                  <Link to={stepPath[stepOf(a.name)!]} search={{ retour: 'verification' }} hash={fieldId(a.name)}>
                    {t('check.change')}
                    <span className="ui-visually-hidden"> {label(a.name).toLowerCase()}</span>
                  </Link>
                ),
              }),
            )}
          />
        </section>
      ))}
      <h2>{t('check.termsTitle')}</h2>
      {simulation.status === 'done' && simulation.result.eligible && (
        <TermsSummary terms={simulation.result.terms} amountCents={simulation.input.requested_amount_cents ?? undefined} />
      )}
      {simulation.status === 'done' && !simulation.result.eligible && (
        <Alert variant="warning" title={t('simulation.notEligibleTitle')}>
          <ul>
            {simulation.result.reasons.map((code) => (
              <li key={code}>{t([`reasons.${code}`, 'reasons.unknown'], { code })}</li>
            ))}
          </ul>
        </Alert>
      )}
      {simulation.status === 'loading' && <Spinner label={t('simulation.computing')} />}
      {simulation.status === 'error' && simulation.error.status !== 422 && <ProblemAlert error={simulation.error} />}

      <h2>{t('check.sendTitle')}</h2>
      <p>{t('check.declaration')}</p>
      <ButtonGroup>
        <Button type="button" id="submit" disabled={mutation.isPending} aria-disabled={mutation.isPending} onClick={() => !mutation.isPending && mutation.mutate()}>
          {mutation.isPending ? t('check.sending') : t('check.send')}
        </Button>
      </ButtonGroup>
      {mutation.isPending && <Spinner label={t('check.sending')} />}
    </div>
  );
}

function SubmitProblem({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  const { t, i18n } = useTranslation();
  const slug = error.slug;
  if (slug === 'not-eligible') {
    return (
      <Alert variant="error" title={t('simulation.notEligibleTitle')} live="alert">
        <ul>
          {(error.problem?.reasons ?? []).map((code) => (
            <li key={code}>{t([`reasons.${code}`, 'reasons.unknown'], { code })}</li>
          ))}
        </ul>
      </Alert>
    );
  }
  if (slug === 'aggregate-cap-exceeded') {
    return (
      <Alert variant="error" title={t('problems.title')} live="alert">
        <p>{t('problems.aggregate-cap-exceeded')}</p>
        {apiDetail(error, i18n.language) && (
          <p>
            {t('problems.detail')} {apiDetail(error, i18n.language)}
          </p>
        )}
        <p>
          <Link to="/demande/montant" search={{ retour: 'verification' }}>
            {t('check.changeAmount')}
          </Link>
        </p>
      </Alert>
    );
  }
  const retriable = error.isNetwork || error.status === 429 || error.status >= 500;
  return <ProblemAlert error={error} onRetry={retriable ? onRetry : undefined} />;
}

export function ConfirmationPage() {
  const { t } = useTranslation();
  const { id } = useSearch({ from: '/demande/confirmation' });
  const request = useQuery({ ...requestQuery(id), enabled: id !== '' });
  const banks = useQuery(banksQuery);
  usePageTitle(t('confirmation.title'), t('service.name'));
  if (request.isPending) return <Spinner label={t('common.loading')} />;
  if (request.isError) return isApiError(request.error) ? <ProblemAlert error={request.error} /> : null;
  const r = request.data.data;
  return (
    <div className="ui-measure">
      <div className="confirmation-panel">
        <PageHeading>{t('confirmation.title')}</PageHeading>
        <Reference value={r.reference} />
      </div>
      <p>{t('confirmation.email', { email: r.contact_email })}</p>
      <Receipt request={r} bankName={banks.data?.find((b) => b.id === r.bank_id)?.name} />
      <h2>{t('confirmation.nextTitle')}</h2>
      <ol>
        <li>{t('confirmation.next1')}</li>
        <li>{t('confirmation.next2')}</li>
        <li>{t('confirmation.next3')}</li>
      </ol>
      <ButtonGroup>
        <ButtonLink to="/demandes/$id" params={{ id: r.id }}>
          {t('confirmation.documents')}
        </ButtonLink>
        <Link to="/demandes">{t('nav.requests')}</Link>
      </ButtonGroup>
    </div>
  );
}
