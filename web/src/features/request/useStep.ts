// One step of the request: a react-hook-form form over the draft, checked by the pure
// validators, showing the API's field errors from the last submission on their fields.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { useForm, type FieldPath } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { stepFields, steps, validateStep, type DraftValues, type Step } from '../../draft/fields';
import { clearServerErrors, readDraft, updateDraft, useDraft } from '../../draft/store';
import { AMOUNT_FIELDS, errorOn, resolverOf, serverErrorsByField, summaryOf, useAmountsFollowLanguage, useErrorText } from '../../features/forms';
import { usePageTitle } from '../../ui';

export const stepPath = {
  entreprise: '/demande/entreprise',
  chiffres: '/demande/chiffres',
  montant: '/demande/montant',
  banque: '/demande/banque',
  contact: '/demande/contact',
} as const satisfies Record<Step, string>;

export function useStep(step: Step, title: string, extraCheck?: (values: DraftValues) => Record<string, string>) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const search = useSearch({ strict: false });
  const backToCheck = search.retour === 'verification';
  const index = steps.indexOf(step);
  const fields = stepFields[step];

  const form = useForm<DraftValues>({
    defaultValues: readDraft().values,
    mode: 'onTouched',
    reValidateMode: 'onChange',
    // The error summary takes focus, not the first field (GOV.UK pattern).
    shouldFocusError: false,
    resolver: resolverOf((v) => ({ ...validateStep(step, v), ...extraCheck?.(v) })),
  });
  // Autosave: whatever is typed is in the draft at once (reload, sign-in redirect…).
  useEffect(() => {
    const { unsubscribe } = form.watch((values) => updateDraft(values));
    return unsubscribe;
  }, [form]);
  useAmountsFollowLanguage(form, AMOUNT_FIELDS.filter((name) => fields.includes(name)));
  const [attempts, setAttempts] = useState(0);
  const server = serverErrorsByField(useDraft().serverErrors);
  // An answer changed since the API refused it is not marked refused any more.
  for (const name of Object.keys(server)) {
    // The API's fields are named as the form's (formFieldOf); a name the form lacks reads as untouched.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
    if (form.getFieldState(name as FieldPath<DraftValues>).isDirty) delete server[name];
  }

  const errorText = useErrorText();
  const errorFor = (name: string) => errorText(errorOn(form.formState.errors, name, server));
  const summary = summaryOf(fields, errorFor);
  const showSummary = summary.length > 0 && (attempts > 0 || fields.some((f) => server[f]));
  usePageTitle(showSummary ? `${t('common.errorPrefix')}${title}` : title, t('service.name'));

  const submit = form.handleSubmit(
    (values) => {
      updateDraft(values);
      clearServerErrors(fields);
      const next = steps[index + 1];
      void navigate({ to: backToCheck || !next ? '/demande/verification' : stepPath[next] });
    },
    () => setAttempts((a) => a + 1),
  );
  const onSubmit = (e: FormEvent) => void submit(e);

  const previous = steps[index - 1];
  return {
    form,
    errorFor,
    summary: showSummary ? summary : [],
    attempts,
    onSubmit,
    fieldNames: fields,
    backTo: backToCheck ? '/demande/verification' : previous ? stepPath[previous] : '/demande',
    progress: t('flow.stepOf', { n: index + 1, total: steps.length }),
  };
}
