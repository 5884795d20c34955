// The questions, one topic per page.
import type { TFunction } from 'i18next';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { banksQuery } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { LEGAL_FORMS, toSimulation } from '../../draft/fields';
import { serverErrorsByField, useWatchedDraft } from '../../features/forms';
import { SimulationResult } from '../../features/simulator/SimulationResult';
import { yearsOptions } from '../../features/simulator/Simulator';
import { useSimulation } from '../../features/simulator/useSimulation';
import { isApiError } from '../../api/problem';
import { BackLink, Button, ErrorSummary, PageHeading, Radios, Select, Spinner, TextInput } from '../../ui';
import { useEffect, useRef, type ReactNode } from 'react';
import { fieldErrorText } from '../../i18n/errors';
import { formatCents } from '../../lib/money';
import { useStep } from '../../features/request/useStep';

function StepFrame({
  step,
  title,
  errorFor,
  children,
}: {
  step: ReturnType<typeof useStep>;
  title: string;
  /** The page's own error wording, when it knows more than the generic one. */
  errorFor?: (name: string) => string | undefined;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const summary = errorFor ? step.summary.map((e) => ({ ...e, text: errorFor(e.target) ?? e.text })) : step.summary;
  return (
    <div className="ui-measure">
      <BackLink to={step.backTo}>{t('common.back')}</BackLink>
      <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={step.attempts} />
      <form noValidate onSubmit={step.onSubmit}>
        <PageHeading caption={step.progress}>{title}</PageHeading>
        {children}
        <Button type="submit">{t('common.continue')}</Button>
      </form>
    </div>
  );
}

const yesNo = (t: TFunction) => [
  { value: 'yes', label: t('common.yes') },
  { value: 'no', label: t('common.no') },
];

export function CompanyStep() {
  const { t } = useTranslation();
  const title = t('flow.company.title');
  const step = useStep('entreprise', title);
  const { register } = step.form;
  return (
    <StepFrame step={step} title={title}>
      <p>{t('flow.company.intro')}</p>
      <TextInput {...register('company.siren')} label={t('fields.siren.label')} hint={t('fields.siren.hint')} width="w10" inputMode="numeric" autoComplete="off" spellCheck={false} error={step.errorFor('company.siren')} />
      <TextInput {...register('company.siret')} label={t('fields.siret.label')} hint={t('fields.siret.hint')} width="w20" inputMode="numeric" autoComplete="off" spellCheck={false} error={step.errorFor('company.siret')} />
      <TextInput {...register('company.legal_name')} label={t('fields.legal_name.label')} hint={t('fields.legal_name.hint')} autoComplete="organization" error={step.errorFor('company.legal_name')} />
      <Select
        {...register('company.legal_form')}
        label={t('fields.legal_form.label')}
        placeholder={t('fields.legal_form.placeholder')}
        options={LEGAL_FORMS.map((f) => ({ value: f, label: t(`legalForms.${f}`) }))}
        error={step.errorFor('company.legal_form')}
      />
      <TextInput {...register('company.creation_date')} label={t('fields.creation_date.label')} hint={t('fields.creation_date.hint')} width="w10" inputMode="numeric" error={step.errorFor('company.creation_date')} />
    </StepFrame>
  );
}

export function FiguresStep() {
  const { t } = useTranslation();
  const title = t('flow.figures.title');
  const step = useStep('chiffres', title);
  const { register } = step.form;
  return (
    <StepFrame step={step} title={title}>
      <p>{t('flow.figures.intro')}</p>
      <TextInput {...register('company.headcount')} label={t('fields.headcount.label')} hint={t('fields.headcount.hint')} width="w10" inputMode="numeric" error={step.errorFor('company.headcount')} />
      <TextInput {...register('company.revenue')} label={t('fields.revenue.label')} hint={t('fields.revenue.hint')} width="w20" inputMode="decimal" suffix="€" error={step.errorFor('company.revenue')} />
      <TextInput {...register('company.payroll')} label={t('fields.payroll.label')} hint={t('fields.payroll.hint')} width="w20" inputMode="decimal" suffix="€" error={step.errorFor('company.payroll')} />
      <TextInput {...register('company.balance_sheet')} label={t('fields.balance_sheet.label')} hint={t('fields.balance_sheet.hint')} width="w20" inputMode="decimal" suffix="€" error={step.errorFor('company.balance_sheet')} />
      <Radios {...register('company.innovative')} legend={t('fields.innovative.label')} hint={t('fields.innovative.hint')} options={yesNo(t)} inline error={step.errorFor('company.innovative')} />
      <Radios {...register('company.collective_proceedings')} legend={t('fields.collective_proceedings.label')} hint={t('fields.collective_proceedings.hint')} options={yesNo(t)} inline error={step.errorFor('company.collective_proceedings')} />
    </StepFrame>
  );
}

export function AmountStep() {
  const { t, i18n } = useTranslation();
  const title = t('flow.amount.title');
  // What the live simulation refused (an amount above the cap) blocks the step too.
  const refused = useRef<Record<string, string>>({});
  const step = useStep('montant', title, () => refused.current);
  const values = useWatchedDraft(step.form.control);
  const simulation = toSimulation(values);
  const state = useSimulation(simulation);
  // The cap alone (no amount: the API answers for the cap), to say it up front.
  const capState = useSimulation(simulation && { ...simulation, requested_amount_cents: null, amortization_years: null });
  const cap = capState.status === 'done' ? capState.result.terms.cap_cents : capState.status === 'loading' ? capState.previous?.terms.cap_cents : undefined;
  // The cap's line holds its place from the first render ("Loading…" until the answer),
  // so that the fields and the Continue button do not move under the pointer when it comes.
  const capLine = simulation !== undefined && capState.status !== 'error';

  const server = state.status === 'error' && state.error.status === 422 ? serverErrorsByField(state.error.fieldErrors) : {};
  const refusedNow = Object.fromEntries(
    Object.entries(server)
      .filter(([name]) => step.fieldNames.includes(name))
      .map(([name, p]) => [name, p.code]),
  );
  // Read by the form's resolver when the step is submitted (after this render).
  useEffect(() => {
    refused.current = refusedNow;
  });
  const errorFor = (name: string) => {
    const code = server[name]?.code;
    if (code === 'amount-above-cap' && cap !== undefined) return t('fieldErrors.requested_amount.amount-above-cap-value', { cap: formatCents(cap, i18n.language) });
    return step.errorFor(name) ?? (server[name] ? fieldErrorText(t, name, server[name].code, server[name].message) : undefined);
  };
  const { register } = step.form;
  return (
    <div className="ui-grid ui-grid--main-aside">
      <StepFrame step={step} title={title} errorFor={errorFor}>
        <p>{t('flow.amount.intro')}</p>
        {capLine && (
          <p>
            {t('flow.amount.cap')} <strong>{cap !== undefined ? formatCents(cap, i18n.language) : t('common.loading')}</strong>
          </p>
        )}
        <TextInput {...register('requested_amount')} label={t('fields.requested_amount.label')} hint={t('fields.requested_amount.hint')} width="w20" inputMode="decimal" suffix="€" error={errorFor('requested_amount')} />
        <Select {...register('amortization_years')} label={t('fields.amortization_years.label')} hint={t('fields.amortization_years.hint')} options={yearsOptions(t)} error={errorFor('amortization_years')} />
      </StepFrame>
      <aside className="ui-panel ui-sticky" aria-label={t('simulation.resultTitle')}>
        <SimulationResult state={state} headingLevel={2} />
      </aside>
    </div>
  );
}

export function BankStep() {
  const { t } = useTranslation();
  const title = t('flow.bank.title');
  const step = useStep('banque', title);
  const banks = useQuery(banksQuery);
  return (
    <StepFrame step={step} title={title}>
      <p>{t('flow.bank.intro')}</p>
      {banks.isPending && <Spinner label={t('common.loading')} />}
      {banks.isError && isApiError(banks.error) && <ProblemAlert error={banks.error} onRetry={() => void banks.refetch()} />}
      {banks.data && (
        <Select
          {...step.form.register('bank_id')}
          label={t('fields.bank_id.label')}
          placeholder={t('fields.bank_id.placeholder')}
          options={banks.data.map((b) => ({ value: b.id, label: b.name }))}
          error={step.errorFor('bank_id')}
        />
      )}
    </StepFrame>
  );
}

export function ContactStep() {
  const { t } = useTranslation();
  const title = t('flow.contact.title');
  const step = useStep('contact', title);
  return (
    <StepFrame step={step} title={title}>
      <p>{t('flow.contact.intro')}</p>
      <TextInput {...step.form.register('contact_email')} type="email" label={t('fields.contact_email.label')} hint={t('fields.contact_email.hint')} autoComplete="email" spellCheck={false} error={step.errorFor('contact_email')} />
    </StepFrame>
  );
}

