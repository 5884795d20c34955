// A loan request as the API shows it, for the unit tests of the pages' parts.
import type { LoanRequest, LoanStatus } from '../api/queries';

export function aRequest(status: LoanStatus, changes: Partial<LoanRequest> = {}): LoanRequest {
  return {
    id: '0197a3c2-0000-7000-8000-000000000001',
    reference: 'PGE-0J5K8Q2M3RX',
    status,
    version: 4,
    bank_id: '30004',
    amortization_years: 4,
    contact_email: 'gerant@boulangerie.example',
    created_at: '2026-03-14T09:30:00Z',
    updated_at: '2026-03-20T10:00:00Z',
    requested_amount_cents: 5_000_000,
    company: {
      siren: '732829320',
      legal_name: 'Boulangerie Exemple',
      legal_form: 'SAS',
      creation_date: '2012-05-04',
      headcount: 12,
      revenue_cents: 100_000_000,
      innovative: false,
      collective_proceedings: false,
    },
    terms: { cap_cents: 25_000_000, fee_schedule: [], guarantee_share_bp: 9000, guaranteed_cents: 4_500_000, size_category: 'PME', total_fee_cents: 0 },
    ...changes,
  };
}

/** A problem+json answer, as the API writes it. */
export const problem = (status: number, slug: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  Response.json({ type: `/problems/${slug}`, title: slug, status, detail: `${slug} (detail)`, ...extra }, { status, headers: { 'content-type': 'application/problem+json', ...headers } });
