// Glue between the pure checks (draft/fields.ts), react-hook-form and the error display.
import { useEffect, useRef } from 'react';
import { get, set, useWatch, type Control, type FieldErrors as RhfErrors, type FieldValues, type Resolver, type UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { FieldProblem } from '../api/problem';
import { formFieldOf, type DraftValues, type FieldErrors } from '../draft/fields';
import type { ShownLanguage } from '../lib/locale';
import { convertAmountInput } from '../lib/money';
import { fieldErrorText } from '../i18n/errors';
import type { SummaryError } from '../ui';

/** `{ 'company.siren': 'invalid-checksum' }` → react-hook-form's nested error object. */
function nestErrors<V extends FieldValues>(flat: FieldErrors): RhfErrors<V> {
  const out: RhfErrors<V> = {};
  for (const [name, code] of Object.entries(flat)) set(out, name, { type: code, message: '' });
  return out;
}

/** A react-hook-form resolver from one of the pure validators. */
export function resolverOf<V extends FieldValues>(validate: (values: V) => FieldErrors): Resolver<V> {
  return (values) => {
    const errors = validate(values);
    return Promise.resolve(Object.keys(errors).length === 0 ? { values, errors: {} } : { values: {}, errors: nestErrors<V>(errors) });
  };
}

export interface ShownError {
  name: string;
  code: string;
  message?: string;
}

/**
 * The form's values, kept current. useWatch types every field as optional; a form over the
 * draft has them all (its defaultValues are the whole draft).
 */
export function useWatchedDraft(control: Control<DraftValues>): DraftValues {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
  return useWatch({ control }) as DraftValues;
}

/** The error to show on one field: the client's check first, else what the API said. */
export function errorOn(errors: RhfErrors, name: string, server: Record<string, FieldProblem> = {}): ShownError | undefined {
  const found: unknown = get(errors, name);
  const e: { type?: unknown; message?: unknown } | undefined = found && typeof found === 'object' ? found : undefined;
  if (typeof e?.type === 'string' && e.type) return { name, code: e.type, message: (typeof e.message === 'string' && e.message) || undefined };
  const s = server[name];
  return s ? { name, code: s.code, message: s.message } : undefined;
}

export function useErrorText() {
  const { t } = useTranslation();
  return (e: ShownError | undefined) => (e ? fieldErrorText(t, e.name, e.code, e.message) : undefined);
}

/** Server field problems keyed by form field name. */
export function serverErrorsByField(problems: FieldProblem[]): Record<string, FieldProblem> {
  const out: Record<string, FieldProblem> = {};
  for (const p of problems) out[formFieldOf(p.field)] ??= p;
  return out;
}

/** Error-summary entries for the given fields, in the order the page shows them. */
export function summaryOf(fields: string[], errorOf: (name: string) => string | undefined): SummaryError[] {
  return fields.flatMap((name) => {
    const text = errorOf(name);
    return text ? [{ target: name, text }] : [];
  });
}

/** The draft's fields that hold euros as typed. */
export const AMOUNT_FIELDS = ['company.revenue', 'company.payroll', 'company.balance_sheet', 'requested_amount'] as const;
type AmountField = (typeof AMOUNT_FIELDS)[number];

/** The draft's amounts as they are typed in `to` (those that were readable in `from`). */
export function amountsIn(values: DraftValues, from: ShownLanguage, to: ShownLanguage): Pick<DraftValues, 'requested_amount'> & { company: Pick<DraftValues['company'], 'revenue' | 'payroll' | 'balance_sheet'> } {
  const c = values.company;
  return {
    company: { revenue: convertAmountInput(c.revenue, from, to), payroll: convertAmountInput(c.payroll, from, to), balance_sheet: convertAmountInput(c.balance_sheet, from, to) },
    requested_amount: convertAmountInput(values.requested_amount, from, to),
  };
}

/**
 * Amounts are read in the language shown: when it changes, the amount fields of this
 * form are rewritten as they are typed in the new one ("12,500" → "12500"), so what was
 * typed keeps its value (and the form's autosave keeps the draft in step).
 */
export function useAmountsFollowLanguage(form: UseFormReturn<DraftValues>, names: readonly AmountField[]) {
  const { i18n } = useTranslation();
  const lang: ShownLanguage = i18n.language === 'en' ? 'en' : 'fr';
  const previous = useRef(lang);
  useEffect(() => {
    const from = previous.current;
    previous.current = lang;
    if (from === lang) return;
    for (const name of names) {
      const value = form.getValues(name);
      if (typeof value !== 'string') continue;
      const converted = convertAmountInput(value, from, lang);
      if (converted !== value) form.setValue(name, converted, { shouldValidate: form.getFieldState(name).invalid });
    }
    // `names` is a constant list; the form object is stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lang]);
}
