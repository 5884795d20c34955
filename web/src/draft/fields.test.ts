import { describe, expect, it } from 'vitest';
import { emptyValues, firstIncompleteStep, toSimulation, toSubmission, validateStep, type DraftValues } from './fields';

const filled = (): DraftValues => ({
  company: {
    siren: '732 829 320', siret: '', legal_name: ' Boulangerie Exemple ', legal_form: 'SAS', creation_date: '04/05/2012',
    headcount: '12', revenue: '1 000 000', payroll: '400000', balance_sheet: '', innovative: 'no', collective_proceedings: 'no',
  },
  requested_amount: '50 000',
  amortization_years: '4',
  bank_id: '30004',
  contact_email: 'gerant@boulangerie.example',
});

describe('request steps', () => {
  it('accept a complete draft', () => {
    expect(firstIncompleteStep(filled())).toBeUndefined();
  });
  it('ask for everything on an empty draft, step by step', () => {
    const v = emptyValues();
    expect(firstIncompleteStep(v)).toBe('entreprise');
    expect(validateStep('entreprise', v)).toEqual({
      'company.siren': 'required',
      'company.legal_name': 'required',
      'company.legal_form': 'required',
      'company.creation_date': 'required',
    });
    expect(validateStep('chiffres', v)).toMatchObject({ 'company.headcount': 'required', 'company.revenue': 'required', 'company.innovative': 'required' });
    expect(validateStep('banque', v)).toEqual({ bank_id: 'required' });
  });
  it('check the SIREN checksum, the SIRET against it, dates and amounts', () => {
    const v = filled();
    v.company.siren = '732829321';
    v.company.creation_date = '31/02/2012';
    expect(validateStep('entreprise', v)).toEqual({ 'company.siren': 'invalid-checksum', 'company.creation_date': 'invalid-format' });
    v.company.siren = '552100554';
    v.company.siret = '73282932000074';
    v.company.creation_date = '01/01/2999';
    expect(validateStep('entreprise', v, '2026-01-01')).toEqual({ 'company.siret': 'siret-siren-mismatch', 'company.creation_date': 'in-future' });
    v.requested_amount = '999';
    expect(validateStep('montant', v)).toEqual({ requested_amount: 'amount-below-minimum' });
    v.requested_amount = '10k';
    expect(validateStep('montant', v)).toEqual({ requested_amount: 'invalid-format' });
    v.contact_email = 'gerant';
    expect(validateStep('contact', v)).toEqual({ contact_email: 'invalid-email' });
  });
  it('build the submission in the API shape (cents, ISO date, normalised identifiers)', () => {
    expect(toSubmission(filled())).toEqual({
      bank_id: '30004',
      company: {
        siren: '732829320', siret: null, legal_name: 'Boulangerie Exemple', legal_form: 'SAS', creation_date: '2012-05-04',
        headcount: 12, revenue_cents: 100_000_000, payroll_cents: 40_000_000, balance_sheet_cents: null, innovative: false, collective_proceedings: false,
      },
      requested_amount_cents: 5_000_000,
      amortization_years: 4,
      contact_email: 'gerant@boulangerie.example',
    });
  });
  it('simulate only once the figures the rules need are there', () => {
    const v = emptyValues();
    expect(toSimulation(v)).toBeUndefined();
    Object.assign(v.company, { legal_form: 'SARL', creation_date: '2020-03-01', headcount: '3', revenue: '200000' });
    expect(toSimulation(v, '2026-01-01')).toMatchObject({
      company: { siren: '000000000', legal_name: 'Simulation', revenue_cents: 20_000_000, innovative: false },
      requested_amount_cents: null,
      amortization_years: 5,
    });
  });
});
