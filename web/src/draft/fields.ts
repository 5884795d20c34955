// The request being prepared, as typed (strings: euros, dd/mm/yyyy dates), its checks,
// and its conversion to the API's shapes. Form field names are the API's dotted paths
// (`company.siren`), with `_cents` dropped where the user types euros.
import type { components } from '../api/schema';
import { parseDate, todayIso } from '../lib/dates';
import { sirenError, siretError, stripSpaces } from '../lib/identifiers';
import { MIN_LOAN_CENTS, parseEuros } from '../lib/money';

export type SubmissionInput = components['schemas']['SubmissionInput'];
export type SimulationInput = components['schemas']['SimulationInput'];
export type CompanyInput = components['schemas']['CompanyInput'];

export const LEGAL_FORMS = [
  'SAS', 'SASU', 'SARL', 'EURL', 'SA', 'SNC', 'EI', 'MICRO', 'ASSOCIATION', 'SCI',
  'CREDIT_INSTITUTION', 'FINANCING_COMPANY', 'OTHER',
] as const;

export type YesNo = '' | 'yes' | 'no';

export interface DraftValues {
  company: {
    siren: string;
    siret: string;
    legal_name: string;
    legal_form: string;
    creation_date: string;
    headcount: string;
    revenue: string;
    payroll: string;
    balance_sheet: string;
    innovative: YesNo;
    collective_proceedings: YesNo;
  };
  requested_amount: string;
  amortization_years: string;
  bank_id: string;
  contact_email: string;
}

export const emptyValues = (): DraftValues => ({
  company: {
    siren: '', siret: '', legal_name: '', legal_form: '', creation_date: '',
    headcount: '', revenue: '', payroll: '', balance_sheet: '',
    innovative: '', collective_proceedings: '',
  },
  requested_amount: '',
  amortization_years: '5',
  bank_id: '',
  contact_email: '',
});

/** A form field name: `company.siren`, `company.revenue`, `requested_amount`… */
export type FieldName = string;
/** Field name → error code (the API's codes, plus a few of the client's own). */
export type FieldErrors = Record<FieldName, string>;

/** The form field an API field path designates: `company.revenue_cents` → `company.revenue`. */
export const formFieldOf = (apiField: string): FieldName => apiField.replace(/_cents$/, '');

const MAX_HEADCOUNT = 10_000_000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function amountError(input: string, required: boolean): string | undefined {
  if (input.trim() === '') return required ? 'required' : undefined;
  return parseEuros(input) === undefined ? 'invalid-format' : undefined;
}

function yesNoError(value: string): string | undefined {
  return value === 'yes' || value === 'no' ? undefined : 'required';
}

export const steps = ['entreprise', 'chiffres', 'montant', 'banque', 'contact'] as const;
export type Step = (typeof steps)[number];

/** Which fields each step asks for: server errors are sent back to the step that owns them. */
export const stepFields: Record<Step, FieldName[]> = {
  entreprise: ['company.siren', 'company.siret', 'company.legal_name', 'company.legal_form', 'company.creation_date'],
  chiffres: ['company.headcount', 'company.revenue', 'company.payroll', 'company.balance_sheet', 'company.innovative', 'company.collective_proceedings'],
  montant: ['requested_amount', 'amortization_years'],
  banque: ['bank_id'],
  contact: ['contact_email'],
};

export const stepOf = (field: FieldName): Step | undefined =>
  steps.find((s) => stepFields[s].includes(field));

