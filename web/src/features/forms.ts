// Glue between the pure checks (draft/fields.ts), react-hook-form and the error display.
import { get, type FieldErrors as RhfErrors, type FieldValues, type Resolver } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { FieldProblem } from '../api/problem';
import { formFieldOf, type FieldErrors } from '../draft/fields';
import { fieldErrorText } from '../i18n/errors';
import type { SummaryError } from '../ui';

/** `{ 'company.siren': 'invalid-checksum' }` → react-hook-form's nested error object. */
export function nestErrors(flat: FieldErrors): RhfErrors {
  const out: Record<string, unknown> = {};
  for (const [name, code] of Object.entries(flat)) {
    const parts = name.split('.');
    let node = out;
    parts.slice(0, -1).forEach((p) => (node = (node[p] ??= {}) as Record<string, unknown>));
    node[parts[parts.length - 1]!] = { type: code, message: '' };
  }
  return out as RhfErrors;
}

/** A react-hook-form resolver from one of the pure validators. */
export function resolverOf<V extends FieldValues>(validate: (values: V) => FieldErrors): Resolver<V> {
  return async (values) => {
    const errors = validate(values);
    return Object.keys(errors).length === 0 ? { values, errors: {} } : { values: {}, errors: nestErrors(errors) as RhfErrors<V> };
  };
}

export interface ShownError {
  name: string;
  code: string;
  message?: string;
}

/** The error to show on one field: the client's check first, else what the API said. */
export function errorOn(errors: RhfErrors, name: string, server: Record<string, FieldProblem> = {}): ShownError | undefined {
  const e = get(errors, name) as { type?: string; message?: string } | undefined;
  if (e?.type) return { name, code: String(e.type), message: e.message || undefined };
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
