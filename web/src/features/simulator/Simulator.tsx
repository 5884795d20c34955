// The home page's simulator: a few figures, a live answer. What is typed goes into the
// draft, so a request started afterwards does not ask for it again.
import type { TFunction } from 'i18next';
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { LEGAL_FORMS, toSimulation, validateSimulator, type DraftValues } from '../../draft/fields';
import { readDraft, updateDraft } from '../../draft/store';
import { ButtonLink, Radios, Select, TextInput } from '../../ui';
import { AMOUNT_FIELDS, errorOn, resolverOf, serverErrorsByField, useAmountsFollowLanguage, useErrorText, useWatchedDraft } from '../forms';
import { SimulationResult } from './SimulationResult';
import { useSimulation } from './useSimulation';

export function yearsOptions(t: TFunction) {
  return [0, 1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t('fields.amortizationOption', { count: n, total: n + 1 }) }));
}

export function Simulator() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const form = useForm<DraftValues>({
    defaultValues: readDraft().values,
    mode: 'onTouched',
    resolver: resolverOf(validateSimulator),
  });
  useAmountsFollowLanguage(form, AMOUNT_FIELDS);
  const values = useWatchedDraft(form.control);
  const serialized = JSON.stringify(values);
  useEffect(() => {
    updateDraft(form.getValues());
  }, [serialized, form]);

  const state = useSimulation(toSimulation(values));
  const server = state.status === 'error' ? serverErrorsByField(state.error.fieldErrors) : {};
  const err = (name: string) => errorText(errorOn(form.formState.errors, name, server));
  const yesNo = [
    { value: 'yes', label: t('common.yes') },
    { value: 'no', label: t('common.no') },
  ];

  return (
    <div className="ui-grid ui-grid--2">
      <form noValidate onSubmit={(e) => e.preventDefault()} aria-labelledby="simulator-title">
        <h2 id="simulator-title">{t('home.simulatorTitle')}</h2>
        <p>{t('home.simulatorIntro')}</p>
        <Select
          {...form.register('company.legal_form')}
          label={t('fields.legal_form.label')}
          placeholder={t('fields.legal_form.placeholder')}
          options={LEGAL_FORMS.map((f) => ({ value: f, label: t(`legalForms.${f}`) }))}
          error={err('company.legal_form')}
        />
        <TextInput
          {...form.register('company.creation_date')}
          label={t('fields.creation_date.label')}
          hint={t('fields.creation_date.hint')}
          width="w10"
          inputMode="numeric"
          error={err('company.creation_date')}
        />
        <TextInput
          {...form.register('company.headcount')}
          label={t('fields.headcount.label')}
          hint={t('fields.headcount.hint')}
          width="w10"
          inputMode="numeric"
          error={err('company.headcount')}
        />
        <TextInput
          {...form.register('company.revenue')}
          label={t('fields.revenue.label')}
          hint={t('fields.revenue.hint')}
          width="w20"
          inputMode="decimal"
          suffix="€"
          error={err('company.revenue')}
        />
        <Radios {...form.register('company.innovative')} legend={t('fields.innovative.label')} hint={t('fields.innovative.hint')} options={yesNo} inline error={err('company.innovative')} />
        <TextInput
          {...form.register('company.payroll')}
          label={t('fields.payroll.label')}
          hint={t('fields.payroll.simulatorHint')}
          width="w20"
          inputMode="decimal"
          suffix="€"
          error={err('company.payroll')}
        />
        <Radios
          {...form.register('company.collective_proceedings')}
          legend={t('fields.collective_proceedings.label')}
          hint={t('fields.collective_proceedings.hint')}
          options={yesNo}
          inline
          error={err('company.collective_proceedings')}
        />
        <TextInput
          {...form.register('requested_amount')}
          label={t('fields.requested_amount.label')}
          hint={t('fields.requested_amount.simulatorHint')}
          width="w20"
          inputMode="decimal"
          suffix="€"
          error={err('requested_amount')}
        />
        <Select {...form.register('amortization_years')} label={t('fields.amortization_years.label')} hint={t('fields.amortization_years.hint')} options={yearsOptions(t)} error={err('amortization_years')} />
      </form>
      <div className="ui-sticky">
        <div className="ui-panel">
          <SimulationResult state={state} />
          <ButtonLink to="/demande">{t('home.cta')}</ButtonLink>
        </div>
      </div>
    </div>
  );
}