/** Every client-side error of one step (empty when the step can be left). */
export function validateStep(step: Step, v: DraftValues, today = todayIso()): FieldErrors {
  const c = v.company;
  const e: Record<string, string | undefined> = {};
  switch (step) {
    case 'entreprise': {
      e['company.siren'] = sirenError(c.siren);
      e['company.siret'] = siretError(c.siret, c.siren);
      const name = c.legal_name.trim();
      e['company.legal_name'] = name === '' ? 'required' : [...name].length > 200 ? 'too-long' : undefined;
      e['company.legal_form'] = c.legal_form === '' ? 'required' : (LEGAL_FORMS as readonly string[]).includes(c.legal_form) ? undefined : 'unknown-value';
      e['company.creation_date'] = creationDateError(c.creation_date, today);
      break;
    }
    case 'chiffres': {
      const h = c.headcount.trim();
      e['company.headcount'] = h === '' ? 'required' : !/^\d+$/.test(h) ? 'invalid-format' : Number(h) > MAX_HEADCOUNT ? 'out-of-range' : undefined;
      e['company.revenue'] = amountError(c.revenue, true);
      e['company.payroll'] = amountError(c.payroll, false);
      e['company.balance_sheet'] = amountError(c.balance_sheet, false);
      e['company.innovative'] = yesNoError(c.innovative);
      e['company.collective_proceedings'] = yesNoError(c.collective_proceedings);
      break;
    }
    case 'montant': {
      const amount = parseEuros(v.requested_amount);
      e['requested_amount'] = amountError(v.requested_amount, true) ?? (amount! < MIN_LOAN_CENTS ? 'amount-below-minimum' : undefined);
      e['amortization_years'] = /^[0-5]$/.test(v.amortization_years) ? undefined : 'out-of-range';
      break;
    }
    case 'banque':
      e['bank_id'] = v.bank_id === '' ? 'required' : undefined;
      break;
    case 'contact': {
      const email = v.contact_email.trim();
      e['contact_email'] = email === '' ? 'required' : EMAIL.test(email) ? undefined : 'invalid-email';
      break;
    }
  }
  return Object.fromEntries(Object.entries(e).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function creationDateError(input: string, today = todayIso()): string | undefined {
  if (input.trim() === '') return 'required';
  const iso = parseDate(input);
  if (!iso) return 'invalid-format';
  return iso > today ? 'in-future' : undefined;
}

/** The first step with an error, to send the user back there from "check your answers". */
export function firstIncompleteStep(v: DraftValues): Step | undefined {
  return steps.find((s) => Object.keys(validateStep(s, v)).length > 0);
}

const yes = (v: YesNo) => v === 'yes';
const optionalCents = (s: string) => (s.trim() === '' ? null : parseEuros(s) ?? null);

export function toCompany(v: DraftValues): CompanyInput {
  const c = v.company;
  return {
    siren: stripSpaces(c.siren),
    siret: stripSpaces(c.siret) || null,
    legal_name: c.legal_name.trim(),
    legal_form: c.legal_form,
    creation_date: parseDate(c.creation_date) ?? c.creation_date,
    headcount: Number(c.headcount.trim()),
    revenue_cents: parseEuros(c.revenue) ?? 0,
    payroll_cents: optionalCents(c.payroll),
    balance_sheet_cents: optionalCents(c.balance_sheet),
    innovative: yes(c.innovative),
    collective_proceedings: yes(c.collective_proceedings),
  };
}

export function toSubmission(v: DraftValues): SubmissionInput {
  return {
    bank_id: v.bank_id,
    company: toCompany(v),
    requested_amount_cents: parseEuros(v.requested_amount) ?? 0,
    amortization_years: Number(v.amortization_years),
    contact_email: v.contact_email.trim(),
  };
}

// The simulation's rules ignore who the company is, but the API wants a SIREN and a
// name: until the user has typed valid ones, a neutral Luhn-valid SIREN and a label go.
const SIMULATION_SIREN = '000000000';
const SIMULATION_NAME = 'Simulation';

/**
 * The simulation request for what is typed so far, or `undefined` while the figures the
 * rules need (legal form, creation date, headcount, revenue) are missing or malformed.
 * A malformed amount is not sent (the caller shows its own field error).
 */
export function toSimulation(v: DraftValues, today = todayIso()): SimulationInput | undefined {
  const c = v.company;
  const revenue = parseEuros(c.revenue);
  const creation = parseDate(c.creation_date);
  if (!c.legal_form || !creation || creation > today || !/^\d+$/.test(c.headcount.trim()) || revenue === undefined) return undefined;
  if (c.payroll.trim() !== '' && parseEuros(c.payroll) === undefined) return undefined;
  const company = toCompany(v);
  if (sirenError(c.siren) !== undefined) company.siren = SIMULATION_SIREN;
  if (company.siret && (sirenError(c.siren) !== undefined || siretError(c.siret, c.siren) !== undefined)) company.siret = null;
  if (!company.legal_name) company.legal_name = SIMULATION_NAME;
  const amount = parseEuros(v.requested_amount);
  return {
    company,
    requested_amount_cents: v.requested_amount.trim() === '' ? null : amount ?? null,
    amortization_years: /^[0-5]$/.test(v.amortization_years) ? Number(v.amortization_years) : null,
  };
}

/** The simulator's own checks: nothing is required, but what is typed must be readable. */
export function validateSimulator(v: DraftValues, today = todayIso()): FieldErrors {
  const c = v.company;
  const e: Record<string, string | undefined> = {};
  if (c.creation_date.trim() !== '') e['company.creation_date'] = creationDateError(c.creation_date, today);
  const h = c.headcount.trim();
  if (h !== '') e['company.headcount'] = !/^\d+$/.test(h) ? 'invalid-format' : Number(h) > MAX_HEADCOUNT ? 'out-of-range' : undefined;
  e['company.revenue'] = amountError(c.revenue, false);
  e['company.payroll'] = amountError(c.payroll, false);
  const amount = parseEuros(v.requested_amount);
  e['requested_amount'] = amountError(v.requested_amount, false) ?? (amount !== undefined && amount < MIN_LOAN_CENTS ? 'amount-below-minimum' : undefined);
  return Object.fromEntries(Object.entries(e).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
